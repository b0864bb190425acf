"""Challenge sessions, the people who take part in them, and the e-mails sent about them."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from challenge.clock import today as clock_today
from challenge.mail import EmailBatch
from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks
from programmes.models import Partner, Programme, QuestionSet, ScrutinyPanel, SessionKind, ThematicArea


class SessionQuerySet(models.QuerySet):
    def active(self):
        """Sessions that still take up people's time: not cancelled."""
        return self.exclude(status=ChallengeSession.Status.CANCELLED)

    def visible_to(self, user):
        """What a user may see: everything in programmes they facilitate and in the
        partnerships they read as officers or set up as partnership facilitators, otherwise
        the sessions they take part in; only in partnerships where their membership is
        active. Everything, for administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return (
            self.filter(programme__partnership__in=user.active_partnership_ids())
            .filter(
                Q(programme__partnership__in=user.reading_partnership_ids())
                | Q(programme__facilitators=user)
                | Q(participants__person=user)
                | Q(facilitator=user)
            )
            # A draft programme's sessions (a cycle being prepared) only for those who set the
            # partnership up and the session's facilitator: nobody else is invited before the
            # programme is made active.
            .exclude(
                Q(programme__status=Programme.Status.DRAFT)
                & ~Q(programme__partnership__in=user.facilitating_partnership_ids())
                & ~Q(facilitator=user)
            )
            .distinct()
        )

    def overlapping(self, *, date, start_time, end_time):
        """Active sessions on `date` whose time overlaps [start_time, end_time)."""
        return self.active().filter(date=date, start_time__lt=end_time, end_time__gt=start_time)

    def for_listing(self):
        return self.select_related("programme", "facilitator").prefetch_related("areas")

    def upcoming(self, today=None):
        today = today or clock_today()
        return self.active().filter(date__gte=today).order_by("date", "start_time")


QUESTION_SET_LOCKED_MESSAGE = (
    "This session has been held, or has answers or comments, so its question set cannot "
    "change: its answers belong to the questions it was run with."
)


class ChallengeSession(models.Model):
    """A scheduled meeting at which service leads present one or more thematic areas and are
    challenged: by critical friends from other organisations (a peer challenge), by the
    councillors of a scrutiny panel (`panel`; its agenda items are AgendaItem), or by their
    own managers and colleagues (stretch and challenge). Who may challenge is each kind's
    independence rule (sessions/independence.py)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    # Each kind has its own question set, roles and independence rule (sessions/independence.py).
    Kind = SessionKind

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.PEER,
        help_text="Peer challenge, a scrutiny panel meeting, or a stretch-and-challenge session.",
    )
    panel = models.ForeignKey(
        ScrutinyPanel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        help_text="The scrutiny panel that meets (scrutiny meetings only).",
    )
    title = models.CharField(max_length=300, validators=[no_line_breaks])
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    venue = models.CharField(max_length=300, blank=True, validators=[no_line_breaks])
    meeting_link = models.URLField(blank=True, max_length=500)
    areas = models.ManyToManyField(ThematicArea, related_name="sessions")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitated_sessions",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True, help_text="Shown to participants in the invitation.")
    question_set = models.ForeignKey(
        QuestionSet,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text="The version of the questions this session is run with.",
    )
    # A calendar event's identity and revision, so calendar programs update the same event.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission_token = submission_token_field()
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Optimistic locking: an edit made against an older revision is refused, not applied.
    revision = models.PositiveIntegerField(default=1, editable=False)
    # Closing freezes the answers and comments; the facilitator can reopen (see SessionEvent).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = "challenge session"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_it_starts",
                violation_error_message="The session must end after it starts.",
            )
        ]
        indexes = [models.Index(fields=["date", "start_time"])]

    def __str__(self):
        return f"{self.title} ({self.date:%d %b %Y})"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"question_set", "question_set_id"} & set(update_fields):
            refusal = self._question_set_change_refusal()
            if refusal:
                raise ValidationError({"question_set": refusal})
        super().save(*args, **kwargs)
        self._loaded_question_set_id = self.question_set_id

    def get_absolute_url(self):
        return reverse("session_detail", kwargs={"pk": self.pk})

    # What each kind calls its challengers, and the workspace's button to challenge an answer.
    _CHALLENGER_WORDS = {
        Kind.PEER: ("Peer reviewers", "Comment as a critical friend"),
        Kind.SCRUTINY: ("Panel members", "Question the officers as a panel member"),
        Kind.STRETCH: ("Challengers", "Challenge as a manager or colleague"),
    }

    @property
    def challengers_heading(self) -> str:
        return self._CHALLENGER_WORDS[self.kind][0]

    @property
    def challenge_action(self) -> str:
        return self._CHALLENGER_WORDS[self.kind][1]

    # --- The question set a session was run with ---------------------------------------
    #
    # Answers and comments point at questions of the session's question set: give the session
    # another set and they drop out of its workspace, findings and self-evaluations. So once
    # the session has been held (or closed), or anything has been written in it, its question
    # set never changes, whoever asks: the app (no service changes it), the admin (which shows
    # it read-only) or any other code that saves the row (`save` refuses).

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_question_set_id = instance.__dict__.get("question_set_id")
        return instance

    def has_question_set_locked(self) -> bool:
        """True once the question set can no longer change: the session has been held or
        closed, or has answers or comments. Reads the stored row, not unsaved changes."""
        if self.pk is None:
            return False
        stored = type(self).objects.filter(pk=self.pk).values("status", "closed_at").first()
        if stored is None:
            return False
        if stored["status"] == self.Status.HELD or stored["closed_at"] is not None:
            return True
        return self.answers.exists() or self.comments.exists()

    def _question_set_change_refusal(self) -> str | None:
        """Why the question set this instance carries may not be saved, or None."""
        if self.pk is None or self.question_set_id is None:
            return None
        if getattr(self, "_loaded_question_set_id", None) == self.question_set_id:
            return None  # unchanged since it was loaded
        stored = type(self).objects.filter(pk=self.pk).values_list("question_set_id", flat=True).first()
        if stored is None or stored == self.question_set_id:
            return None
        if self.status == self.Status.HELD or self.has_question_set_locked():
            return QUESTION_SET_LOCKED_MESSAGE
        return None

    def clean(self):
        super().clean()
        refusal = self._question_set_change_refusal()
        if refusal:
            raise ValidationError({"question_set": refusal})

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.end_time))

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_editable(self):
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}

    @property
    def is_closed(self):
        return self.closed_at is not None

    @property
    def is_open_for_work(self):
        """Answers and comments can be written: not cancelled, not closed."""
        return not self.is_closed and self.status != self.Status.CANCELLED

    @property
    def where(self):
        return self.venue or ("Online" if self.meeting_link else "")


