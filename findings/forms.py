import re

from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from findings.models import Action, Finding, Theme
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
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, programme, answers, threads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(programme=programme)
        self._answers = {str(a.pk): a for a in answers}
        self._threads = {str(t.pk): t for t in threads}
        self.fields["evidence_answers"].choices = [(str(a.pk), f"{a.question.text}") for a in answers]
        self.fields["evidence_comments"].choices = [
            (str(t.pk), f"{t.get_kind_display()} from {t.author.display_name}: {t.text[:90]}") for t in threads
        ]

    def clean_new_themes(self):
        # A line break pasted into the box separates themes just as a comma does.
        names = [" ".join(n.split()) for n in re.split(r"[,\r\n]", self.cleaned_data.get("new_themes", ""))]
        return [n[:200] for n in names if n]

    def evidence(self):
        d = self.cleaned_data
        return (
            [self._answers[k] for k in d.get("evidence_answers", [])],
            [self._threads[k] for k in d.get("evidence_comments", [])],
        )


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

    def __init__(self, *args, finding=None, **kwargs):
        if finding is not None:
            kwargs.setdefault("prefix", f"a{finding.pk}")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True, partner__isnull=False).select_related(
            "partner"
        )
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name}, {u.partner.name}"
