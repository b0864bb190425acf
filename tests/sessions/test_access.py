"""The access matrix: every view, for every kind of visitor, and the wrong HTTP method."""

import pytest
from django.urls import reverse

from programmes.models import Milestone
from sessions.models import ChallengeSession, Participant
from tests import factories as f

VIEWERS = ["facilitator", "officer", "lead", "reviewer"]
NOT_MANAGERS = ["officer", "lead", "reviewer", "outsider"]


def urls(world):
    s = world.session
    m = f.milestone(world.programme)
    slug = world.programme.slug
    part = s.participants.get(person=world.reviewer)
    return {
        # name: (url, level, methods allowed)
        "dashboard": (reverse("programme_dashboard", args=[slug]), "view", "GET"),
        "programme_ics": (reverse("programme_calendar", args=[slug]), "view", "GET"),
        "session_list": (reverse("session_list", args=[slug]), "view", "GET"),
        "session_detail": (reverse("session_detail", args=[s.pk]), "view", "GET"),
        "session_ics": (reverse("session_ics", args=[s.pk]), "view", "GET"),
        "session_create": (reverse("session_create", args=[slug]), "manage", "GET"),
        "session_edit": (reverse("session_edit", args=[s.pk]), "manage", "GET"),
        # The session form's reviewer picker alone, as htmx fetches it when the areas change.
        "session_create_picker": (
            reverse("session_create", args=[slug]) + f"?picker=reviewers&areas={s.areas.get().pk}",
            "manage",
            "GET",
        ),
        "session_edit_picker": (reverse("session_edit", args=[s.pk]) + "?picker=reviewers", "manage", "GET"),
        "session_cancel": (reverse("session_status", args=[s.pk, "cancel"]), "manage", "GET"),
        "session_held": (reverse("session_status", args=[s.pk, "held"]), "manage", "GET"),
        "milestone_create": (reverse("milestone_create", args=[slug]), "manage", "GET"),
        "milestone_edit": (reverse("milestone_edit", args=[slug, m.pk]), "manage", "GET"),
        "milestone_done": (reverse("milestone_done", args=[slug, m.pk]), "manage", "POST"),
        "participant_add": (reverse("participant_add", args=[s.pk]), "manage", "POST"),
        "participant_remove": (
            reverse("participant_remove", args=[s.pk, part.pk]),
            "manage",
            "POST",
        ),
    }


NAMES = [
    "dashboard",
    "programme_ics",
    "session_list",
    "session_detail",
    "session_ics",
    "session_create",
    "session_edit",
    "session_create_picker",
    "session_edit_picker",
    "session_cancel",
    "session_held",
    "milestone_create",
    "milestone_edit",
    "milestone_done",
    "participant_add",
    "participant_remove",
]


def call(client, url, method):
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_visitor_is_sent_to_sign_in(client, world, name):
    url, _, method = urls(world)[name]
    response = call(client, url, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", NAMES)
def test_outsider_is_refused(client, world, name):
    url, _, method = urls(world)[name]
    client.force_login(world.outsider)
    assert call(client, url, method).status_code == 403


@pytest.mark.parametrize("who", NOT_MANAGERS)
@pytest.mark.parametrize("name", list(NAMES))
def test_only_facilitators_manage(client, world, name, who):
    url, level, method = urls(world)[name]
    client.force_login(getattr(world, who))
    before = (
        ChallengeSession.objects.values_list("status", "revision").get(pk=world.session.pk),
        Participant.objects.count(),
        list(Milestone.objects.values_list("done", flat=True)),
    )
    response = call(client, url, method)
    if level == "manage" or who == "outsider":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
    after = (
        ChallengeSession.objects.values_list("status", "revision").get(pk=world.session.pk),
        Participant.objects.count(),
        list(Milestone.objects.values_list("done", flat=True)),
    )
    assert before == after


@pytest.mark.parametrize("name", NAMES)
def test_facilitator_may_open_every_page(client, world, name):
    url, _, method = urls(world)[name]
    client.force_login(world.facilitator)
    response = call(client, url, method)
    # POST-only endpoints answer an empty form with a redirect or a page with errors.
    assert response.status_code in ({200} if method == "GET" else {200, 302})


@pytest.mark.parametrize("name", NAMES)
def test_wrong_method_is_refused(client, world, name):
    url, _, method = urls(world)[name]
    client.force_login(world.facilitator)
    response = client.delete(url) if method == "GET" else client.get(url)
    assert response.status_code == 405


def test_unknown_objects_are_not_found(client, world):
    client.force_login(world.facilitator)
    assert client.get(reverse("programme_dashboard", args=["nope"])).status_code == 404
    assert client.get(reverse("session_detail", args=[99999])).status_code == 404
    assert client.get(f"/sessions/{world.session.pk}/explode/").status_code == 404


def test_facilitator_of_another_programme_cannot_manage_this_one(client, world):
    other_facilitator = f.person(world.fire, "otherfac")
    f.programme(facilitators=[other_facilitator])
    client.force_login(other_facilitator)
    assert client.get(reverse("programme_dashboard", args=["caa-2009"])).status_code == 403
    assert client.get(reverse("session_edit", args=[world.session.pk])).status_code == 403


def test_participant_sees_only_their_sessions(client, world):
    hidden = f.session(
        world.programme, areas=[world.safer_city], title="Unrelated session", date=world.session.date.replace(day=20)
    )
    client.force_login(world.reviewer)
    page = client.get(reverse("session_list", args=["caa-2009"])).content.decode()
    assert "Safeguarding children" in page
    assert "Unrelated session" not in page
    assert client.get(reverse("session_detail", args=[hidden.pk])).status_code == 403
    dashboard = client.get(reverse("programme_dashboard", args=["caa-2009"])).content.decode()
    assert "Unrelated session" not in dashboard
    assert "Schedule a session" not in dashboard
    assert "Mark done" not in dashboard


def test_officer_reads_everything_and_changes_nothing(client, world):
    f.session(
        world.programme, areas=[world.safer_city], title="Unrelated session", date=world.session.date.replace(day=20)
    )
    client.force_login(world.officer)
    page = client.get(reverse("session_list", args=["caa-2009"])).content.decode()
    assert "Unrelated session" in page and "Safeguarding children" in page
    detail = client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
    assert "Edit or reschedule" not in detail
    assert "Add someone to the session" not in detail


def test_home_lists_only_visible_programmes(client, world):
    f.programme(name="Secret programme")
    client.force_login(world.reviewer)
    page = client.get(reverse("home")).content.decode()
    assert "CAA 2009 challenge sessions" in page
    assert "Secret programme" not in page
    assert client.post(reverse("home")).status_code == 405
