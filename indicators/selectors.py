"""Reads for indicator pages: each indicator's values read in one query for all of them, so
the number of queries does not grow with the number of values or indicators."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Window

from challenge.listing import page_of
from challenge.prepared import PreparedQuery
from indicators.kpis import worst_first_key
from indicators.models import Indicator, IndicatorTarget, IndicatorValue, period_label
from indicators.permissions import areas_changeable_by, can_change_indicators
from programmes.models import Programme, ThematicArea
from programmes.permissions import areas_visible_to, can_manage_partnership
from programmes.selectors import with_focus_topics


def _with_values(qs):
    return qs.select_related("area").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start"))
    )


def _assess(indicator, values):
    """Attach the indicator's values (`series`), from which it judges what they say
    (`assessment`, when asked)."""
    indicator.series = list(values)
    indicator.__dict__.pop("assessment", None)  # judged afresh from these values
    return indicator


@dataclass(frozen=True, slots=True)
class Reading:
    """One of an indicator's values as its pages read it: what an IndicatorValue holds, without
    the cost of a model instance (a page reads many values and changes none)."""

    period_start: datetime.date
    value: Decimal | None  # None: awaiting data
    national: Decimal | None
    comparator: Decimal | None
    frequency: str  # the indicator's, for the period's label
    status: str = IndicatorValue.Status.REPORTED
    awaiting_reason: str = ""

    @property
    def period(self):
        return period_label(self.period_start, self.frequency)

    @property
    def is_reported(self):
        return self.status == IndicatorValue.Status.REPORTED

    @property
    def is_awaiting(self):
        return self.status == IndicatorValue.Status.AWAITING


def _assessed(indicators, *, readings=False, values=None):
    """`indicators` (a list) each with its values in time order (`series`), from which it
    judges what they say (`assessment`): the values in one query (none if there are no
    indicators). As IndicatorValue rows, each holding its indicator (for its period's label);
    as Readings if `readings`, for a page that only shows them. (What prefetch_related does,
    without the queryset it builds for each indicator, which costs more than the query.)"""
    series = defaultdict(list)
    by_pk = {indicator.pk: indicator for indicator in indicators}
    if by_pk:
        if values is None:
            values = IndicatorValue.objects.filter(indicator__in=by_pk).order_by("period_start")
        if readings:
            for indicator_id, period_start, value, national, comparator, status, reason in values.values_list(
                "indicator_id", "period_start", "value", "national", "comparator", "status", "awaiting_reason"
            ):
                frequency = by_pk[indicator_id].frequency
                reading = Reading(period_start, value, national, comparator, frequency, status, reason)
                series[indicator_id].append(reading)
        else:
            for value in values:
                value.indicator = by_pk[value.indicator_id]
                series[value.indicator_id].append(value)
    return [_assess(indicator, series[indicator.pk]) for indicator in indicators]


# The workspace's indicators of its area, and their values: the SQL of each built once.
_CURRENT_OF_AREA = PreparedQuery(
    lambda area: Indicator.objects.current().filter(area_id=area).select_related("area"), area=int
)
_VALUES_OF_CURRENT_OF_AREA = PreparedQuery(
    lambda area: IndicatorValue.objects.filter(indicator__area_id=area, indicator__retired_on__isnull=True).order_by(
        "period_start"
    ),
    area=int,
)


_RETIRED_OF_AREA = PreparedQuery(
    lambda area: Indicator.objects.retired().filter(area_id=area).only("name", "code", "retired_on").order_by("name"),
    area=int,
)


# The workspace shows the first few of its area's indicators (in their order) and says how many
# more there are, with a link to the area page, which pages through all of them: an area with
# thirty indicators does not make every workspace page thirty charts long.
WORKSPACE_INDICATORS_SHOWN = 6


def _first_of_area(area):
    return (
        Indicator.objects.current().filter(area_id=area).order_by("position", "name", "pk")[:WORKSPACE_INDICATORS_SHOWN]
    )


_FIRST_OF_AREA = PreparedQuery(
    lambda area: _first_of_area(area).select_related("area").annotate(current_total=Window(Count("pk"))), area=int
)
_VALUES_OF_FIRST_OF_AREA = PreparedQuery(
    lambda area: IndicatorValue.objects.filter(indicator__in=_first_of_area(area).values("pk")).order_by(
        "period_start"
    ),
    area=int,
)


def indicators_at_a_glance(area) -> tuple[list, int]:
    """The area's first WORKSPACE_INDICATORS_SHOWN current indicators, in their order, each
    with its values and assessment, and how many current indicators it has in all: two
    queries, whatever the number of indicators or values."""
    indicators = _FIRST_OF_AREA.all(area=area.pk)
    if not indicators:
        return [], 0
    return _assessed(indicators, values=_VALUES_OF_FIRST_OF_AREA.all(area=area.pk)), indicators[0].current_total


def indicators_for_area(area):
    """The area's current indicators (not retired), each with its values and assessment."""
    indicators = _CURRENT_OF_AREA.all(area=area.pk)
    values = _VALUES_OF_CURRENT_OF_AREA.all(area=area.pk) if indicators else None
    return _assessed(indicators, values=values)


def indicators_with_history(area):
    """All the area's indicators, retired ones too (a history covers the cycles they were
    measured in), each with its values (`series`) and its target history
    (`target_history`, IndicatorTarget rows): three queries."""
    indicators = _assessed(list(Indicator.objects.filter(area=area).select_related("area")))
    history = defaultdict(list)
    if indicators:
        for target in IndicatorTarget.objects.filter(indicator__in=[i.pk for i in indicators]):
            history[target.indicator_id].append(target)
    for indicator in indicators:
        indicator.target_history = history[indicator.pk]
    return indicators


AREA_PAGE_SIZE = 12  # indicators on each page of the area page
INFOGRAPHIC_SHOWN = 3  # indicators on the infographic for each area, the worst first; the rest on its page


def area_page(user, area, page_number=None) -> dict:
    """The area page: a page of its current indicators (`page_obj`, AREA_PAGE_SIZE of them,
    in their order), its retired ones (`retired`, by name, without values), its focus topics,
    whether `user` may change them, and a programme that reviews the area and that `user` may
    open (for the breadcrumb; None if there is none)."""
    page = page_of(Indicator.objects.current().filter(area=area).select_related("area"), AREA_PAGE_SIZE, page_number)
    with_focus_topics([area])
    return {
        "page_obj": page,
        "indicators": _assessed(list(page), readings=True),
        "retired": _RETIRED_OF_AREA.all(area=area.pk),
        "can_change": can_change_indicators(user, area),
        "programme": Programme.objects.visible_to(user).filter(areas=area).first(),
    }


def target_applying(targets, on_date):
    """Of `targets` (IndicatorTarget rows of one indicator, in any order), the one that
    applied on `on_date`: the last set on or before it. None if none had been set by then."""
    applying = None
    for target in targets:
        if target.applies_from <= on_date and (applying is None or target.applies_from > applying.applies_from):
            applying = target
    return applying


def indicator_page(user, indicator) -> dict:
    """An indicator's page: its values in time order (each with `target_then`, the target
    that applied in its period, from its target history), what they say, its target history
    (`targets`, oldest first), and whether `user` may enter values and may set it up.
    `indicator` comes from get_indicator_for_user, with its area."""
    targets = list(IndicatorTarget.objects.filter(indicator=indicator).order_by("applies_from"))
    _assess(indicator, indicator.values.order_by("period_start"))
    for value in indicator.series:
        value.indicator = indicator
        value.target_then = target_applying(targets, value.period_start)
    return {
        "indicator": indicator,
        "area": indicator.area,
        "targets": targets,
        "can_change": can_change_indicators(user, indicator.area),
        "can_manage": can_manage_partnership(user, indicator.partnership_id),
    }


# What an indicator's card shows of it (with its values), and where it ranks.
_CARD_FIELDS = [
    "area_id",
    "code",
    "name",
    "unit",
    "polarity",
    "frequency",
    "target",
    "target_date",
    "assessed_rank",
    "assessed_trend",
]


def infographic(programme):
    """Every area of `programme` with its worst indicators (`shown`: the first
    INFOGRAPHIC_SHOWN, worst first, with their values and assessment) and how many more
    (`more`), which its area page lists; the areas in the order of their worst indicator
    (Indicator.worst_first_key), those without indicators last. The worst are picked by what
    each indicator stored of its assessment: only the indicators shown are read in full, with
    their values. 4 queries however many indicators and values there are."""
    areas = list(programme.areas.only("name", "slug").order_by("name"))
    ranked = defaultdict(list)  # area pk -> (its indicators' worst-first keys, pk), worst first
    for area_id, rank, trend, name, pk in (
        Indicator.objects.current()
        .filter(area__in=areas)
        .values_list("area_id", "assessed_rank", "assessed_trend", "name", "pk")
    ):
        ranked[area_id].append((worst_first_key(rank, trend), name, pk))
    for keys in ranked.values():
        keys.sort()
    picked = [pk for keys in ranked.values() for _key, _name, pk in keys[:INFOGRAPHIC_SHOWN]]
    shown = defaultdict(list)
    for indicator in _assessed(list(Indicator.objects.filter(pk__in=picked).only(*_CARD_FIELDS)), readings=True):
        shown[indicator.area_id].append(indicator)
    rows = []
    for area in areas:
        indicators = sorted(
            shown[area.pk], key=lambda indicator: (indicator.worst_first_key, indicator.name, indicator.pk)
        )
        rows.append(
            {
                "area": area,
                "shown": indicators,
                "more": len(ranked[area.pk]) - len(indicators),
                "worst": indicators[0].worst_first_key if indicators else None,
            }
        )
    rows.sort(key=lambda row: (row["worst"] is None, row["worst"] or (), row["area"].name))
    return rows


def changeable_areas(user):
    """The areas whose indicators `user` may change (import, template CSV), by name."""
    return list(areas_changeable_by(user).select_related("partnership").order_by("name"))


def readable_areas(user, slug=None):
    """The areas whose indicators `user` may read (export), by name; only the one called
    `slug` if given (none if they may not read it)."""
    areas = areas_visible_to(user).order_by("name")
    if slug:
        areas = areas.filter(slug=slug)
    return list(areas)


def partnership_indicators(partnership) -> list:
    """The partnership's areas by name, each with its current indicators (`current`, in
    their order) and its retired ones (`retired`, by name): two queries."""
    areas = list(ThematicArea.objects.filter(partnership=partnership).order_by("name"))
    current, retired = defaultdict(list), defaultdict(list)
    for indicator in Indicator.objects.filter(partnership=partnership).order_by("position", "name", "pk"):
        (retired if indicator.is_retired else current)[indicator.area_id].append(indicator)
    return [
        {"area": area, "current": current[area.pk], "retired": sorted(retired[area.pk], key=lambda i: i.name)}
        for area in areas
    ]


def indicators_for_export(areas):
    return list(_with_values(Indicator.objects.filter(area__in=areas)).order_by("area__name", "position", "name"))
