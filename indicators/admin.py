"""Administration of indicators and their values (administrators only). Edits bump the
revisions the app's forms check (challenge/admin_revision.py)."""

from django import forms
from django.contrib import admin

from challenge.admin_revision import RevisionAdminMixin, RevisionInlineMixin
from indicators.models import Indicator, IndicatorValue, Pathway, PathwayStage
from indicators.services import reassess, record_target


class IndicatorValueForm(forms.ModelForm):
    """A value in the admin: its status may be left out (a form of before it had one): a
    value is reported, no value with a reason is awaiting data."""

    class Meta:
        model = IndicatorValue
        fields = ["period_start", "status", "value", "awaiting_reason", "national", "comparator", "commentary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False

    def clean_status(self):
        status = self.cleaned_data.get("status")
        if status:
            return status
        data = self.data
        value = data.get(self.add_prefix("value"), "")
        reason = data.get(self.add_prefix("awaiting_reason"), "")
        awaiting = not str(value).strip() and str(reason).strip()
        return IndicatorValue.Status.AWAITING if awaiting else IndicatorValue.Status.REPORTED


class IndicatorValueInline(RevisionInlineMixin, admin.TabularInline):
    model = IndicatorValue
    form = IndicatorValueForm
    extra = 0
    fields = ["period_start", "status", "value", "awaiting_reason", "national", "comparator", "commentary"]


@admin.register(Indicator)
class IndicatorAdmin(RevisionAdminMixin, admin.ModelAdmin):
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
        super().save_model(request, obj, form, change)
        if {"target", "target_date"} & set(form.changed_data) or (not change and obj.target is not None):
            record_target(obj)

    def save_related(self, request, form, formsets, change):
        """After the indicator and its values (the inline) are saved: what they say now, stored
        on the indicator (its target or polarity may have changed, or its values)."""
        super().save_related(request, form, formsets, change)
        reassess([form.instance])


class PathwayStageInline(RevisionInlineMixin, admin.TabularInline):
    model = PathwayStage
    extra = 0
    fields = ["position", "name", "volume_indicator", "timeliness_indicator"]
    raw_id_fields = ["volume_indicator", "timeliness_indicator"]


@admin.register(Pathway)
class PathwayAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """An area's pathway and its stages (the partnership's facilitators set them up in the app,
    on the area's pathway page)."""

    list_display = ["name", "area"]
    list_select_related = ["area"]
    list_filter = ["area__partnership"]
    search_fields = ["name", "area__name"]
    inlines = [PathwayStageInline]  # RevisionAdminMixin bumps the stages' revisions
