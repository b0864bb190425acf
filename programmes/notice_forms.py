"""The form of a person's notice preferences: for each kind, at once, a daily digest or off."""

from django import forms

from programmes.models import Notice, NoticeKind


class NoticePreferencesForm(forms.Form):
    def __init__(self, *args, initial_choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NoticeKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Notice.Delivery.choices,
                initial=initial_choices.get(kind, Notice.Delivery.AT_ONCE),
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict:
        return {kind: self.cleaned_data[kind] for kind in NoticeKind.values}
