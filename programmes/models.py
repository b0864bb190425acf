"""The partnerships and their standing data: partners, people and their memberships,
thematic areas, programmes, their timetables, and the question sets that sessions are run
with."""

import calendar
import datetime
import os

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from challenge.clock import today as clock_today
from challenge.logos import data_url
from challenge.mail import EmailBatch
from challenge.prepared import PreparedQuery
from challenge.secretbox import open_sealed, seal
from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks


class SessionKind(models.TextChoices):
    """The kinds of challenge session (issue 15). Each has its own question set and its own
    independence rule (sessions/independence.py); defined here, below sessions, because a
    question set is written for one kind."""

    PEER = "peer", "Peer challenge"
    SCRUTINY = "scrutiny", "Scrutiny panel"
    STRETCH = "stretch", "Stretch and challenge"


class PartnershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """The partnerships `user` belongs to (an active membership); all of them for
        administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=user.active_partnership_ids())


class Partnership(models.Model):
    """A local partnership. It owns its partner organisations, its people (through their
    memberships), thematic areas, question sets and programmes, and nobody sees across the
    boundary between two partnerships."""

    name = models.CharField(max_length=200, unique=True, validators=[no_line_breaks])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnershipLogo(models.Model):
    """A partnership's logo, on the cover and the running header of its documents: a small PNG
    or JPEG (checked by `challenge.logos.logo_format` when it is stored, by
    programmes.partnership_logos: on the partnership's logo page or in the admin), kept
    in the database like every upload (no file on a web machine's disk), in a table of its own
    so that reading a partnership never reads its logo. The documents carry it as a data:
    address, which the PDF renderer reads itself (evaluations.pdf's fetcher fetches nothing)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="logo")
    data = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=20, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Logo of {self.partnership}"

    @property
    def data_url(self) -> str:
        return data_url(bytes(self.data), self.content_type)


class Partner(models.Model):
    """A partner organisation of one partnership: a council, a health body, the police, a
    fire service. A body that takes part in two partnerships is a partner in each."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Local authority"
        HEALTH = "health", "Health"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue"
        VOLUNTARY = "voluntary", "Voluntary and community sector"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
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
    revision = models.PositiveIntegerField(default=0, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                name="unique_partner_name_per_partnership",
                violation_error_message="The partnership already has a partner organisation of this name.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name


class User(AbstractUser):
    """A person. What they are in a partnership (their organisation there, whether they
    facilitate or read as an officer, whether they are still active) is their Membership of
    it: one person may belong to several partnerships, with a different organisation in each.
    Administrators (superusers) may belong to none."""

    # The inherited name fields, with line breaks refused: names go into e-mails and calendars.
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[no_line_breaks])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[no_line_breaks])
    job_title = models.CharField(max_length=200, blank=True, validators=[no_line_breaks])

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    # --- Memberships, read once per instance -------------------------------------------
    #
    # A page asks several times whether its user is an officer or facilitator of a
    # partnership, and what their organisation is there (permissions, the critical-friend
    # rule, the page header). The answers come from one query per instance: for
    # `request.user`, once per request. Code that changes this person's memberships and
    # then asks again on the same instance calls `forget_memberships()`.

    def _memberships(self) -> dict:
        cached = self.__dict__.get("_membership_cache")
        if cached is None:
            cached = {}
            if self.pk is not None:
                for membership in _MEMBERSHIPS_OF.all(person=self.pk):
                    cached[membership.partnership_id] = membership
            self.__dict__["_membership_cache"] = cached
        return cached

    def forget_memberships(self) -> None:
        self.__dict__.pop("_membership_cache", None)

    def active_memberships(self) -> list:
        """This person's active memberships, by partnership name."""
        return sorted(
            (m for m in self._memberships().values() if m.is_active), key=lambda m: (m.partnership.name, m.pk)
        )

    def membership_in(self, partnership):
        """The active Membership of `partnership` (an instance or an id), or None."""
        if partnership is None:
            return None
        membership = self._memberships().get(getattr(partnership, "pk", partnership))
        return membership if membership is not None and membership.is_active else None

    @property
    def unread_notice_count(self) -> int:
        """How many notices this person has not read, in the partnerships they are still an
        active member of: read with the memberships (no query of its own), so the page
        header can show it on every page."""
        return sum(m.unread_notices for m in self.active_memberships())

    def active_partnership_ids(self) -> set:
        return {m.partnership_id for m in self._memberships().values() if m.is_active}

    def facilitating_partnership_ids(self) -> set:
        """The partnerships this person sets up (an active facilitator membership): the only
        ones whose draft programmes they see."""
        return {m.partnership_id for m in self._memberships().values() if m.is_active and m.is_facilitator}

    def reading_partnership_ids(self) -> set:
        """The partnerships whose every programme this person reads: as an officer, or as
        one who sets the partnership up (a partnership facilitator)."""
        return {
            m.partnership_id for m in self._memberships().values() if m.is_active and (m.is_officer or m.is_facilitator)
        }

    def partner_in(self, partnership):
        """This person's organisation in `partnership`, or None."""
        membership = self.membership_in(partnership)
        return membership.partner if membership is not None else None

    def is_officer_in(self, partnership) -> bool:
        membership = self.membership_in(partnership)
        return membership is not None and membership.is_officer

    def facilitates_partnership(self, partnership) -> bool:
        membership = self.membership_in(partnership)
        return membership is not None and membership.is_facilitator

    @property
    def organisations_label(self) -> str:
        """The organisation(s) the page header names after this person: the one they work
        for, or, when they belong to several partnerships, each with its partnership."""
        memberships = [m for m in self.active_memberships() if m.partner_id]
        if len(memberships) == 1:
            return memberships[0].partner.label
        return "; ".join(f"{m.partner.label} ({m.partnership.name})" for m in memberships)


class Membership(models.Model):
    """A person's place in a partnership: the partner organisation they work for there, and
    their roles. Deactivating a membership (someone left) takes away everything they could
    see or do in the partnership, while history keeps their name."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="partner organisation",
        help_text="Empty only for someone who works for none of the partners, e.g. an administrator.",
    )
    is_facilitator = models.BooleanField(
        "partnership facilitator",
        default=False,
        help_text="Sets the partnership up (people, areas, indicators, question sets, programmes) and "
        "manages every one of its programmes.",
    )
    is_officer = models.BooleanField(
        "officer",
        default=False,
        help_text="Officers (executive, cabinet support, scrutiny) read every programme of this partnership, "
        "its schedule and results, and download self-evaluations, without taking part.",
    )
    is_councillor = models.BooleanField(
        "councillor",
        default=False,
        help_text="An elected member of the council: may sit on the partnership's scrutiny panels.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick when someone leaves: history keeps their name."
    )
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=0, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["partnership", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "person"],
                name="one_membership_per_person_per_partnership",
                violation_error_message="This person already belongs to the partnership.",
            )
        ]

    def __str__(self):
        return f"{self.person} in {self.partnership}"

    def clean(self):
        if self.partner_id and self.partnership_id and self.partner.partnership_id != self.partnership_id:
            raise ValidationError({"partner": "The organisation must be one of this partnership's partners."})


# Every signed-in page reads the viewer's memberships (User._memberships): SQL built once.
_MEMBERSHIPS_OF = PreparedQuery(
    lambda person: (
        Membership.objects.filter(person_id=person)
        .select_related("partner", "partnership")
        .annotate(unread_notices=Notice.unread_count_for_membership())
    ),
    person=int,
)


class SignOnProvider(models.Model):
    """A partner organisation's own OpenID Connect identity provider (Entra ID, NHSmail's, a
    force's own): its people sign in with their work account there (see programmes/sign_on.py).

    The client secret is kept sealed (challenge/secretbox.py), or named as an environment
    variable that holds it; it is never shown back. The issuer must be https, except a
    loopback address where settings.SIGN_ON_ALLOW_HTTP_LOOPBACK allows it (the tests)."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, related_name="sign_on", verbose_name="partner organisation"
    )
    issuer = models.URLField(
        "issuer URL",
        max_length=500,
        help_text="The provider's issuer, e.g. https://login.microsoftonline.com/<tenant id>/v2.0. "
        "Its /.well-known/openid-configuration is read from there.",
    )
    client_id = models.CharField(
        "client id", max_length=255, validators=[no_line_breaks], help_text="The app's registration at the provider."
    )
    client_secret_sealed = models.TextField(blank=True, editable=False)
    client_secret_env = models.CharField(
        "client secret from environment variable",
        max_length=100,
        blank=True,
        validators=[no_line_breaks],
        help_text="Instead of typing the secret here: the name of the server's environment variable that holds it.",
    )
    email_domains = models.CharField(
        "e-mail domains",
        max_length=500,
        validators=[no_line_breaks],
        help_text="The organisation's work addresses, separated by commas, e.g. gmp.police.uk, police.example.",
    )
    trust_domain_addresses = models.BooleanField(
        "trust its addresses in these domains without an email_verified claim",
        default=False,
        help_text="Microsoft Entra ID sends no email_verified claim. Tick only for the organisation's own "
        "single-tenant directory, which alone issues addresses in its domains.",
    )
    required = models.BooleanField(
        "require single sign-on for this organisation's people",
        default=False,
        help_text="Their password is then refused: they sign in with the organisation's account.",
    )
    enabled = models.BooleanField("in use", default=True)
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "single sign-on provider"

    def __str__(self):
        return f"Single sign-on for {self.partner}"

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider (one OpenID Connect app each), in its addresses."""
        return f"partner-{self.partner_id}"

    @property
    def button_label(self) -> str:
        return f"Sign in with {self.partner.name}"

    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    def set_client_secret(self, secret: str) -> None:
        self.client_secret_sealed = seal(secret) if secret else ""

    def client_secret(self) -> str | None:
        """The secret: from the environment variable named, else the sealed one; None when
        neither gives one (a variable not set, or sealed under a key no longer known)."""
        if self.client_secret_env:
            return os.environ.get(self.client_secret_env) or None
        if not self.client_secret_sealed:
            return None
        return open_sealed(self.client_secret_sealed)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_sealed or self.client_secret_env)


class Invitation(EmailBatch):
    """A one-time link, e-mailed to a member, to set their password and sign in. Only a hash
    of the link's token is kept. Sending the invitation again makes a new one and retires this
    one (`replaced_at`), so only the newest link works; it works once (`accepted_at`) and
    until `expires_at`. Also the record of whether its e-mail went (EmailBatch)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    label = "Invitation"

    class Meta:
        ordering = ["membership", "-created_at", "-id"]

    def __str__(self):
        return f"Invitation of {self.membership}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


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
        # Only where they are still a member: someone who left leads nothing there.
        return (
            self.filter(partnership__in=user.active_partnership_ids())
            .filter(Q(lead_officer=user) | presents)
            .distinct()
        )


class ThematicArea(models.Model):
    """An "area for further consideration": a theme a partnership reviews in challenge
    sessions. Its slug is unique across the installation (it is the area page's address)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
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
    retired_on = models.DateField(
        null=True,
        blank=True,
        help_text="A retired area stays on the programmes that reviewed it, with its history, but new "
        "programmes no longer offer it.",
    )
    # Optimistic locking of the in-app editor (challenge/editing.py): `revision` guards the
    # area's own fields, `topics_revision` the list of its focus topics (their names and
    # order), so that moving a topic does not refuse the area's form open beside it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    topics_revision = models.PositiveIntegerField(default=0, editable=False)
    submission_token = submission_token_field()

    objects = ThematicAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                name="unique_area_name_per_partnership",
                violation_error_message="The partnership already has an area of this name.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    def clean(self):
        if not self.partnership_id:
            return
        if self.lead_partner_id and self.lead_partner.partnership_id != self.partnership_id:
            raise ValidationError({"lead_partner": "The lead organisation must be one of the partnership's partners."})
        if self.lead_officer_id and self.lead_partner_id:
            works_there = Membership.objects.filter(
                partnership_id=self.partnership_id,
                person_id=self.lead_officer_id,
                partner_id=self.lead_partner_id,
                is_active=True,
            ).exists()
            if not works_there:
                raise ValidationError({"lead_officer": "The lead officer must work for the lead organisation."})


class FocusTopic(models.Model):
    """A topic within an area that a session looks at specifically (e.g. teenage pregnancy)."""

    area = models.ForeignKey(ThematicArea, on_delete=models.CASCADE, related_name="focus_topics")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    position = models.PositiveIntegerField(default=0)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["area", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="unique_focus_topic_per_area",
                violation_error_message="The area already has a focus topic of this name.",
            )
        ]

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
    session has used a version it is frozen, and changes go into a new version.

    A partnership's sets are its own. A set of no partnership is one of the installation's
    standard sets (the CAA methodology the first migration installs), which each new
    partnership starts with a copy of (programmes.services.create_partnership)."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="question_sets",
        help_text="Empty for a standard set of the installation, which new partnerships copy.",
    )
    family = models.SlugField(max_length=100, help_text="Versions of the same question set share this name.")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    kind = models.CharField(
        max_length=20,
        choices=SessionKind.choices,
        default=SessionKind.PEER,
        help_text="The kind of session these questions are asked in.",
    )
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="later_versions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Optimistic locking of the in-app editor: every edit of the version (its sections and
    # questions included) carries the revision it was opened at (challenge/editing.py).
    revision = models.PositiveIntegerField(default=1, editable=False)
    # The "make a new version" form that created this version: sent twice, it makes one.
    submission_token = submission_token_field()

    objects = QuestionSetQuerySet.as_manager()

    class Meta:
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "family", "version"],
                name="unique_question_set_version",
                violation_error_message="The partnership already has this version of the question set.",
            ),
            models.UniqueConstraint(
                fields=["family", "version"],
                condition=Q(partnership__isnull=True),
                name="unique_standard_question_set_version",
                violation_error_message="The installation already has this version of the standard question set.",
            ),
        ]

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
    submission_token = submission_token_field()

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
    submission_token = submission_token_field()

    class Meta:
        ordering = ["section", "position", "id"]

    def __str__(self):
        return self.text

    def clean(self):
        if self.section_id and self.section.question_set.is_frozen:
            raise ValidationError(FROZEN_MESSAGE)


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programmes a user may open: every one of the partnerships they read as an officer
        or set up as a partnership facilitator, and otherwise those they facilitate or take
        part in; only in partnerships where their membership is active. All of them for
        administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return (
            self.filter(partnership__in=user.active_partnership_ids())
            .filter(
                Q(partnership__in=user.reading_partnership_ids())
                | Q(facilitators=user)
                | Q(sessions__participants__person=user)
                | Q(sessions__facilitator=user)
            )
            # A draft (a cycle being prepared) only for those who set the partnership up.
            .exclude(Q(status=Programme.Status.DRAFT) & ~Q(partnership__in=user.facilitating_partnership_ids()))
            .distinct()
        )


# The parts of a mini self-evaluation after its cover, in their default order: the programme
# chooses which appear and in what order (`Programme.document_parts`).
DOCUMENT_PARTS = [
    ("summary", "Summary"),
    ("introduction", "Introduction"),
    ("findings", "Findings and action plan"),
    ("indicators", "Performance indicators"),
    ("evidence", "Evidence: questions, answers and challenges"),
]


def default_document_parts() -> list:
    return [key for key, _ in DOCUMENT_PARTS]


def valid_document_parts(value) -> list:
    """`value` as a list of known parts, each once, in its order (the default when none is)."""
    known = dict(DOCUMENT_PARTS)
    parts = []
    for key in value or []:
        if key in known and key not in parts:
            parts.append(key)
    return parts or default_document_parts()


class Programme(models.Model):
    """One cycle of challenge work towards an assessment. The next cycle is made from it by
    rolling it forward (programmes.cycles.roll_forward) and links back to it (`previous`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: being prepared, seen only by the partnership's facilitators"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    slug = models.SlugField(max_length=200, unique=True)
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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_cycles",
        verbose_name="previous cycle",
        help_text="The programme this one was rolled forward from.",
    )
    document_parts = models.JSONField(
        default=default_document_parts,
        blank=True,
        help_text="The parts of its mini self-evaluations after the cover, in order (see DOCUMENT_PARTS).",
    )
    revision = models.PositiveIntegerField(default=1)
    submission_token = submission_token_field()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["previous"],
                name="one_next_cycle_per_programme",
                violation_error_message="This programme has already been rolled forward.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme_dashboard", kwargs={"slug": self.slug})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The programme must end on or after its start."})
        if (
            self.partnership_id
            and self.question_set_id
            and self.question_set.partnership_id not in (None, self.partnership_id)
        ):
            raise ValidationError({"question_set": "The question set must be the partnership's own or a standard one."})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def chosen_document_parts(self) -> list:
        return valid_document_parts(self.document_parts)

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


class NoticeKind(models.TextChoices):
    """What a notice tells a person about. Each person chooses, per kind, how they hear of it
    by e-mail (NoticePreference); every notice is shown in the app whatever they choose."""

    CHALLENGE = "challenge", "A new challenge or comment on an area I present"
    REPLY = "reply", "A reply to my challenge"
    UNRESOLVED = "unresolved", "A challenge marked unresolved"
    CIRCULATED = "circulated", "A draft self-evaluation circulated to me for comment"
    ACTION_DUE = "action_due", "An improvement action of mine due within 7 days or overdue"


class NoticeQuerySet(models.QuerySet):
    def for_person(self, user):
        """`user`'s notices in the partnerships they are still an active member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(person=user, partnership__in=user.active_partnership_ids())

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """Something a person should know: shown in the app until they read it, and e-mailed as
    their preference for its kind said when it was made (`delivery`): at once, by the worker
    after the change that made it commits; in the next daily digest; or not at all.
    `emailed_at` records when it went (or was claimed by the task sending it)."""

    class Delivery(models.TextChoices):
        AT_ONCE = "at_once", "E-mail at once"
        DIGEST = "digest", "E-mail in a daily digest"
        OFF = "off", "No e-mail (shown here only)"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    # Made by the services (people's words on one line: programmes.notices.excerpt), never typed.
    text = models.CharField(max_length=500, editable=False)
    # A path inside the site (never another site): where the notice's link goes.
    url = models.CharField(max_length=500, editable=False)
    # Makes a notice once only: e.g. "action-overdue:12:2009-05-01" (empty: no such rule).
    key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.AT_ONCE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "partnership", "read_at"], name="notice_unread"),
            models.Index(fields=["delivery", "emailed_at"], name="notice_to_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "key"], condition=~Q(key=""), name="one_notice_per_person_and_key"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.person}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @staticmethod
    def unread_count_for_membership():
        """An expression for a Membership queryset: how many notices its person has not read
        in its partnership, counted in the memberships' own query (which every signed-in page
        makes). Written as SQL: the ORM's correlated subquery, compiled on every request, cost
        more than the rest of that query (1.7 against 0.7 ms a request)."""
        notice, membership = Notice._meta, Membership._meta
        q = connection.ops.quote_name
        # Only table and column names from the models, quoted, and no parameters: nothing typed.
        return RawSQL(  # noqa: S611
            f"SELECT COUNT(*) FROM {q(notice.db_table)} WHERE "  # noqa: S608
            f"{q(notice.db_table)}.{q(notice.get_field('person').column)} = "
            f"{q(membership.db_table)}.{q(membership.get_field('person').column)} AND "
            f"{q(notice.db_table)}.{q(notice.get_field('partnership').column)} = "
            f"{q(membership.db_table)}.{q(membership.get_field('partnership').column)} AND "
            f"{q(notice.db_table)}.{q(notice.get_field('read_at').column)} IS NULL",
            (),
            output_field=models.IntegerField(),
        )


class NoticePreference(models.Model):
    """How a person wants to hear of one kind of notice by e-mail. No row: at once."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    choice = models.CharField(max_length=20, choices=Notice.Delivery.choices, default=Notice.Delivery.AT_ONCE)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_notice_preference_per_kind")]

    def __str__(self):
        return f"{self.person}: {self.get_kind_display()} — {self.get_choice_display()}"


# --- Councillors: scrutiny panels and cabinet portfolios ----------------------------------


class ScrutinyPanel(models.Model):
    """A partnership's overview and scrutiny panel: councillors who are not in the cabinet
    hold the executive and its officers to account (e.g. Southampton's Children and Families
    Scrutiny Panel). Its members are the partnership's councillors."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="scrutiny_panels")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_panels",
        help_text="One of the panel's members.",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scrutiny_panels", blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["partnership", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                name="unique_panel_name_per_partnership",
                violation_error_message="The partnership already has a panel of this name.",
            )
        ]

    def __str__(self):
        return self.name


class CabinetPortfolio(models.Model):
    """A cabinet member's portfolio: the areas they hold for the executive. They may not sit
    on a scrutiny panel for those areas (scrutiny is independent of the executive)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cabinet_portfolios")
    title = models.CharField(
        max_length=200, validators=[no_line_breaks], help_text="e.g. Cabinet Member for Children's Social Care."
    )
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cabinet_portfolios")
    areas = models.ManyToManyField(ThematicArea, related_name="cabinet_portfolios", blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["partnership", "title"]

    def __str__(self):
        return self.title
