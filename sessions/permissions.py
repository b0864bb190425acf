"""Who may see and change a challenge session. See programmes/permissions.py for the roles."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404

from challenge.prepared import PreparedQuery
from programmes.models import Membership
from programmes.permissions import belongs_to, is_officer_of, is_programme_facilitator, refuse_outside
from sessions.models import ChallengeSession, SessionSeries


def can_manage_session(user, session) -> bool:
    """The programme's facilitators, and the person facilitating this session (while they
    are a member of the partnership)."""
    if not user.is_authenticated:
        return False
    if session.facilitator_id == user.pk and belongs_to(user, session.programme.partnership_id):
        return True
    return is_programme_facilitator(user, session.programme)


@dataclass(frozen=True)
class SessionSteps:
    """What `user` may do to a session now: the buttons its page shows (the services refuse
    the rest). `edit` covers its details and participants; `close` and `reopen` freeze and
    unfreeze its answers and comments."""

    edit: bool = False
    schedule: bool = False
    mark_held: bool = False
    cancel: bool = False
    close: bool = False
    reopen: bool = False


def session_steps(user, session) -> SessionSteps:
    """Those who manage the session change it while it is a draft or scheduled (a draft is
    scheduled, a scheduled one marked held, either cancelled), and close or reopen its
    workspace unless it was cancelled."""
    if not can_manage_session(user, session):
        return SessionSteps()
    status, editable = session.status, session.is_editable
    working = status != ChallengeSession.Status.CANCELLED
    return SessionSteps(
        edit=editable,
        schedule=editable and status == ChallengeSession.Status.DRAFT,
        mark_held=editable and status == ChallengeSession.Status.SCHEDULED,
        cancel=editable,
        close=working and not session.is_closed,
        reopen=working and session.is_closed,
    )


def can_view_session(user, session) -> bool:
    partnership = session.programme.partnership_id
    if not belongs_to(user, partnership):
        return False
    if can_manage_session(user, session):
        return True
    if session.programme.status == session.programme.Status.DRAFT:
        return False  # a cycle being prepared: only those who set the partnership up see it
    if is_officer_of(user, partnership):
        return True
    return session.participants.filter(person=user).exists()


def sessions_with_context():
    """Sessions with what their pages and permission checks read: the programme and its
    partnership, the question set, who closed it, and the facilitator with their
    organisation's short name (or name) in the partnership as `facilitator_partner_label`."""
    label = (
        Membership.objects.filter(person=OuterRef("facilitator_id"), partnership=OuterRef("programme__partnership_id"))
        .annotate(label=Coalesce(NullIf(F("partner__short_name"), Value("")), F("partner__name")))
        .values("label")[:1]
    )
    return ChallengeSession.objects.select_related(
        "programme__partnership", "facilitator", "question_set", "closed_by", "panel"
    ).annotate(facilitator_partner_label=Subquery(label))


# The session every session page starts from, its SQL built once (challenge/prepared.py).
_SESSION_WITH_CONTEXT = PreparedQuery(lambda pk: sessions_with_context().filter(pk=pk), pk=int)


def get_session_for_user(user, pk, *, manage=False) -> ChallengeSession:
    # closed_by: the session page names who closed it.
    session = _SESSION_WITH_CONTEXT.one(pk=int(pk))
    if session is None:
        raise Http404("No such session.")
    refuse_outside(user, session.programme.partnership_id)
    if manage:
        if not can_manage_session(user, session):
            raise PermissionDenied("Only the programme's facilitators can change a session.")
    elif not can_view_session(user, session):
        raise PermissionDenied("You do not take part in this session.")
    return session


def reads_whole_programme(user, programme) -> bool:
    """Administrators, the partnership's officers and the programme's facilitators: every
    area, every session."""
    if not user.is_authenticated:
        return False
    return is_officer_of(user, programme.partnership_id) or is_programme_facilitator(user, programme)


def readable_area_ids(user, programme) -> set[int]:
    """The areas of `programme` whose write-ups `user` may read as one who takes part (not
    through a circulation): all of them for those who read the whole programme."""
    if reads_whole_programme(user, programme):
        return set(programme.areas.values_list("pk", flat=True))
    if not belongs_to(user, programme.partnership_id):
        return set()
    return set(
        ChallengeSession.objects.filter(programme=programme)
        .filter(Q(facilitator=user) | Q(participants__person=user))
        .filter(areas__isnull=False)
        .values_list("areas", flat=True)
    )


# --- Stretch-and-challenge series --------------------------------------------------------


def can_manage_series(user, series) -> bool:
    """The programme's facilitators create, change and skip occurrences of a series."""
    return is_programme_facilitator(user, series.programme)


def can_view_series(user, series) -> bool:
    """Those who manage it, the partnership's officers, its service lead and its facilitator
    (while members of the partnership)."""
    partnership = series.programme.partnership_id
    if not belongs_to(user, partnership):
        return False
    if can_manage_series(user, series):
        return True
    if series.programme.status == series.programme.Status.DRAFT:
        return False
    return is_officer_of(user, partnership) or user.pk in (series.service_lead_id, series.facilitator_id)


def get_series_for_user(user, pk, *, manage=False):
    series = get_object_or_404(
        SessionSeries.objects.select_related(
            "programme__partnership", "programme__question_set", "area", "service_lead", "facilitator"
        ),
        pk=pk,
    )
    refuse_outside(user, series.programme.partnership_id)
    if manage:
        if not can_manage_series(user, series):
            raise PermissionDenied("Only the programme's facilitators can change a series.")
    elif not can_view_series(user, series):
        raise PermissionDenied("You do not take part in this series.")
    return series
