"""Reads for findings pages, the documents page and the self-evaluation write-up."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from challenge.clock import today as clock_today
from challenge.indicator_selectors import indicators_for_area
from sessions.models import ChallengeSession
from sessions.workspace_selectors import impact_position, workspace

from .models import KIND_ORDER, Action, Finding, SelfEvaluation, Theme


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


def emerging_findings(programme) -> Emerging:
    findings = _sort_findings(findings_queryset().filter(session__programme=programme))
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


def documents(programme):
    """Each area's versions of its self-evaluation, latest first, without the PDF bytes."""
    versions = list(
        SelfEvaluation.objects.filter(programme=programme)
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
    rows = []
    for area in programme.areas.order_by("name"):
        vs = by_area.get(area.pk, [])
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
