import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.boundfield import BoundField

from challenge.submission import SubmissionTokenMixin
from programmes.models import AnswerKind
from workspace.models import LIKELIHOOD_CHOICES, SCALE_CHOICES, Comment, Confidence, Direction

RATING_FIELDS = {
    AnswerKind.LIKELIHOOD: "likelihood",
    AnswerKind.SCALE: "scale",
    AnswerKind.DIRECTION: "direction",
    AnswerKind.CONFIDENCE: "confidence",
}

EVIDENCE_HELP = (
    "One item per line. After the title you can add a link or a document reference "
    "following a vertical bar, e.g. “Ofsted inspection report 2008 | https://…” or "
    "“Children's Trust Board minutes | CTB/2009/04”."
)


class BootstrapBoundField(BoundField):
    """A field whose widget carries Bootstrap's classes (and is-invalid when it has errors), so
    templates/workspace/_field.html renders it with plain Django: no crispy-forms round-trip
    per field. Django adds aria-invalid and aria-describedby (help text and errors) itself."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            base = "form-check-input"
        elif isinstance(widget, forms.Select):
            base = "form-select"
        else:
            base = "form-control"
        classes = [attrs.get("class", ""), base, "is-invalid" if self.errors else ""]
        attrs["class"] = " ".join(name for name in classes if name)
        return attrs


class WorkspaceForm(forms.Form):
    bound_field_class = BootstrapBoundField


def evidence_to_text(evidence) -> str:
    lines = []
    for item in evidence or []:
        extra = item.get("link") or item.get("reference") or ""
        lines.append(f"{item['title']} | {extra}" if extra else item["title"])
    return "\n".join(lines)


def parse_evidence(text: str) -> list[dict]:
    """Turn "Title | link or reference" lines into evidence items; only http(s) links."""
    items, errors = [], []
    validate = URLValidator(schemes=["http", "https"])
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, _, extra = (part.strip() for part in line.partition("|"))
        if not title:
            errors.append(f"Line {number}: give the evidence a title before the vertical bar.")
            continue
        item = {"title": title[:300], "link": "", "reference": ""}
        if re.match(r"^[a-z][a-z0-9+.-]*://", extra, re.I):
            try:
                validate(extra)
            except ValidationError:
                errors.append(f"Line {number}: “{extra}” is not a web link (http or https).")
                continue
            item["link"] = extra
        else:
            item["reference"] = extra[:300]
        items.append(item)
    if errors:
        raise ValidationError(errors)
    return items


class AnswerForm(WorkspaceForm):
    """The presenter's answer to one question. Only the rating the question asks for is
    offered. Prefixed by question, so every question's form can sit on one page."""

    text = forms.CharField(
        label="Answer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Separate paragraphs with a blank line; start lines with “- ” for a list.",
    )
    likelihood = forms.TypedChoiceField(
        label="Likelihood",
        choices=LIKELIHOOD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    scale = forms.TypedChoiceField(
        label="Scale of the impact",
        choices=SCALE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    direction = forms.ChoiceField(
        label="Direction of travel",
        choices=Direction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    confidence = forms.ChoiceField(
        label="Confidence",
        choices=Confidence.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=EVIDENCE_HELP,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, question, answer=None, **kwargs):
        kwargs.setdefault("prefix", f"q{question.pk}")
        if answer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **answer.content(),
                "evidence": evidence_to_text(answer.evidence),
                "revision": answer.revision,
            }
        else:
            kwargs.setdefault("initial", {"revision": 0})
        super().__init__(*args, **kwargs)
        self.question = question
        keep = RATING_FIELDS.get(question.answer_kind)
        for name in RATING_FIELDS.values():
            if name != keep:
                del self.fields[name]

    def clean_evidence(self):
        return parse_evidence(self.cleaned_data.get("evidence", ""))

    def content(self):
        return {
            name: self.cleaned_data[name]
            for name in ("text", "evidence", *RATING_FIELDS.values())
            if name in self.fields
        }


class CommentForm(SubmissionTokenMixin, WorkspaceForm):
    kind = forms.ChoiceField(
        label="Kind of comment",
        choices=[choice for choice in Comment.Kind.choices if choice[0] != Comment.Kind.REPLY],
        initial=Comment.Kind.CHALLENGE,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, question=None, **kwargs):
        if question is not None:
            kwargs.setdefault("prefix", f"c{question.pk}")
        super().__init__(*args, **kwargs)


class CommentEditForm(CommentForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, comment, **kwargs):
        kwargs.setdefault("initial", {"kind": comment.kind, "text": comment.text, "revision": comment.revision})
        super().__init__(*args, **kwargs)
        del self.fields["submission_token"]  # an edit, guarded by its revision instead
        if not comment.is_thread:
            del self.fields["kind"]


class ReplyForm(SubmissionTokenMixin, WorkspaceForm):
    text = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, thread=None, **kwargs):
        if thread is not None:
            kwargs.setdefault("prefix", f"r{thread.pk}")
        super().__init__(*args, **kwargs)
