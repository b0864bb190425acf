"""Reads for programme pages: each function builds the whole of a page's data in a fixed
number of queries, whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from challenge.clock import today as clock_today
from evaluations.models import SelfEvaluation
from findings.models import Action
from programmes.models import Programme
from programmes.permissions import is_programme_facilitator
from programmes.selectors import Timeline, timeline_for
from sessions.models import ChallengeSession, Participant
from sessions.permissions import readable_area_ids
from sessions.selectors import sessions_for_user


def programmes_for_home(user):
    return (
        Programme.objects.visible_to(user)
        .select_related("question_set")
        .prefetch_related("areas")
        .order_by("-start_date", "name")
    )


def my_upcoming_sessions(user, limit=10):
    """What a person takes part in or facilitates, from today on."""
    return (
        ChallengeSession.objects.upcoming()
        .filter(Q(participants__person=user) | Q(facilitator=user))
        .select_related("programme")
        .prefetch_related(
            "areas",
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(person=user).select_related("area"),
                to_attr="my_parts",
            ),
        )
        .distinct()[:limit]
    )


@dataclass
class AreaRow:
    area: object
    sessions: list = field(default_factory=list)


@dataclass
class Dashboard:
    programme: Programme
    areas: list
    upcoming: list
    timeline: Timeline
    counts: dict
    deadline_days: int | None
    deadline_passed_days: int | None
    today: object
    is_facilitator: bool
    overdue_actions: int = 0


def programme_dashboard(user, programme) -> Dashboard:
    today = clock_today()
    sessions = list(
        sessions_for_user(user, programme)
        .select_related("facilitator")
        .prefetch_related("areas")
        .order_by("date", "start_time", "pk")
    )
    areas = list(programme.areas.select_related("lead_partner", "lead_officer"))
    rows = {a.pk: AreaRow(area=a) for a in areas}
    counts = dict.fromkeys(ChallengeSession.Status.values, 0)
    for s in sessions:
        counts[s.status] += 1
        for a in s.areas.all():
            if a.pk in rows:
                rows[a.pk].sessions.append(s)
    upcoming = [s for s in sessions if s.date >= today and not s.is_cancelled]
    deadline_days = (programme.self_evaluation_deadline - today).days if programme.self_evaluation_deadline else None
    return Dashboard(
        programme=programme,
        areas=list(rows.values()),
        upcoming=upcoming,
        timeline=timeline_for(programme, today),
        counts=counts,
        deadline_days=deadline_days,
        deadline_passed_days=-deadline_days if deadline_days is not None else None,
        today=today,
        is_facilitator=is_programme_facilitator(user, programme),
        # Of the sessions this user may see: the others' findings are not theirs to count.
        overdue_actions=Action.objects.filter(finding__session__in=[s.pk for s in sessions]).overdue(today).count(),
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
