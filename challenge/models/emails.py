"""The outcome of e-mails sent in the background. A batch is recorded as queued when the
change that causes it is saved; the task then records it as sent or failed, with what
failed, so the page can tell the facilitator instead of claiming the e-mails went."""

from django.db import models
from django.utils import timezone


class EmailBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    recipients = models.PositiveIntegerField(default=0, help_text="How many e-mails were tried.")
    sent = models.PositiveIntegerField(default=0, help_text="How many of them went.")
    error = models.TextField(blank=True, help_text="What failed, one line per e-mail.")
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    label = "E-mails"

    @property
    def is_failed(self):
        return self.status == self.Status.FAILED

    @property
    def failures(self) -> list[str]:
        return [line for line in self.error.splitlines() if line.strip()]
