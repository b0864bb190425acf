"""Indicators set up in the app (issue 13): a partnership's facilitators define, change, retire
and restore its indicators (codes unique in the partnership); each change of target is kept in
the indicator's target history; facilitators and the area's leads enter values one period at a
time, with a commentary."""

import datetime
import importlib
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from challenge import clock
from indicators.csv_import import apply_import, plan_import
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.selectors import indicators_for_area, infographic, target_applying
from indicators.services import record_value
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2010, 3, 15)


@pytest.fixture
def setter(world):
    """A partnership facilitator: sets the partnership up, no programme role of their own."""
    return f.person(world.council, "setter", first_name="Sue", last_name="Setter", is_facilitator=True)


@pytest.fixture
def elsewhere(db):
    """Another partnership, with an area, an indicator and a member of its own."""
    other = create_partnership(name="Elsewhere Partnership", slug="elsewhere")
    partner = f.partner("Elsewhere Council", other)
    area = f.area(partner, "Elsewhere area", slug="elsewhere-area")
    return {
        "partnership": other,
        "area": area,
        "stranger": f.person(partner, "stranger"),
        "indicator": Indicator.objects.create(area=area, code="kpi", name="Their KPI"),
    }


@pytest.fixture
def kpi(world):
    indicator = Indicator.objects.create(
        area=world.safeguarding, code="kpi", name="Children in need", target=Decimal(50), frequency="quarter"
    )
    for month, number in [(1, 40), (4, 42)]:
        record_value(indicator=indicator, period_start=datetime.date(2009, month, 1), value=Decimal(number))
    return indicator


def _slug(world):
    return world.programme.partnership.slug


