"""Indicator charts as inline SVG, drawn on the server so the same chart serves the page and
the PDF. Line styles (solid, dashed, dotted) and a legend carry the meaning, not colour.

A chart is drawn once per change of what it shows and then taken from Django's cache: the key
is a hash of everything the SVG is drawn from (the indicator's name, unit, polarity, frequency,
target and values, the size and the element ids), so any change of the indicator or of its
values, by the app, the import or the admin, draws it afresh; nothing has to remember to clear
it. An indicator's card on a panel (the area page, the infographic, the workspace), chart and
judgement, is kept the same way, under a hash of the same inputs and of the templates it is
drawn with."""

import hashlib
import math
from decimal import Decimal

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from indicators.kpis import assess

register = template.Library()


@register.filter
def kpi_number(value):
    """A value as people write it: up to two decimals, no trailing zeros."""
    if value is None or value == "":
        return "—"
    number = round(float(value), 2)
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@register.filter
def kpi_signed(value):
    if value is None:
        return "—"
    text = kpi_number(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _nice_ticks(low, high, count=5):
    if high == low:
        high, low = high + 1, low - 1
    span = high - low
    step = 10 ** math.floor(math.log10(span / count))
    for m in (1, 2, 2.5, 5, 10):
        if span / (step * m) <= count:
            step *= m
            break
    start = math.floor(low / step) * step
    ticks = []
    t = start
    while t <= high + step * 0.001:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


AXIS_FONT_SIZE = 12  # the time axis's labels, in the SVG's units
# Wider than the average character of the sans-serif fonts the page and the PDF use (digits,
# capitals and "-" are about 0.55 em): a label estimated this wide fits.
CHARACTER_WIDTH_EM = 0.62
EDGE = 2  # room kept between a label and the edge of the chart


def label_width(text, font_size=AXIS_FONT_SIZE) -> float:
    """An upper estimate of how wide `text` is drawn at `font_size`."""
    return len(text) * font_size * CHARACTER_WIDTH_EM


def _time_label(x, text, width) -> dict:
    """A label of the time axis, centred under its point unless that would put it past an
    edge of the chart: then it ends at its point (the last) or starts there (the first), or,
    if it is too long for that, it is moved along to lie inside the chart."""
    w = label_width(text)
    anchor = "middle"
    if x + w / 2 > width - EDGE:
        anchor = "end"
        x = max(x, EDGE + w)
    elif x - w / 2 < EDGE:
        anchor = "start"
        x = min(x, width - EDGE - w)
    return {"x": f"{x:.1f}", "label": text, "anchor": anchor}


MAX_TIME_LABELS = 8
LABEL_GAP = AXIS_FONT_SIZE / 2  # the least room between two labels of the time axis


def _extent(label) -> tuple:
    x, w = float(label["x"]), label_width(label["label"])
    return {"start": (x, x + w), "middle": (x - w / 2, x + w / 2), "end": (x - w, x)}[label["anchor"]]


def _time_axis_labels(points, width) -> list:
    """The time axis's labels: every point's, or every second's, third's... (the first always),
    the fewest skipped such that no two labels, as drawn (each kept inside the chart: see
    `_time_label`), come closer than LABEL_GAP, and at most MAX_TIME_LABELS. Whatever the
    frequency, the number of values and the labels' length, none overlaps another."""
    for step in range(1, len(points) + 1):
        labels = [_time_label(x, text, width) for x, text in points[::step]]
        if len(labels) > MAX_TIME_LABELS:
            continue
        extents = [_extent(label) for label in labels]
        if all(after[0] - before[1] >= LABEL_GAP for before, after in zip(extents, extents[1:], strict=False)):
            return labels
    return [_time_label(*points[0], width)] if points else []


def _segments(values, attr, x, y) -> list[str]:
    """The `attr` line's points, broken where a period awaits data: one run of points each
    (a gap is never bridged as if the number were known)."""
    runs, run = [], []
    for value in values:
        number = getattr(value, attr) if value.value is not None else None
        if number is None:
            if value.value is None and run:
                runs.append(run)
                run = []
            continue
        run.append(f"{x(value.period_start):.1f},{y(number):.1f}")
    if run:
        runs.append(run)
    return [" ".join(points) for points in runs]


def _awaiting_note(awaiting) -> str:
    """What the chart's description says of the periods awaiting data, or nothing."""
    if not awaiting:
        return ""
    periods = ", ".join(value.period for value in awaiting)
    reasons = "; ".join(sorted({getattr(value, "awaiting_reason", "") for value in awaiting} - {""}))
    count = len(awaiting)
    return (
        f"Awaiting data for {count} period{'' if count == 1 else 's'} ({periods})"
        + (f": {reasons}" if reasons else "")
        + "; the line is broken there."
    )


def chart_data(indicator, values, *, small=False, id_prefix="chart"):
    every = sorted(values, key=lambda value: value.period_start)
    # A period awaiting data has no number: marked and labelled on the chart, not drawn.
    values = [value for value in every if value.value is not None]
    awaiting = [value for value in every if value.value is None]
    width, height = (240, 90) if small else (640, 300)
    left, right, top, bottom = (6, 6, 8, 8) if small else (64, 20, 20, 64)
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(value.value) for value in values]
    numbers += [float(value.national) for value in values if value.national is not None]
    numbers += [float(value.comparator) for value in values if value.comparator is not None]
    if indicator.target is not None:
        numbers.append(float(indicator.target))
    result = {
        "id": id_prefix,
        "width": width,
        "height": height,
        "small": small,
        "indicator": indicator,
        "assessment": assess(indicator, values),
        "empty": not values,
        "awaiting": awaiting,
        "awaiting_note": _awaiting_note(awaiting),
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "bottom_y": top + plot_h,
        "right_x": left + plot_w,
    }
    if not values:
        return result
    ticks = _nice_ticks(min(numbers), max(numbers), 3 if small else 5)
    low, high = ticks[0], ticks[-1]
    dates = [value.period_start.toordinal() for value in every]
    d0, d1 = min(dates), max(dates)

    def x(d):
        return left + (plot_w * (d.toordinal() - d0) / (d1 - d0) if d1 != d0 else plot_w / 2)

    def y(n):
        return top + plot_h - plot_h * (float(n) - low) / (high - low)

    def line(attr):
        pts = [(x(value.period_start), y(getattr(value, attr))) for value in values if getattr(value, attr) is not None]
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)

    xlabels = _time_axis_labels([(x(value.period_start), value.period) for value in every], width)
    result.update(
        value_line=line("value"),
        value_segments=_segments(every, "value", x, y),
        national_segments=_segments(every, "national", x, y),
        comparator_segments=_segments(every, "comparator", x, y),
        gaps=[{"x": f"{x(value.period_start):.1f}", "value": value} for value in awaiting],
        national_line=line("national"),
        comparator_line=line("comparator"),
        points=[
            {"x": f"{x(value.period_start):.1f}", "y": f"{y(value.value):.1f}", "value": value} for value in values
        ],
        yticks=[{"y": f"{y(tick):.1f}", "label": kpi_number(Decimal(str(tick)))} for tick in ticks],
        xlabels=xlabels,
        target_y=f"{y(indicator.target):.1f}" if indicator.target is not None else None,
        first=values[0],
        last=values[-1],
    )
    return result


