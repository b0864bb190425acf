"""The partnership's standing data: partners, people, thematic areas, programmes, their
timetables, and the question sets that sessions are run with."""

import calendar
import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from challenge.clock import today as clock_today
from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks


class Partner(models.Model):
    """A partner organisation: a council, a health body, the police, a fire service."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Local authority"
        HEALTH = "health", "Health"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue"
        VOLUNTARY = "voluntary", "Voluntary and community sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True, validators=[no_line_breaks])
    short_name = models.CharField(
        max_length=30,
        blank=True,
        validators=[no_line_breaks],
        help_text="An abbreviation used where space is short, e.g. GMP.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    contact_email = models.EmailField(
        blank=True, help_text="Where drafts for comment are sent on the partner's behalf."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name


class User(AbstractUser):
    """A person. Every account belongs to one partner organisation (none only for system
    administrators), which is what the critical-friend rule is checked against."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name="partner organisation",
    )
    # The inherited name fields, with line breaks refused: names go into e-mails and calendars.
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[no_line_breaks])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[no_line_breaks])
    job_title = models.CharField(max_length=200, blank=True, validators=[no_line_breaks])
    is_officer = models.BooleanField(
        "officer",
        default=False,
        help_text=(
            "Officers (executive, cabinet support, scrutiny) read every programme's schedule "
            "and results and download self-evaluations, without taking part."
        ),
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    @property
    def name_with_partner(self):
        if self.partner_id:
            return f"{self.display_name} ({self.partner.label})"
        return self.display_name


class ThematicAreaQuerySet(models.QuerySet):
    def led_by(self, user, programme=None):
        """The areas `user` leads: as the area's lead officer, or as its presenter in a
        session (of `programme`, when given). The one definition of an "area lead"; the
        sessions app's participants are reached through their reverse relation, so this
        layer imports nothing above it."""
        if not user.is_authenticated:
            return self.none()
        presents = Q(presenters__person=user, presenters__role="presenter")
        if programme is not None:
            presents &= Q(presenters__session__programme=programme)
        return self.filter(Q(lead_officer=user) | presents).distinct()


class ThematicArea(models.Model):
    """An "area for further consideration": a theme reviewed in challenge sessions."""

    name = models.CharField(max_length=200, unique=True, validators=[no_line_breaks])
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    lead_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="led_areas",
        verbose_name="lead organisation",
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_areas",
    )

    objects = ThematicAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.lead_officer_id and self.lead_partner_id and self.lead_officer.partner_id != self.lead_partner_id:
            raise ValidationError({"lead_officer": "The lead officer must work for the lead organisation."})


class FocusTopic(models.Model):
    """A topic within an area that a session looks at specifically (e.g. teenage pregnancy)."""

    area = models.ForeignKey(ThematicArea, on_delete=models.CASCADE, related_name="focus_topics")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_focus_topic_per_area")]

    def __str__(self):
        return self.name


class QuestionSetQuerySet(models.QuerySet):
    def with_usage(self):
        return self.annotate(session_count=models.Count("sessions", distinct=True))

    def editable(self):
        """The versions not frozen yet (see QuestionSet.is_frozen): no session uses them."""
        return self.filter(sessions__isnull=True)


class QuestionSet(models.Model):
    """The methodology every area is examined against. Versions share a `family`; once a
    session has used a version it is frozen, and changes go into a new version."""

    family = models.SlugField(max_length=100, help_text="Versions of the same question set share this name.")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="later_versions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionSetQuerySet.as_manager()

    class Meta:
        ordering = ["family", "-version"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="unique_question_set_version")]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def is_frozen(self) -> bool:
        """True once any session uses this version: its questions are then part of a record."""
        if self.pk is None:
            return False
        count = getattr(self, "session_count", None)
        if count is not None:
            return count > 0
        return self.sessions.exists()


class AnswerKind(models.TextChoices):
    TEXT = "text", "Free text"
    LIKELIHOOD = "likelihood", "Rating 1–5: likelihood"
    SCALE = "scale", "Rating 1–5: scale or severity"
    DIRECTION = "direction", "Direction of travel"
    CONFIDENCE = "confidence", "Confidence"


class Section(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200, validators=[no_line_breaks])
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question_set", "position", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.question_set_id and self.question_set.is_frozen:
            raise ValidationError(FROZEN_MESSAGE)


FROZEN_MESSAGE = (
    "This version of the question set has been used by a session, so it cannot change: past "
    "sessions must keep showing the questions they were run with. Make a new version instead."
)


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500, validators=[no_line_breaks])
    guidance = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=20, choices=AnswerKind.choices, default=AnswerKind.TEXT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section", "position", "id"]

    def __str__(self):
        return self.text

    def clean(self):
        if self.section_id and self.section.question_set.is_frozen:
            raise ValidationError(FROZEN_MESSAGE)


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programmes a user may open: those they facilitate or take part in, or all of them
        for officers and administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.is_officer:
            return self
        return self.filter(
            Q(facilitators=user) | Q(sessions__participants__person=user) | Q(sessions__facilitator=user)
        ).distinct()


class Programme(models.Model):
    """One cycle of challenge work towards an assessment."""

    name = models.CharField(max_length=200, validators=[no_line_breaks])
    slug = models.SlugField(max_length=200, unique=True)
    partnership_name = models.CharField(
        max_length=200, blank=True, validators=[no_line_breaks], help_text="e.g. Salford City Partnership"
    )
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    self_evaluation_deadline = models.DateField(
        null=True, blank=True, help_text="When the mini self-evaluations must be final."
    )
    areas = models.ManyToManyField(ThematicArea, related_name="programmes", blank=True)
    question_set = models.ForeignKey(
        QuestionSet,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text="New sessions use this version of the questions.",
    )
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitated_programmes", blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme_dashboard", kwargs={"slug": self.slug})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The programme must end on or after its start."})

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class Milestone(models.Model):
    """A dated step towards the assessment. Some are known to the day, some only to the month
    ("October: formal assessment"); a month milestone falls due at the month's end."""

    class Precision(models.TextChoices):
        DAY = "day", "On the day"
        MONTH = "month", "During the month"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300, validators=[no_line_breaks])
    date = models.DateField(help_text="For a month milestone, any day in that month.")
    precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.DAY)
    owner = models.CharField(max_length=200, blank=True, validators=[no_line_breaks], help_text="Who is responsible.")
    done = models.BooleanField(default=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["programme", "date", "id"]

    def __str__(self):
        return self.title

    @property
    def due_date(self) -> datetime.date:
        if self.precision == self.Precision.MONTH:
            last = calendar.monthrange(self.date.year, self.date.month)[1]
            return self.date.replace(day=last)
        return self.date

    @property
    def when(self) -> str:
        if self.precision == self.Precision.MONTH:
            return self.date.strftime("%B %Y")
        return f"{self.date.day} {self.date:%B %Y}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or clock_today()
        return not self.done and self.due_date < today