def _indicator_data(world, **overrides):
    data = {
        "area": world.safer_city.pk,
        "code": "burglary",
        "name": "Burglaries per 1,000 households",
        "definition": "Domestic burglaries.",
        "unit": "per_1000",
        "polarity": "lower",
        "frequency": "year",
        "source": "Police recorded crime",
        "target": "20",
        "target_date": "2011-03-31",
        "position": "1",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# --- Define, change, retire --------------------------------------------------------------------


def test_a_facilitator_defines_an_indicator_and_its_target_begins_its_history(client, world, setter):
    client.force_login(setter)
    url = reverse("indicator_create", args=[_slug(world)])
    page = client.get(url).content.decode()
    assert "Add an indicator" in page and world.safer_city.name in page
    data = _indicator_data(world)
    with clock.pinned(TODAY):
        response = client.post(url, data)
        again = client.post(url, data)  # a double submit
    indicator = Indicator.objects.get(code="burglary")
    assert response.status_code == 302 and response.url == indicator.get_absolute_url()
    assert again.status_code == 302 and Indicator.objects.filter(code="burglary").count() == 1
    assert (indicator.area, indicator.partnership, indicator.target) == (
        world.safer_city,
        world.programme.partnership,
        Decimal(20),
    )
    assert list(indicator.targets.values_list("applies_from", "target", "target_date")) == [
        (TODAY, Decimal(20), datetime.date(2011, 3, 31))
    ]
    assert indicator.assessed_on_track == "insufficient"  # a target, no values yet


def test_codes_are_unique_in_a_partnership_not_across_partnerships(client, world, setter, elsewhere):
    # The same code as another partnership's indicator: allowed.
    mine = Indicator.objects.create(area=world.safeguarding, code="kpi", name="Our KPI")
    assert mine.partnership == world.programme.partnership
    # The database refuses a second in the same partnership, whatever the area.
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(area=world.safer_city, code="kpi", name="Again")
    # The form says so beside the code, keeping what was typed.
    client.force_login(setter)
    page = client.post(
        reverse("indicator_create", args=[_slug(world)]), _indicator_data(world, code="kpi", name="Kept name")
    ).content.decode()
    assert "Another indicator of the partnership has the code “kpi”: choose another." in page
    assert 'id="error_1_id_code"' in page and 'value="Kept name"' in page
    assert Indicator.objects.filter(code="kpi").count() == 2


def test_an_area_of_another_partnership_is_refused_beside_the_field(client, world, setter, elsewhere):
    client.force_login(setter)
    page = client.post(
        reverse("indicator_create", args=[_slug(world)]), _indicator_data(world, area=elsewhere["area"].pk)
    ).content.decode()
    assert "Select a valid choice" in page and 'id="error_1_id_area"' in page
    assert "Elsewhere area" not in page
    assert not Indicator.objects.filter(code="burglary").exists()
    # Nor may an indicator be moved to it.
    mine = Indicator.objects.create(area=world.safeguarding, code="mine", name="Mine")
    page = client.post(
        reverse("indicator_edit", args=[_slug(world), mine.pk]),
        _indicator_data(world, area=elsewhere["area"].pk, code="mine", revision="0"),
    ).content.decode()
    assert "Select a valid choice" in page
    assert Indicator.objects.get(pk=mine.pk).area == world.safeguarding


def _edit_data(indicator, **overrides):
    data = {
        "area": indicator.area_id,
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "frequency": indicator.frequency,
        "source": indicator.source,
        "target": "" if indicator.target is None else str(indicator.target),
        "target_date": "",
        "position": str(indicator.position),
        "revision": str(indicator.revision),
    }
    data.update(overrides)
    return data


def test_a_new_target_is_added_to_the_history_and_each_period_keeps_its_own(client, world, setter, kpi):
    IndicatorTarget.objects.create(indicator=kpi, applies_from=datetime.date(2009, 1, 1), target=Decimal(50))
    client.force_login(setter)
    url = reverse("indicator_edit", args=[_slug(world), kpi.pk])
    with clock.pinned(datetime.date(2009, 6, 10)):
        response = client.post(url, _edit_data(kpi, target="45", name="Children in need (rate)"))
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.name, kpi.target, kpi.revision) == ("Children in need (rate)", Decimal(45), 1)
    assert list(kpi.targets.values_list("applies_from", "target")) == [
        (datetime.date(2009, 1, 1), Decimal(50)),
        (datetime.date(2009, 6, 10), Decimal(45)),
    ]
    # A value of a later period is shown with the target that applied then.
    record_value(indicator=kpi, period_start=datetime.date(2009, 7, 1), value=Decimal(44))
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "Target history" in page and "From 10 June 2009:" in page
    table = page[page.index("indicator-table") :]
    rows = table.split('<th scope="row">')[1:]
    assert [row.split("</th>")[0] for row in rows] == ["2009-Q1", "2009-Q2", "2009-Q3"]
    assert ">50<" in rows[0].replace(" ", "").replace("\n", "") and ">45<" in rows[2].replace(" ", "").replace("\n", "")
    # Changing nothing about the target adds nothing to its history.
    kpi.refresh_from_db()
    client.post(url, _edit_data(kpi, definition="Per 10,000 children."))
    assert kpi.targets.count() == 2


def test_target_applying_is_the_last_set_by_then():
    a = IndicatorTarget(applies_from=datetime.date(2008, 1, 1), target=Decimal(1))
    b = IndicatorTarget(applies_from=datetime.date(2009, 4, 1), target=Decimal(2))
    assert target_applying([b, a], datetime.date(2007, 12, 31)) is None
    assert target_applying([b, a], datetime.date(2008, 1, 1)) is a
    assert target_applying([b, a], datetime.date(2009, 3, 31)) is a
    assert target_applying([b, a], datetime.date(2012, 1, 1)) is b


def test_a_stale_edit_is_refused_and_what_was_typed_kept(client, world, setter, kpi):
    client.force_login(setter)
    url = reverse("indicator_edit", args=[_slug(world), kpi.pk])
    opened = _edit_data(kpi)
    client.post(url, _edit_data(kpi, name="Someone else's name"))
    page = client.post(url, opened | {"name": "My name"}).content.decode()
    assert "This indicator changed while you were editing it" in page
    assert "Someone else&#x27;s name" in page and 'value="My name"' in page
    assert Indicator.objects.get(pk=kpi.pk).name == "Someone else's name"
    # Saved again from the form as shown (it carries the revision saved now): accepted.
    assert client.post(url, opened | {"name": "My name", "revision": "1"}).status_code == 302


