"""Forms for a self-evaluation's texts and partners' comments on a circulated draft."""

from django import forms

from challenge.submission import SubmissionTokenMixin
from workspace.forms import BootstrapBoundField


class TextsForm(forms.Form):
    # Fields rendered with workspace/_field.html: no crispy-forms round-trip per field.
    bound_field_class = BootstrapBoundField

    introduction = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    conclusion = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    revision = forms.IntegerField(widget=forms.HiddenInput)


class DraftCommentForm(SubmissionTokenMixin, forms.Form):
    bound_field_class = BootstrapBoundField

    text = forms.CharField(label="Your comment on the draft", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
