from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from findings.models import AssuranceAudit, Finding


class AuditForm(SubmissionTokenMixin, forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AssuranceAudit
        fields = ["title", "audited_on", "auditor", "sample_size", "sample_description", "grading", "summary"]
        widgets = {
            "audited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sample_description": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "grading": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["submission_token"]
            self.fields["revision"].initial = self.instance.revision

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AuditFindingForm(SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(choices=Finding.Kind.choices, widget=forms.RadioSelect, label="Kind of finding")
    title = forms.CharField(max_length=300, validators=[no_line_breaks])
    text = forms.CharField(label="The finding", widget=forms.Textarea(attrs={"rows": 4}))
