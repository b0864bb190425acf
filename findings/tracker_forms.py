"""Forms of the action tracker: its filters, an owner's progress update, a facilitator's edit."""

from django import forms

from findings.models import Action
from findings.selectors import action_owners
from findings.tracker import STATUS_FILTERS, Filters
from programmes.models import User


class FilterForm(forms.Form):
    """The tracker's filters, from the query string (a GET form: the filtered list has an
    address of its own, to bookmark or send)."""

    area = forms.TypedChoiceField(label="Area", required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_FILTERS)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, areas, owners, **kwargs):
        """`areas` and `owners`: (id, label) pairs, read once for the page."""
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Every area"), *areas]
        self.fields["owner"].choices = [("", "Anyone"), *owners]

    def filters(self) -> Filters:
        """The filters asked for; any that do not make sense (a forged or stale address) are
        left out rather than refused, and the form says so beside the field."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data  # without the fields in error
        return Filters(
            area=data.get("area"),
            owner=data.get("owner"),
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
        )


class ProgressForm(forms.Form):
    """What an action's owner changes: its status and where it has got to."""

    status = forms.ChoiceField(label="Status", choices=Action.Status.choices)
    progress_note = forms.CharField(
        label="Progress",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where it has got to: what is done, what is next, what is in the way.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("status", "progress_note")}


class ActionEditForm(ProgressForm):
    """What a facilitator changes: everything an owner does, and what will be done, by whom
    and by when."""

    description = forms.CharField(label="What will be done", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none())
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    field_order = ["description", "owner", "due_date", "status", "progress_note", "revision"]

    def __init__(self, *args, partnership, action, **kwargs):
        """The owner may be any active member of `partnership` with an organisation there, or
        stay the one it has (who may have left since: the action is still theirs until it is
        given to someone else)."""
        super().__init__(*args, **kwargs)
        people = {person.pk: person for person in action_owners(partnership)}
        labels = {pk: f"{person.display_name}, {person.partner_name}" for pk, person in people.items()}
        if action.owner_id not in labels:
            labels[action.owner_id] = f"{action.owner.display_name} (no longer a member)"
        field = self.fields["owner"]
        field.queryset = User.objects.filter(pk__in=list(labels))
        field.choices = sorted(labels.items(), key=lambda item: item[1].casefold())

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("description", "owner", "due_date", "status", "progress_note")
        }
