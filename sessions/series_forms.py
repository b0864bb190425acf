from django import forms
from django.core.exceptions import ValidationError

from challenge.clock import today as clock_today
from challenge.editing import add_service_errors
from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from indicators.models import Indicator
from sessions import series as series_services
from sessions.forms import PersonChoiceField, people_queryset
from sessions.models import SessionSeries


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name} ({indicator.area.name})"


class SeriesForm(SubmissionTokenMixin, forms.ModelForm):
    """Create a stretch-and-challenge series, or change it from a date on. The rules run in
    clean(), so each problem shows beside its field and everything typed stays."""

    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="KPIs looked at each time",
        help_text="A handful of the area's indicators: each occurrence's page shows their latest values first.",
    )
    from_date = forms.DateField(
        required=False,
        label="Apply the changes from",
        help_text="Occurrences before this date stay as they were; skipped and moved ones are kept as they are.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SessionSeries
        fields = [
            "title",
            "area",
            "service_lead",
            "facilitator",
            "indicators",
            "frequency",
            "weekday",
            "start_time",
            "end_time",
            "starts_on",
            "until",
            "count",
            "venue",
            "meeting_link",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "frequency": forms.RadioSelect,
        }
        labels = {
            "starts_on": "First week",
            "until": "Until (last date)",
            "count": "Or: number of occurrences",
            "meeting_link": "Meeting link",
        }
        field_classes = {"service_lead": PersonChoiceField, "facilitator": PersonChoiceField}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        for name in ("title", "venue"):
            # The model's own validators do not run (_post_clean below): the one-line rule here.
            self.fields[name].validators.append(no_line_breaks)
        self.fields["area"].queryset = programme.areas.order_by("name")
        people = people_queryset(programme)
        self.fields["service_lead"].queryset = people
        self.fields["facilitator"].queryset = people
        self.fields["indicators"].queryset = (
            Indicator.objects.current()
            .filter(area__in=programme.areas.all())
            .select_related("area")
            .order_by("area__name", "position", "name")
        )
        if self.instance.pk:
            del self.fields["submission_token"]
            self.fields["revision"].initial = self.instance.revision
            self.fields["from_date"].required = True
            self.fields["from_date"].initial = max(clock_today(), self.instance.starts_on)
            self.fields["indicators"].initial = [i.pk for i in self.instance.indicators.all()]
        else:
            del self.fields["from_date"]

    def rule_kwargs(self):
        d = self.cleaned_data
        return {
            "title": d["title"],
            "area": d["area"],
            "service_lead": d["service_lead"],
            "facilitator": d["facilitator"],
            "frequency": d["frequency"],
            "weekday": d["weekday"],
            "start_time": d["start_time"],
            "end_time": d["end_time"],
            "starts_on": d["starts_on"],
            "until": d.get("until"),
            "count": d.get("count"),
            "venue": d.get("venue", ""),
            "meeting_link": d.get("meeting_link", ""),
        }

    def _post_clean(self):
        # The series' own rules (series.validate_series) stand for the model's: they say
        # which field each problem is about, and are checked again by the service.
        pass

    def clean(self):
        data = super().clean()
        if any(self.errors.get(name) for name in self.fields if name not in ("revision",)):
            return data
        try:
            series_services.validate_series(
                programme=self.programme,
                indicators=list(data.get("indicators") or []),
                series=self.instance if self.instance.pk else None,
                from_date=data.get("from_date"),
                **self.rule_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return data

    def add_service_error(self, error):
        add_service_errors(self, error)


class SkipForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        validators=[no_line_breaks],
        label="Why is it skipped?",
        help_text="Shown on the series page beside the skipped date, e.g. “Bank holiday” or “Service lead on leave”.",
    )


class MeetingNotesForm(forms.Form):
    meeting_notes = forms.CharField(
        required=False,
        label="Notes of this occurrence",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was said about the KPIs, and what the service lead will look into.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
