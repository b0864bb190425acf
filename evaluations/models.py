"""The write-ups built from sessions: each area's mini self-evaluation (its versions, the
partners' comments on a circulated draft, the e-mails that circulated it) and the background
build of the programme's whole area self-evaluation."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from challenge.mail import EmailBatch
from challenge.submission import submission_token_field
from programmes.models import Partner, Programme, ThematicArea
from sessions.models import ChallengeSession


class SelfEvaluationQuerySet(models.QuerySet):
    """Who may read a self-evaluation: exactly those who may read its area's sessions — the
    programme's facilitators, the partnership's officers and facilitators, administrators,
    the area's lead officer, and whoever facilitates or takes part in a session of the
    programme that covers the area — and, once it has been circulated, the people of the
    partner organisations it was circulated to; only while they are active members of the
    programme's partnership."""

    def _takes_part_in_area(self, user):
        sessions = ChallengeSession.objects.filter(programme=OuterRef("programme"), areas=OuterRef("area")).filter(
            Q(facilitator=user) | Q(participants__person=user)
        )
        facilitates = Programme.facilitators.through.objects.filter(programme=OuterRef("programme"), user=user)
        # The area's lead officer answers for the area wherever it is examined; a facilitator
        # of the partnership manages all of its programmes.
        return (
            Exists(facilitates)
            | Exists(sessions)
            | Q(area__lead_officer=user)
            | Q(programme__partnership__in=[m.partnership_id for m in user.active_memberships() if m.is_facilitator])
        )

    def _circulated_to_partner_of(self, user, *, officers=True):
        """Circulated to the organisation `user` works for in the programme's partnership
        (a partner belongs to one partnership, so matching it matches the partnership)."""
        partner_ids = [
            m.partner_id for m in user.active_memberships() if m.partner_id and (officers or not m.is_officer)
        ]
        if not partner_ids:
            return Q(pk__in=[])
        partners = SelfEvaluation.circulated_to.through.objects.filter(
            selfevaluation=OuterRef("pk"), partner__in=partner_ids
        )
        return Q(circulated_at__isnull=False) & Exists(partners)

    def readable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        officer_of = [m.partnership_id for m in user.active_memberships() if m.is_officer]
        return self.filter(programme__partnership__in=user.active_partnership_ids()).filter(
            Q(programme__partnership__in=officer_of)
            | self._takes_part_in_area(user)
            | self._circulated_to_partner_of(user)
        )

    def commentable_by(self, user):
        """The versions whose draft `user` may comment on while it is circulated (the service
        takes comments only then): its readers, except that a partnership's officers read
        and change nothing there (unless they also take part in the area)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        allowed = self._takes_part_in_area(user) | self._circulated_to_partner_of(user, officers=False)
        return self.filter(programme__partnership__in=user.active_partnership_ids()).filter(allowed)


class SelfEvaluation(models.Model):
    """One version of an area's mini self-evaluation for a programme.

    draft → circulated (partners comment) → final. Final stores the PDF: every later download
    returns exactly those bytes. Reopening a final one starts the next version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CIRCULATED = "circulated", "Circulated for comment"
        FINAL = "final", "Final"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="self_evaluations")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="self_evaluations")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    introduction = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    circulated_at = models.DateTimeField(null=True, blank=True)
    circulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The partners whose contacts were sent the draft: their people may read this version.
    circulated_to = models.ManyToManyField(Partner, blank=True, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # A final version's document as its PDF shows it (evaluations.document.build_document):
    # its Word and HTML versions are made from this, never from the records as they are now.
    document = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "area__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "area", "version"], name="unique_self_evaluation_version"),
            models.CheckConstraint(
                condition=Q(status="final", pdf__isnull=False, finalised_at__isnull=False) | ~Q(status="final"),
                name="final_self_evaluation_keeps_its_pdf",
            ),
        ]

    def __str__(self):
        return f"{self.area} — version {self.version} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("self_evaluation", kwargs={"pk": self.pk})

    @property
    def is_final(self):
        return self.status == self.Status.FINAL

    def is_late(self, today, deadline) -> bool:
        """Not final, and the programme's deadline has passed."""
        return bool(deadline) and not self.is_final and today > deadline

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class StoredRender(models.Model):
    """A PDF rendered by the background worker (never in a web request) and kept against the
    SHA-256 of the HTML it was rendered from: while that HTML is unchanged a download sends
    these bytes; once it changes, a download asks the worker for a new one (`wanted_sha256`,
    `requested_at`) and the page shows its progress."""

    pdf = models.BinaryField(null=True, blank=True, editable=False)
    inputs_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the HTML the stored PDF was rendered from."
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    wanted_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the HTML last asked for."
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the worker took up the last request.")
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def is_ready(self, key) -> bool:
        return bool(key) and self.inputs_sha256 == key

    def failed(self, key) -> bool:
        return self.wanted_sha256 == key and bool(self.error)

    def is_waiting(self, key, now) -> bool:
        """Asked for `key`, not failed, and asked for less than BUILD_STALL_TIMEOUT seconds ago
        (a request older than that lost its worker and is asked again)."""
        recent = now - datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT)
        return (
            self.wanted_sha256 == key
            and not self.error
            and not self.is_ready(key)
            and self.requested_at is not None
            and self.requested_at >= recent
        )


