"""Writes for self-evaluations: versions, their texts, circulation to partners and their
comments, finalising and reopening, and the background build of the area self-evaluation."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from challenge.editing import refuse_stale
from challenge.submission import create_once
from evaluations.final import finalise  # noqa: F401  (a service: the worker's task runs it)
from evaluations.models import (
    AreaSelfEvaluationBuild,
    CirculationEmail,
    DraftComment,
    DraftPdf,
    ScrutinyReportPdf,
    SelfEvaluation,
)
from evaluations.selectors import STALLED
from evaluations.tasks import (
    build_area_self_evaluation,
    finalise_self_evaluation,
    render_draft_pdf,
    render_scrutiny_report,
    send_draft_circulated,
)
from programmes import notices
from programmes.models import Membership, NoticeKind, Partner

logger = logging.getLogger(__name__)


def current_self_evaluation(*, programme, area) -> SelfEvaluation:
    """The latest version of the area's mini self-evaluation, starting version 1 if none."""
    latest = (
        SelfEvaluation.objects.filter(programme=programme, area=area)
        .select_related("finalised_by", "circulated_by")
        .order_by("-version")
        .first()
    )
    if latest is None:
        latest, _ = SelfEvaluation.objects.get_or_create(programme=programme, area=area, version=1)
    return latest


def _lock(se) -> SelfEvaluation:
    return SelfEvaluation.objects.select_for_update().select_related("programme", "area").get(pk=se.pk)


@transaction.atomic
def update_texts(*, self_evaluation, expected_revision, introduction, conclusion) -> SelfEvaluation:
    """Change the introduction and conclusion of a draft or circulated version. Refuses
    (StaleEdit) a change made against an older revision; bumps the revision."""
    current = _lock(self_evaluation)
    if current.is_final:
        raise ValidationError("A final self-evaluation does not change. Reopen it to make a new version.")
    refuse_stale(current, expected_revision)
    current.introduction, current.conclusion = introduction, conclusion
    current.revision += 1
    current.save()
    return current


@transaction.atomic
def circulate(*, self_evaluation, by, notify=True) -> SelfEvaluation:
    """Draft → circulated, to every partner of the programme's partnership with a contact
    address: records them in
    `circulated_to` (their people may then read and comment on this version), and queues an
    e-mail to each partner's contact with a link to read and comment, recorded as a
    CirculationEmail that the task marks sent or failed; and a notice to each person it is
    circulated to for comment (`_notify_circulated`). With `notify=False` (the
    demonstration seed) nothing is queued or recorded as sent, and no notice made."""
    current = _lock(self_evaluation)
    if current.status != SelfEvaluation.Status.DRAFT:
        raise ValidationError("Only a draft can be circulated.")
    current.status = SelfEvaluation.Status.CIRCULATED
    current.circulated_at = timezone.now()
    current.circulated_by = by
    current.revision += 1
    current.save()
    # The partners it goes to; their people may then read this version (see readable_by).
    current.circulated_to.set(
        Partner.objects.filter(partnership_id=current.programme.partnership_id).exclude(contact_email="")
    )
    if not notify:
        return current
    _notify_circulated(current, by)
    # Recorded as queued now; the task records whether the e-mails went.
    batch = CirculationEmail.objects.create(self_evaluation=current)
    transaction.on_commit(lambda: send_draft_circulated.enqueue(self_evaluation_id=current.pk, batch_id=batch.pk))
    return current


def _notify_circulated(self_evaluation, by):
    """A notice to each person the draft is circulated to for comment: the active members
    of the partners it went to, except officers (who read but do not comment) and `by`."""
    people = Membership.objects.filter(
        partnership_id=self_evaluation.programme.partnership_id,
        partner__in=self_evaluation.circulated_to.all(),
        is_active=True,
        is_officer=False,
    ).values_list("person_id", flat=True)
    area = self_evaluation.area
    notices.notify(
        people=list(people),
        kind=NoticeKind.CIRCULATED,
        text=f"{by.display_name} circulated the draft mini self-evaluation of {area.name} "
        f"(version {self_evaluation.version}) for comment",
        url=self_evaluation.get_absolute_url(),
        partnership=self_evaluation.programme.partnership_id,
        actor=by,
    )


