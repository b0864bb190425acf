"""A scrutiny meeting's agenda items and their resolutions and recommendations (issue 15):
recorded by the meeting's managers, the executive's response and progress recorded by them or
the owner, tracked across meetings until closed, each with its history; every page refused to
those who may not see it, in a fixed number of queries, and stale edits refused."""

import datetime

import pytest
from django.urls import reverse

from findings import resolutions
from findings.models import Resolution, ResolutionChange
from sessions import agenda
from sessions import services as session_services
from sessions.models import AgendaItem, ChallengeSession, Participant
from tests import factories as f
from tests.scrutiny_world import southampton
from workspace import services as workspace_services
from workspace.models import Comment

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def soton(db):
    world = southampton()
    world.meeting = session_services.create_session(
        programme=world.programme,
        title="Children and Families Scrutiny Panel",
        date=D(2021, 11, 4),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        areas=[world.area],
        facilitator=world.scrutiny_officer,
        kind=ChallengeSession.Kind.SCRUTINY,
        panel=world.panel,
    )
    world.item = agenda.add_agenda_item(
        session=world.meeting,
        number="26",
        title="Children's and Learning Service Improvement Plan",
        area=world.area,
        report="Report of the Executive Director <b>for</b> Children and Learning.",
        presenting_officers=[world.director, world.service_lead],
    )
    world.outsider = f.person(world.ccg, "outsider")
    world.salford = f.person(f.partner("Salford City Council"), "salfordian")
    return world


def record(world, **kw):
    args = dict(
        item=world.item,
        by=world.scrutiny_officer,
        kind=Resolution.Kind.RESOLUTION,
        text="The Panel would be provided with data and performance trends over a longer period.",
        owner=world.director,
        response_due=D(2021, 12, 16),
    )
    args.update(kw)
    return resolutions.record_resolution(**args)


# --- The agenda ----------------------------------------------------------------------------------


def test_presenting_officers_become_presenters_of_the_items_area(soton):
    parts = set(soton.meeting.participants.values_list("person__username", "role", "area__name"))
    assert ("rhenderson", "presenter", "Children's social care") in parts
    assert ("jfeeney", "presenter", "Children's social care") in parts
    assert ("cllrmember", "reviewer", None) in parts


def test_an_item_number_is_used_once_and_only_a_scrutiny_meeting_has_an_agenda(soton):
    with pytest.raises(Exception, match="already has an item 26"):
        agenda.add_agenda_item(session=soton.meeting, number="26", title="Again", area=soton.area)
    peer = f.session(soton.programme, areas=[soton.area], facilitator=soton.scrutiny_officer)
    with pytest.raises(Exception, match="Only a scrutiny meeting has an agenda"):
        agenda.add_agenda_item(session=peer, number="1", title="Not here", area=soton.area)


