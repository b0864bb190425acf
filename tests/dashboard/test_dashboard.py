"""The programme dashboard and the home page: content, and queries that do not grow; and no
page of the dashboard or the self-evaluations writes when it is read."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from programmes.models import Milestone
from sessions.models import Participant
from tests import factories as f


def test_dashboard_shows_areas_sessions_timeline_and_deadline(client, world):
    f.milestone(world.programme, title="Report emerging findings to the Executive", date=datetime.date(2009, 5, 22))
    f.milestone(world.programme, title="Programme board agrees the sessions", date=datetime.date(2009, 4, 7))
    f.milestone(
        world.programme,
        title="Submit the area self-evaluation",
        date=datetime.date(2009, 7, 1),
        precision=Milestone.Precision.MONTH,
    )
    f.milestone(world.programme, title="Already done", date=datetime.date(2009, 4, 20), done=True)
    client.force_login(world.facilitator)
    response = client.get(reverse("programme_dashboard", args=["caa-2009"]))
    dashboard = response.context["dashboard"]
    assert [milestone.title for milestone in dashboard.timeline.overdue] == ["Programme board agrees the sessions"]
    assert dashboard.timeline.next_milestone.title == "Report emerging findings to the Executive"
    assert [milestone.state for milestone in dashboard.timeline.milestones] == ["overdue", "done", "next", "upcoming"]
    assert dashboard.deadline_days == 40
    html = " ".join(response.content.decode().split())  # as a browser shows it: runs of white space as one
    assert "<strong>1 overdue:</strong> Programme board agrees the sessions" in html
    assert "<strong>Next deadline:</strong> 22 May 2009 — Report emerging findings to the Executive" in html
    assert "July 2009" in html
    assert "in 40 days" in html
    # Areas with and without sessions.
    rows = {row.area.name: row.sessions for row in dashboard.areas}
    assert [session.title for session in rows["Safeguarding children"]] == ["Safeguarding children"]
    assert list(rows["Safer city"]) == []
    assert "No session yet" in html
    assert [session.title for session in dashboard.upcoming] == ["Safeguarding children"]
    assert html.count("<h1") == 1


def test_a_presenter_is_told_the_counts_are_of_the_sessions_they_take_part_in(client, world):
    """The lead presents only safeguarding's session: a session of another area, which they
    may not see, is neither counted nor called missing."""
    f.session(world.programme, areas=[world.safer_city], title="Safer city", date=datetime.date(2009, 5, 20))
    client.force_login(world.lead)
    response = client.get(reverse("programme_dashboard", args=["caa-2009"]))
    dashboard = response.context["dashboard"]
    assert dashboard.sees_all is False
    assert dashboard.counts["scheduled"] == 1
    html = " ".join(response.content.decode().split())
    assert "Of the sessions you take part in:" in html
    assert "No session yet" not in html
    assert html.count("No session you take part in.") == 2  # safer city and health inequalities

    # The facilitator sees both sessions, and the area without one is called so.
    client.force_login(world.facilitator)
    response = client.get(reverse("programme_dashboard", args=["caa-2009"]))
    html = " ".join(response.content.decode().split())
    assert response.context["dashboard"].counts["scheduled"] == 2
    assert "Of the sessions you take part in:" not in html
    assert html.count("No session yet") == 1
    assert "No session you take part in." not in html


def test_past_sessions_are_not_upcoming(client, world, settings):
    settings.CHALLENGE_TODAY = datetime.date(2009, 5, 9)
    client.force_login(world.facilitator)
    dashboard = client.get(reverse("programme_dashboard", args=["caa-2009"])).context["dashboard"]
    assert list(dashboard.upcoming) == []


def test_milestone_can_be_marked_done_in_place(client, world):
    m = f.milestone(world.programme, date=datetime.date(2009, 4, 10))
    client.force_login(world.facilitator)
    url = reverse("milestone_done", args=["caa-2009", m.pk])
    response = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="timetable-body"')
    assert "Mark not done" in html
    m.refresh_from_db()
    assert m.done
    response = client.post(url, {"done": "0"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert not m.done


def test_milestone_form_keeps_input_on_error(client, world):
    client.force_login(world.facilitator)
    response = client.post(
        reverse("milestone_create", args=["caa-2009"]),
        {"title": "Leaders' briefing", "date": "not a date", "precision": "day"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Enter a valid date."]
    assert 'value="Leaders&#x27; briefing"' in response.content.decode()
    response = client.post(
        reverse("milestone_create", args=["caa-2009"]),
        {"title": "Leaders' briefing", "date": "2009-07-06", "precision": "day", "owner": "Leader"},
    )
    assert response.status_code == 302
    assert world.programme.milestones.get().title == "Leaders' briefing"


def _grow(world, n):
    """Add `n` sessions, each with two areas, a presenter and two reviewers, and n milestones."""
    for i in range(n):
        day = datetime.date(2009, 6, 1) + datetime.timedelta(days=i)
        session = f.session(
            world.programme,
            areas=[world.safeguarding, world.health_inequalities],
            title=f"Extra {i}",
            date=day,
            facilitator=world.facilitator,
        )
        f.participant(session, f.person(world.council), Participant.Role.PRESENTER, world.safeguarding)
        f.participant(session, f.person(world.police))
        f.participant(session, world.reviewer)
        f.milestone(world.programme, date=day)


def _count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["facilitator", "reviewer", "officer"])
def test_dashboard_queries_do_not_grow_with_sessions(client, world, who, django_assert_max_num_queries):
    client.force_login(getattr(world, who))
    url = reverse("programme_dashboard", args=["caa-2009"])
    _grow(world, 3)
    small = _count_queries(client, url, django_assert_max_num_queries, 20)
    _grow(world, 27)
    large = _count_queries(client, url, django_assert_max_num_queries, 20)
    assert small == large


@pytest.mark.parametrize(
    "name",
    ["session_list", "home", "session_detail", "programme_calendar"],
)
def test_listing_pages_queries_do_not_grow(client, world, name, django_assert_max_num_queries):
    client.force_login(world.facilitator)
    args = {
        "session_list": ["caa-2009"],
        "home": [],
        "session_detail": [world.session.pk],
        "programme_calendar": ["caa-2009"],
    }[name]
    url = reverse(name, args=args)
    _grow(world, 2)
    for _ in range(2):
        f.participant(world.session, f.person(world.fire), Participant.Role.OBSERVER)
    small = _count_queries(client, url, django_assert_max_num_queries, 20)
    _grow(world, 20)
    for _ in range(20):
        f.participant(world.session, f.person(world.fire), Participant.Role.OBSERVER)
    large = _count_queries(client, url, django_assert_max_num_queries, 20)
    assert small == large


# --- Reading writes nothing ---------------------------------------------------------------

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.mark.parametrize(
    "page", ["programme_dashboard", "documents", "area_build_status", "self_evaluation", "self_evaluation_record"]
)
def test_reading_a_page_writes_nothing(client, world, settings, page):
    """A GET changes nothing, even where the page shows what a write would settle: a build
    whose worker is gone is shown failed, and stays as it is until someone builds again."""
    settings.BUILD_STALL_TIMEOUT = 60
    five_minutes_ago = timezone.now() - datetime.timedelta(minutes=5)
    build = AreaSelfEvaluationBuild.objects.create(
        programme=world.programme, requested_by=world.facilitator, status="running", progressed_at=five_minutes_ago
    )
    self_evaluation = SelfEvaluation.objects.create(programme=world.programme, area=world.safeguarding)
    args = {
        "programme_dashboard": ["caa-2009"],
        "documents": ["caa-2009"],
        "area_build_status": [build.pk],
        "self_evaluation": [self_evaluation.pk],
        "self_evaluation_record": [self_evaluation.pk],
    }[page]
    client.force_login(world.facilitator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(page, args=args))
    assert response.status_code == 200
    assert [query["sql"] for query in queries if WRITE.match(query["sql"])] == []
    assert len(queries) > 3  # the check saw the page's queries
    if page in ("documents", "area_build_status"):
        assert "stopped reporting progress" in response.content.decode()
    build.refresh_from_db()
    assert (build.status, build.finished_at) == ("running", None)


def test_an_officer_is_told_who_can_build_the_area_self_evaluation(client, world):
    """An officer reads the area self-evaluation but may not build it: before there is one,
    the page names the programme's facilitators, who can."""
    second = f.person(world.police, "cofac", first_name="Zoe", last_name="Adams")
    world.programme.facilitators.add(second)
    client.force_login(world.officer)
    html = " ".join(client.get(reverse("documents", args=["caa-2009"])).content.decode().split())
    assert (
        'Not built yet. <a href="mailto:cofac@example.org" >Zoe Adams</a> or '
        '<a href="mailto:facilitator@example.org" >Ruth Mellor</a>, the programme\'s facilitators, can build it: '
        "ask one of them." in html
    )
    assert "Build the area self-evaluation</button>" not in html

    # The facilitator builds it, and is not told to ask anyone.
    client.force_login(world.facilitator)
    html = " ".join(client.get(reverse("documents", args=["caa-2009"])).content.decode().split())
    assert "Not built yet.</p>" in html
    assert "can build it" not in html
    assert "Build the area self-evaluation</button>" in html


def test_the_session_page_links_its_managers_to_the_challenge_triage(client, world):
    triage = reverse("challenge_triage", args=[world.session.pk])
    client.force_login(world.facilitator)
    assert f'href="{triage}"' in client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
    for person in (world.lead, world.reviewer, world.officer):
        client.force_login(person)
        assert triage not in client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
