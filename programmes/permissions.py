"""Who may do what with programmes. Small predicates, plus the fetch-or-refuse helpers that
views call first: they return the object or raise Http404 / PermissionDenied.

Roles:
- administrator: a superuser; everything.
- facilitator: listed on a programme; manages it, its timetable and its sessions.
- officer: `User.is_officer`; reads every programme and session, changes nothing.
- participant: presenter, peer reviewer or observer in a session; sees the schedule of what
  they take part in.
- anybody else: nothing.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from programmes.models import Programme, ThematicArea


def is_programme_facilitator(user, programme) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(programme, "_facilitator_ids", None)
    if cached is None:
        cached = set(programme.facilitators.values_list("pk", flat=True))
        programme._facilitator_ids = cached
    return user.pk in cached


def can_view_programme(user, programme) -> bool:
    if is_programme_facilitator(user, programme) or (user.is_authenticated and user.is_officer):
        return True
    return Programme.objects.visible_to(user).filter(pk=programme.pk).exists()


def can_create_programme(user) -> bool:
    """Administrators set programmes up (in the admin, which only they may use). Not a model
    permission: those are whole-table rights, and the facilitators group no longer has any."""
    return user.is_authenticated and user.is_superuser


def get_programme_for_user(user, slug, *, manage=False) -> Programme:
    programme = get_object_or_404(Programme.objects.select_related("question_set"), slug=slug)
    if manage:
        if not is_programme_facilitator(user, programme):
            raise PermissionDenied("Only the programme's facilitators can do this.")
    elif not can_view_programme(user, programme):
        raise PermissionDenied("You do not take part in this programme.")
    return programme


def can_view_area(user, area) -> bool:
    """Officers, and anyone who may open a programme that reviews the area."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_officer:
        return True
    return Programme.objects.visible_to(user).filter(areas=area).exists()


def get_area_for_user(user, slug):
    area = get_object_or_404(ThematicArea.objects.select_related("lead_partner", "lead_officer"), slug=slug)
    if not can_view_area(user, area):
        raise PermissionDenied("You do not take part in a programme that reviews this area.")
    return area


def areas_visible_to(user):
    """The areas whose pages and indicators `user` may read, in one query (see can_view_area)."""
    if not user.is_authenticated:
        return ThematicArea.objects.none()
    if user.is_superuser or user.is_officer:
        return ThematicArea.objects.all()
    return ThematicArea.objects.filter(programmes__in=Programme.objects.visible_to(user)).distinct()


def is_area_lead(user, programme, area) -> bool:
    """Leads `area` in `programme`: its lead officer, or its presenter in one of the
    programme's sessions (see ThematicArea.objects.led_by)."""
    return ThematicArea.objects.led_by(user, programme).filter(pk=area.pk).exists()
