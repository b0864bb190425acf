"""Administration of indicators and their values (administrators only)."""

from django.contrib import admin

from indicators.models import Indicator, IndicatorValue
from indicators.services import reassess


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ["period_start", "value", "national", "comparator"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area", "unit", "polarity", "frequency", "target", "target_date"]
    list_filter = ["area", "polarity", "frequency", "unit"]
    search_fields = ["name", "code", "definition", "source"]
    list_select_related = ["area"]
    inlines = [IndicatorValueInline]
    fieldsets = [
        (None, {"fields": ["area", "code", "name", "definition", "source", "position"]}),
        ("Measure", {"fields": ["unit", "polarity", "frequency", "target", "target_date"]}),
    ]
    ordering = ["area__name", "position", "name"]

    def save_related(self, request, form, formsets, change):
        """After the indicator and its values (the inline) are saved: what they say now, stored
        on the indicator (its target or polarity may have changed, or its values)."""
        super().save_related(request, form, formsets, change)
        reassess([form.instance])
