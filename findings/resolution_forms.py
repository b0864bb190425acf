from django import forms

from challenge.submission import SubmissionTokenMixin
from findings.models import Resolution
from programmes.models import User
from sessions.forms import PersonChoiceField, people_queryset


class ResolutionForm(SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(choices=Resolution.Kind.choices, widget=forms.RadioSelect, initial="resolution")
    text = forms.CharField(label="What the panel resolved", widget=forms.Textarea(attrs={"rows": 4}))
    owner = PersonChoiceField(
        queryset=User.objects.none(), help_text="The officer or cabinet member who must respond and report progress."
    )
    response_due = forms.DateField(
        label="Response due", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_queryset(programme).order_by("last_name", "first_name")

    def values(self) -> dict:
        d = self.cleaned_data
        return dict(kind=d["kind"], text=d["text"], owner=d["owner"], response_due=d["response_due"])


RESPONSES = [c for c in Resolution.Response.choices if c[0] != Resolution.Response.AWAITED]


class ResponseForm(forms.Form):
    response = forms.ChoiceField(label="The executive's response", choices=RESPONSES, widget=forms.RadioSelect)
    response_text = forms.CharField(
        label="Its reasons and plan", widget=forms.Textarea(attrs={"rows": 4}), help_text="As the executive gave it."
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label="Progress to completion", choices=Resolution.Status.choices)
    progress_note = forms.CharField(
        label="What has been done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is done, what is next, what is in the way.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
