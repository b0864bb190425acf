"""Administration of indicators and their values (administrators only)."""

from django.contrib import admin

from indicators.models import Indicator, IndicatorValue
from indicators.services import reassess, record_target


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ["period_start", "value", "national", "comparator", "commentary"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area", "unit", "polarity", "frequency", "target", "target_date", "retired_on"]
    list_filter = ["partnership", "area", "polarity", "frequency", "unit"]
    search_fields = ["name", "code", "definition", "source"]
    list_select_related = ["area"]
    inlines = [IndicatorValueInline]
    fieldsets = [
        (None, {"fields": ["area", "code", "name", "definition", "source", "position"]}),
        ("Measure", {"fields": ["unit", "polarity", "frequency", "target", "target_date"]}),
    ]
    ordering = ["area__name", "position", "name"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.revision += 1  # a form opened on it in the app is stale
        super().save_model(request, obj, form, change)
        if {"target", "target_date"} & set(form.changed_data) or (not change and obj.target is not None):
            record_target(obj)

    def save_formset(self, request, form, formset, change):
        for value_form in formset.forms:
            if value_form.instance.pk and value_form.has_changed():
                value_form.instance.revision += 1  # a form opened on it in the app is stale
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        """After the indicator and its values (the inline) are saved: what they say now, stored
        on the indicator (its target or polarity may have changed, or its values)."""
        super().save_related(request, form, formsets, change)
        reassess([form.instance])
