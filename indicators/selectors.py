"""Reads for indicator pages: values prefetched, so the number of queries does not grow
with the number of values or indicators."""

from django.db.models import Prefetch

from challenge.listing import page_of
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


AREA_PAGE_SIZE = 12  # indicators on each page of the area page
INFOGRAPHIC_SHOWN = 3  # indicators on the infographic for each area, the worst first; the rest on its page


def area_page(user, area, page_number=None) -> dict:
    """The area page: a page of its indicators (`page_obj`, AREA_PAGE_SIZE of them, in their
    order), whether `user` may change them, and a programme that reviews the area and that
    `user` may open (for the breadcrumb; None if there is none)."""
    page = page_of(_with_values(Indicator.objects.filter(area=area)), AREA_PAGE_SIZE, page_number)
    return {
        "page_obj": page,
        "indicators": [_assess(indicator, indicator.values.all()) for indicator in page],
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
    """Every area's indicators, worst trajectories first (areas ordered by their worst): the
    first INFOGRAPHIC_SHOWN of each (`shown`) and how many more (`more`), which its area
    page lists."""
    areas = list(programme.areas.select_related("lead_partner").order_by("name"))
    by_area = {area.pk: [] for area in areas}
    for indicator in _with_values(Indicator.objects.filter(area__in=areas)):
        by_area[indicator.area_id].append(_assess(indicator, indicator.values.all()))
    rows = []
    for area in areas:
        indicators = sorted(by_area[area.pk], key=lambda indicator: (indicator.assessment.sort_key, indicator.name))
        worst = indicators[0].assessment.sort_key if indicators else (9, True)
        shown = indicators[:INFOGRAPHIC_SHOWN]
        rows.append(
            {
                "area": area,
                "indicators": indicators,
                "shown": shown,
                "more": len(indicators) - len(shown),
                "worst": worst,
            }
        )
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