CHART_TEMPLATE = "indicators/_indicator_chart.svg"
CHART_VERSION = 3  # raise it when the drawing changes, so that no cache serves the old drawing
CHART_CACHE_SECONDS = 24 * 60 * 60


def _drawn_from(indicator, values) -> tuple:
    """Everything of an indicator and its values that its chart and card are drawn from."""
    return (
        indicator.pk,
        indicator.code,
        indicator.name,
        indicator.unit,
        indicator.polarity,
        indicator.frequency,
        indicator.target,
        indicator.target_date,
        sorted(
            (
                v.period_start,
                v.value,
                v.national,
                v.comparator,
                getattr(v, "status", ""),
                getattr(v, "awaiting_reason", ""),
            )
            for v in values
        ),
    )


def chart_key(indicator, values, *, small, id_prefix) -> str:
    """The cache key of the chart drawn from exactly these inputs."""
    inputs = (CHART_VERSION, *_drawn_from(indicator, values), bool(small), id_prefix)
    return "indicator-chart:" + hashlib.sha256(repr(inputs).encode()).hexdigest()


@register.simple_tag
def indicator_chart(indicator, values, small=False, id_prefix="chart"):
    """The chart as inline SVG, from the cache when the same chart was drawn before."""
    values = list(values)
    key = chart_key(indicator, values, small=small, id_prefix=id_prefix)
    svg = cache.get(key)
    if svg is None:
        svg = get_template(CHART_TEMPLATE).render(chart_data(indicator, values, small=small, id_prefix=id_prefix))
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - rendered from our own template, which escapes


CARD_TEMPLATE = "indicators/_indicator_card.html"


def _source_digest(name) -> str:
    """A hash of template `name`'s source, computed once per loaded template (a template
    reloaded after a change gets a new one)."""
    template = get_template(name).template
    digest = getattr(template, "_source_digest", None)
    if digest is None:
        digest = template._source_digest = hashlib.sha256(template.source.encode()).hexdigest()
    return digest


def card_key(indicator, values, *, panel_id, panel_col) -> str:
    """The cache key of the card drawn from exactly these inputs, with these templates (their
    source is part of the key: a changed template draws every card afresh)."""
    sources = (_source_digest(CARD_TEMPLATE), _source_digest(CHART_TEMPLATE))
    inputs = (CHART_VERSION, sources, *_drawn_from(indicator, values), panel_id, panel_col)
    return "indicator-card:" + hashlib.sha256(repr(inputs).encode()).hexdigest()


