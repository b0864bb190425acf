"""The e-mails sent about a session, so the facilitator sees whether they went."""

from django.db import models

from challenge.models.emails import EmailBatch

from .session import ChallengeSession


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
