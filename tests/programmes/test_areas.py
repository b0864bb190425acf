"""A partnership's thematic areas and their focus topics, set up in the app by its
facilitators (issue 13): who may, adding, editing (never overwriting someone else's save),
retiring and bringing back an area, its focus topics (add, rename, reorder, delete, with and
without htmx), pickers that stay inside the partnership, and the focus topics shown where the
area is: its page, the session workspace and the self-evaluation PDFs."""

import datetime

import pytest
from django.urls import reverse

from challenge.editing import STALE_MESSAGE
from evaluations.area_pdf import part_document, part_html
from evaluations.pdf import self_evaluation_html
from evaluations.selectors import compile_area
from evaluations.services import current_self_evaluation
from programmes import areas, cycles
from programmes.area_views import TOPICS_CHANGED
from programmes.models import FocusTopic, Membership, Programme, ThematicArea
from programmes.programme_setup_forms import ProgrammeForm
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

TOKEN = "5f0c8f38-6c2c-4b5e-9a57-0b8c7f9bde51"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def setup(world):
    """The world, with a partnership facilitator (`boss`) of its partnership and two focus
    topics of safeguarding."""
    world.partnership = world.programme.partnership
    world.boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
    world.pregnancy = areas.add_topic(area=world.safeguarding, name="Teenage pregnancy")
    world.neglect = areas.add_topic(area=world.safeguarding, name="Neglect")
    world.safeguarding.refresh_from_db()
    return world


@pytest.fixture
def boss_client(client, setup):
    client.force_login(setup.boss)
    return client


def url(name, setup, *args):
    return reverse(name, args=[setup.partnership.slug, *args])


def topic_names(area):
    return list(area.focus_topics.order_by("position", "pk").values_list("name", flat=True))


def _area(setup, **extra):
    return {
        "name": "Children's mental health",
        "description": "Waiting times & <early> help",
        "lead_partner": setup.health.pk,
        "lead_officer": setup.health_reviewer.pk,
        **extra,
    }


# --- Who may --------------------------------------------------------------------------------


def _addresses(setup):
    a, t = setup.safeguarding.pk, setup.pregnancy.pk
    return [
        ("GET", url("area_list", setup)),
        ("GET", url("area_create", setup)),
        ("POST", url("area_create", setup)),
        ("GET", url("area_edit", setup, a)),
        ("POST", url("area_edit", setup, a)),
        ("POST", url("area_retire", setup, a)),
        ("POST", url("area_unretire", setup, a)),
        ("POST", url("focus_topic_add", setup, a)),
        ("GET", url("focus_topic_edit", setup, a, t)),
        ("POST", url("focus_topic_edit", setup, a, t)),
        ("POST", url("focus_topic_move", setup, a, t)),
        ("POST", url("focus_topic_delete", setup, a, t)),
    ]


def _state():
    return (
        list(
            ThematicArea.objects.order_by("pk").values_list(
                "name", "lead_partner", "revision", "topics_revision", "retired_on"
            )
        ),
        list(FocusTopic.objects.order_by("pk").values_list("name", "position")),
    )


def _forged(setup):
    """A form that would change something if it were let through."""
    return {**_area(setup), "revision": 0, "direction": "down"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("facilitator", 403), ("officer", 403), ("lead", 403), ("reviewer", 403), ("stranger", 404), ("left", 404)],
)
def test_only_the_partnerships_facilitators_set_up_its_areas(client, setup, who, status):
    if who == "stranger":
        person = f.person(f.partner("Elsewhere", create_partnership(name="Elsewhere")), "stranger", is_facilitator=True)
    elif who == "left":
        person = f.person(setup.council, "gone", is_facilitator=True)
        Membership.objects.filter(person=person).update(is_active=False)
    else:
        person = getattr(setup, who)  # a programme's facilitator does not set the partnership up
    client.force_login(person)
    before = _state()
    for method, address in _addresses(setup):
        response = client.get(address) if method == "GET" else client.post(address, _forged(setup))
        assert response.status_code == status, (method, address)
    assert _state() == before


def test_signed_out_people_are_sent_to_sign_in(client, setup):
    before = _state()
    for method, address in _addresses(setup):
        response = client.get(address) if method == "GET" else client.post(address, _forged(setup))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), address
    assert _state() == before


