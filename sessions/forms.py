from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError

from challenge.editing import add_service_errors
from challenge.submission import SubmissionTokenMixin
from programmes.models import ScrutinyPanel, ThematicArea, User
from programmes.selectors import members_of
from sessions import services
from sessions.independence import rule_for
from sessions.models import ChallengeSession, Participant


class PersonChoiceField(forms.ModelChoiceField):
    """A person of the partnership, named with their job title and organisation there (the
    `partner_name` that programmes.selectors.members_of annotates)."""

    def label_from_instance(self, person):
        parts = [person.display_name]
        if person.job_title:
            parts.append(person.job_title)
        if getattr(person, "partner_name", None):
            parts.append(person.partner_name)
        return ", ".join(parts)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    label_from_instance = PersonChoiceField.label_from_instance


def people_queryset(programme):
    """Whom the session forms offer: the active members of the programme's partnership."""
    return members_of(programme.partnership_id)


@dataclass
class ReviewerGroup:
    """The reviewer checkboxes of one organisation, and why none of its people can be a
    critical friend for the areas chosen (empty when they can)."""

    organisation: str
    checkboxes: list = field(default_factory=list)
    ineligible_because: str = ""
    slug: str = ""  # for the ids of the group's legend and note


def _ids(values) -> set[int]:
    """Primary keys from what a form holds: ids as text (data sent), ids or objects (initial)."""
    ids = set()
    for value in values or ():
        value = getattr(value, "pk", value)
        if str(value).isdigit():
            ids.add(int(value))
    return ids


