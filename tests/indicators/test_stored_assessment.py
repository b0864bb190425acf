"""Each indicator stores what kpis.assess says of its values (its assessed_* and latest_*
fields), so that the infographic picks each area's worst without reading every value. The
stored judgement is the computed one after every kind of write: a new indicator, a value
entered, an import (new and changed values), the admin (the target, and values added, changed
and removed in its inline), the app's forms (an indicator defined or its target and polarity
changed; a value added, changed or deleted) and the migration that judged the indicators
already there."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from indicators.csv_import import apply_import, plan_import
from indicators.kpis import ASSESSED_FIELDS, assess, stored_fields
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import INFOGRAPHIC_SHOWN, infographic
from indicators.services import (
    add_value,
    create_indicator,
    delete_value,
    reassess,
    record_value,
    update_indicator,
    update_value,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def assert_stored_is_computed(indicator):
    """What the database holds for `indicator` is what kpis.assess says of its saved values."""
    indicator = Indicator.objects.get(pk=indicator.pk)
    computed = stored_fields(assess(indicator, indicator.values.order_by("period_start")))
    assert {name: getattr(indicator, name) for name in ASSESSED_FIELDS} == computed
    return indicator


def yearly(indicator, numbers, start=2004):
    for offset, number in enumerate(numbers):
        record_value(indicator=indicator, period_start=datetime.date(start + offset, 1, 1), value=Decimal(number))


def test_a_new_indicator_has_the_judgement_of_no_values(world):
    plain = Indicator.objects.create(area=world.safeguarding, code="plain", name="Plain")
    targeted = Indicator.objects.create(area=world.safeguarding, code="aimed", name="Aimed", target=Decimal(50))
    assert assert_stored_is_computed(plain).assessed_on_track == "no_target"
    stored = assert_stored_is_computed(targeted)
    assert (stored.assessed_direction, stored.assessed_on_track) == ("insufficient", "insufficient")
    assert stored.latest_value is None and stored.assessed_trend is None


def test_each_value_entered_is_judged_with_the_others(world):
    indicator = Indicator.objects.create(
        area=world.safeguarding, code="kpi", name="KPI", target=Decimal(70), target_date=datetime.date(2010, 1, 1)
    )
    record_value(indicator=indicator, period_start=datetime.date(2004, 1, 1), value=Decimal(50))
    assert assert_stored_is_computed(indicator).assessed_direction == "insufficient"
    yearly(indicator, [48, 45, 41], start=2005)
    stored = assert_stored_is_computed(indicator)
    assert (stored.assessed_direction, stored.assessed_on_track) == ("declining", "off_track")
    assert (stored.latest_period_start, stored.latest_value) == (datetime.date(2007, 1, 1), Decimal(41))
    assert stored.assessed_trend < 0 and stored.assessed_rank == 0
    # A changed value (the same period again) turns the trend.
    record_value(indicator=indicator, period_start=datetime.date(2007, 1, 1), value=Decimal(80), national=Decimal(60))
    stored = assert_stored_is_computed(indicator)
    assert (stored.assessed_on_track, stored.latest_value) == ("met", Decimal(80))
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 4
    # The object given is brought up to date too.
    assert indicator.assessed_on_track == "met"


def test_an_import_judges_the_indicators_whose_values_it_saves(world):
    falling = Indicator.objects.create(area=world.safeguarding, code="falling", name="Falling", target=Decimal(90))
    quarterly = Indicator.objects.create(area=world.safer_city, code="quarterly", name="Quarterly", frequency="quarter")
    untouched = Indicator.objects.create(area=world.safer_city, code="untouched", name="Untouched")
    yearly(untouched, [1, 2, 3])
    rows = ["indicator,period,value,national,comparator"]
    rows += [f"falling,{year},{value},50," for year, value in [(2005, 80), (2006, 75), (2007, 71)]]
    rows += ["quarterly,2008-Q1,10,,", "quarterly,2008-Q2,12,,"]
    counts = apply_import(
        plan_import("\n".join(rows), partnership=f.default_partnership(), may_change=lambda area: True)
    )
    assert counts == {"new": 5, "changed": 0, "unchanged": 0}
    for indicator in (falling, quarterly, untouched):
        assert_stored_is_computed(indicator)
    assert Indicator.objects.get(pk=falling.pk).assessed_direction == "declining"

    # A file that changes one value and repeats the others: the changed indicator is judged again.
    rows[-1] = "quarterly,2008-Q2,4,,"
    counts = apply_import(
        plan_import("\n".join(rows), partnership=f.default_partnership(), may_change=lambda area: True)
    )
    assert counts == {"new": 0, "changed": 1, "unchanged": 4}
    stored = assert_stored_is_computed(quarterly)
    assert (stored.assessed_direction, stored.latest_value) == ("declining", Decimal(4))


def test_the_apps_forms_judge_the_indicator_after_each_write(world):
    partnership = world.programme.partnership
    fields = {"area": world.safeguarding, "code": "app-kpi", "name": "App KPI", "target": Decimal(30)}
    indicator = create_indicator(partnership=partnership, **fields)
    assert assert_stored_is_computed(indicator).assessed_on_track == "insufficient"
    first = add_value(indicator=indicator, period_start=datetime.date(2004, 1, 1), value=Decimal(10))
    for year, number in [(2005, 12), (2006, 14)]:
        add_value(indicator=indicator, period_start=datetime.date(year, 1, 1), value=Decimal(number))
    stored = assert_stored_is_computed(indicator)
    assert (stored.assessed_direction, stored.latest_value) == ("improving", Decimal(14))

    # The target met by lowering it; then the polarity turned: the same values now decline.
    indicator = update_indicator(indicator=stored, expected_revision=0, target=Decimal(12))
    assert assert_stored_is_computed(indicator).assessed_on_track == "met"
    indicator = update_indicator(indicator=indicator, expected_revision=1, polarity="lower")
    assert assert_stored_is_computed(indicator).assessed_direction == "declining"

    # A value changed, one deleted.
    update_value(indicator_value=first, expected_revision=0, value=Decimal(30), commentary="Recounted.")
    stored = assert_stored_is_computed(indicator)
    assert stored.assessed_direction == "improving"  # 30, 12, 14: lower is better
    last = IndicatorValue.objects.get(indicator=indicator, period_start=datetime.date(2006, 1, 1))
    last.indicator = indicator
    delete_value(indicator_value=last, expected_revision=0)
    stored = assert_stored_is_computed(indicator)
    assert (stored.latest_period_start, stored.latest_value) == (datetime.date(2005, 1, 1), Decimal(12))


def _admin_post(indicator, values, **changes):
    """The admin's change form of `indicator` as posted: its fields (with `changes`) and its
    inline of values, each (period_start, value, delete?), the existing ones first."""
    data = {
        "area": indicator.area_id,
        "code": indicator.code,
        "name": indicator.name,
        "definition": "",
        "source": "",
        "position": 0,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "frequency": indicator.frequency,
        "target": "" if indicator.target is None else str(indicator.target),
        "target_date": "",
    } | changes
    existing = list(indicator.values.order_by("period_start"))
    data |= {
        "values-TOTAL_FORMS": str(len(values)),
        "values-INITIAL_FORMS": str(len(existing)),
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
    }
    for index, (period_start, value, delete) in enumerate(values):
        data |= {
            f"values-{index}-indicator": indicator.pk,
            f"values-{index}-period_start": period_start.isoformat(),
            f"values-{index}-value": str(value),
            f"values-{index}-national": "",
            f"values-{index}-comparator": "",
        }
        if index < len(existing):
            data[f"values-{index}-id"] = existing[index].pk
        if delete:
            data[f"values-{index}-DELETE"] = "on"
    return data


def test_the_admin_judges_the_indicator_after_saving_it_and_its_values(admin_client, world):
    indicator = Indicator.objects.create(area=world.safeguarding, code="admin-kpi", name="Admin KPI")
    yearly(indicator, [10, 12, 14])
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    dates = [datetime.date(year, 1, 1) for year in (2004, 2005, 2006, 2007)]

    # A target it already meets.
    response = admin_client.post(
        url, _admin_post(indicator, [(d, v, False) for d, v in zip(dates[:3], [10, 12, 14], strict=True)], target="12")
    )
    assert response.status_code == 302
    assert assert_stored_is_computed(indicator).assessed_on_track == "met"
    assert list(indicator.targets.values_list("target", flat=True)) == [Decimal(12)]  # its target history

    # A value added and one changed in the inline: now falling, and short of the target.
    indicator.refresh_from_db()
    values = [(dates[0], 10, False), (dates[1], 12, False), (dates[2], 9, False), (dates[3], 8, False)]
    response = admin_client.post(url, _admin_post(indicator, values, target="12"))
    assert response.status_code == 302
    stored = assert_stored_is_computed(indicator)
    assert (stored.assessed_direction, stored.assessed_on_track, stored.latest_value) == (
        "declining",
        "off_track",
        Decimal(8),
    )

    # Values removed: one left, not enough to judge.
    indicator.refresh_from_db()
    values = [(dates[0], 10, False), (dates[1], 12, True), (dates[2], 9, True), (dates[3], 8, True)]
    response = admin_client.post(url, _admin_post(indicator, values, target="12"))
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 1
    assert assert_stored_is_computed(indicator).assessed_direction == "insufficient"


def test_the_migration_judges_the_indicators_already_there(world):
    migration = importlib.import_module("indicators.migrations.0002_stored_assessment")
    falling = Indicator.objects.create(area=world.safeguarding, code="old-falling", name="Falling", polarity="lower")
    rising = Indicator.objects.create(area=world.safer_city, code="old-rising", name="Rising", target=Decimal(3))
    # Values written as they were before indicators stored their judgement.
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=falling, period_start=datetime.date(y, 1, 1), value=v)
            for y, v in [(2006, 5), (2007, 9)]
        ]
        + [
            IndicatorValue(indicator=rising, period_start=datetime.date(y, 1, 1), value=v)
            for y, v in [(2006, 1), (2007, 2)]
        ]
    )
    assert Indicator.objects.get(pk=falling.pk).assessed_direction == "insufficient"  # not judged yet
    migration.assess_existing(apps, None)
    assert assert_stored_is_computed(falling).assessed_direction == "declining"
    assert assert_stored_is_computed(rising).assessed_direction == "improving"


def test_reassess_takes_pks_and_costs_the_same_for_many(world, django_assert_num_queries):
    indicators = [
        Indicator.objects.create(area=world.safeguarding, code=f"many-{n}", name=f"Many {n}") for n in range(6)
    ]
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=indicator, period_start=datetime.date(year, 1, 1), value=year - 2000 + n)
        for n, indicator in enumerate(indicators)
        for year in range(2004, 2009)
    )
    with django_assert_num_queries(3):  # the indicators, their values, the update
        reassess([indicator.pk for indicator in indicators])
    for indicator in indicators:
        assert assert_stored_is_computed(indicator).assessed_direction == "improving"


# --- The infographic, worst first -------------------------------------------------------------


def _indicator(area, code, numbers, **kw):
    indicator = Indicator.objects.create(area=area, code=code, name=code.replace("-", " ").capitalize(), **kw)
    yearly(indicator, numbers)
    return indicator


def test_the_infographic_lists_the_worst_first_areas_and_indicators(client, world):
    target = {"target": Decimal(100), "target_date": datetime.date(2010, 1, 1)}
    # Safer city declines the most steeply: first, though after Health inequalities by name.
    _indicator(world.safer_city, "steep-fall", [60, 50, 40, 30, 20], **target)
    _indicator(world.health_inequalities, "gentle-fall", [60, 59, 58, 57, 56], **target)
    _indicator(world.health_inequalities, "rising", [1, 2, 3, 4, 5])
    # Safeguarding: five indicators, none declining; the three worst shown, in order.
    _indicator(world.safeguarding, "a-improving-on-track", [10, 20, 30, 40, 50], target=Decimal(40))
    _indicator(world.safeguarding, "b-slow-improvement", [50, 51, 52, 53, 54], **target)
    _indicator(world.safeguarding, "c-fast-improvement", [10, 20, 30, 40, 50], **target)
    _indicator(world.safeguarding, "d-flat-off-track", [50, 50, 50, 50, 50], **target)
    _indicator(world.safeguarding, "e-one-value", [50])

    rows = infographic(world.programme)
    areas = [row["area"] for row in rows]
    assert areas[:3] == [world.safer_city, world.health_inequalities, world.safeguarding]
    assert all(not row["shown"] for row in rows[3:])  # areas without indicators come last
    safeguarding = rows[2]
    assert [indicator.code for indicator in safeguarding["shown"]] == [
        "d-flat-off-track",  # no change, off track
        "e-one-value",  # not enough data
        "b-slow-improvement",  # improving but off track, the slower first
    ]
    assert len(safeguarding["shown"]) == INFOGRAPHIC_SHOWN and safeguarding["more"] == 2
    # The order is the computed judgement's, not only the stored one's.
    keys = [indicator.assessment.sort_key for indicator in safeguarding["shown"]]
    assert keys == sorted(keys) and keys == [indicator.worst_first_key for indicator in safeguarding["shown"]]

    client.force_login(world.officer)
    html = client.get(reverse("infographic", args=[world.programme.slug])).content.decode()
    assert html.index("Safer city") < html.index("Health inequalities") < html.index("Safeguarding children")
    assert html.index("Steep fall") < html.index("Gentle fall")
    assert "C fast improvement" not in html and "A improving on track" not in html
    assert "2 more indicators for Safeguarding children" in html