def test_every_page_opens_for_a_facilitator_and_an_administrator(client, setup, admin_user):
    """No action is the administrator's alone: the partnership's facilitator has them all."""
    for person in (setup.boss, admin_user):
        client.force_login(person)
        for method, address in _addresses(setup):
            if method == "GET":
                assert client.get(address).status_code == 200, address


def test_another_partnerships_area_or_topic_is_not_found(boss_client, setup):
    other = create_partnership(name="Elsewhere")
    theirs = f.area(f.partner("Their council", other), "Their area")
    their_topic = areas.add_topic(area=theirs, name="Their topic")
    assert boss_client.get(reverse("area_list", args=["nowhere"])).status_code == 404
    assert boss_client.get(url("area_edit", setup, theirs.pk)).status_code == 404
    assert boss_client.post(url("area_retire", setup, theirs.pk)).status_code == 404
    assert boss_client.post(url("focus_topic_add", setup, theirs.pk), {"name": "X"}).status_code == 404
    # Their topic through our area's address.
    a = setup.safeguarding.pk
    assert boss_client.get(url("focus_topic_edit", setup, a, their_topic.pk)).status_code == 404
    assert boss_client.post(url("focus_topic_delete", setup, a, their_topic.pk), {"revision": 0}).status_code == 404
    assert FocusTopic.objects.filter(pk=their_topic.pk).exists()
    assert ThematicArea.objects.get(pk=theirs.pk).retired_on is None


# --- The list and the hub ---------------------------------------------------------------------


def test_the_hub_links_the_areas_and_the_list_shows_them_with_their_topics(boss_client, setup):
    home = boss_client.get(url("partnership_home", setup)).content.decode()
    assert f'href="{url("area_list", setup)}"' in home and f'href="{url("area_create", setup)}"' in home
    page = boss_client.get(url("area_list", setup)).content.decode()
    assert page.count("<h1>") == 1
    for name in ("Safeguarding children", "Safer city", "Health inequalities", "Teenage pregnancy;", "Neglect"):
        assert name in page
    assert "No retired areas." in page


# --- Adding and editing an area ---------------------------------------------------------------


def test_add_an_area_with_its_slug_made_from_its_name(boss_client, setup):
    response = boss_client.post(url("area_create", setup), _area(setup))
    area = ThematicArea.objects.get(name="Children's mental health")
    assert response.status_code == 302 and response.url == url("area_edit", setup, area.pk)
    assert (area.partnership, area.slug, area.lead_partner, area.lead_officer) == (
        setup.partnership,
        "childrens-mental-health",
        setup.health,
        setup.health_reviewer,
    )
    page = boss_client.get(response.url).content.decode()
    assert "Waiting times &amp; &lt;early&gt; help" in page  # escaped
    assert page.count('id="id_name"') == 1 and page.count('id="id_topic_name"') == 1  # each label its field


def test_a_slug_taken_by_another_partnerships_area_gets_a_number(boss_client, setup):
    other = create_partnership(name="Elsewhere")
    f.area(f.partner("Their council", other), "Mental health", slug="mental-health")
    boss_client.post(url("area_create", setup), _area(setup, name="Mental health"))
    assert ThematicArea.objects.get(partnership=setup.partnership, name="Mental health").slug == "mental-health-2"


def test_adding_an_area_twice_with_the_same_form_adds_one(boss_client, setup):
    data = _area(setup, submission_token=TOKEN)
    assert boss_client.post(url("area_create", setup), data).status_code == 302
    assert boss_client.post(url("area_create", setup), data).status_code == 302
    assert ThematicArea.objects.filter(name="Children's mental health").count() == 1


def test_an_area_name_is_unique_in_the_partnership(boss_client, setup):
    response = boss_client.post(url("area_create", setup), _area(setup, name="Safer city"))
    assert response.status_code == 200
    assert "already has an area of this name" in response.content.decode()
    assert ThematicArea.objects.filter(name="Safer city").count() == 1


def test_the_lead_officer_must_work_for_the_lead_organisation(boss_client, setup):
    response = boss_client.post(url("area_create", setup), _area(setup, lead_officer=setup.lead.pk))
    assert response.context["form"].errors["lead_officer"] == ["The lead officer must work for the lead organisation."]
    assert "Children&#x27;s mental health" in response.content.decode()  # what was typed is kept
    assert not ThematicArea.objects.filter(name="Children's mental health").exists()


