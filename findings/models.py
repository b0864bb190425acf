"""What sessions concluded: findings, the themes that cut across areas, and the improvement
actions that follow from findings."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks
from programmes.models import Partner, Programme, ThematicArea
from sessions.models import ChallengeSession
from workspace.models import Answer, Comment


class Theme(models.Model):
    """A cross-cutting theme tagged on findings across areas (Salford's: partnership
    involvement, pace of delivery, governance, plausibility of the approach)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="unique_theme_per_programme")]

    def __str__(self):
        return self.name


class AssuranceAudit(models.Model):
    """An assurance audit of an area's casework (Southampton's: a sample of cases read by an
    auditor and graded). Its findings are findings like a session's, with their actions."""

    class Grading(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=300, validators=[no_line_breaks], help_text="What was audited.")
    audited_on = models.DateField("date of the audit")
    auditor = models.CharField(
        max_length=200, validators=[no_line_breaks], help_text="Who audited: a name, a role or an organisation."
    )
    sample_size = models.PositiveIntegerField("cases in the sample")
    sample_description = models.TextField("the sample", blank=True, help_text="Which cases, and how they were chosen.")
    grading = models.CharField(max_length=30, choices=Grading.choices)
    summary = models.TextField(blank=True, help_text="What the audit found, in short.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["area", "-audited_on", "-id"]
        verbose_name = "assurance audit"

    def __str__(self):
        return f"{self.title} ({self.audited_on:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("audit_detail", kwargs={"pk": self.pk})


class FindingQuerySet(models.QuerySet):
    def standing(self):
        """The findings not withdrawn: what the emerging findings, the PDFs and every count show."""
        return self.filter(withdrawn_at__isnull=True)


class Finding(models.Model):
    class Kind(models.TextChoices):
        # Flags first: they are what an assessor looks for.
        RED_FLAG = "red_flag", "Red flag"
        GREEN_FLAG = "green_flag", "Green flag"
        STRENGTH = "strength", "Strength"
        IMPROVEMENT = "improvement", "Area for improvement"
        RISK = "risk", "Risk"
        CROSS_CUTTING = "cross_cutting", "Cross-cutting issue"

    # Where it was found: a session, or else an assurance audit (exactly one of the two).
    session = models.ForeignKey(
        ChallengeSession, on_delete=models.PROTECT, related_name="findings", null=True, blank=True
    )
    audit = models.ForeignKey(AssuranceAudit, on_delete=models.PROTECT, related_name="findings", null=True, blank=True)
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300, validators=[no_line_breaks])
    text = models.TextField("the finding")
    themes = models.ManyToManyField(Theme, related_name="findings", blank=True)
    evidence_answers = models.ManyToManyField(Answer, related_name="findings", blank=True)
    evidence_comments = models.ManyToManyField(Comment, related_name="findings", blank=True)
    raised_again_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_again_in",
        verbose_name="raised again from",
        help_text="The same area's finding of an earlier cycle that this one raises again.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)
    submission_token = submission_token_field()
    # Withdrawn by a facilitator: kept, with its history, but no longer part of what the
    # programme found (see FindingQuerySet.standing); it can be restored.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    withdrawn_reason = models.CharField("why it is withdrawn", max_length=300, blank=True, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "kind", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(session__isnull=False, audit__isnull=True)
                    | models.Q(session__isnull=True, audit__isnull=False)
                ),
                name="finding_from_a_session_or_an_audit",
                violation_error_message="A finding comes from a session or from an assurance audit, not both.",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_flag(self):
        return self.kind in {self.Kind.RED_FLAG, self.Kind.GREEN_FLAG}

    @property
    def programme(self):
        """The session's programme; None for an audit's finding."""
        return self.session.programme if self.session_id else None

    @property
    def partnership_id(self):
        return self.session.programme.partnership_id if self.session_id else self.area.partnership_id

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


KIND_ORDER = [k.value for k in Finding.Kind]


