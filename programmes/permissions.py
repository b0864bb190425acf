"""Who may do what with partnerships and programmes. Small predicates, plus the
fetch-or-refuse helpers that views call first: they return the object or raise Http404 /
PermissionDenied.

Roles, all within one partnership (a person's Membership of it; someone whose membership was
deactivated has none of them there):
- administrator: a superuser; everything, in every partnership.
- partnership facilitator: `Membership.is_facilitator`; sets the partnership up and manages
  every one of its programmes.
- programme facilitator: listed on a programme; manages it, its timetable and its sessions.
- officer: `Membership.is_officer`; reads every programme and session of the partnership,
  changes nothing.
- participant: presenter, peer reviewer or observer in a session; sees the schedule of what
  they take part in.
- anybody else: nothing.

Whether someone is a member, an officer or a facilitator of a partnership is read from their
memberships, loaded once per request (see `User.membership_in`)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from challenge.prepared import PreparedQuery
from programmes.models import Partnership, Programme, ThematicArea


def membership_of(user, partnership):
    """`user`'s active membership of `partnership` (an instance or an id), or None."""
    if not user.is_authenticated:
        return None
    return user.membership_in(partnership)


def belongs_to(user, partnership) -> bool:
    """An administrator, or an active member of `partnership` (an instance or an id)."""
    return user.is_authenticated and (user.is_superuser or membership_of(user, partnership) is not None)


def refuse_outside(user, partnership) -> None:
    """Raise Http404 unless `user` belongs to `partnership`: for anyone else its programmes,
    sessions, areas and documents do not exist (not even "you may not see this")."""
    if not belongs_to(user, partnership):
        raise Http404("Not found")


def can_manage_partnership(user, partnership) -> bool:
    """Set the partnership up: its people, areas, indicators, question sets and programmes."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.facilitates_partnership(partnership)


def can_create_programme(user, partnership) -> bool:
    return can_manage_partnership(user, partnership)


def get_partnership_to_manage(user, slug, *, what="set it up"):
    """The partnership `slug`, for one who may set it up (can_manage_partnership): "not
    found" for anyone outside it, refused for its other members, with `what` they may not do
    ("set up its areas")."""
    partnership = get_object_or_404(Partnership, slug=slug)
    refuse_outside(user, partnership)
    if not can_manage_partnership(user, partnership):
        raise PermissionDenied(f"Only the partnership's facilitators {what}.")
    return partnership


def is_officer_of(user, partnership) -> bool:
    return user.is_authenticated and user.is_officer_in(partnership)


def is_programme_facilitator(user, programme) -> bool:
    """Manages `programme`: an administrator, a facilitator of its partnership, or one of its
    own facilitators who is still an active member of the partnership."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    membership = user.membership_in(programme.partnership_id)
    if membership is None:
        return False
    if membership.is_facilitator:
        return True
    if programme.status == Programme.Status.DRAFT:
        return False  # a cycle being prepared: only the partnership's facilitators see it
    cached = getattr(programme, "_facilitator_ids", None)
    if cached is None:
        cached = set(programme.facilitators.values_list("pk", flat=True))
        programme._facilitator_ids = cached
    return user.pk in cached


def can_view_programme(user, programme) -> bool:
    if not belongs_to(user, programme.partnership_id):
        return False
    if programme.status == Programme.Status.DRAFT:
        return can_manage_partnership(user, programme.partnership_id)
    if is_programme_facilitator(user, programme) or is_officer_of(user, programme.partnership_id):
        return True
    return Programme.objects.visible_to(user).filter(pk=programme.pk).exists()


# The objects that most pages start from, their SQL built once (challenge/prepared.py).
_PROGRAMME_BY_SLUG = PreparedQuery(
    lambda slug: Programme.objects.select_related("question_set", "partnership", "previous").filter(slug=slug),
    slug=str,
)
_AREA_BY_SLUG = PreparedQuery(
    lambda slug: ThematicArea.objects.select_related("lead_partner", "lead_officer").filter(slug=slug), slug=str
)


def get_programme_for_user(user, slug, *, manage=False) -> Programme:
    programme = _PROGRAMME_BY_SLUG.one(slug=str(slug))
    if programme is None:
        raise Http404("No such programme.")
    refuse_outside(user, programme.partnership_id)
    if manage:
        if not is_programme_facilitator(user, programme):
            raise PermissionDenied("Only the programme's facilitators can do this.")
    elif not can_view_programme(user, programme):
        raise PermissionDenied("You do not take part in this programme.")
    return programme


def can_view_area(user, area) -> bool:
    """Officers and facilitators of the area's partnership, and anyone who may open a
    programme that reviews the area."""
    if not belongs_to(user, area.partnership_id):
        return False
    if user.is_superuser or area.partnership_id in user.reading_partnership_ids():
        return True
    return Programme.objects.visible_to(user).filter(areas=area).exists()


def get_area_for_user(user, slug):
    area = _AREA_BY_SLUG.one(slug=str(slug))
    if area is None:
        raise Http404("No such area.")
    refuse_outside(user, area.partnership_id)
    if not can_view_area(user, area):
        raise PermissionDenied("You do not take part in a programme that reviews this area.")
    return area


def areas_visible_to(user):
    """The areas whose pages and indicators `user` may read, in one query (see can_view_area)."""
    if not user.is_authenticated:
        return ThematicArea.objects.none()
    if user.is_superuser:
        return ThematicArea.objects.all()
    reading = user.reading_partnership_ids()
    return ThematicArea.objects.filter(
        Q(partnership__in=reading) | Q(programmes__in=Programme.objects.visible_to(user))
    ).distinct()


def is_area_lead(user, programme, area) -> bool:
    """Leads `area` in `programme`: its lead officer, or its presenter in one of the
    programme's sessions (see ThematicArea.objects.led_by)."""
    return ThematicArea.objects.led_by(user, programme).filter(pk=area.pk).exists()
