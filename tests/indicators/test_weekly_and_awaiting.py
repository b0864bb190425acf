"""Weekly indicators (ISO weeks, "2021-W44") and "awaiting data" as a stated state of a period:
in the periods, the judgement, the chart, the table, the value form and the CSV import."""

import datetime
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators.csv_import import apply_import, export_csv, plan_import
from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue, parse_period, period_from_text, period_label
from indicators.services import record_value
from indicators.templatetags.indicators import indicator_chart
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
W = Indicator.Frequency.WEEK
MIGRATION = "Care Director migration"


def test_an_iso_week_is_its_monday_and_back():
    assert parse_period("2021-W44", W) == datetime.date(2021, 11, 1)
    assert period_label(datetime.date(2021, 11, 1), W) == "2021-W44"
    # 29 December 2014 is a Monday of week 1 of 2015, as ISO counts weeks.
    assert period_label(datetime.date(2014, 12, 29), W) == "2015-W01"
    assert parse_period("2020-w53", W) == datetime.date(2020, 12, 28)
    assert period_from_text("2021-11-01", W) == datetime.date(2021, 11, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-W53", "“2021-W53”: 2021 has no week 53."),
        ("2021-44", "“2021-44” is not a period of this indicator: write YYYY-Www, e.g. 2021-W44."),
        ("2021-11-02", "“2021-11-02” is not the first day of a period of this indicator: write YYYY-Www"),
    ],
)
def test_a_bad_week_says_what_to_write(text, message):
    with pytest.raises(ValueError) as raised:
        period_from_text(text, W)
    assert str(raised.value).startswith(message)


@pytest.fixture
def weekly(world):
    indicator = Indicator.objects.create(
        area=world.safeguarding, code="contacts", name="Contacts a week", unit="count", frequency=W
    )
    start = datetime.date(2021, 9, 6)
    for i, n in enumerate([410, 395, 402, None, None, 388, 376]):
        day = start + datetime.timedelta(weeks=i)
        if n is None:
            record_value(
                indicator=indicator, period_start=day, value=None, status="awaiting", awaiting_reason=MIGRATION
            )
        else:
            record_value(indicator=indicator, period_start=day, value=Decimal(n), national=Decimal(400))
    return indicator


def test_a_period_is_reported_with_a_value_or_awaiting_without_one(weekly):
    day = datetime.date(2021, 11, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=weekly, period_start=day, status="awaiting", value=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=weekly, period_start=day, status="reported", value=None)


def test_the_judgement_leaves_the_awaited_weeks_out(weekly):
    weekly.refresh_from_db()
    assert weekly.latest_value == Decimal(376)
    assert weekly.latest_period_start == datetime.date(2021, 10, 18)
    values = list(weekly.values.all())
    assessment = assess(weekly, values)
    assert assessment == assess(weekly, [v for v in values if v.is_reported])


def test_the_chart_breaks_the_line_and_marks_and_labels_each_awaited_week(weekly):
    cache.clear()
    svg = indicator_chart(weekly, list(weekly.values.all()))
    root = ET.fromstring(svg)
    values = [p for p in root.findall(f"{SVG}polyline") if p.get("stroke") == "#0b4f8a"]
    assert [len(p.get("points").split()) for p in values] == [3, 2]
    national = [p for p in root.findall(f"{SVG}polyline") if p.get("stroke") == "#505a5f"]
    assert [len(p.get("points").split()) for p in national] == [3, 2]
    gaps = root.findall(f"{SVG}g[@class='indicator-gap']")
    assert [g.find(f"{SVG}title").text.split() for g in gaps] == [
        ["2021-W39:", "awaiting", "data", "(Care", "Director", "migration)"],
        ["2021-W40:", "awaiting", "data", "(Care", "Director", "migration)"],
    ]
    key = root.find(f"{SVG}g[@class='indicator-gap-key']/{SVG}text")
    assert key.text == "Awaiting data"
    desc = " ".join(root.find(f"{SVG}desc").text.split())
    assert (
        "Awaiting data for 2 periods (2021-W39, 2021-W40): Care Director migration; the line is broken there." in desc
    )