def test_the_frequency_stays_while_there_are_values(client, world, setter, kpi):
    client.force_login(setter)
    page = client.post(
        reverse("indicator_edit", args=[_slug(world), kpi.pk]), _edit_data(kpi, frequency="year")
    ).content.decode()
    assert "the frequency cannot change while it has them" in page
    assert Indicator.objects.get(pk=kpi.pk).frequency == "quarter"


def test_a_retired_indicator_keeps_its_values_leaves_the_current_lists_and_comes_back(client, world, setter, kpi):
    client.force_login(setter)
    with clock.pinned(TODAY):
        response = client.post(reverse("indicator_retire", args=[_slug(world), kpi.pk]))
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.retired_on == TODAY and kpi.values.count() == 2
    assert kpi not in indicators_for_area(world.safeguarding)
    assert all(kpi.pk not in [i.pk for i in row["shown"]] for row in infographic(world.programme))
    area_page = client.get(reverse("area_page", args=["safeguarding"])).content.decode()
    assert "Retired indicators" in area_page and "retired on 15 March 2010" in area_page
    assert "indicator-card" not in area_page
    listing = client.get(reverse("partnership_indicators", args=[_slug(world)])).content.decode()
    assert "Retired" in listing and reverse("indicator_restore", args=[_slug(world), kpi.pk]) in listing
    detail = client.get(kpi.get_absolute_url()).content.decode()
    assert "Retired on 15 March 2010" in detail and '<th scope="row">2009-Q2</th>' in detail

    client.post(reverse("indicator_restore", args=[_slug(world), kpi.pk]))
    kpi.refresh_from_db()
    assert kpi.retired_on is None and [i.pk for i in indicators_for_area(world.safeguarding)] == [kpi.pk]


def test_the_list_groups_the_partnerships_indicators_by_area(client, world, setter, kpi, elsewhere):
    Indicator.objects.create(area=world.safer_city, code="crime", name="All crime")
    client.force_login(setter)
    page = client.get(reverse("partnership_indicators", args=[_slug(world)])).content.decode()
    assert page.index("Safeguarding children") < page.index("Children in need") < page.index("Safer city")
    assert page.index("Safer city") < page.index("All crime")
    assert "Their KPI" not in page and "Elsewhere" not in page
    home = client.get(reverse("partnership_home", args=[_slug(world)])).content.decode()
    assert reverse("partnership_indicators", args=[_slug(world)]) in home


# --- Values, one period at a time ---------------------------------------------------------------


def _value_data(**overrides):
    data = {
        "period": "2009-Q3",
        "value": "44.5",
        "national": "41",
        "comparator": "",
        "commentary": "A <b>new</b> way of counting from July.\nSecond line.",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_areas_lead_adds_a_value_with_its_commentary(client, world, kpi):
    client.force_login(world.lead)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "Add a value" in page and 'name="commentary"' in page
    url = reverse("indicator_value_add", args=[kpi.pk])
    data = _value_data()
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == kpi.get_absolute_url()
    assert client.post(url, data).status_code == 302  # a double submit: one value
    value = IndicatorValue.objects.get(indicator=kpi, period_start=datetime.date(2009, 7, 1))
    assert (value.value, value.national, value.comparator) == (Decimal("44.5"), Decimal(41), None)
    assert kpi.values.count() == 3
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "A &lt;b&gt;new&lt;/b&gt; way of counting from July.<br>Second line." in page
    assert "<b>new</b>" not in page
    kpi.refresh_from_db()
    assert kpi.latest_period_start == datetime.date(2009, 7, 1)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2009-Q1", "This indicator already has a value for 2009-Q1: change that one instead."),
        ("2009-02-01", "“2009-02-01” is not the first day of a period of this indicator: write YYYY-Qn"),
        ("2009", "“2009” is not a period of this indicator: write YYYY-Qn, e.g. 2008-Q3."),
    ],
)
def test_a_bad_period_is_refused_beside_the_field_and_nothing_typed_is_lost(client, world, kpi, period, message):
    client.force_login(world.facilitator)
    page = client.post(
        reverse("indicator_value_add", args=[kpi.pk]), _value_data(period=period, commentary="Kept commentary")
    ).content.decode()
    assert message in page and 'id="error_1_id_period"' in page
    assert "Kept commentary" in page and 'value="44.5"' in page
    assert kpi.values.count() == 2


