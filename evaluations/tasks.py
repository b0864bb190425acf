"""Background work: e-mailing partners a circulated draft, rendering a draft's PDF, and
building the programme's whole area self-evaluation PDF (tens of seconds for a full programme).
Every PDF is rendered here, in the worker: never in a web request."""

import contextlib
import logging
import os
import resource
import sys
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from challenge.mail import send_batch
from challenge.validators import single_line
from evaluations.area_pdf import assemble_area_self_evaluation, prune_parts
from evaluations.final import finalise
from evaluations.models import AreaSelfEvaluationBuild, CirculationEmail, DraftPdf, ScrutinyReportPdf, SelfEvaluation
from evaluations.pdf import html_key, html_to_pdf, self_evaluation_html, self_evaluation_title
from evaluations.pdf_merge import relocatable_pdf

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
def render_draft_pdf(*, self_evaluation_id: int) -> str:
    """Render the PDF of the draft as it is now and store it against the SHA-256 of its HTML.
    Nothing to do if the stored one was rendered from the same HTML (asked twice), or the
    version has been finalised meanwhile (its PDF is then stored with it)."""
    records = DraftPdf.objects.filter(self_evaluation_id=self_evaluation_id)
    retry_if_locked(lambda: records.update(started_at=timezone.now()))
    self_evaluation = (
        SelfEvaluation.objects.select_related("programme__partnership", "area", "finalised_by", "circulated_by")
        .defer("pdf")
        .get(pk=self_evaluation_id)
    )
    if self_evaluation.is_final:
        return "final"
    html = self_evaluation_html(self_evaluation)
    key = html_key(html)
    if records.filter(inputs_sha256=key).exists():
        return "unchanged"
    try:
        data = html_to_pdf(html, title=self_evaluation_title(self_evaluation))
    except Exception as exc:  # the page must show a failure rather than wait for ever
        logger.exception("Draft PDF of self-evaluation %s failed", self_evaluation_id)
        error = str(exc)[:2000] or type(exc).__name__
        retry_if_locked(lambda: records.update(error=error))
        raise
    retry_if_locked(
        lambda: DraftPdf.objects.update_or_create(
            self_evaluation_id=self_evaluation_id,
            defaults={"pdf": data, "inputs_sha256": key, "rendered_at": timezone.now(), "error": ""},
        )
    )
    return "rendered"


@task()
def render_scrutiny_report(*, agenda_item_id: int) -> str:
    """Render the scrutiny report of an agenda item as it is now and store it against the
    SHA-256 of its HTML (nothing to do if the stored one was rendered from the same HTML)."""
    from evaluations.scrutiny_report import item_for_report, report_html, report_key, report_title

    records = ScrutinyReportPdf.objects.filter(agenda_item_id=agenda_item_id)
    retry_if_locked(lambda: records.update(started_at=timezone.now()))
    item = item_for_report(agenda_item_id)
    html = report_html(item)
    key = report_key(html)
    if records.filter(inputs_sha256=key).exists():
        return "unchanged"
    try:
        data = html_to_pdf(html, title=report_title(item))
    except Exception as exc:  # the page must show a failure rather than wait for ever
        logger.exception("Scrutiny report of agenda item %s failed", agenda_item_id)
        error = str(exc)[:2000] or type(exc).__name__
        retry_if_locked(lambda: records.update(error=error))
        raise
    retry_if_locked(
        lambda: ScrutinyReportPdf.objects.update_or_create(
            agenda_item_id=agenda_item_id,
            defaults={"pdf": data, "inputs_sha256": key, "rendered_at": timezone.now(), "error": ""},
        )
    )
    return "rendered"


@task()
def finalise_self_evaluation(*, self_evaluation_id: int, by_id: int) -> str:
    """Finalise the version (`services.finalise`): render its final PDF, here in the worker,
    and store it. Asked twice, the second does nothing."""
    from django.contrib.auth import get_user_model

    self_evaluation = SelfEvaluation.objects.defer("pdf").get(pk=self_evaluation_id)
    if self_evaluation.is_final:
        return "already final"
    finalise(self_evaluation=self_evaluation, by=get_user_model().objects.get(pk=by_id))
    return "final"


@task()
def build_area_self_evaluation(*, build_id: int) -> str:
    """Build the area self-evaluation PDF, recording progress, with its time, as it goes. In a
    background worker the build runs in a child process of its own (see `run_in_child`)."""
    from evaluations.apps import is_worker_process

    if is_worker_process():
        return build_in_child(build_id)
    return _build(build_id)


