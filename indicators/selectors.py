"""Reads for indicator pages: values prefetched, so the number of queries does not grow
with the number of values or indicators."""

from django.db.models import Prefetch

from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue


def _with_values(qs):
    return qs.select_related("area").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start"))
    )


def indicators_for_area(area):
    indicators = list(_with_values(Indicator.objects.filter(area=area)))
    for i in indicators:
        i.series = list(i.values.all())
        i.assessment = assess(i, i.series)
    return indicators


def indicator_detail(code):
    indicator = _with_values(Indicator.objects.filter(code=code)).get()
    indicator.series = list(indicator.values.all())
    indicator.assessment = assess(indicator, indicator.series)
    return indicator


def infographic(programme):
    """Every area's indicators, worst trajectories first (areas ordered by their worst)."""
    areas = list(programme.areas.select_related("lead_partner").order_by("name"))
    indicators = list(_with_values(Indicator.objects.filter(area__in=areas)))
    by_area = {a.pk: [] for a in areas}
    for i in indicators:
        i.series = list(i.values.all())
        i.assessment = assess(i, i.series)
        by_area[i.area_id].append(i)
    rows = []
    for a in areas:
        items = sorted(by_area[a.pk], key=lambda i: (i.assessment.sort_key, i.name))
        rows.append({"area": a, "indicators": items, "worst": items[0].assessment.sort_key if items else (9, True)})
    rows.sort(key=lambda r: (r["worst"], r["area"].name))
    return rows


def indicators_for_export(areas):
    return list(_with_values(Indicator.objects.filter(area__in=areas)).order_by("area__name", "position", "name"))