def test_the_table_states_the_awaited_weeks(client, world, weekly):
    client.force_login(world.facilitator)
    page = " ".join(client.get(weekly.get_absolute_url()).content.decode().split())
    assert "2021-W39</th>" in page
    assert '<span class="status status-awaiting">Awaiting data</span> : Care Director migration' in page


def test_the_value_form_records_an_awaited_week_and_asks_why(client, world, weekly):
    client.force_login(world.lead)
    url = reverse("indicator_value_add", args=[weekly.pk])
    data = {
        "period": "2021-W43",
        "value": "",
        "awaiting": "on",
        "awaiting_reason": "",
        "national": "",
        "comparator": "",
    }
    data["submission_token"] = str(uuid.uuid4())
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["awaiting_reason"] == [
        "Say why the data is awaited: the tables and charts show it."
    ]
    response = client.post(url, data | {"value": "12"})
    assert "Leave the value empty while the data is awaited" in response.context["form"].errors["value"][0]
    response = client.post(url, data | {"awaiting": "", "awaiting_reason": ""})
    assert response.context["form"].errors["value"] == ["Give the value, or tick “Awaiting data” and say why."]
    response = client.post(url, data | {"awaiting_reason": MIGRATION})
    assert response.status_code == 302
    saved = IndicatorValue.objects.get(indicator=weekly, period_start=datetime.date(2021, 10, 25))
    assert (saved.status, saved.value, saved.awaiting_reason) == ("awaiting", None, MIGRATION)


def test_the_csv_import_takes_weeks_and_awaited_weeks_and_the_export_gives_them_back(world, weekly):
    text = (
        "indicator,period,value,national,comparator,commentary,awaiting_reason\n"
        "contacts,2021-W43,awaiting,,,,Care Director migration\n"
        "contacts,2021-W44,371,398,,,\n"
    )
    plan = plan_import(text, partnership=f.default_partnership(), may_change=lambda area: True)
    assert plan.errors == [] and plan.counts == {"new": 2, "changed": 0, "unchanged": 0}
    apply_import(plan)
    assert plan_import(text, partnership=f.default_partnership(), may_change=lambda area: True).counts == {
        "new": 0,
        "changed": 0,
        "unchanged": 2,
    }
    awaited = IndicatorValue.objects.get(indicator=weekly, period_start=datetime.date(2021, 10, 25))
    assert (awaited.status, awaited.value, awaited.awaiting_reason) == ("awaiting", None, MIGRATION)
    assert IndicatorValue.objects.get(indicator=weekly, period_start=datetime.date(2021, 11, 1)).value == 371
    exported = export_csv(Indicator.objects.filter(pk=weekly.pk).prefetch_related("values"))
    assert "contacts,2021-W43,awaiting,,,,Care Director migration" in exported.splitlines()
    assert "contacts,2021-W39,awaiting,,,,Care Director migration" in exported.splitlines()
    # Reported in a later file: the week is no longer awaited.
    later = "indicator,period,value\ncontacts,2021-W43,380\n"
    apply_import(plan_import(later, partnership=f.default_partnership(), may_change=lambda area: True))
    awaited.refresh_from_db()
    assert (awaited.status, awaited.value, awaited.awaiting_reason) == ("reported", 380, "")


def test_the_csv_import_names_a_missing_reason_and_a_stray_one(world, weekly):
    text = (
        "indicator,period,value,awaiting_reason\n"
        "contacts,2021-W43,awaiting,\n"
        "contacts,2021-W44,12,Care Director migration\n"
        "contacts,2021-W99,1,\n"
    )
    plan = plan_import(text, partnership=f.default_partnership(), may_change=lambda area: True)
    assert plan.errors == [
        (2, "awaiting_reason", "Say why the data is awaited, e.g. “Care Director migration”."),
        (3, "awaiting_reason", "A reason is only given when the value says “awaiting”: leave it empty."),
        (4, "period", "“2021-W99” is not a period of this indicator: write YYYY-Www, e.g. 2021-W44."),
    ]