class Participant(models.Model):
    """A person's part in a session. A presenter presents one of the session's areas; peer
    reviewers and observers take part in the whole session."""

    class Role(models.TextChoices):
        PRESENTER = "presenter", "Presenter"
        REVIEWER = "reviewer", "Peer reviewer"
        OBSERVER = "observer", "Observer"

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        ThematicArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presenters",
        help_text="The area a presenter presents.",
    )
    # Their organisation in the programme's partnership when they were added: people move,
    # the record of who took part as whom should not.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="partner organisation",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="one_part_per_person_per_session",
                violation_error_message="This person already takes part in the session.",
            ),
            models.CheckConstraint(
                condition=(Q(role="presenter", area__isnull=False) | ~Q(role="presenter")),
                name="presenter_has_area",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.describe_role()}"

    def describe_role(self):
        if self.role == self.Role.PRESENTER and self.area_id:
            return f"Presenter for {self.area.name}"
        return self.get_role_display()


class SessionNotice(EmailBatch):
    """One batch of invitations, move notices or cancellations for a session."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitations"
        UPDATE = "update", "Notices of the move"
        CANCELLATION = "cancellation", "Cancellations"

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["session", "-queued_at", "-id"]

    @property
    def label(self):
        return self.get_kind_display()

    def __str__(self):
        return f"{self.get_kind_display()} for {self.session} ({self.get_status_display().lower()})"


class AgendaItem(models.Model):
    """A numbered item of a scrutiny panel meeting: the report officers present on one area
    (Southampton's item 26, the Children and Learning Service Improvement Plan). Members
    question the presenting officers in the meeting's workspace; the item ends in
    resolutions and recommendations (findings.models.Resolution)."""

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="agenda_items")
    number = models.CharField(max_length=30, validators=[no_line_breaks], help_text="As on the agenda, e.g. 26.")
    title = models.CharField(max_length=300, validators=[no_line_breaks])
    report = models.TextField("report", blank=True, help_text="The report the officers present, or its summary.")
    area = models.ForeignKey(
        ThematicArea, on_delete=models.PROTECT, related_name="agenda_items", help_text="One of the meeting's areas."
    )
    presenting_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="agenda_items_presented", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                name="one_agenda_item_per_number",
                violation_error_message="The meeting already has an item with this number.",
            )
        ]

    def __str__(self):
        return f"Item {self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse("agenda_item", kwargs={"pk": self.pk})


# --- Stretch-and-challenge series ------------------------------------------------------------


class SessionSeries(models.Model):
    """A recurring stretch-and-challenge session: one service lead and a handful of KPIs of
    one area, weekly or fortnightly on a weekday, until a date or for a number of times.
    Each occurrence is a ChallengeSession of kind "stretch" (see SeriesOccurrence), made by
    sessions.series.materialise; a skipped or moved occurrence is an exception the series
    keeps when it is changed."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="series")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(max_length=300, validators=[no_line_breaks])
    service_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_series",
        help_text="The service lead who presents the KPIs each time.",
    )
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    indicators = models.ManyToManyField(
        "indicators.Indicator", related_name="stretch_series", help_text="The handful of KPIs each occurrence looks at."
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    starts_on = models.DateField(help_text="The first occurrence is on the weekday on or after this date.")
    until = models.DateField(null=True, blank=True, help_text="The last possible date of an occurrence.")
    count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Or: how many occurrences.")
    venue = models.CharField(max_length=300, blank=True, validators=[no_line_breaks])
    meeting_link = models.URLField(blank=True, max_length=500)
    revision = models.PositiveIntegerField(default=1, editable=False)
    submission_token = submission_token_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "title", "id"]
        verbose_name = "stretch-and-challenge series"
        verbose_name_plural = "stretch-and-challenge series"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="series_ends_after_it_starts",
                violation_error_message="The session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=(Q(until__isnull=False, count__isnull=True) | Q(until__isnull=True, count__isnull=False)),
                name="series_ends_by_date_or_count",
                violation_error_message="End the series either on a date or after a number of occurrences.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("series_detail", kwargs={"pk": self.pk})

    def describe_rule(self) -> str:
        """“Weekly on Wednesday, 09:30–10:00, until 15 December 2021” (or “, 6 times”)."""
        every = "Every week" if self.frequency == self.Frequency.WEEKLY else "Every other week"
        text = f"{every} on {self.get_weekday_display()}, {self.start_time:%H:%M}–{self.end_time:%H:%M}"
        if self.until:
            return f"{text}, from {self.starts_on:%-d %B %Y} until {self.until:%-d %B %Y}"
        return f"{text}, from {self.starts_on:%-d %B %Y}, {self.count} times"


class SeriesOccurrence(models.Model):
    """One occurrence of a series: its session, the date the rule gave it (a moved occurrence's
    session has another date), and, when skipped, why. Its own notes of what was said."""

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="occurrences")
    session = models.OneToOneField(ChallengeSession, on_delete=models.PROTECT, related_name="occurrence")
    planned_date = models.DateField(help_text="The date the series' rule gave it.")
    skipped_reason = models.CharField(max_length=300, blank=True, editable=False)
    skipped_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    meeting_notes = models.TextField(
        blank=True, help_text="What was said: the KPIs discussed, what the service lead will look into."
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["series", "planned_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "planned_date"], name="one_occurrence_per_planned_date")
        ]

    def __str__(self):
        return f"{self.series} on {self.planned_date}"

    @property
    def is_skipped(self):
        return self.skipped_at is not None

    @property
    def is_moved(self):
        """Held on another day than the rule gave it (its session was moved)."""
        return self.session.date != self.planned_date
