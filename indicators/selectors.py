"""Reads for indicator pages: values prefetched, so the number of queries does not grow
with the number of values or indicators."""

from django.db.models import Prefetch

from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue
from indicators.permissions import areas_changeable_by, can_change_indicators
from programmes.models import Programme
from programmes.permissions import areas_visible_to


def _with_values(qs):
    return qs.select_related("area").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start"))
    )


def _assess(indicator, values):
    """Attach the indicator's values (`series`) and what they say (`assessment`)."""
    indicator.series = list(values)
    indicator.assessment = assess(indicator, indicator.series)
    return indicator


def indicators_for_area(area):
    return [
        _assess(indicator, indicator.values.all()) for indicator in _with_values(Indicator.objects.filter(area=area))
    ]


def area_page(user, area) -> dict:
    """The area page: its indicators, whether `user` may change them, and a programme that
    reviews the area and that `user` may open (for the breadcrumb; None if there is none)."""
    return {
        "indicators": indicators_for_area(area),
        "can_change": can_change_indicators(user, area),
        "programme": Programme.objects.visible_to(user).filter(areas=area).first(),
    }


def indicator_page(user, indicator) -> dict:
    """An indicator's page: its values in time order, what they say, and whether `user` may
    change them. `indicator` comes from get_indicator_for_user, with its area."""
    return {
        "indicator": _assess(indicator, indicator.values.order_by("period_start")),
        "area": indicator.area,
        "can_change": can_change_indicators(user, indicator.area),
    }


def infographic(programme):
    """Every area's indicators, worst trajectories first (areas ordered by their worst)."""
    areas = list(programme.areas.select_related("lead_partner").order_by("name"))
    by_area = {area.pk: [] for area in areas}
    for indicator in _with_values(Indicator.objects.filter(area__in=areas)):
        by_area[indicator.area_id].append(_assess(indicator, indicator.values.all()))
    rows = []
    for area in areas:
        indicators = sorted(by_area[area.pk], key=lambda indicator: (indicator.assessment.sort_key, indicator.name))
        worst = indicators[0].assessment.sort_key if indicators else (9, True)
        rows.append({"area": area, "indicators": indicators, "worst": worst})
    rows.sort(key=lambda row: (row["worst"], row["area"].name))
    return rows


def changeable_areas(user):
    """The areas whose indicators `user` may change (import, template CSV), by name."""
    return list(areas_changeable_by(user).order_by("name"))


def readable_areas(user, slug=None):
    """The areas whose indicators `user` may read (export), by name; only the one called
    `slug` if given (none if they may not read it)."""
    areas = areas_visible_to(user).order_by("name")
    if slug:
        areas = areas.filter(slug=slug)
    return list(areas)


def indicators_for_export(areas):
    return list(_with_values(Indicator.objects.filter(area__in=areas)).order_by("area__name", "position", "name"))
