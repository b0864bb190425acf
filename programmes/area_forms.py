"""Forms of a partnership's areas and focus topics pages (issue 13). The pickers offer only
the partnership's own organisations and active members: a choice from elsewhere (a forged
form) is refused beside its field."""

from django import forms

from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes.models import Partner, User
from programmes.people_forms import _add_service_error
from programmes.selectors import members_of


def _officer_label(person) -> str:
    return f"{person.display_name} ({person.partner_label})"


class AreaForm(SubmissionTokenMixin, forms.Form):
    name = forms.CharField(max_length=200, validators=[no_line_breaks])
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Shown at the top of the area's page."
    )
    lead_partner = forms.ModelChoiceField(queryset=Partner.objects.none(), label="Lead organisation")
    lead_officer = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Lead officer",
        required=False,
        empty_label="None yet",
        help_text="An active member of the partnership who works for the lead organisation.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, partnership, area=None, **kwargs):
        if area is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": area.name,
                    "description": area.description,
                    "lead_partner": area.lead_partner_id,
                    "lead_officer": area.lead_officer_id,
                    "revision": area.revision,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["lead_partner"].queryset = Partner.objects.filter(partnership=partnership).order_by("name")
        # Each person once (their organisation here is one), named with it.
        people = members_of(partnership).order_by("first_name", "last_name", "username", "pk")
        self.fields["lead_officer"].queryset = people
        self.fields["lead_officer"].label_from_instance = _officer_label
        if area is not None:
            del self.fields["submission_token"]  # an edit, guarded by its revision instead
        else:
            del self.fields["revision"]

    def area_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "description", "lead_partner", "lead_officer")}

    add_service_error = _add_service_error


class TopicForm(SubmissionTokenMixin, forms.Form):
    """Add a focus topic (with its one-time token) or rename one (with the revision of the
    area's list of topics it was opened at)."""

    name = forms.CharField(label="Focus topic", max_length=200, validators=[no_line_breaks])
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, topic=None, area=None, **kwargs):
        kwargs.setdefault("auto_id", "id_topic_%s")  # on the page with the area's form and its `name`
        if topic is not None:
            kwargs.setdefault("initial", {"name": topic.name, "revision": area.topics_revision})
        super().__init__(*args, **kwargs)
        if topic is not None:
            del self.fields["submission_token"]
        else:
            del self.fields["revision"]
            self.fields["name"].label = "New focus topic"

    add_service_error = _add_service_error


class TopicButtonForm(forms.Form):
    """A move or delete button of the list: the revision of the list it was shown at."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)

    @property
    def step(self) -> int:
        return -1 if self.cleaned_data.get("direction") == "up" else 1
