"""Reads for findings pages, the documents page and the self-evaluation write-up."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from challenge.clock import today as clock_today
from challenge.indicator_selectors import indicators_for_area
from sessions.models import ChallengeSession
from sessions.workspace_selectors import impact_position, workspace

from .models import KIND_ORDER, Action, Finding, SelfEvaluation, Theme
from .permissions import readable_area_ids


def findings_queryset():
    return (
        Finding.objects.select_related("session", "area", "created_by")
        .prefetch_related(
            "themes",
            Prefetch("actions", queryset=Action.objects.select_related("owner", "owner_partner")),
            "evidence_answers__question",
            "evidence_comments__author",
        )
    )


def _sort_findings(findings):
    return sorted(findings, key=lambda f: (KIND_ORDER.index(f.kind), f.created_at, f.pk))


def findings_for(session, area):
    return _sort_findings(findings_queryset().filter(session=session, area=area))


def mark_overdue(actions, today=None):
    today = today or clock_today()
    for a in actions:
        a.overdue = a.is_overdue(today)
    return actions


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


@dataclass
class Emerging:
    programme: object
    by_area: list
    by_kind: list
    by_theme: list
    counts: dict
    flags: list
    action_counts: dict


def emerging_findings(programme, *, sessions=None) -> Emerging:
    """The programme's findings so far; only those of `sessions` (a queryset) if given."""
    found = findings_queryset().filter(session__programme=programme)
    if sessions is not None:
        found = found.filter(session__in=sessions.values("pk"))
    findings = _sort_findings(found)
    today = clock_today()
    for f in findings:
        mark_overdue(f.actions.all(), today)
    areas = defaultdict(list)
    kinds = defaultdict(list)
    themes = defaultdict(list)
    for f in findings:
        areas[f.area].append(f)
        kinds[f.kind].append(f)
        for t in f.themes.all():
            themes[t].append(f)
    all_themes = list(Theme.objects.filter(programme=programme))
    actions = [a for f in findings for a in f.actions.all()]
    action_counts = Counter(a.status for a in actions)
    action_counts["overdue"] = sum(1 for a in actions if a.overdue)
    action_counts["total"] = len(actions)
    return Emerging(
        programme=programme,
        by_area=sorted(areas.items(), key=lambda kv: kv[0].name),
        by_kind=[(Finding.Kind(k), kinds[k]) for k in KIND_ORDER if kinds.get(k)],
        by_theme=[(t, themes.get(t, [])) for t in all_themes],
        counts={Finding.Kind(k).label: len(kinds.get(k, [])) for k in KIND_ORDER},
        flags=[f for f in findings if f.is_flag],
        action_counts=dict(action_counts),
    )


def documents(programme, user):
    """Each area's versions of its self-evaluation that `user` may read, latest first, without
    the PDF bytes: a row for each area they may read, or whose version was circulated to
    their organisation."""
    versions = list(
        SelfEvaluation.objects.filter(programme=programme)
        .readable_by(user)
        .defer("pdf")
        .select_related("area", "finalised_by", "circulated_by")
        .order_by("area__name", "-version")
    )
    by_area = defaultdict(list)
    for v in versions:
        by_area[v.area_id].append(v)
    today = clock_today()
    deadline = programme.self_evaluation_deadline
    past_deadline = bool(deadline and today > deadline)
    readable = readable_area_ids(user, programme)
    rows = []
    for area in programme.areas.order_by("name"):
        vs = by_area.get(area.pk, [])
        if area.pk not in readable and not vs:
            continue
        latest = vs[0] if vs else None
        rows.append(
            {
                "area": area,
                "latest": latest,
                "older": vs[1:],
                "late": past_deadline and not (latest and latest.is_final),
            }
        )
    return rows


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