def test_a_period_given_as_its_first_day_is_taken(client, world, kpi):
    client.force_login(world.facilitator)
    assert (
        client.post(reverse("indicator_value_add", args=[kpi.pk]), _value_data(period="2009-10-01")).status_code == 302
    )
    assert kpi.values.filter(period_start=datetime.date(2009, 10, 1)).exists()


def test_a_value_is_changed_deleted_and_a_stale_change_refused(client, world, kpi):
    value = kpi.values.get(period_start=datetime.date(2009, 4, 1))
    url = reverse("indicator_value_edit", args=[kpi.pk, value.pk])
    client.force_login(world.facilitator)
    page = client.get(url).content.decode()
    assert 'value="2009-Q2"' in page and 'value="42"' in page
    opened = _value_data(period="2009-Q2", value="43", revision=str(value.revision))
    # Someone else's import changes it meanwhile.
    apply_import(
        plan_import(
            "indicator,period,value\nkpi,2009-Q2,39\n", partnership=kpi.partnership, may_change=lambda area: True
        )
    )
    page = client.post(url, opened).content.decode()
    assert "This value changed while you were editing it" in page and 'value="43"' in page
    assert kpi.values.get(pk=value.pk).value == Decimal(39)
    # Deleting from the page as it was first shown: refused as well.
    page = client.post(reverse("indicator_value_delete", args=[kpi.pk, value.pk]), {"revision": "0"}).content.decode()
    assert "This value changed while you were editing it" in page
    assert kpi.values.filter(pk=value.pk).exists()
    # From the form as shown now: saved.
    fresh = kpi.values.get(pk=value.pk)
    assert client.post(url, opened | {"revision": str(fresh.revision)}).status_code == 302
    fresh.refresh_from_db()
    assert fresh.value == Decimal(43) and fresh.commentary.startswith("A <b>new</b>")
    # Moved onto a period that has a value: refused beside the period.
    page = client.post(url, opened | {"period": "2009-Q1", "revision": str(fresh.revision)}).content.decode()
    assert "already has a value for 2009-Q1" in page
    response = client.post(reverse("indicator_value_delete", args=[kpi.pk, value.pk]), {"revision": fresh.revision})
    assert response.status_code == 302 and not kpi.values.filter(pk=value.pk).exists()
    kpi.refresh_from_db()
    assert kpi.latest_period_start == datetime.date(2009, 1, 1)


def test_an_import_carries_the_commentary_and_an_old_file_leaves_it(world, kpi, elsewhere):
    text = 'indicator,period,value,commentary\nkpi,2009-Q2,42,"Strike, so fewer referrals"\nkpi,2009-Q3,45,\n'
    plan = plan_import(text, partnership=kpi.partnership, may_change=lambda area: True)
    assert plan.counts == {"new": 1, "changed": 1, "unchanged": 0}
    apply_import(plan)
    assert kpi.values.get(period_start=datetime.date(2009, 4, 1)).commentary == "Strike, so fewer referrals"
    old = "indicator,period,value,national,comparator\nkpi,2009-Q2,42,,\n"
    plan = plan_import(old, partnership=kpi.partnership, may_change=lambda area: True)
    assert plan.counts == {"new": 0, "changed": 0, "unchanged": 1}
    apply_import(plan_import(old.replace(",42,", ",41,"), partnership=kpi.partnership, may_change=lambda a: True))
    value = kpi.values.get(period_start=datetime.date(2009, 4, 1))
    assert (value.value, value.commentary) == (Decimal(41), "Strike, so fewer referrals")
    # The same code in the other partnership is theirs: their indicator gets their file's values.
    theirs = plan_import(
        "indicator,period,value\nkpi,2009,7\n", partnership=elsewhere["partnership"], may_change=lambda area: True
    )
    assert not theirs.errors and [row.indicator for row in theirs.rows] == [elsewhere["indicator"]]


