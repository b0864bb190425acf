"""Making and changing a programme without the admin (issue 13, B4): the partnership's
facilitators do it under /partnerships/<slug>/programmes/new/ and /programmes/<slug>/edit/;
a draft programme is seen only by them."""

import datetime
import uuid

import pytest
from django.urls import reverse

from programmes.models import Programme, QuestionSet
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setter(world):
    """A partnership facilitator: sets the partnership up, no programme role of their own."""
    return f.person(world.council, "setter", first_name="Sue", last_name="Setter", is_facilitator=True)


@pytest.fixture
def stranger(db):
    """Someone of another partnership."""
    other = create_partnership(name="Elsewhere Partnership", slug="elsewhere")
    return f.person(f.partner("Elsewhere Council", other), "stranger")


def _create_url(world):
    return reverse("programme_create", args=[world.programme.partnership.slug])


def _data(world, **overrides):
    data = {
        "name": "CAA 2010 challenge sessions",
        "description": "The second year.",
        "start_date": "2010-04-01",
        "end_date": "2010-11-30",
        "self_evaluation_deadline": "2010-06-15",
        "areas": [world.safeguarding.pk, world.safer_city.pk],
        "question_set": world.programme.question_set_id,
        "facilitators": [world.facilitator.pk],
        "status": "draft",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_a_partnership_facilitator_makes_a_draft_programme(client, world, setter):
    client.force_login(setter)
    page = client.get(_create_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert "New programme of Salford City Partnership" in body
    assert world.safeguarding.name in body and world.outsider.display_name in body  # active members offered
    response = client.post(_create_url(world), _data(world))
    programme = Programme.objects.get(name="CAA 2010 challenge sessions")
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    assert programme.slug == "caa-2010-challenge-sessions"
    assert programme.status == Programme.Status.DRAFT
    assert programme.partnership == world.programme.partnership
    assert (programme.start_date, programme.end_date) == (datetime.date(2010, 4, 1), datetime.date(2010, 11, 30))
    assert programme.self_evaluation_deadline == datetime.date(2010, 6, 15)
    assert set(programme.areas.all()) == {world.safeguarding, world.safer_city}
    assert list(programme.facilitators.all()) == [world.facilitator]
    # Its dashboard, marked a draft, with the timetable's forms there to use.
    dashboard = client.get(programme.get_absolute_url()).content.decode()
    assert "Draft" in dashboard and reverse("programme_edit", args=[programme.slug]) in dashboard


def test_the_slug_is_made_unique(client, world, setter):
    client.force_login(setter)
    for _ in range(2):
        client.post(_create_url(world), _data(world, submission_token=str(uuid.uuid4())))
    assert sorted(Programme.objects.filter(name="CAA 2010 challenge sessions").values_list("slug", flat=True)) == [
        "caa-2010-challenge-sessions",
        "caa-2010-challenge-sessions-2",
    ]


def test_a_double_submit_makes_one_programme(client, world, setter):
    client.force_login(setter)
    data = _data(world)
    first = client.post(_create_url(world), data)
    second = client.post(_create_url(world), data)
    assert Programme.objects.filter(name="CAA 2010 challenge sessions").count() == 1
    assert first.url == second.url


def test_a_standard_question_set_or_the_partnerships_own(client, world, setter, stranger):
    client.force_login(setter)
    form_page = client.get(_create_url(world)).content.decode()
    assert "standard" in form_page
    other_set = QuestionSet.objects.get(partnership__slug="elsewhere")
    response = client.post(_create_url(world), _data(world, question_set=other_set.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Programme.objects.filter(name="CAA 2010 challenge sessions").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2010-03-01"}, "must end on or after its start"),
        ({"name": ""}, "This field is required"),
        ({"start_date": "not a date"}, "Enter a valid date"),
        ({"name": "Two\nlines"}, "line break"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_kept(client, world, setter, overrides, message):
    client.force_login(setter)
    response = client.post(_create_url(world), _data(world, **overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "The second year." in body  # nothing typed lost
    assert Programme.objects.count() == 1


def test_areas_and_facilitators_of_another_partnership_are_refused(client, world, setter, stranger):
    other_area = f.area(f.partner("Elsewhere Police", stranger.active_memberships()[0].partnership), "Elsewhere")
    client.force_login(setter)
    response = client.post(_create_url(world), _data(world, areas=[other_area.pk], facilitators=[stranger.pk]))
    form = response.context["form"]
    assert set(form.errors) == {"areas", "facilitators"}
    assert Programme.objects.count() == 1


def _edit_data(programme, **overrides):
    data = {
        "name": programme.name,
        "description": programme.description,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat(),
        "self_evaluation_deadline": programme.self_evaluation_deadline.isoformat(),
        "areas": list(programme.areas.values_list("pk", flat=True)),
        "question_set": programme.question_set_id,
        "facilitators": list(programme.facilitators.values_list("pk", flat=True)),
        "status": programme.status,
        "revision": programme.revision,
    }
    data.update(overrides)
    return data


def test_a_partnership_facilitator_edits_a_programme(client, world, setter):
    client.force_login(setter)
    url = reverse("programme_edit", args=[world.programme.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _edit_data(world.programme, name="CAA 2009 sessions", areas=[world.safeguarding.pk], facilitators=[])
    )
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "CAA 2009 sessions"
    assert world.programme.slug == "caa-2009"  # its address stays
    assert list(world.programme.areas.all()) == [world.safeguarding]
    assert not world.programme.facilitators.exists()
    assert world.programme.revision == 2


def test_a_stale_edit_is_refused_and_kept(client, world, setter):
    client.force_login(setter)
    url = reverse("programme_edit", args=[world.programme.slug])
    opened = _edit_data(world.programme)
    client.post(url, {**opened, "name": "Saved first"})
    response = client.post(url, {**opened, "name": "Saved second"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This programme changed while you were editing it" in body
    assert "Saved first" in body and "Saved second" in body  # what is saved, beside what they typed
    world.programme.refresh_from_db()
    assert world.programme.name == "Saved first"
    # Saved again from the form as shown, knowingly: it goes through.
    again = client.post(url, {**opened, "name": "Saved second", "revision": world.programme.revision})
    assert again.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "Saved second"


# --- Drafts ----------------------------------------------------------------------------------


def test_a_draft_is_seen_only_by_the_partnerships_facilitators(client, world, setter):
    world.programme.status = Programme.Status.DRAFT
    world.programme.save()
    url = world.programme.get_absolute_url()
    client.force_login(setter)
    assert client.get(url).status_code == 200
    assert world.programme.name in client.get(reverse("home")).content.decode()
    # Its own facilitator, an officer, a participant: not until it is made active.
    for person in (world.facilitator, world.officer, world.lead, world.reviewer):
        client.force_login(person)
        assert client.get(url).status_code == 403, person
        assert world.programme.name not in client.get(reverse("home")).content.decode()
        assert not Programme.objects.visible_to(person).exists()
    client.force_login(setter)
    client.post(reverse("programme_edit", args=[world.programme.slug]), _edit_data(world.programme, status="active"))
    client.force_login(world.officer)
    assert client.get(url).status_code == 200


# --- Who may -----------------------------------------------------------------------------


def _urls(world):
    p = world.programme.slug
    return {
        "programme_create": _create_url(world),
        "programme_edit": reverse("programme_edit", args=[p]),
        "programme_roll_forward": reverse("programme_roll_forward", args=[p]),
    }


@pytest.mark.parametrize("name", ["programme_create", "programme_edit", "programme_roll_forward"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_set_programmes_up(client, world, setter, stranger, name, method):
    url = _urls(world)[name]
    before = list(Programme.objects.values_list("pk", "revision"))

    def call():
        return getattr(client, method)(url, {})

    response = call()
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Members without the role (a programme facilitator, an officer, a lead, anyone): refused.
    for person in (world.facilitator, world.officer, world.lead, world.outsider):
        client.force_login(person)
        assert call().status_code == 403, person
    client.force_login(stranger)
    assert call().status_code == 404
    assert list(Programme.objects.values_list("pk", "revision")) == before
    client.force_login(setter)
    assert call().status_code == 200  # (an empty form shown again with its errors, on a POST)


# --- What each page costs ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [("programme_create", 7), ("programme_edit", 9)])
def test_each_form_costs_a_fixed_number_of_queries(client, world, setter, django_assert_num_queries, name, expected):
    url = _urls(world)[name]
    client.force_login(setter)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for n in range(3):  # more areas, members and question sets: the same
        f.area(world.council, f"More {n}")
        f.person(world.police, f"more-{n}")
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
