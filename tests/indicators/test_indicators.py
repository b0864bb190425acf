"""Indicators: the derived judgements, CSV import and export, charts, pages, permissions."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from indicators.csv_import import apply_import, plan_import
from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue, parse_period
from indicators.services import record_value
from tests import factories as f


def ind(area=None, **kw):
    kw.setdefault("code", f"ind-{Indicator.objects.count() + 1}")
    kw.setdefault("name", "Teenage conceptions per 1,000")
    return Indicator.objects.create(area=area or f.area(), **kw)


def vals(indicator, numbers, start=2004, national=None):
    """Yearly values from `start`, entered one at a time (services.record_value)."""
    rows = []
    for i, n in enumerate(numbers):
        if n is None:
            continue
        rows.append(
            record_value(
                indicator=indicator,
                period_start=datetime.date(start + i, 1, 1),
                value=Decimal(str(n)),
                national=Decimal(str(national[i])) if national else None,
            )
        )
    return rows


# --- Rules ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "polarity,numbers,expected",
    [
        ("higher", [50, 52, 55, 57, 60], "improving"),
        ("higher", [60, 57, 55, 52, 50], "declining"),
        ("lower", [60, 57, 55, 52, 50], "improving"),
        ("lower", [50, 52, 55, 57, 60], "declining"),
        ("higher", [50, 50.1, 49.9, 50, 50.2], "no_change"),
        ("lower", [50, 50, 50], "no_change"),
        ("higher", [50], "insufficient"),
        ("higher", [], "insufficient"),
    ],
)
def test_direction_of_travel(polarity, numbers, expected):
    i = ind(polarity=polarity)
    assert assess(i, vals(i, numbers)).direction == expected


@pytest.mark.django_db
def test_direction_uses_only_the_last_five_values():
    i = ind(polarity="higher")
    # A long fall, then five years of steady rises: the recent trend is what counts.
    assert assess(i, vals(i, [90, 80, 70, 60, 50, 52, 54, 56, 58], start=2000)).direction == "improving"


@pytest.mark.django_db
def test_missing_years_are_spaced_by_date():
    i = ind(polarity="lower")
    a = assess(i, vals(i, [60, None, None, 54, 52]))
    assert a.direction == "improving"
    assert a.change_all == Decimal("-8") and a.change_last == Decimal("-2")
    assert a.slope == pytest.approx(-2.0, abs=0.1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "polarity,numbers,target,when,expected",
    [
        ("lower", [60, 57, 54, 51, 48], 45, 2010, "on_track"),
        ("lower", [60, 59, 58, 57, 56], 40, 2010, "off_track"),
        ("lower", [60, 50, 44], 45, 2010, "met"),
        ("higher", [70, 72, 74, 76, 78], 80, 2010, "on_track"),
        ("higher", [70, 69, 68], 80, 2010, "off_track"),
        ("higher", [70], 80, 2010, "insufficient"),
        ("higher", [70, 75], None, None, "no_target"),
    ],
)
def test_on_track(polarity, numbers, target, when, expected):
    i = ind(polarity=polarity, target=target, target_date=datetime.date(when, 1, 1) if when else None)
    assert assess(i, vals(i, numbers)).on_track == expected


@pytest.mark.django_db
def test_gap_to_national_respects_polarity():
    lower = ind(polarity="lower")
    a = assess(lower, vals(lower, [60, 55], national=[45, 42]))
    assert (a.gap_national, a.versus_national) == (Decimal("13"), "worse")
    higher = ind(polarity="higher")
    a = assess(higher, vals(higher, [60, 55], national=[45, 42]))
    assert a.versus_national == "better"
    none = ind()
    assert assess(none, vals(none, [1, 2])).gap_national is None


def test_period_forms():
    assert parse_period("2008", "year") == datetime.date(2008, 1, 1)
    assert parse_period("2008-q3", "quarter") == datetime.date(2008, 7, 1)
    assert parse_period("2008-07", "month") == datetime.date(2008, 7, 1)
    for bad, freq in [("2008-13", "month"), ("2008", "quarter"), ("08", "year"), ("2008-Q5", "quarter")]:
        with pytest.raises(ValueError):
            parse_period(bad, freq)


# --- CSV ------------------------------------------------------------------------------------

GOOD = """indicator,period,value,national,comparator
conceptions,2007,55.1,41.2,48
conceptions,2008,52.3,40.4,
smoking,2008-Q1,"1,234",,
"""


@pytest.fixture
def kpis(world):
    world.conceptions = ind(world.health_inequalities, code="conceptions", polarity="lower")
    world.smoking = ind(world.health_inequalities, code="smoking", name="Smoking quitters", frequency="quarter")
    world.burglary = ind(world.safer_city, code="burglary", name="Burglaries per 1,000")
    return world


def test_import_good_rows_then_reimport_changes_nothing(kpis):
    plan = plan_import(GOOD, partnership=f.default_partnership(), may_change=lambda a: True)
    assert plan.errors == [] and plan.counts == {"new": 3, "changed": 0, "unchanged": 0}
    apply_import(plan)
    v = IndicatorValue.objects.get(indicator=kpis.conceptions, period_start=datetime.date(2007, 1, 1))
    assert (v.value, v.national, v.comparator) == (Decimal("55.1"), Decimal("41.2"), Decimal("48"))
    assert IndicatorValue.objects.get(indicator=kpis.smoking).value == Decimal("1234")
    again = plan_import(GOOD, partnership=f.default_partnership(), may_change=lambda a: True)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3}
    before = list(IndicatorValue.objects.values_list("pk", "value", "national", "comparator"))
    apply_import(again)
    assert list(IndicatorValue.objects.values_list("pk", "value", "national", "comparator")) == before
    changed = plan_import(GOOD.replace("52.3", "51.0"), partnership=f.default_partnership(), may_change=lambda a: True)
    assert changed.counts == {"new": 0, "changed": 1, "unchanged": 2}


def test_import_names_each_bad_row_by_line_and_column(kpis):
    text = """indicator,period,value,national
