"""Who may change an area's indicators: the facilitators of a programme that reviews the
area, and the area's leads (see `ThematicArea.objects.led_by`). Reading follows the area
(programmes.permissions.can_view_area)."""

from django.db.models import Q

from programmes.models import ThematicArea


def areas_changeable_by(user):
    """The areas whose indicators `user` may change, in one query."""
    if not user.is_authenticated:
        return ThematicArea.objects.none()
    if user.is_superuser:
        return ThematicArea.objects.all()
    return ThematicArea.objects.filter(
        Q(programmes__facilitators=user) | Q(pk__in=ThematicArea.objects.led_by(user).values("pk"))
    ).distinct()


def can_change_indicators(user, area) -> bool:
    return areas_changeable_by(user).filter(pk=area.pk).exists()
