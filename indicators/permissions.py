"""Who may change an area's indicators: the facilitators of its partnership and of a
programme that reviews the area, and the area's leads (see `ThematicArea.objects.led_by`),
while they are active members of the partnership. Reading follows the area
(programmes.permissions.can_view_area)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from indicators.models import Indicator
from programmes.models import ThematicArea
from programmes.people import get_partnership_to_manage
from programmes.permissions import belongs_to, can_view_area, refuse_outside


def areas_changeable_by(user):
    """The areas whose indicators `user` may change, in one query."""
    if not user.is_authenticated:
        return ThematicArea.objects.none()
    if user.is_superuser:
        return ThematicArea.objects.all()
    facilitated = [m.partnership_id for m in user.active_memberships() if m.is_facilitator]
    return (
        ThematicArea.objects.filter(partnership__in=user.active_partnership_ids())
        .filter(
            Q(partnership__in=facilitated)
            | Q(programmes__facilitators=user)
            | Q(pk__in=ThematicArea.objects.led_by(user).values("pk"))
        )
        .distinct()
    )


def can_change_indicators(user, area) -> bool:
    if user.is_authenticated and (user.is_superuser or user.facilitates_partnership(area.partnership_id)):
        return True  # as areas_changeable_by grants it them, read from their memberships: no query
    return areas_changeable_by(user).filter(pk=area.pk).exists()


def get_indicator_for_user(user, pk, *, change=False) -> Indicator:
    """The indicator with its area, if `user` may read the area (and, if `change`, enter its
    values: can_change_indicators); 404 or 403 otherwise."""
    indicator = get_object_or_404(Indicator.objects.select_related("area", "partnership"), pk=pk)
    refuse_outside(user, indicator.partnership_id)
    if not can_view_area(user, indicator.area):
        raise PermissionDenied("You do not take part in a programme that reviews this area.")
    if change and not can_change_indicators(user, indicator.area):
        raise PermissionDenied("Only facilitators and the area's leads enter its indicators' values.")
    return indicator


def get_indicator_to_manage(user, slug, pk):
    """The partnership `slug` and its indicator `pk` (with its area), for one who may set the
    partnership up (programmes.people.get_partnership_to_manage: 404 outside it, 403 for a
    member without the role)."""
    partnership = get_partnership_to_manage(user, slug)
    indicator = get_object_or_404(Indicator.objects.select_related("area"), partnership=partnership, pk=pk)
    indicator.partnership = partnership
    return partnership, indicator


def may_read_indicators_of(user, area) -> bool:
    """Whether `user` may so much as know of `area`'s indicators (an import names them): an
    area of a partnership they belong to. No query once the user's memberships are read."""
    return belongs_to(user, area.partnership_id)
