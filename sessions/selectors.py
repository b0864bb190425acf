"""Reads for session pages, each in a fixed number of queries."""

from django.db.models import Prefetch

from programmes.permissions import is_programme_facilitator
from sessions.models import ChallengeSession, Participant


def session_list(user, programme, *, area=None, status=None):
    qs = (
        sessions_for_user(user, programme)
        .select_related("facilitator")
        .prefetch_related("areas")
        .order_by("date", "start_time", "pk")
    )
    if area is not None:
        qs = qs.filter(areas=area)
    if status:
        qs = qs.filter(status=status)
    return qs


def participants_of(session):
    return list(
        session.participants.select_related("person", "person__partner", "area").order_by(
            "role", "area__name", "person__first_name", "person__last_name"
        )
    )


def session_detail(session):
    """The session's areas and participants, grouped the way the page shows them."""
    participants = participants_of(session)
    areas = list(session.areas.select_related("lead_partner", "lead_officer"))
    presenters = {a.pk: [] for a in areas}
    reviewers, observers = [], []
    for p in participants:
        if p.role == Participant.Role.PRESENTER:
            presenters.setdefault(p.area_id, []).append(p)
        elif p.role == Participant.Role.REVIEWER:
            reviewers.append(p)
        else:
            observers.append(p)
    return {
        "areas": [(a, presenters.get(a.pk, [])) for a in areas],
        "reviewers": reviewers,
        "observers": observers,
        "participants": participants,
    }


def sessions_for_calendar(user, programme):
    return (
        sessions_for_user(user, programme)
        .select_related("facilitator", "programme")
        .prefetch_related(
            "areas",
            Prefetch("participants", queryset=Participant.objects.select_related("person")),
        )
        .order_by("date", "start_time")
    )


def session_notices(session, limit=10):
    """The latest batches of e-mails about the session, newest first, for the facilitator."""
    return list(session.notices.order_by("-queued_at", "-id")[:limit])


def sessions_for_user(user, programme=None):
    """The sessions `user` may see (all of a programme for its facilitators and officers)."""
    qs = ChallengeSession.objects.all()
    if programme is not None:
        qs = qs.filter(programme=programme)
        if is_programme_facilitator(user, programme):
            return qs
    return qs.visible_to(user)
