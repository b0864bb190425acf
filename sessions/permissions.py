"""Who may see and change a challenge session. See challenge/permissions.py for the roles."""

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


def can_view_session(user, session) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_officer or can_manage_session(user, session):
        return True
    return session.participants.filter(person=user).exists()


def get_session_for_user(user, pk, *, manage=False) -> ChallengeSession:
    session = get_object_or_404(
        ChallengeSession.objects.select_related("programme", "facilitator", "facilitator__partner", "question_set"),
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
