"""Administration of indicators and their values (administrators only)."""

from django.contrib import admin

from indicators.models import Indicator, IndicatorValue


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
