"""Who may change an area's indicators: the facilitators of its partnership and of a
programme that reviews the area, and the area's leads (see `ThematicArea.objects.led_by`),
while they are active members of the partnership. Reading follows the area
(programmes.permissions.can_view_area)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from indicators.models import Indicator
from programmes.models import ThematicArea
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
    return areas_changeable_by(user).filter(pk=area.pk).exists()


def get_indicator_for_user(user, code) -> Indicator:
    """The indicator with its area, if `user` may read the area; 404 or 403 otherwise."""
    indicator = get_object_or_404(Indicator.objects.select_related("area"), code=code)
    refuse_outside(user, indicator.area.partnership_id)
    if not can_view_area(user, indicator.area):
        raise PermissionDenied("You do not take part in a programme that reviews this area.")
    return indicator


def may_read_indicators_of(user, area) -> bool:
    """Whether `user` may so much as know of `area`'s indicators (an import names them): an
    area of a partnership they belong to. No query once the user's memberships are read."""
    return belongs_to(user, area.partnership_id)
