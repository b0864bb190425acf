"""E-mails sent in the background, and their outcome.

A batch is recorded as queued when the change that causes it is saved; the task then records
it as sent or failed, with what failed, so the page can tell the facilitator instead of
claiming the e-mails went. `EmailBatch` is the abstract model of such a record (each app keeps
its own table); `send_batch` sends one batch from a task."""

import logging

from django.db import models
from django.utils import timezone

from challenge.validators import single_line

logger = logging.getLogger(__name__)


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


class EmailBatchFailed(Exception):
    """Some of a batch's e-mails could not be sent. Already recorded on the batch; raised so
    that the task is recorded as failed too."""


def send_batch(batch_model, batch_id, build) -> int:
    """Send the e-mails that `build()` returns, as (who, EmailMessage) pairs, one by one.

    Records on row `batch_id` of `batch_model` (skipped when None, for tasks queued before
    batches were recorded): sent, or failed with one line per e-mail that did not go (or why
    none could be prepared). Raises EmailBatchFailed after recording a failure. Returns how
    many were sent."""

    def record(**fields):
        if batch_id is not None:
            batch_model.objects.filter(pk=batch_id).update(finished_at=timezone.now(), **fields)

    try:
        messages = list(build())
    except Exception as exc:
        logger.exception("E-mails for %s %s could not be prepared", batch_model.__name__, batch_id)
        record(status="failed", error=f"No e-mail could be prepared: {_reason(exc)}"[:2000])
        raise
    sent, failures = 0, []
    for who, message in messages:
        try:
            sent += message.send()
        except Exception as exc:  # one bad address or a dropped connection must not hide the rest
            logger.exception("E-mail to %s failed", who)
            failures.append(f"{single_line(who)}: {_reason(exc)}")
    record(
        status="failed" if failures else "sent",
        recipients=len(messages),
        sent=sent,
        error="\n".join(failures)[:5000],
    )
    if failures:
        raise EmailBatchFailed(f"{len(failures)} of {len(messages)} e-mails failed: " + "; ".join(failures))
    return sent


def _reason(exc) -> str:
    return single_line(str(exc))[:300] or type(exc).__name__
