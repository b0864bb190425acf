from django import forms

from .models import Milestone


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "date", "precision", "owner", "done"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "precision": forms.RadioSelect,
        }
        labels = {"precision": "How precise is the date?"}
