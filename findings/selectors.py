"""Reads for findings pages, the documents page and the self-evaluation write-up."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from challenge.clock import today as clock_today
from findings.models import KIND_ORDER, Action, Finding, Theme


def findings_queryset():
    return Finding.objects.select_related("session", "area", "created_by").prefetch_related(
        "themes",
        Prefetch("actions", queryset=Action.objects.select_related("owner", "owner_partner")),
        "evidence_answers__question",
        "evidence_comments__author",
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