def build_in_child(build_id: int, *, target=None) -> str:
    """Run the build in a forked child process that exits when it is done, so the memory
    the build takes goes back to the system with it and the worker stays small. The child
    renders each area's part that is not stored yet in a child process of its own, one at a
    time (`render_in_child`), so that no process lays out more than one area's pages. If the
    child dies without recording an outcome (killed, out of memory), the build is marked
    failed here."""
    exitcode = run_in_child(target or _build_quietly, build_id)
    if exitcode == 0:
        return "ready"
    error = f"The process building the PDF stopped (exit code {exitcode}): perhaps it ran out of memory. Try again."
    retry_if_locked(
        lambda: (
            AreaSelfEvaluationBuild.objects.filter(pk=build_id)
            .exclude(status=AreaSelfEvaluationBuild.Status.FAILED)
            .update(status=AreaSelfEvaluationBuild.Status.FAILED, error=error, finished_at=timezone.now())
        )
    )
    raise RuntimeError(error)


def run_in_child(function, *args) -> int:
    """Call `function(*args)` in a forked child process and wait for it; returns its exit code
    (0 when it returned, 1 when it raised, minus the signal when it was killed). The child
    inherits the worker's warm WeasyPrint, and opens database connections of its own. It may
    fork children of its own (`render_in_child`)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            _child(function, args)
            code = 0
        except BaseException:
            logger.exception("The child process's work failed")
        finally:
            _exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _exit(code):
    """End a forked child at once (none of the parent's clean-up runs twice), its output
    written out first."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed stream: nothing to write out
            stream.flush()
    os._exit(code)


_INHERITED = []


def _child(function, args):
    from django.db import connections

    # The parent's connections are left alone: kept referenced, so they are never closed (that
    # would close the parent's too), and replaced by the child's own on first use.
    for connection in connections.all(initialized_only=True):
        _INHERITED.append(connection.connection)
        connection.connection = None
    try:
        function(*args)
    finally:
        # The child's own connections are closed before it exits, so the database ends their
        # sessions at once (a killed or exited child's socket is noticed only later, which
        # keeps the database "in use" for a moment).
        connections.close_all()


def render_in_child(html: str, *, title: str, prefix: str | None = None) -> bytes:
    """Render `html` with WeasyPrint (`html_to_pdf`) in a forked child process, made ready to
    merge (`relocatable_pdf`) if a `prefix` is given, and return it: the child sends it back
    through a pipe, and the memory of the layout goes back to the system when the child exits.
    The child touches no database. Raises RuntimeError, saying what happened, if the rendering
    failed or the child was killed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            try:
                data = html_to_pdf(html, title=title)
                reply = b"P" + (data if prefix is None else relocatable_pdf(data, prefix=prefix))
                code = 0
            except Exception as exc:
                logger.exception("Rendering %s failed", title)
                reply = b"E" + (str(exc) or type(exc).__name__).encode()[:2000]
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(reply)
        finally:
            _exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reply = pipe.read()
    _, status = os.waitpid(pid, 0)
    exitcode = os.waitstatus_to_exitcode(status)
    if exitcode == 0 and reply[:1] == b"P":
        return reply[1:]
    if reply[:1] == b"E":
        raise RuntimeError(f"Rendering {title} failed: {reply[1:].decode(errors='replace')}")
    raise RuntimeError(
        f"The process rendering {title} stopped (exit code {exitcode}): perhaps it ran out of memory. Try again."
    )


def _build_quietly(build_id):
    """The child's work: the build (which records its own outcome), with each part rendered
    in a child process of its own; then the peak memory of this process and of the largest of
    its children in the log."""
    try:
        _build(build_id, render=render_in_child)
    finally:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        logger.info(
            "Area self-evaluation build %s: peak memory %.0f MiB (the largest rendering child %.0f MiB)",
            build_id,
            own,
            children,
        )


def _build(build_id: int, *, render=None) -> str:
    build = retry_if_locked(
        lambda: AreaSelfEvaluationBuild.objects.select_related("programme__partnership").defer("pdf").get(pk=build_id)
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
        assembled = assemble_area_self_evaluation(
            build.programme, progress=progress, render=render, write=retry_if_locked
        )
    except Exception as exc:  # the page must show a failure rather than spin for ever
        logger.exception("Area self-evaluation build %s failed", build.pk)
        error = str(exc)[:2000] or type(exc).__name__
        retry_if_locked(
            lambda: builds.update(status=AreaSelfEvaluationBuild.Status.FAILED, error=error, finished_at=timezone.now())
        )
        raise
    data = assembled.data

    def record():
        with transaction.atomic():
            builds.update(
                status=AreaSelfEvaluationBuild.Status.READY,
                progress=100,
                step="Ready",
                pdf=data,
                pdf_sha256=SelfEvaluation.digest(data),
                error="",
                finished_at=timezone.now(),
                progressed_at=timezone.now(),
            )
            build.parts.set([part.stored.pk for part in assembled.parts])

    retry_if_locked(record)
    logger.info(
        "Area self-evaluation build %s: %s of %s parts rendered (%s), the others reused",
        build.pk,
        len(assembled.rendered),
        len(assembled.parts),
        ", ".join(assembled.rendered) or "none",
    )
    try:
        retry_if_locked(prune_parts)
    except Exception:  # the build is made: a failed clean-up does not fail it
        logger.exception("Pruning the stored parts after build %s failed", build.pk)
    return "ready"
