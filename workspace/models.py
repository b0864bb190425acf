"""What happens in a session: presenters' answers and critical-friend comments, with the
history of every change to either, and the record of closing and reopening the workspace."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks
from programmes.models import AnswerKind, Partner, Question, ThematicArea
from sessions.models import ChallengeSession

LIKELIHOOD_CHOICES = [
    (1, "1 – rare"),
    (2, "2 – unlikely"),
    (3, "3 – possible"),
    (4, "4 – likely"),
    (5, "5 – almost certain"),
]
SCALE_CHOICES = [
    (1, "1 – very limited"),
    (2, "2 – limited"),
    (3, "3 – moderate"),
    (4, "4 – wide"),
    (5, "5 – very wide"),
]


class Direction(models.TextChoices):
    IMPROVING = "improving", "Improving"
    NO_CHANGE = "no_change", "No change"
    DECLINING = "declining", "Declining"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# The answer fields that make up one version of an answer.
ANSWER_CONTENT_FIELDS = ("text", "likelihood", "scale", "direction", "confidence", "evidence")


class AnswerContent(models.Model):
    text = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True, choices=LIKELIHOOD_CHOICES)
    scale = models.PositiveSmallIntegerField(null=True, blank=True, choices=SCALE_CHOICES)
    direction = models.CharField(max_length=20, blank=True, choices=Direction.choices)
    confidence = models.CharField(max_length=20, blank=True, choices=Confidence.choices)
    # [{"title": ..., "link": "https://..." or "", "reference": "..." or ""}]
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def content(self) -> dict:
        return {name: getattr(self, name) for name in ANSWER_CONTENT_FIELDS}


class Answer(AnswerContent):
    """A presenter's answer to one question, for one area, in one session."""

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="answers")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["session", "area", "question__section__position", "question__position"]
        constraints = [models.UniqueConstraint(fields=["session", "area", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.area} — {self.question}"

    @property
    def is_answered(self) -> bool:
        return bool(self.text.strip()) or any(
            v not in (None, "") for v in (self.likelihood, self.scale, self.direction, self.confidence)
        )

    @property
    def rating(self):
        kind = self.question.answer_kind
        if kind == AnswerKind.LIKELIHOOD and self.likelihood:
            return ("Likelihood", self.get_likelihood_display())
        if kind == AnswerKind.SCALE and self.scale:
            return ("Scale", self.get_scale_display())
        if kind == AnswerKind.DIRECTION and self.direction:
            return ("Direction of travel", self.get_direction_display())
        if kind == AnswerKind.CONFIDENCE and self.confidence:
            return ("Confidence", self.get_confidence_display())
        return None


class AnswerVersion(AnswerContent):
    """One saved version of an answer: who saved it, when, and what it said."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["answer", "-revision"]
        constraints = [models.UniqueConstraint(fields=["answer", "revision"], name="unique_answer_version")]

    def __str__(self):
        return f"Version {self.revision} by {self.edited_by}"


class CommentQuerySet(models.QuerySet):
    def threads(self):
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    """A critical friend's challenge, question, suggestion or commendation on a question (a
    thread), or a reply in that thread."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        QUESTION = "question", "Question"
        SUGGESTION = "suggestion", "Suggestion"
        COMMENDATION = "commendation", "Commendation"
        REPLY = "reply", "Reply"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ADDRESSED = "addressed", "Addressed"
        UNRESOLVED = "unresolved", "Unresolved"

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="comments")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's organisation in the session's partnership when they wrote it.
    author_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_at = models.DateTimeField(null=True, blank=True)
    status_note = models.TextField(
        "why it stays unresolved",
        blank=True,
        help_text="The facilitator's short reason when a challenge is marked unresolved: shown with it in the "
        "self-evaluation.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submission_token = submission_token_field()

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, kind__in=["challenge", "question", "suggestion", "commendation"])
                | Q(parent__isnull=False, kind="reply"),
                name="threads_have_a_kind_replies_reply",
            )
        ]
        indexes = [models.Index(fields=["session", "area", "question"])]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.author}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def is_thread(self):
        return self.parent_id is None


class CommentVersion(models.Model):
    """What a comment said before each change, and who changed it."""

    class Action(models.TextChoices):
        POSTED = "posted", "Posted"
        EDITED = "edited", "Edited"
        WITHDRAWN = "withdrawn", "Withdrawn"
        STATUS = "status", "Status changed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    kind = models.CharField(max_length=20, choices=Comment.Kind.choices)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Comment.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["comment", "revision", "id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by} (revision {self.revision})"


class SessionEvent(models.Model):
    """A record of closing and reopening a session's workspace: who, when."""

    class Action(models.TextChoices):
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    session = models.ForeignKey(ChallengeSession, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True, validators=[no_line_breaks])

    class Meta:
        ordering = ["session", "at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
