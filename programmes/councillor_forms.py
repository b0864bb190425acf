from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes import councillors
from programmes.models import ThematicArea, User


class _Person(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.display_name


class _People(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return person.display_name


class PanelForm(forms.Form):
    name = forms.CharField(max_length=200, validators=[no_line_breaks])
    members = _People(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "The partnership's councillors (mark people as councillors on the people pages). Members sit "
            "on the panel's meetings still to come as their challengers, from when they join until they leave."
        ),
    )
    chair = _Person(queryset=User.objects.none(), required=False, help_text="One of the members.")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        people = councillors.councillors_of(partnership)
        self.fields["members"].queryset = people
        self.fields["chair"].queryset = people

    def values(self) -> dict:
        d = self.cleaned_data
        return dict(name=d["name"], chair=d.get("chair"), members=list(d.get("members") or []))


class PortfolioForm(SubmissionTokenMixin, forms.Form):
    title = forms.CharField(
        max_length=200, validators=[no_line_breaks], help_text="e.g. Cabinet Member for Children's Social Care."
    )
    holder = _Person(queryset=User.objects.none(), help_text="The councillor who holds it.")
    areas = forms.ModelMultipleChoiceField(
        queryset=ThematicArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Its holder may not sit on a scrutiny panel meeting about these areas.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = councillors.councillors_of(partnership)
        self.fields["areas"].queryset = councillors.areas_of(partnership)
        if self.initial.get("revision"):
            del self.fields["submission_token"]  # an edit, guarded by its revision instead

    def values(self) -> dict:
        d = self.cleaned_data
        values = dict(title=d["title"], holder=d["holder"], areas=list(d.get("areas") or []))
        if "submission_token" in self.fields:
            values["submission_token"] = self.submitted_token
        return values
