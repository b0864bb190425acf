"""The admin for challenge sessions and their participants.

Edits here bypass `sessions.services`: no critical-friend or double-booking checks, and no
invitations, updates or cancellations. The admin still refuses what the services refuse of the
record itself, with the services' own checks: a session that ends before it starts (the
model's constraint), falls outside its programme or covers an area the programme does not
review, and a presenter without one of the session's areas. It bumps the session's
revision (so an edit someone has open in the app is refused as stale rather than silently
overwriting this one, and the other way round: challenge/admin_revision.py) and, when the
calendar event changes, its SEQUENCE.

What happens in a session (answers, comments, closing and reopening) is shown read-only:
it is written in the session's workspace (`workspace.services`), which keeps the
history of every change, and that history is the audit trail, so nothing here adds to it,
changes it or deletes it."""

from django import forms
from django.contrib import admin
from django.db import models

from challenge.admin_revision import RevisionAdminMixin, bump
from programmes.selectors import partners_in
from sessions.models import AgendaItem, ChallengeSession, Participant, SeriesOccurrence, SessionSeries
from sessions.services import EVENT_FIELDS, participant_record_errors, session_record_errors

BYPASS_WARNING = (
    "Changes made here skip the scheduling rules (critical friends, double booking) and send "
    "no invitations, updates or cancellations. Facilitators should schedule and change "
    "sessions in the app, which checks the rules and e-mails everyone; use this page to "
    "correct records."
)


# Fields whose change makes the calendar event a new revision (as `update_session` and the
# status changes do).
SEQUENCE_FIELDS = frozenset(EVENT_FIELDS) | {"status"}


def _add_errors(form, errors):
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)


class ChallengeSessionAdminForm(forms.ModelForm):
    """Checks what the services check of the session's record itself, not of people
    (`services.session_record_errors`): the date lies within the programme, the areas are
    the programme's. The admin supplies the model and fields."""

    def clean(self):
        cleaned = super().clean()
        programme = cleaned.get("programme")
        if programme is not None:
            areas = cleaned.get("areas")
            errors = session_record_errors(
                programme=programme, date=cleaned.get("date"), areas=None if areas is None else list(areas)
            )
            _add_errors(self, errors)
        return cleaned


class ParticipantAdminForm(forms.ModelForm):
    """Checks what the services check of a part itself, not of the person
    (`services.participant_record_errors`): a presenter presents one of the session's areas,
    and nobody else presents one. Records the person's organisation in the programme's
    partnership with the part, as `services.add_participant` does."""

    def clean(self):
        cleaned = super().clean()
        session, role = cleaned.get("session"), cleaned.get("role")
        if session is not None and role:
            errors = participant_record_errors(session_areas=session.areas.all(), role=role, area=cleaned.get("area"))
            _add_errors(self, errors)
        return cleaned

    def save(self, commit=True):
        part = self.instance
        if part.person_id and part.session_id and (part.partner_id is None or self.changed_data):
            part.partner = partners_in(part.session.programme.partnership_id, [part.person]).get(part.person_id)
        return super().save(commit)


class ParticipantInline(admin.TabularInline):
    model = Participant
    form = ParticipantAdminForm
    fields = ["person", "role", "area"]
    autocomplete_fields = ["person"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "area")


@admin.register(ChallengeSession)
class ChallengeSessionAdmin(RevisionAdminMixin, admin.ModelAdmin):
    form = ChallengeSessionAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "programme",
        "date",
        "start_time",
        "end_time",
        "status",
        "facilitator",
    ]
    list_filter = ["programme", "status", "areas"]
    list_select_related = ["programme", "facilitator"]
    search_fields = ["title", "venue"]
    date_hierarchy = "date"
    autocomplete_fields = ["facilitator"]
    filter_horizontal = ["areas"]
    readonly_fields = [
        "uid",
        "sequence",
        "revision",
        "closed_at",
        "closed_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "description": BYPASS_WARNING,
                "fields": ["programme", "title", "status", "facilitator", "question_set"],
            },
        ),
        ("When and where", {"fields": ["date", "start_time", "end_time", "venue", "meeting_link"]}),
        ("Content", {"fields": ["areas", "notes"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "uid",
                    "sequence",
                    "revision",
                    "closed_at",
                    "closed_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [ParticipantInline]
    inlines_bump = "revision"  # the app's session form includes its participants

    def get_readonly_fields(self, request, obj=None):
        # A held session's answers belong to its question set: the model refuses to change
        # it (see ChallengeSession.has_question_set_locked); here it is not even offered.
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        locked = getattr(obj, "_admin_question_set_locked", None)
        if locked is None:  # asked several times per page: work it out once
            locked = obj._admin_question_set_locked = obj.has_question_set_locked()
        return [*fields, "question_set"] if locked else fields

    def save_model(self, request, obj, form, change):
        if change and SEQUENCE_FIELDS.intersection(form.changed_data):
            obj.sequence += 1
        super().save_model(request, obj, form, change)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    form = ParticipantAdminForm
    list_display = ["session", "person", "partner", "role", "area"]
    list_filter = ["role", "session__programme"]
    list_select_related = ["session", "person", "partner", "area"]
    search_fields = [
        "person__first_name",
        "person__last_name",
        "person__username",
        "session__title",
    ]
    autocomplete_fields = ["person", "session"]
    fieldsets = [(None, {"description": BYPASS_WARNING, "fields": ["session", "person", "role", "area"]})]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        session_ids = {obj.session_id}
        if change and "session" in form.changed_data:
            session_ids.add(form.initial["session"])
        bump(ChallengeSession, session_ids)

    def delete_model(self, request, obj):
        session_id = obj.session_id
        super().delete_model(request, obj)
        bump(ChallengeSession, [session_id])

    def delete_queryset(self, request, queryset):
        session_ids = set(queryset.values_list("session_id", flat=True))
        super().delete_queryset(request, queryset)
        bump(ChallengeSession, session_ids)


# --- The session workspace: shown, not edited ------------------------------------------------


@admin.register(AgendaItem)
class AgendaItemAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """A scrutiny meeting's agenda items. Presenting officers added here do not become
    presenters of the meeting (the app's form makes them so: sessions.agenda)."""

    list_display = ["number", "title", "session", "area"]
    list_select_related = ["session", "area"]
    search_fields = ["title", "session__title", "area__name", "session__programme__partnership__name"]
    autocomplete_fields = ["presenting_officers"]
    raw_id_fields = ["session"]
    readonly_fields = ["revision"]


class SeriesOccurrenceInline(admin.TabularInline):
    model = SeriesOccurrence
    fields = ["session", "planned_date", "skipped_reason", "skipped_at", "skipped_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # occurrences are made by the series' rule (sessions/series.py)


@admin.register(SessionSeries)
class SessionSeriesAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """Series are created and changed in the app (sessions/series.py makes their occurrences);
    here they are read, and their title, place and KPIs corrected."""

    list_display = ["title", "programme", "area", "service_lead", "frequency", "weekday", "start_time"]
    list_filter = ["programme__partnership", "frequency"]
    list_select_related = ["programme", "area", "service_lead"]
    search_fields = ["title"]
    readonly_fields = [
        "programme",
        "area",
        "service_lead",
        "facilitator",
        "frequency",
        "weekday",
        "start_time",
        "end_time",
        "starts_on",
        "until",
        "count",
    ]
    filter_horizontal = ["indicators"]
    inlines = [SeriesOccurrenceInline]

    def has_add_permission(self, request):
        return False
