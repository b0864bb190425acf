"""Forms of the partnership's programme set-up: a programme, and rolling one forward."""

from django import forms
from django.db.models import Q

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes.models import DOCUMENT_PARTS, Programme, QuestionSet, ThematicArea, User
from programmes.selectors import members_of

DATE = {"type": "date"}


class ProgrammeForm(SubmissionTokenMixin, forms.ModelForm):
    """A programme of `partnership`: its areas and question set are the partnership's (or a
    standard set), its facilitators the partnership's active members."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "start_date",
            "end_date",
            "self_evaluation_deadline",
            "areas",
            "question_set",
            "facilitators",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "self_evaluation_deadline": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "areas": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
            "status": forms.RadioSelect,
        }
        labels = {"start_date": "Period starts", "end_date": "Period ends"}
        help_texts = {
            "facilitators": "They manage this programme, its timetable and its sessions. The partnership's "
            "facilitators manage it anyway.",
            "status": "While a draft, only the partnership's facilitators see the programme.",
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired areas are not offered, except to a programme that has them already (its
        # history keeps them).
        in_use = Q(retired_on__isnull=True)
        if self.instance.pk:
            in_use |= Q(pk__in=self.instance.areas.values("pk"))
        self.fields["areas"].queryset = ThematicArea.objects.filter(in_use, partnership=partnership).order_by("name")
        self.fields["areas"].label_from_instance = _area_label
        self.fields["question_set"].queryset = QuestionSet.objects.filter(
            Q(partnership=partnership) | Q(partnership__isnull=True)
        ).order_by("partnership", "family", "-version")
        self.fields["question_set"].label_from_instance = _question_set_label
        people = members_of(partnership).order_by("first_name", "last_name", "username")
        self.fields["facilitators"].queryset = User.objects.filter(pk__in=people.values("pk")).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["facilitators"].label_from_instance = lambda person: person.display_name
        self.fields["areas"].required = False
        self.fields["facilitators"].required = False
        if self.instance.pk:
            del self.fields["submission_token"]  # an edit, not a create
            self.fields["revision"].initial = self.instance.revision
            self._add_document_part_fields()
        else:
            del self.fields["revision"]
            self.fields["status"].initial = Programme.Status.DRAFT

    def _add_document_part_fields(self):
        """The checklist of the mini self-evaluations' parts: each part's place, or left out."""
        chosen = self.instance.chosen_document_parts
        places = [("", "Leave it out")] + [(str(n), f"Place {n}") for n in range(1, len(DOCUMENT_PARTS) + 1)]
        for index, (key, title) in enumerate(DOCUMENT_PARTS):
            self.fields[f"part_{key}"] = forms.ChoiceField(
                label=f"Self-evaluation part: {title}",
                choices=places,
                required=False,
                initial=str(chosen.index(key) + 1) if key in chosen else "",
                help_text="Where each part comes in the mini self-evaluations (PDF, Word and web page), after "
                "the cover, or leave it out."
                if index == 0
                else "",
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not any(name.startswith("part_") for name in self.data):
            # Sent without the checklist (a client that does not show it): the parts stay as they are.
            cleaned["document_parts"] = self.instance.chosen_document_parts
        elif self.instance.pk:
            places = {}
            for key, _ in DOCUMENT_PARTS:
                place = cleaned.get(f"part_{key}")
                if not place:
                    continue
                if place in places:
                    self.add_error(f"part_{key}", f"Place {place} is taken by another part: choose another place.")
                places[place] = key
            if not places and not self.errors:
                self.add_error(f"part_{DOCUMENT_PARTS[0][0]}", "Choose a place for at least one part.")
            cleaned["document_parts"] = [places[place] for place in sorted(places, key=int)]
        return cleaned

    def programme_fields(self) -> dict:
        fields = {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name not in ("areas", "facilitators")  # many-to-many: passed on their own
        }
        if self.instance.pk:
            fields["document_parts"] = self.cleaned_data["document_parts"]
        return fields


def _area_label(area):
    return f"{area.name} (retired)" if area.is_retired else area.name


def _question_set_label(question_set):
    return f"{question_set} — standard" if question_set.partnership_id is None else str(question_set)


class RollForwardForm(forms.Form):
    """The confirmation page's choices: when the next cycle starts (the cycle length is the
    difference between the starts) and its name."""

    start_date = forms.DateField(
        label="The next cycle starts",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text="Every date of the timetable moves on by the difference between the two starts.",
    )
    name = forms.CharField(max_length=200, label="Name of the next cycle", validators=[no_line_breaks])

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start <= self.programme.start_date:
            raise forms.ValidationError("The next cycle must start after this one starts.")
        return start