conceptions,2007,55.1,41
conceptions,2008-07,50,
conceptions,2009,abc,
nosuch,2009,1,
conceptions,2007,54,
smoking,2008-Q2,7,x
,2009,1,
conceptions,2010,,
"""
    plan = plan_import(text, partnership=f.default_partnership(), may_change=lambda a: True)
    assert plan.errors == [
        (3, "period", "“2008-07” is not a period of this indicator: write YYYY, e.g. 2008."),
        (4, "value", "“abc” is not a number."),
        (5, "indicator", "No indicator has the code “nosuch”."),
        (6, "", "Line 2 already gives conceptions for 2007: each indicator and period once."),
        (7, "national", "“x” is not a number."),
        (8, "indicator", "The indicator code is missing."),
        (9, "value", "The value is missing: give it, or write “awaiting” and why."),
    ]
    with pytest.raises(ValueError):
        apply_import(plan)


def test_import_refuses_areas_the_user_may_not_change(kpis):
    plan = plan_import(
        "indicator,period,value\nburglary,2008,12\n",
        partnership=f.default_partnership(),
        may_change=lambda a: a.slug != "safer-city",
    )
    assert plan.errors == [(2, "indicator", "You may not change the indicators of Safer city.")]


def test_import_needs_the_columns(kpis):
    assert (
        plan_import("code,year,v\n", partnership=f.default_partnership(), may_change=lambda a: True)
        .errors[0][2]
        .startswith("The first line must name the columns; missing: indicator, period, value")
    )
    assert plan_import("", partnership=f.default_partnership(), may_change=lambda a: True).errors == [
        (1, "", "The file is empty.")
    ]


def test_import_in_the_browser_previews_then_applies(client, kpis):
    client.force_login(kpis.facilitator)
    url = reverse("indicator_import")
    response = client.post(url, {"step": "preview", "csv": GOOD})
    html = response.content.decode()
    assert "Preview: nothing is saved yet" in html and "3 new, 0 changed, 0 unchanged" in html
    assert not IndicatorValue.objects.exists()
    response = client.post(url, {"step": "apply", "csv": GOOD})
    assert response.status_code == 302
    assert IndicatorValue.objects.count() == 3
    bad = client.post(url, {"step": "apply", "csv": GOOD + "conceptions,1800x,1,\n"})
    assert "The file has problems: nothing has been imported" in bad.content.decode()
    assert "Line 5, column “period”" in bad.content.decode()
    assert IndicatorValue.objects.count() == 3


def test_export_has_the_import_shape_and_round_trips(client, kpis):
    apply_import(plan_import(GOOD, partnership=f.default_partnership(), may_change=lambda a: True))
    client.force_login(kpis.officer)
    text = client.get(reverse("indicator_export")).content.decode()
    assert text.splitlines()[0] == "indicator,period,value,national,comparator,commentary,awaiting_reason"
    assert "conceptions,2007,55.1,41.2,48," in text and "smoking,2008-Q1,1234,,," in text
    assert plan_import(text, partnership=f.default_partnership(), may_change=lambda a: True).counts["unchanged"] == 3
    client.force_login(kpis.facilitator)
    template = client.get(reverse("indicator_template")).content.decode()
    assert template.splitlines()[0] == "indicator,period,value,national,comparator,commentary,awaiting_reason"
    assert "smoking,2009-Q1,,,," in template


# --- Charts and pages -----------------------------------------------------------------------


def test_chart_is_valid_svg_with_every_point(kpis):
    values = vals(kpis.conceptions, [60, 57, 54, 51, 48], national=[45, 44, 43, 42, 41])
    kpis.conceptions.target = Decimal("45")
    svg = Template("{% load indicators %}{% indicator_chart i values %}").render(
        Context({"i": kpis.conceptions, "values": values})
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.find(f"{ns}title").text.startswith("Teenage conceptions per 1,000")
    assert "from 60 to 48" in root.find(f"{ns}desc").text and "improving" in root.find(f"{ns}desc").text
    assert len(root.findall(f"{ns}circle")) == 5
    polylines = root.findall(f"{ns}polyline")
    assert len(polylines) == 2 and len(polylines[0].get("points").split()) == 5
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "2004" in texts and "Target" in texts


def test_empty_chart_is_valid_svg(kpis):
    svg = Template("{% load indicators %}{% indicator_chart i values True %}").render(
        Context({"i": kpis.smoking, "values": []})
    )
    assert "No values yet" in ET.tostring(ET.fromstring(svg), encoding="unicode")


def test_area_page_and_workspace_show_the_indicators(client, kpis):
    vals(kpis.conceptions, [60, 57, 54, 51, 48])
    kpis.session.areas.add(kpis.health_inequalities)
    client.force_login(kpis.reviewer)
    html = client.get(reverse("area_page", args=["health-inequalities"])).content.decode()
    assert "Teenage conceptions per 1,000" in html and "Improving" in html and "How these judgements are made" in html
    assert "Import CSV" not in html
    ws = client.get(reverse("workspace", args=[kpis.session.pk, kpis.health_inequalities.pk])).content.decode()
    trajectory = ws[ws.index("2. Trajectory") :]
    assert (
        "The data: indicators for Health inequalities" in trajectory and "Teenage conceptions per 1,000" in trajectory
    )
    detail = client.get(reverse("indicator_detail", args=[kpis.conceptions.pk])).content.decode()
    assert "<caption>Teenage conceptions per 1,000: the numbers" in detail and '<th scope="row">2008</th>' in detail


def test_infographic_puts_worst_trajectories_first(client, kpis):
    vals(kpis.conceptions, [50, 52, 55, 57, 60])  # lower is better: declining
    vals(kpis.burglary, [60, 57, 55, 52, 50])  # higher is better by default: declining too
    good = ind(kpis.safeguarding, code="good", name="Good one", polarity="higher")
    vals(good, [1, 2, 3, 4, 5])
    client.force_login(kpis.officer)
    rows = client.get(reverse("infographic", args=["caa-2009"])).context["rows"]
    assert rows[-1]["area"].name == "Safeguarding children"
    assert rows[0]["shown"][0].assessment.direction == "declining"


@pytest.mark.parametrize(
    "who,may", [("facilitator", True), ("lead", True), ("reviewer", False), ("officer", False), ("outsider", False)]
)
def test_only_facilitators_and_area_leads_change_indicators(client, kpis, who, may):
    client.force_login(getattr(kpis, who))
    for url in [reverse("indicator_import"), reverse("indicator_template")]:
        assert client.get(url).status_code == (200 if may else 403)
    response = client.post(
        reverse("indicator_import"), {"step": "apply", "csv": "indicator,period,value\nburglary,2008,1\n"}
    )
    if who == "lead":  # the lead leads safeguarding, not safer city
        assert "You may not change the indicators of Safer city." in response.content.decode()
    assert IndicatorValue.objects.filter(indicator=kpis.burglary).exists() == (who == "facilitator")


def test_indicator_pages_access(client, kpis):
    urls = [
        reverse("area_page", args=["safer-city"]),
        reverse("indicator_detail", args=[kpis.burglary.pk]),
        reverse("infographic", args=["caa-2009"]),
        reverse("indicator_export"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(kpis.outsider)
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(kpis.reviewer)
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.post(url).status_code == 405, url
    assert client.get(reverse("indicator_detail", args=[999999])).status_code == 404


def test_panel_queries_do_not_grow_with_values(client, kpis, django_assert_max_num_queries):
    client.force_login(kpis.officer)
    url = reverse("area_page", args=["health-inequalities"])
    vals(kpis.conceptions, [1, 2])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    vals(kpis.smoking, list(range(40)), start=1960)
    vals(kpis.conceptions, list(range(30)), start=1970)
    with django_assert_max_num_queries(12) as many:
        client.get(url)
    assert len(few) == len(many)


def test_pdf_includes_the_indicators(kpis):
    from evaluations.pdf import self_evaluation_pdf
    from evaluations.services import current_self_evaluation
    from tests.findings.test_findings import pdf_text

    vals(kpis.conceptions, [60, 57, 54, 51, 48])
    se = current_self_evaluation(programme=kpis.programme, area=kpis.health_inequalities)
    text = pdf_text(self_evaluation_pdf(se))
    assert "Performance indicators" in text and "conceptions per 1,000: the numbers" in text
    assert "Direction of travel: improving" in text


@pytest.mark.parametrize("name", ["indicator_import", "indicator_template", "indicator_export"])
def test_import_and_export_queries_do_not_grow_with_areas(client, kpis, name, django_assert_max_num_queries):
    client.force_login(kpis.facilitator)
    url = reverse(name)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    for i in range(10):
        area = f.area(kpis.police, slug=f"more-{i}")
        kpis.programme.areas.add(area)
        ind(area, code=f"more-{i}")
    with django_assert_max_num_queries(15) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


def test_area_lists_match_the_single_area_rules(kpis):
    from indicators.permissions import areas_changeable_by, can_change_indicators
    from programmes.models import ThematicArea
    from programmes.permissions import areas_visible_to, can_view_area

    f.area(kpis.fire, slug="not-in-any-programme")
    for who in ["facilitator", "lead", "reviewer", "officer", "outsider"]:
        user = getattr(kpis, who)
        areas = list(ThematicArea.objects.all())
        assert set(areas_visible_to(user)) == {a for a in areas if can_view_area(user, a)}, who
        assert set(areas_changeable_by(user)) == {a for a in areas if can_change_indicators(user, a)}, who
