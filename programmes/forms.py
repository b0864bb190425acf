from django import forms

from challenge.submission import SubmissionTokenMixin
from programmes.models import Milestone


class MilestoneForm(SubmissionTokenMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "date", "precision", "owner", "done"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "precision": forms.RadioSelect,
        }
        labels = {"precision": "How precise is the date?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["submission_token"]  # an edit, not a create

    def milestone_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