def test_the_pickers_stay_inside_the_partnership(boss_client, setup):
    other = create_partnership(name="Elsewhere")
    their_partner = f.partner("Their council", other)
    their_person = f.person(their_partner, "theirs", first_name="Tom", last_name="Theirs")
    page = boss_client.get(url("area_create", setup)).content.decode()
    assert "Their council" not in page and "Tom Theirs" not in page
    assert "Andrew Kenyon (SCC)" in page
    # A forged form with another partnership's organisation, or their person, is refused beside the field.
    response = boss_client.post(url("area_create", setup), _area(setup, lead_partner=their_partner.pk))
    assert "Select a valid choice" in response.context["form"].errors["lead_partner"][0]
    response = boss_client.post(
        url("area_edit", setup, setup.safeguarding.pk), _area(setup, lead_officer=their_person.pk, revision=0)
    )
    assert "Select a valid choice" in response.context["form"].errors["lead_officer"][0]
    assert not ThematicArea.objects.filter(name="Children's mental health").exists()
    setup.safeguarding.refresh_from_db()
    assert (setup.safeguarding.name, setup.safeguarding.revision) == ("Safeguarding children", 0)


def test_edit_an_area(boss_client, setup):
    area = setup.safeguarding
    response = boss_client.post(
        url("area_edit", setup, area.pk),
        {"name": "Safeguarding children and young people", "lead_partner": setup.council.pk, "revision": 0},
    )
    assert response.status_code == 302 and response.url == url("area_list", setup)
    area.refresh_from_db()
    assert (area.name, area.slug, area.lead_officer, area.revision) == (
        "Safeguarding children and young people",
        "safeguarding",  # its page keeps its address
        None,
        1,
    )


