"""What an indicator's numbers say: derived, never typed in.

The rules, as the indicator pages explain them:

- Direction of travel: the straight-line trend (least squares) through the last five values
  at most. A trend of less than 1% of the values' average a year is "no change"; otherwise
  it is improving or declining according to the indicator's polarity. Fewer than two values
  is "not enough data".
- On track: with a target, the trend line is projected to the target date (or a year past
  the latest value if there is no date). If the latest value already meets the target, the
  target is met; if the projection meets it, the indicator is on track; otherwise off track.
  Fewer than two values is "not enough data".
- Gap to national: the latest value minus the national benchmark for the same period, and
  whether that is better or worse given the polarity.

The infographic shows the worst first: by `Assessment.rank` (declining before no change before
not enough data before improving; off track first within each), then by the trend itself (the
steepest decline, or the slowest improvement, first). Each indicator stores its assessment
(`stored_fields`, the indicator's `assessed_*` and `latest_*` fields) whenever its values or
target change (indicators.services.reassess), so that the page can pick each area's worst
without reading every value: this module stays the only place that judges.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

WINDOW = 5
FLAT_SHARE = 0.01  # a trend under 1% of the average a year counts as no change

RULES = [
    (
        "Direction of travel",
        "The straight-line trend through the last five values at most. Less than 1% of the "
        "average a year counts as no change; otherwise improving or declining, depending on "
        "whether higher or lower is better. Fewer than two values: not enough data.",
    ),
    (
        "On track",
        "The trend line projected to the target date (or a year past the latest value when "
        "there is no date). Target met if the latest value already meets it; on track if the "
        "projection does; otherwise off track.",
    ),
    (
        "Gap to national",
        "The latest value minus the national benchmark for the same period; better or worse "
        "depending on whether higher or lower is better.",
    ),
]

DIRECTION_LABELS = {
    "improving": ("Improving", "▲"),
    "no_change": ("No change", "▶"),
    "declining": ("Declining", "▼"),
    "insufficient": ("Not enough data", "–"),
}
TRACK_LABELS = {
    "met": "Target met",
    "on_track": "On track",
    "off_track": "Off track",
    "no_target": "No target",
    "insufficient": "Not enough data",
}
# Worst first, for the infographic.
DIRECTION_ORDER = {"declining": 0, "no_change": 1, "insufficient": 2, "improving": 3}
RANK_WITHOUT_VALUES = DIRECTION_ORDER["insufficient"] * 2 + 1  # fewer than two values: never off track


def _years(d: datetime.date) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def linear_trend(points):
    """(slope per year, intercept) of the least-squares line through (date, value) points."""
    xs = [_years(d) for d, _ in points]
    ys = [float(v) for _, v in points]
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


@dataclass
class Assessment:
    latest: object
    previous: object
    first: object
    change_last: Decimal | None
    change_all: Decimal | None
    direction: str
    on_track: str
    gap_national: Decimal | None
    versus_national: str | None
    slope: float | None
    projected: float | None
    # The trend a year as a share of the window's average (of the slope itself if that is 0),
    # positive when improving and negative when declining, whatever the polarity; None with
    # fewer than two values.
    trend_share: float | None = None

    @property
    def direction_label(self):
        return DIRECTION_LABELS[self.direction][0]

    @property
    def direction_icon(self):
        return DIRECTION_LABELS[self.direction][1]

    @property
    def on_track_label(self):
        return TRACK_LABELS[self.on_track]

    @property
    def rank(self) -> int:
        """How bad, from 0 (declining and off track) to 7 (improving, not off track): the
        direction of travel (DIRECTION_ORDER), then off track before the rest."""
        return DIRECTION_ORDER[self.direction] * 2 + (self.on_track != "off_track")

    @property
    def sort_key(self):
        """Worst first: by `rank`, then the steepest decline (or slowest improvement) first."""
        return worst_first_key(self.rank, self.trend_share)


def worst_first_key(rank, trend_share):
    """The order of worst first, from an assessment's `rank` and `trend_share`: of an
    Assessment (its sort_key) and of what an indicator stored of it (Indicator.worst_first_key)."""
    return (rank, 0.0 if trend_share is None else trend_share)


ASSESSED_FIELDS = (
    "assessed_direction",
    "assessed_on_track",
    "assessed_rank",
    "assessed_trend",
    "latest_period_start",
    "latest_value",
)


def stored_fields(assessment) -> dict:
    """What an indicator stores of its assessment: its fields ASSESSED_FIELDS and their values."""
    latest = assessment.latest
    return {
        "assessed_direction": assessment.direction,
        "assessed_on_track": assessment.on_track,
        "assessed_rank": assessment.rank,
        "assessed_trend": assessment.trend_share,
        "latest_period_start": latest.period_start if latest is not None else None,
        "latest_value": latest.value if latest is not None else None,
    }


def _better(delta: float, higher_is_better: bool) -> bool:
    return delta > 0 if higher_is_better else delta < 0


def assess(indicator, values) -> Assessment:
    """Judge `indicator` from `values` (IndicatorValue rows, or anything with their
    period_start, value and national, in any order). A period awaiting data (no value) is
    left out: it says nothing of the trend."""
    values = sorted((v for v in values if v.value is not None), key=lambda v: v.period_start)
    latest = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    first = values[0] if values else None
    higher = indicator.higher_is_better

    direction, slope, trend_share = "insufficient", None, None
    window = values[-WINDOW:]
    if len(window) >= 2:
        slope, _ = linear_trend([(v.period_start, v.value) for v in window])
        scale = sum(abs(float(v.value)) for v in window) / len(window)
        share = slope / scale if scale else slope
        trend_share = share if higher else -share
        if abs(share) < FLAT_SHARE:
            direction = "no_change"
        else:
            direction = "improving" if _better(slope, higher) else "declining"

    on_track, projected = "no_target", None
    if indicator.target is not None:
        target = float(indicator.target)
        if len(values) < 2:
            on_track = "insufficient"
        elif float(latest.value) == target or _better(float(latest.value) - target, higher):
            on_track = "met"
        else:
            slope_all, intercept = linear_trend([(v.period_start, v.value) for v in window])
            when = indicator.target_date or latest.period_start.replace(year=latest.period_start.year + 1)
            projected = slope_all * _years(when) + intercept
            meets = projected == target or _better(projected - target, higher)
            on_track = "on_track" if meets and when >= latest.period_start else "off_track"

    gap, versus = None, None
    if latest is not None and latest.national is not None:
        gap = latest.value - latest.national
        versus = "same" if gap == 0 else ("better" if _better(float(gap), higher) else "worse")

    return Assessment(
        latest=latest,
        previous=previous,
        first=first,
        change_last=(latest.value - previous.value) if previous else None,
        change_all=(latest.value - first.value) if previous else None,
        direction=direction,
        on_track=on_track,
        gap_national=gap,
        versus_national=versus,
        slope=slope,
        projected=projected,
        trend_share=trend_share,
    )
