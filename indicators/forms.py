"""Forms of an indicator's set-up (its definition, target, retirement) and of its values
entered one period at a time."""

from django import forms

from challenge.editing import add_service_errors
from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from indicators.models import PERIOD_FORMATS, Indicator, IndicatorValue, period_from_text, period_label
from programmes.models import ThematicArea


class IndicatorForm(SubmissionTokenMixin, forms.ModelForm):
    """Define or change an indicator of one of the partnership's areas."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = [
            "area",
            "code",
            "name",
            "definition",
            "unit",
            "polarity",
            "frequency",
            "source",
            "target",
            "target_date",
            "position",
        ]
        labels = {
            "position": "Order in its area",
            "target_date": "Target date",
            "source": "Source of the data",
        }
        help_texts = {
            "target": "The value aimed for, in the indicator's unit. A new target is kept in its target history "
            "from today: the values before it keep the target that applied then.",
            "position": "Smaller first.",
        }
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        # Only the partnership's areas: another's (a forged id) is "not one of the choices".
        self.fields["area"].queryset = ThematicArea.objects.filter(partnership=partnership).order_by("name")
        if self.instance.pk:
            del self.fields["submission_token"]  # an edit, guarded by its revision instead
            self.fields["revision"].initial = self.instance.revision
        else:
            del self.fields["revision"]

    def _post_clean(self):
        # The service checks the whole indicator (code unique in the partnership, area's
        # partnership) and reports beside the field; the form only converts what was typed.
        pass

    def indicator_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _plain(number):
    """A stored number as typed: 42 rather than 42.0000."""
    return None if number is None else f"{number.normalize():f}"


class ValueForm(SubmissionTokenMixin, forms.Form):
    """An indicator's value for one period, with the benchmarks and a commentary."""

    period = forms.CharField(max_length=20, label="Period")
    value = forms.DecimalField(max_digits=14, decimal_places=4, label="Value", required=False)
    awaiting = forms.BooleanField(
        required=False,
        label="Awaiting data",
        help_text="The period's number is not available yet: the tables and charts say so, with the reason.",
    )
    awaiting_reason = forms.CharField(
        required=False,
        max_length=200,
        label="Why is it awaited?",
        help_text="E.g. “Care Director migration”.",
        validators=[no_line_breaks],
    )
    national = forms.DecimalField(max_digits=14, decimal_places=4, required=False, label="National")
    comparator = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, label="Comparator group", help_text=""
    )
    commentary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=IndicatorValue._meta.get_field("commentary").help_text,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicator, value=None, **kwargs):
        if value is not None:
            kwargs.setdefault(
                "initial",
                {
                    "period": period_label(value.period_start, indicator.frequency),
                    "value": _plain(value.value),
                    "awaiting": value.is_awaiting,
                    "awaiting_reason": value.awaiting_reason,
                    "national": _plain(value.national),
                    "comparator": _plain(value.comparator),
                    "commentary": value.commentary,
                    "revision": value.revision,
                },
            )
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text = f"Write {PERIOD_FORMATS[indicator.frequency][0]}, or the period's first day."
        self.fields["comparator"].help_text = IndicatorValue._meta.get_field("comparator").help_text
        if value is not None:
            del self.fields["submission_token"]
        else:
            del self.fields["revision"]

    def clean_period(self):
        try:
            return period_from_text(self.cleaned_data["period"], self.indicator.frequency)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        if data.get("awaiting"):
            if data.get("value") is not None:
                self.add_error("value", "Leave the value empty while the data is awaited, or untick “Awaiting data”.")
            if not data.get("awaiting_reason"):
                self.add_error("awaiting_reason", "Say why the data is awaited: the tables and charts show it.")
        elif data.get("value") is None and "value" not in self.errors:
            self.add_error("value", "Give the value, or tick “Awaiting data” and say why.")
        return data

    def value_fields(self) -> dict:
        data = self.cleaned_data
        awaiting = bool(data.get("awaiting"))
        return {
            "period_start": data["period"],
            "status": IndicatorValue.Status.AWAITING if awaiting else IndicatorValue.Status.REPORTED,
            "awaiting_reason": data.get("awaiting_reason", "") if awaiting else "",
            "value": None if awaiting else data["value"],
            "national": data["national"],
            "comparator": data["comparator"],
            "commentary": data["commentary"],
        }

    def add_service_error(self, error) -> None:
        if hasattr(error, "error_dict") and "period_start" in error.error_dict:
            error.error_dict["period"] = error.error_dict.pop("period_start")
        add_service_errors(self, error)
