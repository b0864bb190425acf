"""Charts are drawn once per change of what they show, then taken from Django's cache."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.template import Context, Template

from indicators.models import Indicator, IndicatorValue
from indicators.templatetags import indicators as tags
from tests import factories as f

pytestmark = pytest.mark.django_db

CHART = Template("{% load indicators %}{% indicator_chart i i.values.all True 'spark' %}")


@pytest.fixture
def indicator():
    cache.clear()
    indicator = Indicator.objects.create(
        area=f.area(), code="referrals", name="Referrals", target=Decimal(50), target_date=datetime.date(2010, 3, 1)
    )
    for year, value in [(2005, 40), (2006, 44), (2007, 47)]:
        IndicatorValue.objects.create(indicator=indicator, period_start=datetime.date(year, 1, 1), value=value)
    return indicator


def draw(pk):
    """The chart of the indicator as a page would draw it, fresh from the database, and how
    many times it was built rather than taken from the cache."""
    with mock.patch.object(tags, "chart_data", wraps=tags.chart_data) as built:
        svg = CHART.render(Context({"i": Indicator.objects.get(pk=pk)}))
    return svg, built.call_count


def test_the_same_chart_is_drawn_once(indicator):
    first, built_first = draw(indicator.pk)
    second, built_second = draw(indicator.pk)
    assert (built_first, built_second) == (1, 0)
    assert second == first
    assert "from 40 to 47" in second and second.count("<circle") == 3


def test_a_new_or_changed_value_draws_it_again(indicator):
    draw(indicator.pk)
    IndicatorValue.objects.filter(indicator=indicator, period_start=datetime.date(2007, 1, 1)).update(value=49)
    changed, built = draw(indicator.pk)
    assert built == 1 and "from 40 to 49" in changed
    IndicatorValue.objects.create(indicator=indicator, period_start=datetime.date(2008, 1, 1), value=52)
    added, built = draw(indicator.pk)
    assert built == 1 and "from 40 to 52" in added and added.count("<circle") == 4


def test_a_changed_target_or_name_draws_it_again(indicator):
    draw(indicator.pk)
    Indicator.objects.filter(pk=indicator.pk).update(target=Decimal(60))
    retargeted, built = draw(indicator.pk)
    assert built == 1 and "target 60" in retargeted
    Indicator.objects.filter(pk=indicator.pk).update(name="Referrals to social care")
    renamed, built = draw(indicator.pk)
    assert built == 1 and "Referrals to social care" in renamed


def test_charts_of_other_sizes_and_ids_are_drawn_apart(indicator):
    small, _ = draw(indicator.pk)
    large = Template("{% load indicators %}{% indicator_chart i i.values.all False 'chart' %}").render(
        Context({"i": Indicator.objects.get(pk=indicator.pk)})
    )
    assert 'id="spark-title"' in small and 'id="chart-title"' in large
    assert 'width="240"' in small and 'width="640"' in large
