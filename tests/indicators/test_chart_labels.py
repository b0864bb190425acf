"""The time axis of an indicator's chart: every label, the last included, lies inside the SVG
("2009-Q1" was clipped to "2009-Q" at the right edge), whatever the frequency and the number
of values."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.cache import cache

from indicators.models import Indicator, IndicatorValue
from indicators.templatetags.indicators import _time_axis_labels, indicator_chart, label_width
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _starts(frequency, count):
    """`count` consecutive period starts of `frequency`, from January 2004."""
    if frequency == Indicator.Frequency.WEEK:
        return [datetime.date(2004, 1, 5) + datetime.timedelta(weeks=i) for i in range(count)]
    months = {Indicator.Frequency.YEAR: 12, Indicator.Frequency.QUARTER: 3, Indicator.Frequency.MONTH: 1}[frequency]
    return [datetime.date(2004 + (i * months) // 12, 1 + (i * months) % 12, 1) for i in range(count)]


def _axis_labels(svg):
    """The time axis's labels: (x, text-anchor, text), left to right; and the SVG's width."""
    root = ET.fromstring(svg)
    width = float(root.get("width"))
    # The SVG's own texts: the value axis's (moved down by a `dy`) and the time axis's; the
    # key's are in a group of their own.
    labels = [(float(t.get("x")), t.get("text-anchor"), t.text.strip()) for t in root.findall(f"{SVG}text")]
    labels = [label for label, t in zip(labels, root.findall(f"{SVG}text"), strict=True) if t.get("dy") is None]
    return labels, width


def _extent(x, anchor, text):
    """Where a label drawn at `x` with `anchor` starts and ends (its width estimated)."""
    w = label_width(text)
    return {"start": (x, x + w), "middle": (x - w / 2, x + w / 2), "end": (x - w, x)}[anchor]


@pytest.mark.parametrize(
    "frequency",
    [Indicator.Frequency.YEAR, Indicator.Frequency.QUARTER, Indicator.Frequency.MONTH, Indicator.Frequency.WEEK],
)
@pytest.mark.parametrize("count", [1, 2, 3, 4, 8, 12, 13, 24, 40, 61, 120, 260])
def test_every_time_axis_label_fits_inside_the_chart(frequency, count):
    cache.clear()
    indicator = Indicator.objects.create(area=f.area(), code="kpi", name="Referrals", frequency=frequency)
    values = [
        IndicatorValue(indicator=indicator, period_start=start, value=Decimal(40 + i), national=Decimal(45))
        for i, start in enumerate(_starts(frequency, count))
    ]
    svg = indicator_chart(indicator, values)
    labels, width = _axis_labels(svg)
    assert labels, "no labels on the time axis"
    assert labels[0][2] == values[0].period
    for x, anchor, text in labels:
        start, end = _extent(x, anchor, text)
        assert start >= 0, f"{text!r} starts at {start:.1f}, left of the chart"
        assert end <= width, f"{text!r} ends at {end:.1f}, past the chart's width {width}"
    # The last label, as the issue saw it clipped.
    x, anchor, text = labels[-1]
    assert _extent(x, anchor, text)[1] <= width
    # Labels do not run into one another.
    extents = sorted(_extent(*label) for label in labels)
    for (_, end), (start, _) in zip(extents, extents[1:], strict=False):
        assert end <= start, f"labels overlap: {labels}"


@pytest.mark.parametrize("width", [240, 640])
@pytest.mark.parametrize("length", [4, 7, 10, 16, 30])
@pytest.mark.parametrize("count", [2, 5, 9, 27, 52, 104, 260])
def test_labels_of_any_length_and_number_never_overlap(width, length, count):
    """Weekly ("2009-W05"), daily or any other labels, at any number of points spread across
    the chart: the labels drawn keep apart, inside the chart, the first always among them."""
    left, plot = 64, width - 84
    points = [(left + plot * i / max(count - 1, 1), f"{i:0{length}d}"[:length]) for i in range(count)]
    labels = _time_axis_labels(points, width)
    assert labels and labels[0]["label"] == points[0][1] and len(labels) <= 8
    extents = [_extent(float(label["x"]), label["anchor"], label["label"]) for label in labels]
    assert all(start >= 0 and end <= width for start, end in extents)
    assert all(before[1] < after[0] for before, after in zip(extents, extents[1:], strict=False))