@transaction.atomic
def comment_on_draft(*, self_evaluation, author, text, submission_token=None) -> DraftComment:
    """A partner's comment on a circulated draft, recorded with the author's organisation in
    the programme's partnership. Checked against the version's status under a lock, so a
    comment cannot slip in while the facilitator finalises it. Once per `submission_token`:
    the same form sent twice adds one comment."""

    def create():
        current = _lock(self_evaluation)
        if current.status != SelfEvaluation.Status.CIRCULATED:
            raise ValidationError("Comments are taken while the draft is circulated.")
        return DraftComment.objects.create(
            self_evaluation=current,
            author=author,
            author_partner=author.partner_in(current.programme.partnership_id),
            text=text,
            submission_token=submission_token,
        )

    return create_once(DraftComment, submission_token, create, author_id=author.pk)


@transaction.atomic
def request_finalise(*, self_evaluation, by) -> SelfEvaluation:
    """Ask the background worker to finalise the version (`finalise`, which renders the final
    PDF: never in a web request) once the transaction commits. Refuses a final version."""
    current = _lock(self_evaluation)
    if current.is_final:
        raise ValidationError("This version is already final.")
    transaction.on_commit(lambda: finalise_self_evaluation.enqueue(self_evaluation_id=current.pk, by_id=by.pk))
    return current


@transaction.atomic
def reopen(*, self_evaluation, by) -> SelfEvaluation:
    """Start the next version from a final one, as a draft with the same texts. The final
    version and its PDF stay as they are, downloadable."""
    current = _lock(self_evaluation)
    if not current.is_final:
        raise ValidationError("Only a final self-evaluation is reopened.")
    latest = SelfEvaluation.objects.filter(programme=current.programme, area=current.area).order_by("-version").first()
    if latest.pk != current.pk:
        raise ValidationError(f"Version {latest.version} already exists.")
    return SelfEvaluation.objects.create(
        programme=current.programme,
        area=current.area,
        version=current.version + 1,
        introduction=current.introduction,
        conclusion=current.conclusion,
    )


@transaction.atomic
def request_draft_pdf(*, self_evaluation, key, retry=False, now=None) -> DraftPdf:
    """Ask the background worker for the PDF of the draft whose HTML has the SHA-256 `key`
    (see `selectors.draft_pdf_state`); the task is enqueued once the transaction commits.
    Once per key: asking again while it waits does nothing, nor does asking for the one already
    stored. A failed one is asked again only with `retry`; one that has waited more than
    BUILD_STALL_TIMEOUT seconds (its worker was lost) is asked again."""
    now = now or timezone.now()
    record, _ = DraftPdf.objects.select_for_update().defer("pdf").get_or_create(self_evaluation=self_evaluation)
    if record.is_ready(key) or record.is_waiting(key, now) or (record.failed(key) and not retry):
        return record
    record.wanted_sha256, record.requested_at, record.started_at, record.error = key, now, None, ""
    record.save(update_fields=["wanted_sha256", "requested_at", "started_at", "error"])
    transaction.on_commit(lambda: _enqueue_draft_pdf(self_evaluation.pk))
    return record