class DraftPdf(StoredRender):
    """The PDF of a self-evaluation's draft (see StoredRender)."""

    self_evaluation = models.OneToOneField(
        SelfEvaluation, on_delete=models.CASCADE, primary_key=True, related_name="draft_pdf"
    )

    def __str__(self):
        return f"Draft PDF of {self.self_evaluation_id}"


class ScrutinyReportPdf(StoredRender):
    """The scrutiny report of a scrutiny meeting's agenda item (evaluations/scrutiny_report.py),
    as the worker last rendered it (see StoredRender): the area's KPIs with their benchmarks,
    the panel's questions and the officers' answers, the resolutions."""

    agenda_item = models.OneToOneField(
        "challenge_sessions.AgendaItem", on_delete=models.CASCADE, primary_key=True, related_name="report_pdf"
    )

    def __str__(self):
        return f"Scrutiny report of agenda item {self.agenda_item_id}"


class AreaPdfPart(models.Model):
    """One area's part of the programme's area self-evaluation PDF: its mini self-evaluation,
    rendered by the worker (at most one at a time, each in a child process of its own) and kept
    against the SHA-256 of what it was rendered from (`evaluations.area_pdf.part_key`: the
    part's HTML, its stylesheets and the WeasyPrint version). A build whose part for an area
    would be the same reuses these pages rather than render them again; only the front matter
    (cover, contents, executive summary) is rendered for every build. Parts no build has used
    for `area_pdf.PART_KEEP_DAYS` days are deleted, unless the latest build of their programme
    uses them (`area_pdf.prune_parts`)."""

    inputs_sha256 = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of what the part was rendered from."
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(ThematicArea, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField(
        editable=False, help_text="Its pages, ready to merge (evaluations.pdf_merge.relocatable_pdf)."
    )
    pages = models.PositiveIntegerField(editable=False)
    rendered_at = models.DateTimeField()
    used_at = models.DateTimeField(help_text="When a build last used it.")

    class Meta:
        ordering = ["programme", "area", "-used_at"]
        indexes = [models.Index(fields=["used_at"], name="area_pdf_part_used_at")]

    def __str__(self):
        return f"Area self-evaluation part: {self.area} ({self.pages} pages, {self.inputs_sha256[:12]})"


class DraftComment(models.Model):
    """A partner's comment on a circulated draft."""

    self_evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="draft_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's organisation in the programme's partnership when they wrote it.
    author_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author} on {self.self_evaluation}: {self.text[:60]}"


class AreaSelfEvaluationBuild(models.Model):
    """A background build of the programme's whole area self-evaluation PDF.

    The worker records each step's progress with its time (`progressed_at`). A build that
    has not moved for BUILD_STALL_TIMEOUT seconds lost its worker (killed, restarted,
    crashed) and is marked failed, so the page can offer to try again instead of waiting
    for ever."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="builds")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    error = models.TextField(blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, help_text="When the worker last reported progress.")
    task_id = models.CharField(max_length=64, blank=True, editable=False, help_text="The background task building it.")
    submission_token = submission_token_field()
    # The areas' parts the PDF was assembled from (see AreaPdfPart).
    parts = models.ManyToManyField(AreaPdfPart, blank=True, editable=False, related_name="builds")

    class Meta:
        ordering = ["programme", "-requested_at"]

    def __str__(self):
        return f"{self.programme} area self-evaluation ({self.get_status_display().lower()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def is_stalled(self, now) -> bool:
        """Running, but no progress reported for BUILD_STALL_TIMEOUT seconds."""
        last = self.progressed_at or self.requested_at
        return self.status == self.Status.RUNNING and last < now - datetime.timedelta(
            seconds=settings.BUILD_STALL_TIMEOUT
        )

    def is_unclaimed(self, now) -> bool:
        """Still queued BUILD_PICKUP_TIMEOUT seconds after it was asked for."""
        return self.status == self.Status.QUEUED and self.requested_at < now - datetime.timedelta(
            seconds=settings.BUILD_PICKUP_TIMEOUT
        )


class CirculationEmail(EmailBatch):
    """The e-mails to every partner's contact when a draft is circulated for comment, so the
    facilitator sees whether they went."""

    self_evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="circulation_emails")
    label = "E-mails to partners' contacts"

    class Meta:
        ordering = ["self_evaluation", "-queued_at", "-id"]

    def __str__(self):
        return f"Circulation of {self.self_evaluation} ({self.get_status_display().lower()})"
