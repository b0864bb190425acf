"""Background work: e-mailing partners a circulated draft, and building the programme's
whole area self-evaluation PDF (tens of seconds for a full programme)."""

import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import OperationalError
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from challenge.mail import send_batch
from challenge.validators import single_line
from evaluations.area_pdf import area_self_evaluation_pdf
from evaluations.models import AreaSelfEvaluationBuild, CirculationEmail, SelfEvaluation

logger = logging.getLogger(__name__)


@task()
def send_draft_circulated(*, self_evaluation_id: int, batch_id: int | None = None) -> int:
    """E-mail every partner's contact a link to the circulated draft, recording on
    CirculationEmail `batch_id` whether each e-mail went (the draft's page shows a failure)."""
    return send_batch(CirculationEmail, batch_id, lambda: _circulation_messages(self_evaluation_id))


def _circulation_messages(self_evaluation_id):
    self_evaluation = (
        SelfEvaluation.objects.select_related("programme", "area", "circulated_by")
        .defer("pdf")
        .get(pk=self_evaluation_id)
    )
    url = settings.SITE_URL + self_evaluation.get_absolute_url()
    # One line whatever was saved: a line break in a subject makes the mail library refuse it.
    subject = single_line(
        f"For comment: {self_evaluation.area.name} mini self-evaluation (draft, version {self_evaluation.version})"
    )
    messages = []
    # Only the partners it was circulated to: only their people may open the link.
    for partner in self_evaluation.circulated_to.exclude(contact_email=""):
        body = render_to_string(
            "evaluations/email/circulated.txt", {"self_evaluation": self_evaluation, "partner": partner, "url": url}
        )
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [partner.contact_email])
        messages.append((f"{partner.name} <{partner.contact_email}>", message))
    return messages


# SQLite has one writer at a time; a write that meets another waits SQLITE_TIMEOUT seconds and
# then fails with "database is locked". The build's own writes try again a few times, with a
# growing pause, rather than leave the build half-recorded.
LOCKED_RETRIES = 5
LOCKED_FIRST_PAUSE = 0.5


def retry_if_locked(write, *, retries=LOCKED_RETRIES, pause=LOCKED_FIRST_PAUSE, sleep=time.sleep):
    """Run `write()`; if the database is locked, wait and run it again, up to `retries` times."""
    for attempt in range(1, retries + 1):
        try:
            return write()
        except OperationalError as exc:
            if attempt == retries or "locked" not in str(exc).lower():
                raise
            logger.warning("Database locked (attempt %s of %s); trying again in %.1fs", attempt, retries, pause)
            sleep(pause)
            pause *= 2
    raise AssertionError("unreachable: the last attempt returns or raises")


@task()
def build_area_self_evaluation(*, build_id: int) -> str:
    """Build the area self-evaluation PDF, recording progress, with its time, as it goes."""
    build = retry_if_locked(
        lambda: AreaSelfEvaluationBuild.objects.select_related("programme").defer("pdf").get(pk=build_id)
    )
    builds = AreaSelfEvaluationBuild.objects.filter(pk=build.pk)

    def progress(percent, step):
        retry_if_locked(
            lambda: builds.update(
                status=AreaSelfEvaluationBuild.Status.RUNNING, progress=percent, step=step, progressed_at=timezone.now()
            )
        )

    try:
        progress(1, "Starting")
        data = area_self_evaluation_pdf(build.programme, progress=progress)
    except Exception as exc:  # the page must show a failure rather than spin for ever
        logger.exception("Area self-evaluation build %s failed", build.pk)
        error = str(exc)[:2000]
        retry_if_locked(
            lambda: builds.update(status=AreaSelfEvaluationBuild.Status.FAILED, error=error, finished_at=timezone.now())
        )
        raise
    retry_if_locked(
        lambda: builds.update(
            status=AreaSelfEvaluationBuild.Status.READY,
            progress=100,
            step="Ready",
            pdf=data,
            pdf_sha256=SelfEvaluation.digest(data),
            error="",
            finished_at=timezone.now(),
            progressed_at=timezone.now(),
        )
    )
    return "ready"
