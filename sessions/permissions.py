"""Who may see and change a challenge session. See challenge/permissions.py for the roles."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from programmes.permissions import is_programme_facilitator
from sessions.models import ChallengeSession


def can_manage_session(user, session) -> bool:
    """The programme's facilitators, and the person facilitating this session."""
    if not user.is_authenticated:
        return False
    return session.facilitator_id == user.pk or is_programme_facilitator(user, session.programme)


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
    if not user.is_authenticated:
        return False
    if user.is_officer or can_manage_session(user, session):
        return True
    return session.participants.filter(person=user).exists()


def get_session_for_user(user, pk, *, manage=False) -> ChallengeSession:
    session = get_object_or_404(
        # closed_by: the session page names who closed it.
        ChallengeSession.objects.select_related(
            "programme", "facilitator", "facilitator__partner", "question_set", "closed_by"
        ),
        pk=pk,
    )
    if manage:
        if not can_manage_session(user, session):
            raise PermissionDenied("Only the programme's facilitators can change a session.")
    elif not can_view_session(user, session):
        raise PermissionDenied("You do not take part in this session.")
    return session


def reads_whole_programme(user, programme) -> bool:
    """Administrators, officers and the programme's facilitators: every area, every session."""
    if not user.is_authenticated:
        return False
    return user.is_officer or is_programme_facilitator(user, programme)


def readable_area_ids(user, programme) -> set[int]:
    """The areas of `programme` whose write-ups `user` may read as one who takes part (not
    through a circulation): all of them for those who read the whole programme."""
    if reads_whole_programme(user, programme):
        return set(programme.areas.values_list("pk", flat=True))
    if not user.is_authenticated:
        return set()
    return set(
        ChallengeSession.objects.filter(programme=programme)
        .filter(Q(facilitator=user) | Q(participants__person=user))
        .filter(areas__isnull=False)
        .values_list("areas", flat=True)
    )
