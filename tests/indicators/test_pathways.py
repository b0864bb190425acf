"""The journey of the child: an area's pathway of stages, each with its volume and timeliness
KPIs and their benchmarks, as a funnel (inline SVG with a title, a description and a table
beside it) on the area page and its own page; set up by the partnership's facilitators."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import pathways
from indicators.models import Indicator, Pathway, PathwayStage
from indicators.services import record_value
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def setup_person(world):
    return f.person(world.council, "setup", first_name="Sam", last_name="Setup", is_facilitator=True)


def kpi(area, code, name, value, national=None, comparator=None, unit="count"):
    indicator = Indicator.objects.create(area=area, code=code, name=name, unit=unit)
    record_value(
        indicator=indicator,
        period_start=datetime.date(2021, 1, 1),
        value=Decimal(value),
        national=None if national is None else Decimal(national),
        comparator=None if comparator is None else Decimal(comparator),
    )
    return indicator


@pytest.fixture
def pathway(world):
    area = world.safeguarding
    contacts = kpi(area, "contacts", "Contacts", 8000)
    referrals = kpi(area, "referrals", "Referrals", 2000, national=1900)
    assessments = kpi(area, "assessments", "Assessments", 1600)
    in_45_days = kpi(area, "in-45", "Assessments within 45 days", 81, national=84, comparator=86, unit="percent")
    pathways.add_stage(area=area, name="Contact", position=1, volume_indicator=contacts, timeliness_indicator=None)
    pathways.add_stage(area=area, name="Referral", position=2, volume_indicator=referrals, timeliness_indicator=None)
    pathways.add_stage(
        area=area, name="Assessment", position=3, volume_indicator=assessments, timeliness_indicator=in_45_days
    )
    pathways.add_stage(area=area, name="Leaving care", position=4, volume_indicator=None, timeliness_indicator=None)
    return Pathway.objects.get(area=area)


def test_the_funnel_is_a_labelled_image_whose_bars_follow_the_volumes(world, pathway):
    from indicators.templatetags.indicators import pathway_funnel

    svg = pathway_funnel(*pathways.pathway_readings(world.safeguarding))
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "funnel-title"
    assert root.find(f"{SVG}title").text == "The journey of the child: the stages as a funnel"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("4 stages, from Contact to Leaving care.")
    assert "assessment: volume: 1,600 in 2021" in desc.lower()
    assert "timeliness: 81% (national 84, neighbours 86)" in desc
    bars = list(root.iter(f"{SVG}rect"))
    widths = [float(r.get("width")) for r in bars]
    assert widths[0] > widths[1] > widths[2]
    assert widths[1] / widths[0] == pytest.approx(0.25, abs=0.01)
    assert bars[3].get("stroke-dasharray") == "4 4"  # not measured: an outline, not a bar
    # Centred: a funnel.
    centres = {round(float(r.get("x")) + float(r.get("width")) / 2) for r in bars}
    assert len(centres) == 1


def test_the_area_page_and_the_pathway_page_show_the_funnel_and_its_table(client, world, pathway):
    client.force_login(world.officer)
    for url in (reverse("area_page", args=["safeguarding"]), reverse("pathway_page", args=["safeguarding"])):
        page = " ".join(client.get(url).content.decode().split())
        assert 'class="pathway-funnel"' in page
        assert "The journey of the child: each stage's volume and timeliness, with the benchmarks" in page
        assert "Assessments within 45 days, 2021" in page
        assert "Not measured" in page


def test_a_partnership_facilitator_sets_up_the_stages(client, world, setup_person):
    referrals = kpi(world.safeguarding, "referrals", "Referrals", 2000)
    client.force_login(setup_person)
    url = reverse("pathway_manage", args=["safeguarding"])
    response = client.post(url, {"name": "Referral", "position": "2", "volume_indicator": referrals.pk})
    assert response.status_code == 302
    stage = PathwayStage.objects.get()
    assert (stage.pathway.area, stage.volume_indicator) == (world.safeguarding, referrals)
    again = client.post(url, {"name": "referral", "position": "3"})
    assert again.status_code == 200 and again.context["form"].errors["name"] == [
        "The pathway already has a stage of this name."
    ]
    other = kpi(world.safer_city, "burglary", "Burglary", 5)
    refused = client.post(url, {"name": "Contact", "position": "1", "volume_indicator": other.pk})
    assert "volume_indicator" in refused.context["form"].errors
    edit = reverse("pathway_stage_edit", args=["safeguarding", stage.pk])
    data = {"name": "Referrals", "position": "2", "volume_indicator": referrals.pk, "revision": 1}
    assert client.post(edit, data).status_code == 302
    stale = client.post(edit, data | {"name": "Mine"})
    assert stale.status_code == 409 and stale.context["conflict"] is not None and "Mine" in stale.content.decode()
    assert client.post(reverse("pathway_stage_remove", args=["safeguarding", stage.pk])).status_code == 302
    assert not PathwayStage.objects.exists() and Indicator.objects.filter(pk=referrals.pk).exists()


@pytest.mark.parametrize("who", ["setup", "facilitator", "officer", "lead", "reviewer", "outsider"])
def test_permissions(client, world, pathway, setup_person, who):
    """Whoever reads the area sees its pathway; only the partnership's facilitators set it up."""
    person = setup_person if who == "setup" else getattr(world, who)
    client.force_login(person)
    stage = PathwayStage.objects.order_by("position").first()
    view = client.get(reverse("pathway_page", args=["safeguarding"])).status_code
    assert view == (403 if who == "outsider" else 200)
    manage_urls = [
        reverse("pathway_manage", args=["safeguarding"]),
        reverse("pathway_stage_edit", args=["safeguarding", stage.pk]),
    ]
    for url in manage_urls:
        assert client.get(url).status_code == (200 if who == "setup" else 403)
    if who != "setup":
        for url in [*manage_urls, reverse("pathway_stage_remove", args=["safeguarding", stage.pk])]:
            assert client.post(url, {"name": "Forged", "position": "9"}).status_code == 403
        assert PathwayStage.objects.count() == 4 and not PathwayStage.objects.filter(name="Forged").exists()


