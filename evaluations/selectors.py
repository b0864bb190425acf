"""Reads for self-evaluations: an area's compiled record (answers, challenges, findings,
actions, indicators) for the page and the PDF, and the state of the area build."""

import datetime
from dataclasses import dataclass, field

from findings.selectors import _sort_findings, findings_queryset, mark_overdue
from indicators.selectors import indicators_for_area
from sessions.models import ChallengeSession
from workspace.selectors import impact_position, workspace


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
    sessions = list(
        ChallengeSession.objects.filter(programme=programme, areas=area)
        .exclude(status=ChallengeSession.Status.CANCELLED)
        .select_related("question_set", "facilitator", "programme")
        .order_by("date", "start_time")
    )
    workspaces = [workspace(s, area) for s in sessions]
    findings = _sort_findings(findings_queryset().filter(session__programme=programme, area=area))
    actions = mark_overdue([a for f in findings for a in f.actions.all()])
    answers = [b.answer for w in workspaces for s in w.sections for b in s.questions if b.answer]
    return Compiled(
        programme=programme,
        area=area,
        sessions=workspaces,
        findings=findings,
        actions=sorted(actions, key=lambda a: (a.due_date, a.pk)),
        impact=impact_position(answers),
        flags=[f for f in findings if f.is_flag],
        indicators=indicators_for_area(area),
    )


def worker_seen(build, now) -> bool:
    """Whether a background worker has shown signs of life since `build` was asked for: it
    started or finished a task since, or is busy with one it started recently. (An idle
    worker would have taken up the build within seconds.)"""
    from django.conf import settings
    from django.db.models import Q
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    recent = now - datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT)
    return DBTaskResult.objects.filter(
        Q(started_at__gte=build.requested_at)
        | Q(finished_at__gte=build.requested_at)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=recent)
    ).exists()


def waiting_without_worker(build, now) -> bool:
    """Queued for longer than BUILD_PICKUP_TIMEOUT with no worker seen meanwhile."""
    return build.is_unclaimed(now) and not worker_seen(build, now)
