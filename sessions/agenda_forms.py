from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes.models import ThematicArea, User
from sessions.forms import PeopleChoiceField, people_queryset


class AgendaItemForm(SubmissionTokenMixin, forms.Form):
    number = forms.CharField(
        max_length=30, validators=[no_line_breaks], help_text="As on the published agenda, e.g. 26."
    )
    title = forms.CharField(max_length=300, validators=[no_line_breaks])
    area = forms.ModelChoiceField(queryset=ThematicArea.objects.none(), help_text="One of the meeting's areas.")
    report = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The report presented to the panel, or its summary.",
    )
    presenting_officers = PeopleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They answer the panel's questions in the meeting's workspace, as presenters of the area.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, session, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = session.areas.order_by("name")
        self.fields["presenting_officers"].queryset = people_queryset(session.programme).order_by(
            "last_name", "first_name"
        )
        for name in ("number", "title"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        if item is not None:
            del self.fields["submission_token"]  # an edit, guarded by its revision instead

    def values(self) -> dict:
        d = self.cleaned_data
        return dict(
            number=d["number"].strip(),
            title=d["title"],
            area=d["area"],
            report=d.get("report", ""),
            presenting_officers=list(d.get("presenting_officers") or []),
        )
