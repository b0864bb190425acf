"""Reads for self-evaluations: an area's compiled record (answers, challenges, findings,
actions, indicators) for the page and the PDF, and the state of the area build."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from evaluations.models import DraftPdf, SelfEvaluation
from findings.selectors import findings_queryset, mark_overdue, sort_findings
from indicators.selectors import indicators_for_area
from sessions.models import ChallengeSession
from workspace.selectors import impact_position, workspaces


@dataclass
class Compiled:
    """Everything a mini self-evaluation shows, for one area across the programme's sessions."""

    programme: object
    area: object
    sessions: list  # Workspace objects, one per session that covered the area
    findings: list
    actions: list
    impact: dict
    flags: list = field(default_factory=list)
    indicators: list = field(default_factory=list)


def compile_area(programme, area) -> Compiled:
    """`area`'s record across the programme's sessions, in a fixed number of queries however
    many sessions, answers, challenges, findings and actions there are."""
    sessions = (
        ChallengeSession.objects.filter(programme=programme, areas=area)
        .exclude(status=ChallengeSession.Status.CANCELLED)
        .select_related("question_set", "facilitator", "programme")
        .order_by("date", "start_time")
    )
    session_workspaces = workspaces(sessions, area)
    findings = sort_findings(findings_queryset().filter(session__programme=programme, area=area))
    actions = mark_overdue([action for finding in findings for action in finding.actions.all()])
    answers = [
        block.answer
        for session_workspace in session_workspaces
        for section_block in session_workspace.sections
        for block in section_block.questions
        if block.answer
    ]
    return Compiled(
        programme=programme,
        area=area,
        sessions=session_workspaces,
        findings=findings,
        actions=sorted(actions, key=lambda action: (action.due_date, action.pk)),
        impact=impact_position(answers),
        flags=[finding for finding in findings if finding.is_flag],
        indicators=indicators_for_area(area),
    )


@dataclass
class SelfEvaluationPage:
    """What a self-evaluation's page shows besides the version itself."""

    compiled_area: Compiled
    versions: list  # the versions the reader may open, newest first
    draft_comments: list
    circulation_emails: list  # the latest e-mails that circulated it, for its facilitators

    def is_latest(self, self_evaluation):
        return self.versions[0].pk == self_evaluation.pk


def self_evaluation_page(self_evaluation, user, *, manage) -> SelfEvaluationPage:
    """Everything the self-evaluation page shows: the area's compiled record, the versions
    `user` may read (a partner it was circulated to sees that one only), the partners'
    comments and, for those who `manage` it, its circulation e-mails."""
    versions = list(
        SelfEvaluation.objects.filter(programme=self_evaluation.programme, area=self_evaluation.area)
        .readable_by(user)
        .defer("pdf")
        .select_related("finalised_by")
        .order_by("-version")
    )
    return SelfEvaluationPage(
        compiled_area=compile_area(self_evaluation.programme, self_evaluation.area),
        versions=versions,
        draft_comments=list(self_evaluation.draft_comments.select_related("author", "author_partner")),
        circulation_emails=list(self_evaluation.circulation_emails.all()[:5]) if manage else [],
    )


def stored_pdf(document) -> bytes:
    """The PDF stored with a final self-evaluation or a finished build (the pages load them
    without it: it can be large)."""
    return bytes(type(document).objects.values_list("pdf", flat=True).get(pk=document.pk))


def stored_draft_pdf(self_evaluation, key) -> bytes | None:
    """The PDF the worker rendered of `self_evaluation`'s draft from the HTML whose SHA-256 is
    `key`, or None if it has not (yet, or since the draft changed)."""
    data = DraftPdf.objects.filter(pk=self_evaluation.pk, inputs_sha256=key).values_list("pdf", flat=True).first()
    return None if data is None else bytes(data)


def worker_seen(build, now) -> bool:
    """Whether a background worker has shown signs of life since `build` was asked for: it
    started or finished a task since, or is busy with one it started recently. (An idle
    worker would have taken up the build within seconds.)"""
    recent = now - datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT)
    return DBTaskResult.objects.filter(
        Q(started_at__gte=build.requested_at)
        | Q(finished_at__gte=build.requested_at)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=recent)
    ).exists()


def waiting_without_worker(build, now) -> bool:
    """Queued for longer than BUILD_PICKUP_TIMEOUT with no worker seen meanwhile."""
    return build.is_unclaimed(now) and not worker_seen(build, now)


def latest_self_evaluations(programme, areas) -> dict:
    """Each area's latest self-evaluation version, by area id, in one query. An area with none
    yet gets an unsaved version 1 (a draft with no texts): reading never creates one."""
    latest = {}
    for self_evaluation in (
        SelfEvaluation.objects.filter(programme=programme, area__in=areas)
        .defer("pdf")
        .select_related("finalised_by", "circulated_by")
        .order_by("area_id", "-version")
    ):
        latest.setdefault(self_evaluation.area_id, self_evaluation)
    for area in areas:
        latest.setdefault(area.pk, SelfEvaluation(programme=programme, area=area, version=1))
    return latest