def test_another_partnership_sees_nothing(client, world, pathway):
    elsewhere = f.partnership("Southampton", "southampton-pathways")
    stranger = f.person(f.partner("Southampton City Council", elsewhere), "stranger", is_facilitator=True)
    client.force_login(stranger)
    stage = PathwayStage.objects.first()
    for url in (
        reverse("pathway_page", args=["safeguarding"]),
        reverse("pathway_manage", args=["safeguarding"]),
        reverse("pathway_stage_edit", args=["safeguarding", stage.pk]),
    ):
        assert client.get(url).status_code == 404


def test_pathway_page_queries(client, world, pathway, setup_person, django_assert_num_queries):
    client.force_login(setup_person)
    url = reverse("pathway_page", args=["safeguarding"])
    client.get(url)
    # session, user, area, memberships, pathway, its stages with their KPIs, the KPIs' readings
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_pathway_manage_queries(client, world, pathway, setup_person, django_assert_num_queries):
    client.force_login(setup_person)
    url = reverse("pathway_manage", args=["safeguarding"])
    client.get(url)
    # session, user, area, memberships, the form's two lists of KPIs, pathway, stages, readings
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_stage_edit_queries(client, world, pathway, setup_person, django_assert_num_queries):
    client.force_login(setup_person)
    url = reverse("pathway_stage_edit", args=["safeguarding", PathwayStage.objects.first().pk])
    client.get(url)
    # session, user, area, memberships, the stage, the form's two lists of KPIs
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_a_volume_on_another_scale_is_named_not_drawn_against_the_others(world, pathway):
    from indicators.templatetags.indicators import pathway_funnel

    rate = kpi(world.safeguarding, "cin-rate", "Children in need per 1,000", 38.7, unit="per_1000")
    pathways.add_stage(
        area=world.safeguarding, name="Child in need", position=5, volume_indicator=rate, timeliness_indicator=None
    )
    root = ET.fromstring(pathway_funnel(*pathways.pathway_readings(world.safeguarding)))
    rects = list(root.iter(f"{SVG}rect"))
    assert rects[4].get("stroke-dasharray") == "4 4"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Volume: 38.7 in 2021 (rate per 1,000, not on the funnel's scale)" in texts