def test_someone_of_two_partnerships_chooses_which_one_a_file_is_for(client, world, kpi, elsewhere):
    f.member(world.lead, partnership_=elsewhere["partnership"], is_facilitator=True)
    client.force_login(world.lead)
    url = reverse("indicator_import")
    page = client.get(url).content.decode()
    assert 'name="partnership"' in page and "Elsewhere Partnership" in page
    text = "indicator,period,value\nkpi,2009,7\n"
    page = client.post(url, {"step": "preview", "csv": text}).content.decode()
    assert 'id="error_1_id_partnership"' in page and "kpi,2009,7" in page
    response = client.post(url, {"step": "apply", "csv": text, "partnership": "elsewhere"})
    assert response.status_code == 302
    assert elsewhere["indicator"].values.get().value == Decimal(7)
    assert kpi.values.count() == 2  # their "kpi" only
    page = client.post(url, {"step": "apply", "csv": text, "partnership": "nowhere"}).content.decode()
    assert "Select a valid choice" in page


# --- Who may -------------------------------------------------------------------------------------


def _setup_urls(world, kpi):
    slug = _slug(world)
    return {
        "partnership_indicators": reverse("partnership_indicators", args=[slug]),
        "indicator_create": reverse("indicator_create", args=[slug]),
        "indicator_edit": reverse("indicator_edit", args=[slug, kpi.pk]),
        "indicator_retire": reverse("indicator_retire", args=[slug, kpi.pk]),
        "indicator_restore": reverse("indicator_restore", args=[slug, kpi.pk]),
    }


def _value_urls(kpi):
    value = kpi.values.order_by("period_start").first()
    return {
        "indicator_value_add": reverse("indicator_value_add", args=[kpi.pk]),
        "indicator_value_edit": reverse("indicator_value_edit", args=[kpi.pk, value.pk]),
        "indicator_value_delete": reverse("indicator_value_delete", args=[kpi.pk, value.pk]),
    }


def _state():
    return (
        list(Indicator.objects.order_by("pk").values_list("pk", "revision", "retired_on", "name")),
        list(IndicatorValue.objects.order_by("pk").values_list("pk", "revision", "value")),
        IndicatorTarget.objects.count(),
    )


def _call(client, url, method):
    return client.get(url) if method == "get" else client.post(url, {})


SETUP_CALLS = [
    ("partnership_indicators", "get", 200),
    ("indicator_create", "get", 200),
    ("indicator_create", "post", 200),  # (an empty form shown again with its errors)
    ("indicator_edit", "get", 200),
    ("indicator_edit", "post", 200),
    ("indicator_retire", "post", 302),
    ("indicator_restore", "post", 302),
]


