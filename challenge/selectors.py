"""Reads for programme pages: each function builds the whole of a page's data in a fixed
number of queries, whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from findings.models import Action
from sessions.models import ChallengeSession, Participant

from .clock import today as clock_today
from .models import Milestone, Programme
from .permissions import is_programme_facilitator


def programmes_for_home(user):
    return (
        Programme.objects.visible_to(user)
        .select_related("question_set")
        .prefetch_related("areas")
        .order_by("-start_date", "name")
    )


def sessions_for_user(user, programme=None):
    """The sessions `user` may see (all of a programme for its facilitators and officers)."""
    qs = ChallengeSession.objects.all()
    if programme is not None:
        qs = qs.filter(programme=programme)
        if is_programme_facilitator(user, programme):
            return qs
    return qs.visible_to(user)


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
class Timeline:
    milestones: list
    next_milestone: object | None
    overdue: list


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


def timeline_for(programme, today=None) -> Timeline:
    today = today or clock_today()
    # By when each falls due: "July 2009" comes after "14 July 2009".
    milestones = sorted(
        Milestone.objects.filter(programme=programme), key=lambda m: (m.due_date, m.pk)
    )
    overdue = [m for m in milestones if m.is_overdue(today)]
    ahead = [m for m in milestones if not m.done and m.due_date >= today]
    next_milestone = min(ahead, key=lambda m: (m.due_date, m.pk)) if ahead else None
    for m in milestones:
        m.state = (
            "done"
            if m.done
            else "overdue"
            if m in overdue
            else "next"
            if m is next_milestone
            else "upcoming"
        )
    return Timeline(milestones=milestones, next_milestone=next_milestone, overdue=overdue)


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
    counts = {status: 0 for status in ChallengeSession.Status.values}
    for s in sessions:
        counts[s.status] += 1
        for a in s.areas.all():
            if a.pk in rows:
                rows[a.pk].sessions.append(s)
    upcoming = [s for s in sessions if s.date >= today and not s.is_cancelled]
    deadline_days = (
        (programme.self_evaluation_deadline - today).days
        if programme.self_evaluation_deadline
        else None
    )
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
        overdue_actions=Action.objects.filter(finding__session__in=[s.pk for s in sessions])
        .overdue(today)
        .count(),
    )