class FindingVersion(models.Model):
    """One step of a finding's history: recorded, edited, withdrawn or restored, by whom and
    when, and what it said afterwards."""

    class Action(models.TextChoices):
        CREATED = "created", "Recorded"
        EDITED = "edited", "Edited"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTORED = "restored", "Restored"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="versions")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    revision = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Finding.Kind.choices)
    # Copies of what the services saved (their validators ran on the finding), never typed here.
    title = models.CharField(max_length=300, editable=False)
    text = models.TextField()
    changed = models.CharField(
        max_length=200, blank=True, editable=False, help_text="What an edit changed, e.g. “title, evidence”."
    )
    note = models.CharField(max_length=300, blank=True, editable=False, help_text="Why it was withdrawn, when given.")

    class Meta:
        ordering = ["finding", "-at", "-id"]

    def __str__(self):
        return f"{self.finding_id} {self.get_action_display().lower()} at {self.at:%Y-%m-%d %H:%M}"


class ActionQuerySet(models.QuerySet):
    def overdue(self, today):
        return self.filter(due_date__lt=today).exclude(status__in=Action.CLOSED)


class Action(models.Model):
    """An improvement action arising from a finding: what, who, by when."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    CLOSED = (Status.DONE, Status.DROPPED)

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("what will be done")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    # The owner's organisation when the action was agreed: people move, the record should not.
    owner_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="actions", editable=False)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress_note = models.TextField(
        "progress", blank=True, help_text="Where it has got to: what is done, what is next, what is in the way."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every change made through the services, so that two people updating the same
    # action from forms opened at the same revision cannot overwrite each other.
    revision = models.PositiveIntegerField(default=1)
    submission_token = submission_token_field()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.description[:80]

    def is_overdue(self, today) -> bool:
        return self.status not in self.CLOSED and self.due_date < today


class ActionChange(models.Model):
    """One change of an improvement action (its history): who changed it, when, and what it
    said afterwards. The action's first state is the action as agreed (its `created_at`)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Action.Status.choices)
    progress_note = models.TextField(blank=True)
    changed = models.CharField(max_length=200, editable=False, help_text="What changed, e.g. “status, progress”.")

    class Meta:
        ordering = ["action", "-at", "-id"]

    def __str__(self):
        return f"{self.action_id} at {self.at:%Y-%m-%d %H:%M}: {self.changed}"


# --- A scrutiny meeting's resolutions and recommendations ------------------------------------
#
# Here rather than in sessions/: like improvement actions they are what a meeting concluded,
# tracked until closed across meetings, and the scrutiny report (evaluations/) reads them with
# the workspace's answers and comments; sessions/ keeps the meeting and its agenda items.


class ResolutionQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(closed_at__isnull=True)


class Resolution(models.Model):
    """What a scrutiny panel resolved or recommended on an agenda item: who must respond and
    by when, the executive's response (accepted, partly accepted, rejected, with its reasons),
    and its progress to completion. Open until done, or until the executive rejects it."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", "Resolution"
        RECOMMENDATION = "recommendation", "Recommendation"

    class Response(models.TextChoices):
        AWAITED = "awaited", "Response awaited"
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        REJECTED = "rejected", "Rejected"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    agenda_item = models.ForeignKey(
        "challenge_sessions.AgendaItem", on_delete=models.PROTECT, related_name="resolutions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESOLUTION)
    text = models.TextField("what the panel resolved")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="resolutions_owned",
        help_text="The officer or cabinet member who must respond and report progress.",
    )
    response_due = models.DateField("response due")
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.AWAITED)
    response_text = models.TextField("the executive's response", blank=True)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField("progress", max_length=20, choices=Status.choices, default=Status.OPEN)
    progress_note = models.TextField("progress", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    submission_token = submission_token_field()

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["agenda_item", "id"]

    def __str__(self):
        return self.text[:80]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def closes(self) -> bool:
        """Whether what it says now closes it: done, or rejected by the executive."""
        return self.status == self.Status.DONE or self.response == self.Response.REJECTED


class ResolutionChange(models.Model):
    """One step of a resolution's history: recorded, the executive's response, progress."""

    class What(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        RESPONSE = "response", "Executive's response"
        PROGRESS = "progress", "Progress"

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="changes")
    what = models.CharField(max_length=20, choices=What.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    response = models.CharField(max_length=20, choices=Resolution.Response.choices)
    response_text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Resolution.Status.choices)
    progress_note = models.TextField(blank=True)

    class Meta:
        ordering = ["resolution", "-at", "-id"]

    def __str__(self):
        return f"{self.resolution_id} {self.get_what_display().lower()} at {self.at:%Y-%m-%d %H:%M}"