def test_a_stale_area_edit_is_refused_and_what_was_typed_kept(boss_client, setup):
    area = setup.safeguarding
    areas.update_area(
        area=area,
        expected_revision=0,
        name="Safeguarding (saved first)",
        description="",
        lead_partner=setup.council,
        lead_officer=setup.lead,
    )
    response = boss_client.post(
        url("area_edit", setup, area.pk),
        {"name": "My own name", "description": "My typed text", "lead_partner": setup.council.pk, "revision": 0},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert STALE_MESSAGE.split(":")[0] in page and "changed while you were editing it" in page
    assert "Safeguarding (saved first)" in page  # what is saved now, beside the form
    assert "My own name" in page and "My typed text" in page
    assert 'name="revision" value="1"' in page  # saving again applies it knowingly
    area.refresh_from_db()
    assert (area.name, area.revision) == ("Safeguarding (saved first)", 1)


# --- Retiring an area -------------------------------------------------------------------------


def test_retire_and_bring_back_an_area(boss_client, setup):
    area = setup.safer_city
    response = boss_client.post(url("area_retire", setup, area.pk))
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.retired_on == datetime.date(2009, 5, 6)
    # Sent twice: it keeps the day it was first retired.
    areas.set_retired(area=area, retired=True, today=datetime.date(2010, 1, 1))
    area.refresh_from_db()
    assert area.retired_on == datetime.date(2009, 5, 6)
    page = boss_client.get(url("area_list", setup)).content.decode()
    retired_part = page.split('id="retired"')[1]
    assert "Safer city" in retired_part and "6 May 2009" in retired_part
    assert "Safer city" not in page.split('id="retired"')[0].split('id="in-use"')[1]
    # Its history stays: the programme that reviewed it keeps it.
    assert area in setup.programme.areas.all()
    boss_client.post(url("area_unretire", setup, area.pk))
    area.refresh_from_db()
    assert area.retired_on is None


def test_a_retired_area_is_not_offered_to_a_new_programme_but_stays_on_its_own(boss_client, setup):
    area = setup.safer_city
    areas.set_retired(area=area, retired=True)
    area.refresh_from_db()
    new = ProgrammeForm(partnership=setup.partnership)
    assert area not in new.fields["areas"].queryset
    assert setup.safeguarding in new.fields["areas"].queryset
    editing = ProgrammeForm(instance=setup.programme, partnership=setup.partnership)
    assert area in editing.fields["areas"].queryset
    page = boss_client.get(reverse("programme_edit", args=[setup.programme.slug])).content.decode()
    assert "Safer city (retired)" in page
    # A forged form with it is refused beside the field.
    response = boss_client.post(
        reverse("programme_create", args=[setup.partnership.slug]),
        {
            "name": "CAA 2010",
            "start_date": "2010-01-01",
            "end_date": "2010-12-31",
            "areas": [area.pk],
            "question_set": setup.programme.question_set.pk,
            "status": "draft",
        },
    )
    assert "Select a valid choice" in response.context["form"].errors["areas"][0]
    assert not Programme.objects.filter(name="CAA 2010").exists()
    # The service refuses it too, and the next cycle leaves it out.
    with pytest.raises(Exception, match="Retired"):
        cycles.validate_programme(
            partnership=setup.partnership,
            start_date=datetime.date(2010, 1, 1),
            end_date=datetime.date(2010, 12, 31),
            areas=[area],
        )
    assert area not in cycles.plan_roll_forward(setup.programme).areas


def test_a_programme_with_a_retired_area_can_still_be_saved_with_it(boss_client, setup):
    areas.set_retired(area=setup.safer_city, retired=True)
    programme = setup.programme
    response = boss_client.post(
        reverse("programme_edit", args=[programme.slug]),
        {
            "name": programme.name,
            "start_date": programme.start_date.isoformat(),
            "end_date": programme.end_date.isoformat(),
            "areas": [a.pk for a in programme.areas.all()],
            "question_set": programme.question_set.pk,
            "status": programme.status,
            "revision": programme.revision,
        },
    )
    assert response.status_code == 302
    assert setup.safer_city in programme.areas.all()


# --- Focus topics -----------------------------------------------------------------------------


def test_add_a_focus_topic_without_javascript(boss_client, setup):
    area = setup.safeguarding
    response = boss_client.post(url("focus_topic_add", setup, area.pk), {"name": "Looked-after <children>"})
    assert response.status_code == 302 and response.url == url("area_edit", setup, area.pk) + "#focus-topics"
    assert topic_names(area) == ["Teenage pregnancy", "Neglect", "Looked-after <children>"]
    page = boss_client.get(response.url).content.decode()
    assert "Looked-after &lt;children&gt;" in page and "Added the focus topic" in page


def test_add_a_focus_topic_with_htmx_answers_with_the_list_alone(boss_client, setup):
    area = setup.safeguarding
    response = boss_client.post(url("focus_topic_add", setup, area.pk), {"name": "Domestic abuse"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="focus-topics"') and "<h1>" not in page
    assert "Domestic abuse" in page and "Added the focus topic “Domestic abuse”." in page
    assert f'name="revision" value="{area.topics_revision + 1}"' in page  # its buttons at the new revision


def test_adding_a_topic_twice_with_the_same_form_adds_one(boss_client, setup):
    data = {"name": "Domestic abuse", "submission_token": TOKEN}
    boss_client.post(url("focus_topic_add", setup, setup.safeguarding.pk), data)
    boss_client.post(url("focus_topic_add", setup, setup.safeguarding.pk), data)
    assert FocusTopic.objects.filter(name="Domestic abuse").count() == 1


def test_a_topic_name_is_refused_twice_or_empty_beside_the_field(boss_client, setup):
    a = setup.safeguarding.pk
    response = boss_client.post(url("focus_topic_add", setup, a), {"name": "teenage PREGNANCY"})
    assert response.status_code == 200
    assert response.context["topic_form"].errors["name"] == ["The area already has a focus topic of this name."]
    assert "teenage PREGNANCY" in response.content.decode()
    response = boss_client.post(url("focus_topic_add", setup, a), {"name": "Two\nlines"}, **HTMX)
    assert response.context["topic_form"].errors["name"]
    assert topic_names(setup.safeguarding) == ["Teenage pregnancy", "Neglect"]


def test_rename_a_focus_topic(boss_client, setup):
    area, topic = setup.safeguarding, setup.neglect
    page = boss_client.get(url("focus_topic_edit", setup, area.pk, topic.pk)).content.decode()
    assert 'value="Neglect"' in page
    response = boss_client.post(
        url("focus_topic_edit", setup, area.pk, topic.pk), {"name": "Child neglect", "revision": area.topics_revision}
    )
    assert response.status_code == 302
    assert topic_names(area) == ["Teenage pregnancy", "Child neglect"]


def test_a_stale_rename_is_refused_and_what_was_typed_kept(boss_client, setup):
    area, topic = setup.safeguarding, setup.neglect
    opened_at = area.topics_revision
    areas.rename_topic(topic=topic, expected_revision=opened_at, name="Neglect (saved first)")
    response = boss_client.post(
        url("focus_topic_edit", setup, area.pk, topic.pk), {"name": "My name", "revision": opened_at}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed while you were editing it" in page and STALE_MESSAGE.split(":")[0] in page
    assert "Neglect (saved first)" in page and 'value="My name"' in page
    assert topic_names(area) == ["Teenage pregnancy", "Neglect (saved first)"]


def test_reorder_focus_topics_with_and_without_htmx(boss_client, setup):
    area = setup.safeguarding
    third = areas.add_topic(area=area, name="Missing children")
    area.refresh_from_db()
    response = boss_client.post(
        url("focus_topic_move", setup, area.pk, third.pk), {"revision": area.topics_revision, "direction": "up"}
    )
    assert response.status_code == 302
    assert topic_names(area) == ["Teenage pregnancy", "Missing children", "Neglect"]
    area.refresh_from_db()
    response = boss_client.post(
        url("focus_topic_move", setup, area.pk, setup.pregnancy.pk),
        {"revision": area.topics_revision, "direction": "down"},
        **HTMX,
    )
    assert response.status_code == 200 and "<h1>" not in response.content.decode()
    assert topic_names(area) == ["Missing children", "Teenage pregnancy", "Neglect"]
    # The first cannot go up: nothing moves.
    area.refresh_from_db()
    boss_client.post(
        url("focus_topic_move", setup, area.pk, third.pk), {"revision": area.topics_revision, "direction": "up"}
    )
    assert topic_names(area) == ["Missing children", "Teenage pregnancy", "Neglect"]


def test_a_move_sent_twice_moves_once(boss_client, setup):
    area = setup.safeguarding
    data = {"revision": area.topics_revision, "direction": "down"}
    boss_client.post(url("focus_topic_move", setup, area.pk, setup.pregnancy.pk), data)
    response = boss_client.post(url("focus_topic_move", setup, area.pk, setup.pregnancy.pk), data, follow=True)
    assert topic_names(area) == ["Neglect", "Teenage pregnancy"]
    assert TOPICS_CHANGED in response.content.decode()
    response = boss_client.post(url("focus_topic_move", setup, area.pk, setup.pregnancy.pk), data, **HTMX)
    page = response.content.decode()  # the list as it is now, with why nothing moved
    assert response.status_code == 200 and 'role="alert">' + TOPICS_CHANGED in page
    assert page.index("Neglect") < page.index("Teenage pregnancy")


def test_delete_a_focus_topic(boss_client, setup):
    area = setup.safeguarding
    response = boss_client.post(
        url("focus_topic_delete", setup, area.pk, setup.pregnancy.pk), {"revision": area.topics_revision}
    )
    assert response.status_code == 302
    assert topic_names(area) == ["Neglect"]
    # A stale delete (the list changed since) deletes nothing.
    boss_client.post(url("focus_topic_delete", setup, area.pk, setup.neglect.pk), {"revision": 0})
    assert topic_names(area) == ["Neglect"]


def test_moving_a_topic_does_not_refuse_the_areas_form_open_beside_it(boss_client, setup):
    area = setup.safeguarding
    boss_client.post(
        url("focus_topic_move", setup, area.pk, setup.neglect.pk), {"revision": area.topics_revision, "direction": "up"}
    )
    response = boss_client.post(
        url("area_edit", setup, area.pk),
        {"name": "Safeguarding", "lead_partner": setup.council.pk, "lead_officer": setup.lead.pk, "revision": 0},
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "Safeguarding"


# --- Query counts ------------------------------------------------------------------------------


def test_area_pages_query_counts(boss_client, setup, django_assert_num_queries):
    a, t = setup.safeguarding.pk, setup.pregnancy.pk
    with django_assert_num_queries(6):  # + the areas, their topics, however many
        assert boss_client.get(url("area_list", setup)).status_code == 200
    for n in range(3):
        f.area(setup.police, f"More {n}", lead_officer=setup.police_officer)
        areas.add_topic(area=ThematicArea.objects.get(name=f"More {n}"), name="A topic")
    areas.set_retired(area=setup.safer_city, retired=True)
    with django_assert_num_queries(6):
        assert boss_client.get(url("area_list", setup)).status_code == 200
    # The session, the user, the partnership, the user's memberships; then the page's own.
    with django_assert_num_queries(6):  # + organisations, members
        assert boss_client.get(url("area_create", setup)).status_code == 200
    with django_assert_num_queries(8):  # + the area, its topics, organisations, members
        assert boss_client.get(url("area_edit", setup, a)).status_code == 200
    with django_assert_num_queries(6):  # + the area, the topic
        assert boss_client.get(url("focus_topic_edit", setup, a, t)).status_code == 200


# --- Shown where the area is -------------------------------------------------------------------


def test_focus_topics_on_the_area_page(client, setup):
    areas.add_topic(area=setup.safeguarding, name="<script>x</script>")
    client.force_login(setup.officer)
    page = client.get(reverse("area_page", args=["safeguarding"])).content.decode()
    assert "Focus topics:" in page
    assert page.index("Teenage pregnancy") < page.index("Neglect")
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    # An area with none shows nothing of them.
    assert "Focus topics:" not in client.get(reverse("area_page", args=["safer-city"])).content.decode()


def test_focus_topics_in_the_workspace_header(client, setup):
    client.force_login(setup.lead)
    page = client.get(reverse("workspace", args=[setup.session.pk, setup.safeguarding.pk])).content.decode()
    header = page.split("<h1>")[1].split('class="workspace-state"')[0]
    assert "Focus topics:" in header and "Teenage pregnancy" in header and "Neglect" in header


def test_focus_topics_in_the_pdfs(setup, django_assert_num_queries):
    programme, area = setup.programme, setup.safeguarding
    areas.add_topic(area=area, name="Looked-after <children>")
    self_evaluation = current_self_evaluation(programme=programme, area=area)
    html = self_evaluation_html(self_evaluation)
    cover = html.split('class="cover"')[1].split("</section>")[0]
    assert "Focus topics:" in cover and "Looked-after &lt;children&gt;" in cover
    assert html.index("Teenage pregnancy") < html.index("Neglect")
    fresh = ThematicArea.objects.select_related("lead_partner").get(pk=area.pk)
    part = part_html(programme, fresh, self_evaluation, compile_area(programme, fresh))
    heading = part.split('class="part-title"')[1].split("<h2")[0]  # near the area's heading
    assert "Teenage pregnancy" in heading and "Looked-after &lt;children&gt;" in heading
    # Read with the area (one query), not again by the template; the only query is the
    # partnership's logo (the area build reads it once for all its parts).
    fresh = ThematicArea.objects.select_related("lead_partner", "lead_officer").get(pk=area.pk)
    compiled = compile_area(programme, fresh)
    with django_assert_num_queries(1):
        part_html(programme, fresh, self_evaluation, compiled)
    with django_assert_num_queries(0):
        part_html(programme, fresh, self_evaluation, compiled, part_document(self_evaluation, compiled, logo=""))


def test_a_topic_button_with_htmx_costs_a_fixed_number_of_queries(boss_client, setup, django_assert_num_queries):
    """The list comes back in the same number of queries however many topics it has."""
    area = setup.safeguarding
    for more in (False, True):
        if more:
            for n in range(5):
                areas.add_topic(area=area, name=f"Topic {n}")
        area.refresh_from_db()
        # The 4 of every page; the area, the topic; the move (savepoint, lock, the list, its
        # positions, the revision, release); the list's revision and the list, to show it.
        with django_assert_num_queries(14):
            response = boss_client.post(
                url("focus_topic_move", setup, area.pk, setup.neglect.pk),
                {"revision": area.topics_revision, "direction": "up" if not more else "down"},
                **HTMX,
            )
        assert response.status_code == 200