@pytest.mark.parametrize(("name", "method", "allowed"), SETUP_CALLS)
def test_who_may_set_indicators_up(client, world, setter, kpi, elsewhere, name, method, allowed):
    url = _setup_urls(world, kpi)[name]
    before = _state()
    response = _call(client, url, method)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Members without the role (a programme facilitator, an officer, the area's lead): refused.
    for person in (world.facilitator, world.officer, world.lead, world.reviewer):
        client.force_login(person)
        assert _call(client, url, method).status_code == 403, person
    client.force_login(elsewhere["stranger"])
    assert _call(client, url, method).status_code == 404
    assert _state() == before
    client.force_login(setter)
    assert _call(client, url, method).status_code == allowed


VALUE_CALLS = [
    ("indicator_value_add", "get"),
    ("indicator_value_add", "post"),  # (an empty form shown again with its errors)
    ("indicator_value_edit", "get"),
    ("indicator_value_edit", "post"),
    ("indicator_value_delete", "post"),  # (without its revision: refused as stale, the form shown)
]


@pytest.mark.parametrize(("name", "method"), VALUE_CALLS)
def test_who_may_enter_values(client, world, setter, kpi, elsewhere, name, method):
    url = _value_urls(kpi)[name]
    before = _state()
    response = _call(client, url, method)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Members who read the area but neither facilitate nor lead it: refused.
    for person in (world.officer, world.reviewer):
        client.force_login(person)
        assert _call(client, url, method).status_code == 403, person
    client.force_login(world.outsider)  # a member who may not even read the area
    assert _call(client, url, method).status_code == 403
    client.force_login(elsewhere["stranger"])
    assert _call(client, url, method).status_code == 404
    assert _state() == before
    for person in (world.lead, world.facilitator, setter):
        client.force_login(person)
        assert _call(client, url, method).status_code == 200, person
    assert _state() == before


def test_the_value_forms_are_offered_only_to_those_who_may(client, world, setter, kpi):
    client.force_login(world.reviewer)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "Add a value" not in page and "Change the indicator" not in page
    assert reverse("indicator_value_edit", args=[kpi.pk, kpi.values.first().pk]) not in page
    client.force_login(world.lead)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "Add a value" in page and "Change the indicator" not in page
    client.force_login(setter)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert reverse("indicator_edit", args=[_slug(world), kpi.pk]) in page


# --- What each page costs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("partnership_indicators", 6),
        ("indicator_create", 5),
        ("indicator_edit", 6),
        # A partnership facilitator may enter values by their membership: no query asks.
        ("indicator_value_add", 4),
        ("indicator_value_edit", 5),
    ],
)
def test_each_page_costs_a_fixed_number_of_queries(
    client, world, setter, kpi, django_assert_num_queries, name, expected
):
    url = (_setup_urls(world, kpi) | _value_urls(kpi))[name]
    client.force_login(setter)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for n in range(3):  # more areas, indicators, values and targets: the same
        area = f.area(world.council, f"More {n}")
        more = Indicator.objects.create(area=area, code=f"more-{n}", name=f"More {n}", target=Decimal(n))
        IndicatorTarget.objects.create(indicator=more, applies_from=datetime.date(2009, 1, 1), target=Decimal(n))
        Indicator.objects.create(area=world.safeguarding, code=f"old-{n}", name=f"Old {n}").retired_on = TODAY
        record_value(indicator=kpi, period_start=datetime.date(2010, 1 + 3 * n, 1), value=Decimal(n))
    Indicator.objects.filter(code__startswith="old-").update(retired_on=TODAY)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


# --- The migration ---------------------------------------------------------------------------------


def test_the_migration_begins_each_target_history(world, kpi):
    migration = importlib.import_module("indicators.migrations.0004_fill_partnership_and_targets")
    untargeted = Indicator.objects.create(area=world.safer_city, code="none", name="No target")
    valueless = Indicator.objects.create(area=world.safer_city, code="empty", name="Empty", target=Decimal(3))
    IndicatorTarget.objects.all().delete()
    with clock.pinned(TODAY):
        migration.fill(apps, None)
    assert list(IndicatorTarget.objects.order_by("indicator_id").values_list("indicator_id", "applies_from")) == [
        (kpi.pk, datetime.date(2009, 1, 1)),  # its first value's period
        (valueless.pk, TODAY),
    ]
    assert not untargeted.targets.exists()
    migration.fill(apps, None)  # again: nothing more
    assert IndicatorTarget.objects.count() == 2