def test_facilitator_adds_an_item_through_the_form(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("agenda_item_add", args=[soton.meeting.pk])
    page = client.get(url).content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    data = {
        "number": "27",
        "title": "Youth justice",
        "area": soton.area.pk,
        "report": "",
        "presenting_officers": [soton.colleague.pk],
        "submission_token": token,
    }
    response = client.post(url, data)
    item = AgendaItem.objects.get(number="27")
    assert response.url == item.get_absolute_url()
    client.post(url, data)  # sent twice: one item
    assert AgendaItem.objects.filter(number="27").count() == 1
    detail = client.get(soton.meeting.get_absolute_url()).content.decode()
    assert "Item 26: Children&#x27;s and Learning Service Improvement Plan" in detail
    assert "Item 27: Youth justice" in detail


def test_a_stale_edit_of_an_item_is_refused_with_what_was_typed(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("agenda_item_edit", args=[soton.item.pk])
    agenda.edit_agenda_item(
        item=soton.item, expected_revision=1, number="26", title="Renamed", area=soton.area, report="New"
    )
    response = client.post(
        url, {"number": "26", "title": "My title", "area": soton.area.pk, "report": "Mine", "revision": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "My title" in page and "Renamed" in page
    assert AgendaItem.objects.get(pk=soton.item.pk).title == "Renamed"


# --- Resolutions ---------------------------------------------------------------------------------


def test_resolution_is_recorded_then_responded_to_then_done(soton):
    resolution = record(soton)
    assert (resolution.response, resolution.status, resolution.is_closed) == ("awaited", "open", False)
    resolution = resolutions.record_response(
        resolution=resolution,
        by=soton.scrutiny_officer,
        expected_revision=1,
        response="accepted",
        response_text="Five years of data will be presented from the next meeting.",
    )
    assert resolution.responded_at is not None and not resolution.is_closed
    resolution = resolutions.update_progress(
        resolution=resolution, by=soton.director, expected_revision=2, status="done", progress_note="Presented."
    )
    assert resolution.is_closed
    assert list(resolution.changes.values_list("what", flat=True)) == ["progress", "response", "recorded"]


def test_a_rejected_recommendation_is_closed(soton):
    resolution = record(soton, kind="recommendation")
    resolution = resolutions.record_response(
        resolution=resolution, by=soton.director, expected_revision=1, response="rejected", response_text="No budget."
    )
    assert resolution.is_closed


def test_a_stale_response_is_refused_and_shown_beside_what_is_saved(client, soton):
    resolution = record(soton)
    resolutions.update_progress(
        resolution=resolution, by=soton.director, expected_revision=1, status="in_progress", progress_note="Begun."
    )
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("resolution", args=[resolution.pk]),
        {
            "part": "response",
            "response-response": "partly",
            "response-response_text": "My typed response",
            "response-revision": 1,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "My typed response" in page and "Begun." in page
    assert Resolution.objects.get(pk=resolution.pk).response == "awaited"


def test_the_executives_response_is_recorded_through_the_page(client, soton):
    resolution = record(soton)
    client.force_login(soton.director)  # the owner
    response = client.post(
        reverse("resolution", args=[resolution.pk]),
        {
            "part": "response",
            "response-response": "partly",
            "response-response_text": "Three years <script>now</script>",
            "response-revision": 1,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("resolution", args=[resolution.pk])).content.decode()
    assert "Partly accepted" in page and "&lt;script&gt;now&lt;/script&gt;" in page
    assert ResolutionChange.objects.filter(resolution=resolution, what="response", by=soton.director).exists()


def test_open_resolutions_are_listed_across_meetings_until_closed(client, soton):
    first = record(soton)
    later = session_services.create_session(
        programme=soton.programme,
        title="Panel, January",
        date=D(2022, 1, 13),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        areas=[soton.area],
        facilitator=soton.scrutiny_officer,
        kind="scrutiny",
        panel=soton.panel,
    )
    item = agenda.add_agenda_item(session=later, number="3", title="Fostering", area=soton.area)
    record(soton, item=item, text="Report on fostering sufficiency", response_due=D(2022, 2, 24))
    client.force_login(soton.councillor)
    url = reverse("partnership_resolutions", args=[soton.partnership.slug])
    page = client.get(url).content.decode()
    assert "longer period" in page and "fostering sufficiency" in page
    resolutions.update_progress(
        resolution=first, by=soton.director, expected_revision=1, status="done", progress_note=""
    )
    page = client.get(url).content.decode()
    assert "longer period" not in page and "fostering sufficiency" in page
    assert "longer period" in client.get(url + "?closed=1").content.decode()
    # A cancelled meeting's resolutions go with the closed ones, saying why.
    ChallengeSession.objects.filter(pk=later.pk).update(status=ChallengeSession.Status.CANCELLED)
    assert "fostering sufficiency" not in client.get(url).content.decode()
    closed = client.get(url + "?closed=1").content.decode()
    assert "fostering sufficiency" in closed and "Meeting cancelled" in closed


# --- The councillor challenges an officer's answer --------------------------------------------------


def test_councillor_on_the_panel_challenges_an_officers_answer(client, soton):
    question = soton.meeting.question_set.sections.order_by("position").first().questions.order_by("position").first()
    workspace_services.save_answer(
        session=soton.meeting,
        area=soton.area,
        question=question,
        by=soton.service_lead,
        expected_revision=0,
        text="Timeliness of assessments is in line with statistical neighbours.",
    )
    client.force_login(soton.councillor)
    response = client.post(
        reverse("comment_post", args=[soton.meeting.pk, soton.area.pk, question.pk]),
        {f"c{question.pk}-kind": "question", f"c{question.pk}-text": "What is the trend over five years?"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get(author=soton.councillor)
    assert comment.text == "What is the trend over five years?"


# --- Who may do what -------------------------------------------------------------------------------


def test_access_matrix(client, soton):
    resolution = record(soton)
    pages = {
        "agenda_item": reverse("agenda_item", args=[soton.item.pk]),
        "resolution": reverse("resolution", args=[resolution.pk]),
        "report": reverse("scrutiny_report_pdf", args=[soton.item.pk]),
        "list": reverse("partnership_resolutions", args=[soton.partnership.slug]),
    }
    manage = {
        "add": reverse("agenda_item_add", args=[soton.meeting.pk]),
        "edit": reverse("agenda_item_edit", args=[soton.item.pk]),
    }
    # Anonymous: to sign in.
    for url in [*pages.values(), *manage.values()]:
        assert client.get(url).status_code == 302
    # Another partnership's member: nothing exists.
    client.force_login(soton.salford)
    for url in [*pages.values(), *manage.values()]:
        assert client.get(url).status_code == 404
    # A member of the partnership who takes no part: refused (the list shows them nothing).
    client.force_login(soton.outsider)
    for name in ("agenda_item", "resolution", "report"):
        assert client.get(pages[name]).status_code == 403
    assert "longer period" not in client.get(pages["list"]).content.decode()
    for url in manage.values():
        assert client.get(url).status_code == 403
    # A councillor on the panel: reads, but neither records nor changes the agenda.
    client.force_login(soton.councillor)
    assert client.get(pages["agenda_item"]).status_code == 200
    assert client.get(pages["resolution"]).status_code == 200
    assert client.post(pages["agenda_item"], {"text": "x"}).status_code == 403
    assert client.post(pages["resolution"], {"part": "progress"}).status_code == 403
    for url in manage.values():
        assert client.get(url).status_code == 403
    # Wrong methods.
    client.force_login(soton.scrutiny_officer)
    assert client.post(pages["list"]).status_code == 405
    assert client.post(pages["report"]).status_code == 405
    assert client.put(pages["agenda_item"]).status_code == 405
    # A peer session has no agenda.
    peer = f.session(soton.programme, areas=[soton.area], facilitator=soton.scrutiny_officer)
    assert client.get(reverse("agenda_item_add", args=[peer.pk])).status_code == 403
    assert Resolution.objects.count() == 1


def test_the_owner_who_takes_no_part_sees_and_updates_their_resolution(client, soton):
    resolution = record(soton, owner=soton.outsider)
    client.force_login(soton.outsider)
    assert client.get(reverse("resolution", args=[resolution.pk])).status_code == 200
    response = client.post(
        reverse("resolution", args=[resolution.pk]),
        {"part": "progress", "progress-status": "in_progress", "progress-progress_note": "", "progress-revision": 1},
    )
    assert response.status_code == 302
    assert Resolution.objects.get(pk=resolution.pk).status == "in_progress"
    assert client.get(reverse("agenda_item", args=[soton.item.pk])).status_code == 403


def test_query_counts(client, soton, django_assert_num_queries):
    record(soton)
    client.force_login(soton.councillor)
    urls = {
        reverse("agenda_item", args=[soton.item.pk]): 8,
        reverse("partnership_resolutions", args=[soton.partnership.slug]): 5,
    }
    for url, count in urls.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
    for n in range(6):  # more resolutions: the same number of queries
        record(soton, text=f"Resolution {n}", owner=soton.colleague)
    for url, count in urls.items():
        with django_assert_num_queries(count):
            assert "Resolution 5" in client.get(url).content.decode()
    resolution = Resolution.objects.first()
    with django_assert_num_queries(7):
        assert client.get(reverse("resolution", args=[resolution.pk])).status_code == 200


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_session_page_shows_the_agenda_in_the_same_queries_however_long(client, soton, django_assert_num_queries):
    client.force_login(soton.councillor)
    url = soton.meeting.get_absolute_url()
    before = _count(client, url)
    for n in range(5):
        agenda.add_agenda_item(session=soton.meeting, number=str(30 + n), title=f"Item {n}", area=soton.area)
    with django_assert_num_queries(before):
        page = client.get(url).content.decode()
    assert "Item 34: Item 4" in page
    assert Participant.objects.filter(session=soton.meeting, role="presenter").count() == 2


def test_my_work_lists_the_resolutions_i_answer_for_until_closed(client, soton, settings):
    """The owner (who responds and reports progress) finds them on My work, late responses
    marked, by response due date; closed ones and other people's are not listed."""
    settings.CHALLENGE_TODAY = D(2021, 12, 20)
    late = record(soton, text="Late: longer-period data <script>")
    later = record(soton, kind="recommendation", text="Later one", response_due=D(2022, 1, 31))
    record(soton, owner=soton.service_lead, text="Someone else's")
    client.force_login(soton.director)
    page = client.get(reverse("home"))
    assert page.context["work"].resolutions == [late, later]
    html = page.content.decode()
    link = f'href="{reverse("resolution", args=[late.pk])}">Late: longer-period data &lt;script&gt;</a>'
    assert html.count("Response overdue:") == 1 and html.index("Response overdue:") < html.index(link)
    resolutions.record_response(
        resolution=late, by=soton.director, expected_revision=1, response="rejected", response_text="No."
    )
    assert client.get(reverse("home")).context["work"].resolutions == [later]