class SessionForm(SubmissionTokenMixin, forms.ModelForm):
    """Create or edit a session. The scheduling rules run in clean(), so each problem shows
    beside its field and everything typed stays in the form."""

    reviewers = PeopleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Peer reviewers (critical friends)",
        help_text="Colleagues from organisations that do not lead any of the session's areas.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChallengeSession
        fields = [
            "kind",
            "panel",
            "title",
            "date",
            "start_time",
            "end_time",
            "venue",
            "meeting_link",
            "areas",
            "facilitator",
            "reviewers",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "areas": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
        }
        labels = {
            "areas": "Thematic areas",
            "meeting_link": "Meeting link",
            "kind": "Kind of session",
            "panel": "Panel that meets",
        }
        help_texts = {
            "venue": "A room and building, or leave blank for an online session.",
            "areas": "A session can cover more than one area.",
            "kind": (
                "Each kind has its own questions and its own rule for who may challenge. Peer challenge: "
                "critical friends from other organisations. Scrutiny panel: the panel's councillors, but "
                "not a cabinet member for the area's portfolio. Stretch and challenge: the service lead's "
                "managers and colleagues, but not the area's own lead. It cannot be changed later."
            ),
            "panel": "For a scrutiny meeting: the panel that meets. Its members are invited as its challengers.",
        }
        field_classes = {"facilitator": PersonChoiceField}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["areas"].queryset = programme.areas.select_related("lead_partner").order_by("name")
        people = people_queryset(programme)
        self.fields["reviewers"].queryset = people
        self.fields["facilitator"].queryset = people
        self.fields["panel"].queryset = ScrutinyPanel.objects.filter(partnership=programme.partnership_id)
        self.fields["panel"].required = False
        self.fields["kind"].required = False  # a peer challenge unless chosen
        if self.instance.pk:
            # The kind decides the question set and who may challenge: fixed once created.
            del self.fields["kind"]
            del self.fields["panel"]
            self.fields["reviewers"].label = rule_for(self.instance.kind).challengers_label
            self.fields["reviewers"].help_text = rule_for(self.instance.kind).principle
            del self.fields["submission_token"]  # an edit, guarded by its revision instead
            self.fields["revision"].initial = self.instance.revision
            self.fields["reviewers"].initial = [
                p.person_id for p in self.instance.participants.all() if p.role == Participant.Role.REVIEWER
            ]

    def chosen_area_ids(self) -> set[int]:
        """The areas chosen now: in the data sent, else the initial ones (the session's own
        when it is edited, or what the picker's request names)."""
        if self.is_bound:
            return _ids(self.data.getlist(self.add_prefix("areas")))
        return _ids(self.initial.get("areas"))

    def chosen_kind(self) -> str:
        if self.instance.pk:
            return self.instance.kind
        if self.is_bound:
            return self.data.get(self.add_prefix("kind")) or ChallengeSession.Kind.PEER
        return self.initial.get("kind") or ChallengeSession.Kind.PEER

    def reviewer_groups(self) -> list[ReviewerGroup]:
        """The reviewer checkboxes by organisation (alphabetical), each group saying why its
        people cannot review the chosen areas: their organisation leads one. The same rule
        the form checks when sent (services.critical_friend_conflicts), shown before."""
        initial = [] if self.is_bound else list(self.initial.get("areas") or [])
        if initial and all(isinstance(area, ThematicArea) for area in initial):
            areas = sorted(initial, key=lambda area: area.name)  # the session's own, read already
        else:
            chosen = self.chosen_area_ids()
            areas = self.fields["areas"].queryset.filter(pk__in=chosen) if chosen else []
        leads = {}
        # Organisations are marked ineligible only in a peer challenge: in the other kinds
        # independence is not a matter of organisation (sessions/independence.py).
        for area in areas if self.chosen_kind() == ChallengeSession.Kind.PEER else []:
            leads.setdefault(area.lead_partner_id, []).append(area.name)
        groups = {}
        for checkbox in self["reviewers"]:
            person = checkbox.data["value"].instance
            partner_id = getattr(person, "partner_id", None)
            group = groups.get(partner_id)
            if group is None:
                led = leads.get(partner_id)
                group = groups[partner_id] = ReviewerGroup(
                    organisation=getattr(person, "partner_name", "") or "No organisation",
                    ineligible_because=f"{person.partner_name} leads {' and '.join(led)}" if led else "",
                    slug=str(partner_id or 0),
                )
            group.checkboxes.append(checkbox)
        for group in groups.values():
            group.checkboxes.sort(key=lambda checkbox: checkbox.choice_label.lower())
        return sorted(groups.values(), key=lambda group: group.organisation.lower())

    def clean(self):
        data = super().clean()
        needed = ("date", "start_time", "end_time", "areas", "facilitator")
        if any(name in self.errors for name in needed):
            return data
        others = []
        if self.instance.pk:
            others = [
                p.person
                for p in self.instance.participants.select_related("person").exclude(role=Participant.Role.REVIEWER)
            ]
        try:
            services.validate_session(
                programme=self.programme,
                date=data.get("date"),
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
                areas=data.get("areas"),
                facilitator=data.get("facilitator"),
                reviewers=services.with_panel_members(data.get("reviewers"), data.get("panel")),
                others=others,
                session=self.instance if self.instance.pk else None,
                kind=data.get("kind") or None,
                panel=data.get("panel"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return data

    def service_kwargs(self):
        d = self.cleaned_data
        return dict(
            title=d["title"],
            date=d["date"],
            start_time=d["start_time"],
            end_time=d["end_time"],
            venue=d.get("venue", ""),
            meeting_link=d.get("meeting_link", ""),
            notes=d.get("notes", ""),
            areas=list(d["areas"]),
            facilitator=d["facilitator"],
            reviewers=list(d.get("reviewers") or []),
        )

    def creation_kwargs(self):
        """What creating the session takes besides `service_kwargs`: its kind and panel."""
        return dict(
            kind=self.cleaned_data.get("kind") or ChallengeSession.Kind.PEER, panel=self.cleaned_data.get("panel")
        )

    def add_service_error(self, error: ValidationError):
        add_service_errors(self, error)


class ParticipantForm(forms.Form):
    person = PersonChoiceField(queryset=User.objects.none())
    role = forms.ChoiceField(choices=Participant.Role.choices, widget=forms.RadioSelect)
    area = forms.ModelChoiceField(
        queryset=ThematicArea.objects.none(),
        required=False,
        label="Area presented",
        help_text="For presenters only.",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["person"].queryset = people_queryset(session.programme)
        self.fields["area"].queryset = session.areas.all()

    def clean(self):
        data = super().clean()
        if "person" in self.errors or "role" in self.errors:
            return data
        try:
            services.validate_participant(
                session=self.session,
                person=data["person"],
                role=data["role"],
                area=data.get("area"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return data