@transaction.atomic
def request_scrutiny_report(*, item, key, retry=False, now=None) -> ScrutinyReportPdf:
    """Ask the background worker for the scrutiny report of agenda item `item` whose HTML has
    the SHA-256 `key`, as `request_draft_pdf` asks for a draft's PDF: once per key, a failed
    one again only with `retry`, a lost one again after BUILD_STALL_TIMEOUT seconds."""
    now = now or timezone.now()
    record, _ = ScrutinyReportPdf.objects.select_for_update().defer("pdf").get_or_create(agenda_item=item)
    if record.is_ready(key) or record.is_waiting(key, now) or (record.failed(key) and not retry):
        return record
    record.wanted_sha256, record.requested_at, record.started_at, record.error = key, now, None, ""
    record.save(update_fields=["wanted_sha256", "requested_at", "started_at", "error"])
    transaction.on_commit(lambda: _enqueue_scrutiny_report(item.pk))
    return record


def _enqueue_scrutiny_report(item_id):
    result = render_scrutiny_report.enqueue(agenda_item_id=item_id)
    ScrutinyReportPdf.objects.filter(pk=item_id).update(task_id=str(result.id)[:64])


def _enqueue_draft_pdf(self_evaluation_id):
    result = render_draft_pdf.enqueue(self_evaluation_id=self_evaluation_id)
    DraftPdf.objects.filter(pk=self_evaluation_id).update(task_id=str(result.id)[:64])


@transaction.atomic
def request_area_build(*, programme, by, submission_token=None) -> AreaSelfEvaluationBuild:
    """Queue a background build of the programme's area self-evaluation PDF; once the
    transaction commits, enqueue its task and record the task's id on it. Once per
    `submission_token`: a double click queues one build. A build of the programme whose
    worker is gone (which the pages show failed: selectors.build_panel) is marked failed
    first, with its task (`fail_stalled_build`)."""
    now = timezone.now()
    for running in AreaSelfEvaluationBuild.objects.filter(
        programme=programme, status=AreaSelfEvaluationBuild.Status.RUNNING
    ).defer("pdf"):
        fail_stalled_build(running, now=now)

    def create():
        build = AreaSelfEvaluationBuild.objects.create(
            programme=programme, requested_by=by, submission_token=submission_token
        )
        transaction.on_commit(lambda: _enqueue_build(build.pk))
        return build

    return create_once(AreaSelfEvaluationBuild, submission_token, create, programme_id=programme.pk)


def _enqueue_build(build_id):
    result = build_area_self_evaluation.enqueue(build_id=build_id)
    AreaSelfEvaluationBuild.objects.filter(pk=build_id).update(task_id=str(result.id)[:64])


def fail_stalled_build(build, *, now=None) -> bool:
    """If `build` has reported no progress for BUILD_STALL_TIMEOUT seconds, its worker is gone
    (killed, crashed, restarted: a restarted worker does not take up a task another worker
    started). Mark it failed with an explanation, and its background task failed too, so it
    can be tried again. Returns whether it was marked; updates `build` in place. (The pages
    show such a build failed without writing: `selectors.build_panel`.)"""
    now = now or timezone.now()
    if not build.is_stalled(now):
        return False
    cutoff = now - datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT)
    # Conditional on the row as it is now: a build that reported progress meanwhile stays.
    marked = (
        AreaSelfEvaluationBuild.objects.filter(pk=build.pk, status=AreaSelfEvaluationBuild.Status.RUNNING)
        .filter(Q(progressed_at__lt=cutoff) | Q(progressed_at__isnull=True, requested_at__lt=cutoff))
        .update(status=AreaSelfEvaluationBuild.Status.FAILED, error=STALLED, finished_at=now)
    )
    if not marked:
        return False
    build.status, build.error, build.finished_at = AreaSelfEvaluationBuild.Status.FAILED, STALLED, now
    _fail_task(build.task_id, now)
    logger.warning("Area self-evaluation build %s stalled; marked failed", build.pk)
    return True


def _fail_task(task_id, now):
    """Mark the database back end's record of the task failed, if it still says running."""
    try:
        pk = uuid.UUID(task_id)
    except (TypeError, ValueError):
        return
    DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="builtins.TimeoutError",
        traceback=STALLED,
    )


def site_url(path: str) -> str:
    return settings.SITE_URL + path
