"""Forms of the question set editor (issue 13). Each edit form carries the version's
revision it was opened at, so a save made after someone else's is refused, not applied."""

from django import forms

from challenge.submission import SubmissionTokenForm, SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes.models import AnswerKind


class RevisionForm(forms.Form):
    """The revision of the question set the page was opened at (a move or retire button)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SectionForm(RevisionForm):
    title = forms.CharField(max_length=200, validators=[no_line_breaks])
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown under the section's title."
    )

    def fields_to_save(self) -> dict:
        return {"title": self.cleaned_data["title"], "description": self.cleaned_data["description"]}


class QuestionForm(RevisionForm):
    text = forms.CharField(label="Question", max_length=500, validators=[no_line_breaks])
    guidance = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What a good answer covers: shown to the people answering.",
    )
    answer_kind = forms.ChoiceField(label="How is it answered?", choices=AnswerKind.choices, widget=forms.RadioSelect)

    def fields_to_save(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("text", "guidance", "answer_kind")}


class AddSectionForm(SubmissionTokenMixin, SectionForm):
    """A new section: once per submitted form (a double click adds one section)."""


class AddQuestionForm(SubmissionTokenMixin, QuestionForm):
    """A new question: once per submitted form (a double click adds one question)."""


class MoveForm(RevisionForm):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def step(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class NewVersionForm(SubmissionTokenForm):
    """ "Make a new version": nothing to fill in but the one-time token."""


class UseForProgrammeForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, label="Programme", empty_label=None)

    def __init__(self, *args, programmes, listed=None, **kwargs):
        """`programmes`: the queryset a choice must be in; `listed`: those programmes,
        already read, to offer without reading them again."""
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if listed is not None:
            self.fields["programme"].choices = [(programme.pk, programme.name) for programme in listed]