@register.simple_tag
def indicator_card(indicator, panel_id, panel_col=None):
    """An indicator's card on a panel (its `series` and `assessment` attached, as the
    indicators selectors attach them), from the cache when the same card was drawn before."""
    key = card_key(indicator, indicator.series, panel_id=panel_id, panel_col=panel_col)
    html = cache.get(key)
    if html is None:
        context = {"indicator": indicator, "panel_id": panel_id, "panel_col": panel_col}
        html = get_template(CARD_TEMPLATE).render(context)
        cache.set(key, html, CHART_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered from our own template, which escapes


@register.simple_tag
def assessment_of(indicator, values):
    return assess(indicator, list(values))


# --- An area's pathway as a funnel (its stages' readings: indicators.pathways) ---------------

FUNNEL_WIDTH = 640
ROW_HEIGHT = 64
TEXT_COLUMN = 340  # the stage's name and numbers, left; its bar, right
BAR_MIN = 6


def funnel_data(pathway, readings, *, id_prefix="funnel") -> dict:
    """What templates/indicators/_pathway_funnel.svg draws: a row per stage, its bar as wide
    as its volume against the largest stage's (centred: a funnel), its name and numbers
    beside it."""

    # One scale: the volumes measured as the first stage's is (its unit and frequency); a
    # volume measured otherwise (a rate, a week) is named, not drawn against the others.
    def scale_of(reading):
        indicator = reading.stage.volume_indicator
        return (indicator.unit, indicator.frequency)

    measured = [r for r in readings if r.volume is not None]
    scale = scale_of(measured[0]) if measured else None
    volumes = [float(r.volume.value) for r in measured if scale_of(r) == scale]
    largest = max(volumes) if volumes else 0
    bar_left, bar_room = TEXT_COLUMN + 10, FUNNEL_WIDTH - TEXT_COLUMN - 18
    rows = []
    for i, reading in enumerate(readings):
        y = 8 + i * ROW_HEIGHT
        width = None
        on_scale = reading.volume is not None and scale_of(reading) == scale
        if on_scale and largest > 0:
            width = max(BAR_MIN, bar_room * float(reading.volume.value) / largest)
        volume_text = "Volume: not measured"
        if reading.volume is not None:
            volume_text = f"Volume: {kpi_number(reading.volume.value)} in {reading.volume.period}"
            if not on_scale:
                volume_text += f" ({reading.stage.volume_indicator.get_unit_display()}, not on the funnel's scale)"
            if reading.volume.national is not None:
                volume_text += f" (national {kpi_number(reading.volume.national)})"
        elif reading.volume_awaited:
            volume_text = "Volume: awaiting data"
        timeliness_text = "Timeliness: not measured"
        if reading.timeliness is not None:
            unit = reading.stage.timeliness_indicator.get_unit_display()
            unit = "%" if unit == "%" else f" {unit}"
            timeliness_text = f"Timeliness: {kpi_number(reading.timeliness.value)}{unit}"
            benchmarks = []
            if reading.timeliness.national is not None:
                benchmarks.append(f"national {kpi_number(reading.timeliness.national)}")
            if reading.timeliness.comparator is not None:
                benchmarks.append(f"neighbours {kpi_number(reading.timeliness.comparator)}")
            if benchmarks:
                timeliness_text += f" ({', '.join(benchmarks)})"
            if reading.timeliness_awaited:
                timeliness_text += f" in {reading.timeliness.period}, then awaiting data"
        elif reading.timeliness_awaited:
            timeliness_text = "Timeliness: awaiting data"
        rows.append(
            {
                "reading": reading,
                "y": y,
                "name_y": y + 18,
                "volume_y": y + 36,
                "timeliness_y": y + 52,
                "bar_y": y + 10,
                "bar_x": f"{bar_left + (bar_room - width) / 2:.1f}" if width is not None else None,
                "bar_w": f"{width:.1f}" if width is not None else None,
                "volume_text": volume_text,
                "timeliness_text": timeliness_text,
            }
        )
    names = [r.stage.name for r in readings]
    description = f"{len(names)} stage{'' if len(names) == 1 else 's'}"
    if names:
        description += f", from {names[0]} to {names[-1]}. " + "; ".join(
            f"{row['reading'].stage.name}: {row['volume_text'].lower()}, {row['timeliness_text'].lower()}"
            for row in rows
        )
    description += (
        ". Each bar is as wide as its stage's volume against the largest; a dashed outline: not measured, or"
        " measured on another scale."
    )
    return {
        "id": id_prefix,
        "description": description,
        "pathway": pathway,
        "rows": rows,
        "width": FUNNEL_WIDTH,
        "height": 16 + ROW_HEIGHT * len(rows),
        "bar_left": bar_left,
        "bar_room": bar_room,
        "bar_h": 44,
        "measured": sum(1 for r in readings if r.volume is not None),
    }


@register.simple_tag
def pathway_funnel(pathway, readings, id_prefix="funnel"):
    """An area's pathway as a funnel, inline SVG (funnel_data)."""
    svg = get_template("indicators/_pathway_funnel.svg").render(funnel_data(pathway, readings, id_prefix=id_prefix))
    return mark_safe(svg)  # noqa: S308 - rendered from our own template, which escapes
