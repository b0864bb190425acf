import re

from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from findings.models import Action, Finding, Theme
from findings.selectors import action_owners, earlier_findings_for
from programmes.models import User


class FindingForm(SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(choices=Finding.Kind.choices, widget=forms.RadioSelect, label="Kind of finding")
    title = forms.CharField(max_length=300, validators=[no_line_breaks])
    text = forms.CharField(label="The finding", widget=forms.Textarea(attrs={"rows": 4}))
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Cross-cutting themes",
    )
    new_themes = forms.CharField(
        required=False,
        max_length=500,
        label="Add new themes",
        help_text="Separate several with commas, e.g. “Governance, Pace of delivery”.",
    )
    evidence_answers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Answers it rests on"
    )
    evidence_comments = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Challenges it rests on"
    )
    raised_again_from = forms.ModelChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        label="Raised again from an earlier cycle",
        empty_label="No: a new finding",
        help_text="The same area's finding of an earlier cycle that this one raises again, if any.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, programme, answers, threads, area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(programme=programme)
        if area is not None:
            self.fields["raised_again_from"].queryset = earlier_findings_for(programme, area)
            self.fields["raised_again_from"].label_from_instance = _earlier_finding_label
        self._answers = {str(answer.pk): answer for answer in answers}
        self._threads = {str(thread.pk): thread for thread in threads}
        self.fields["evidence_answers"].choices = [(str(answer.pk), answer.question.text) for answer in answers]
        self.fields["evidence_comments"].choices = [(str(thread.pk), _thread_label(thread)) for thread in threads]

    def clean_new_themes(self):
        # A line break pasted into the box separates themes just as a comma does.
        names = [" ".join(name.split()) for name in re.split(r"[,\r\n]", self.cleaned_data.get("new_themes", ""))]
        return [name[:200] for name in names if name]

    def evidence(self):
        data = self.cleaned_data
        return (
            [self._answers[key] for key in data.get("evidence_answers", [])],
            [self._threads[key] for key in data.get("evidence_comments", [])],
        )


def _thread_label(thread):
    who = f"{thread.get_kind_display()} from {thread.author.display_name}"
    if thread.is_withdrawn:  # still cited by the finding being edited; its text is withdrawn
        return f"{who} (withdrawn by the author)"
    return f"{who}: {thread.text[:90]}"


class FindingEditForm(FindingForm):
    """A finding's edit (findings.services.update_finding): what the finding says and rests on,
    opened at a revision. Where it was raised again from, and new themes, are set when it is
    recorded. An assurance audit's finding (no `programme`) has no themes nor evidence: what it
    says alone is edited."""

    def __init__(self, *args, programme, answers=(), threads=(), **kwargs):
        super().__init__(*args, programme=programme, answers=answers, threads=threads, **kwargs)
        del self.fields["new_themes"], self.fields["raised_again_from"], self.fields["submission_token"]
        if programme is None:
            del self.fields["themes"], self.fields["evidence_answers"], self.fields["evidence_comments"]
        self.fields["revision"].required = True


class WithdrawFindingForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        validators=[no_line_breaks],
        label="Why withdraw it? (optional, kept in its history)",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


def _earlier_finding_label(finding):
    return f"{finding.title} ({finding.get_kind_display().lower()}, {finding.session.programme.name})"


class ActionForm(SubmissionTokenMixin, forms.ModelForm):
    owner = forms.ModelChoiceField(queryset=User.objects.none())

    class Meta:
        model = Action
        fields = ["description", "owner", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"description": "What will be done"}

    def __init__(self, *args, finding, partnership, owners=None, **kwargs):
        """`owners`, the people an action may be given to as read once for the page, fills the
        select without a query per form; without it, the select reads them itself. Either
        way they are the active members of `partnership`, the finding's programme's."""
        kwargs.setdefault("prefix", f"a{finding.pk}")
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = action_owners(partnership)  # what a submitted owner is checked against
        field.label_from_instance = _owner_label
        if owners is not None:
            field.choices = [("", field.empty_label), *((owner.pk, _owner_label(owner)) for owner in owners)]


def _owner_label(owner):
    return f"{owner.display_name}, {owner.partner_name}"
