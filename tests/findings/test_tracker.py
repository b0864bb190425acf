"""The action tracker (issue 14): every improvement action of a programme in one table,
filtered by area, owner, status and overdue, by due date, with a CSV export; an action's owner
updates its status and progress from there, a facilitator edits it, and each change is kept in
its history. Today is 6 May 2009 in tests."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from findings import services
from findings.models import ActionChange
from programmes import cycles
from programmes.models import Membership, Programme
from sessions.models import Participant
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
EVIL = '=HYPERLINK("http://evil") <b>bold</b>'


@pytest.fixture
def acts(world):
    """Three actions of Safeguarding children (one overdue, one done, one to come) owned by
    the lead, and one of Safer city owned by a police officer, from a session the lead and
    the reviewer do not take part in."""
    sg = services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind="red_flag",
        title="Too few foster carers",
        text="Recruitment is behind.",
    )
    safer_session = f.session(
        world.programme, areas=[world.safer_city], facilitator=world.facilitator, title="Safer city"
    )
    f.participant(safer_session, world.police_officer, Participant.Role.PRESENTER, world.safer_city)
    sc = services.record_finding(
        session=safer_session,
        area=world.safer_city,
        by=world.facilitator,
        kind="improvement",
        title="Night-time economy",
        text="Too little joint patrolling.",
    )
    world.overdue = services.add_action(
        finding=sg, description="Recruit twenty carers", owner=world.lead, due_date=D(2009, 5, 1)
    )
    world.done = services.add_action(
        finding=sg, description="Review the fees", owner=world.lead, due_date=D(2009, 4, 1)
    )
    services.set_action_status(action=world.done, status="done")
    world.later = services.add_action(finding=sg, description=EVIL, owner=world.lead, due_date=D(2009, 9, 30))
    world.patrols = services.add_action(
        finding=sc, description="Joint patrols on Fridays", owner=world.police_officer, due_date=D(2009, 7, 1)
    )
    return world


def _url(world, **query):
    url = reverse("action_tracker", args=[world.programme.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _listed(response) -> list[str]:
    return [action.description for action in response.context["rows"]]


def test_the_tracker_lists_every_action_by_due_date_and_marks_the_overdue(client, acts):
    client.force_login(acts.facilitator)
    response = client.get(_url(acts))
    assert _listed(response) == [
        "Review the fees",
        "Recruit twenty carers",
        "Joint patrols on Fridays",
        EVIL,
    ]
    page = response.content.decode()
    assert page.count("<h1") == 1 and "4 actions" in page
    row = page.split(f'id="action-{acts.overdue.pk}"')[1].split("</tr>")[0]
    assert "Overdue" in row  # a word, not only a colour
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"overdue": "on"}, ["Recruit twenty carers"]),
        ({"status": "open"}, ["Recruit twenty carers", "Joint patrols on Fridays", EVIL]),
        ({"status": "closed"}, ["Review the fees"]),
        ({"status": "done"}, ["Review the fees"]),
        ({"area": "SAFER"}, ["Joint patrols on Fridays"]),
        ({"owner": "POLICE", "status": "open"}, ["Joint patrols on Fridays"]),
    ],
)
def test_the_filters(client, acts, query, expected):
    query = {
        key: {"SAFER": acts.safer_city.pk, "POLICE": acts.police_officer.pk}.get(value, value)
        for key, value in query.items()
    }
    client.force_login(acts.facilitator)
    assert _listed(client.get(_url(acts, **query))) == expected


def test_a_filter_that_makes_no_sense_is_left_out_and_says_so(client, acts):
    client.force_login(acts.facilitator)
    response = client.get(_url(acts, area=999999, status="done"))
    assert _listed(response) == ["Review the fees"]  # the status filter still applies
    page = response.content.decode()
    assert "This filter was left out" in page and 'aria-describedby="id_area-error"' in page


def test_the_dashboards_overdue_count_links_to_the_tracker_filtered(client, acts):
    client.force_login(acts.facilitator)
    dashboard = client.get(acts.programme.get_absolute_url()).content.decode()
    link = _url(acts) + "?overdue=on"
    assert f'href="{link}"' in dashboard and "1 improvement action overdue" in " ".join(dashboard.split())
    assert _listed(client.get(link)) == ["Recruit twenty carers"]


def test_the_csv_has_the_filtered_actions_and_no_formulas(client, acts):
    client.force_login(acts.facilitator)
    response = client.get(reverse("action_tracker_csv", args=[acts.programme.slug]) + "?status=open")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="actions-caa-2009.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["action", "area", "finding"]
    assert [row[0] for row in rows[1:]] == [
        "Recruit twenty carers",
        "Joint patrols on Fridays",
        '\'=HYPERLINK("http://evil") <b>bold</b>',  # a spreadsheet shows it, does not run it
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["owner"] == "Andrew Kenyon" and first["organisation"] == "SCC"
    assert first["due"] == "2009-05-01" and first["overdue"] == "yes" and first["status"] == "Not started"


def test_who_sees_what(client, acts):
    # The reviewer takes part in the Safeguarding session only: its actions, not Safer city's.
    client.force_login(acts.reviewer)
    assert "Joint patrols on Fridays" not in _listed(client.get(_url(acts)))
    assert len(_listed(client.get(_url(acts)))) == 3
    # The owner of an action in an area of a session they are not in sees their own.
    other = f.person(acts.fire, "fireowner", first_name="Fay", last_name="Owner")
    services.add_action(
        finding=acts.overdue.finding, description="Fire safety visits", owner=other, due_date=D(2009, 8, 1)
    )
    client.force_login(other)
    assert _listed(client.get(_url(acts))) == ["Fire safety visits"]
    # Owner names in the filter are those of the actions listed.
    page = client.get(_url(acts)).content.decode()
    assert "Andrew Kenyon" not in page
    # A member who takes part in nothing and owns nothing: refused; outside the partnership: not found.
    client.force_login(acts.outsider)
    assert client.get(_url(acts)).status_code == 403
    assert client.get(reverse("action_page", args=[acts.overdue.pk])).status_code == 403
    stranger = f.person(f.partner("Elsewhere", f.partnership("Elsewhere")), "stranger")
    client.force_login(stranger)
    assert client.get(_url(acts)).status_code == 404
    assert client.get(reverse("action_tracker_csv", args=[acts.programme.slug])).status_code == 404
    assert client.get(reverse("action_page", args=[acts.overdue.pk])).status_code == 404
    client.logout()
    assert client.get(_url(acts)).status_code == 302


def test_the_owner_updates_the_status_from_the_tracker(client, acts):
    client.force_login(acts.lead)
    page = client.get(_url(acts, status="open")).content.decode()
    row = page.split(f'id="action-{acts.overdue.pk}"')[1].split("</tr>")[0]
    assert 'name="revision" value="1"' in row
    back = _url(acts) + f"?status=open#action-{acts.overdue.pk}"
    response = client.post(
        reverse("action_status", args=[acts.overdue.pk]), {"status": "in_progress", "revision": 1, "back": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    acts.overdue.refresh_from_db()
    assert (acts.overdue.status, acts.overdue.revision) == ("in_progress", 2)
    change = ActionChange.objects.get(action=acts.overdue)
    assert (change.by, change.changed, change.status) == (acts.lead, "status", "in_progress")
    # The same form sent again from a page opened before: refused, with the status now.
    response = client.post(
        reverse("action_status", args=[acts.overdue.pk]), {"status": "done", "revision": 1, "back": back}, follow=True
    )
    assert "changed since you opened the page: it is now in progress" in response.content.decode()
    acts.overdue.refresh_from_db()
    assert acts.overdue.status == "in_progress"
    # Not somebody else's action, and never to another site.
    assert client.post(reverse("action_status", args=[acts.patrols.pk]), {"status": "done"}).status_code == 403
    response = client.post(
        reverse("action_status", args=[acts.overdue.pk]), {"status": "done", "back": "https://evil.example/"}
    )
    assert response["Location"].startswith("/sessions/")


def test_the_owner_records_progress_on_the_actions_page(client, acts):
    client.force_login(acts.lead)
    url = reverse("action_page", args=[acts.overdue.pk])
    page = client.get(url).content.decode()
    assert "Update its progress" in page and 'name="due_date"' not in page  # the owner's form
    response = client.post(
        url, {"status": "in_progress", "progress_note": "Six carers approved.", "revision": 1, "due_date": "2010-01-01"}
    )
    assert response.status_code == 302
    acts.overdue.refresh_from_db()
    assert acts.overdue.progress_note == "Six carers approved." and acts.overdue.due_date == D(2009, 5, 1)
    history = client.get(url).content.decode()
    assert "Andrew Kenyon changed status, progress" in history and "Six carers approved." in history


def test_a_facilitator_edits_the_action_and_a_stale_edit_keeps_what_was_typed(client, acts):
    url = reverse("action_page", args=[acts.overdue.pk])
    client.force_login(acts.lead)
    client.post(url, {"status": "in_progress", "progress_note": "Six approved.", "revision": 1})
    client.force_login(acts.facilitator)
    data = {
        "description": "Recruit thirty carers",
        "owner": acts.council_colleague.pk,
        "due_date": "2009-12-31",
        "status": "not_started",
        "progress_note": "Re-planned.",
        "revision": 1,  # opened before the lead's update
    }
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 409
    assert "This action changed while you were editing it" in page and "Six approved." in page
    assert "Recruit thirty carers" in page and "Re-planned." in page  # nothing typed is lost
    assert 'name="revision" value="2"' in page
    acts.overdue.refresh_from_db()
    assert acts.overdue.description == "Recruit twenty carers"
    data["revision"] = 2
    assert client.post(url, data).status_code == 302
    acts.overdue.refresh_from_db()
    assert (acts.overdue.owner, acts.overdue.owner_partner, acts.overdue.due_date) == (
        acts.council_colleague,
        acts.council,
        D(2009, 12, 31),
    )
    assert ActionChange.objects.filter(action=acts.overdue).count() == 2
    # An owner from another partnership is not offered, and refused beside the field.
    stranger = f.person(f.partner("Elsewhere", f.partnership("Elsewhere")), "stranger")
    data.update(owner=stranger.pk, revision=3)
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_an_owner_who_left_reads_the_action_but_no_longer_updates_it(client, acts):
    Membership.objects.filter(person=acts.lead).update(is_active=False)
    client.force_login(acts.lead)
    url = reverse("action_page", args=[acts.overdue.pk])
    assert client.get(url).status_code == 404  # no longer of the partnership at all
    assert client.post(url, {"status": "done", "revision": 1}).status_code == 404
    # The facilitator sees them as the owner still, and can hand the action on.
    client.force_login(acts.facilitator)
    page = client.get(url).content.decode()
    assert "Andrew Kenyon (no longer a member)" in page


def test_carried_actions_are_in_the_next_cycles_tracker(client, acts):
    new = cycles.roll_forward(acts.programme)
    new.status = Programme.Status.ACTIVE
    new.save()
    client.force_login(acts.facilitator)
    response = client.get(reverse("action_tracker", args=[new.slug]))
    assert _listed(response) == ["Recruit twenty carers", "Joint patrols on Fridays", EVIL]
    assert "Carried over from CAA 2009 challenge sessions" in " ".join(response.content.decode().split())


def test_query_counts(client, acts, django_assert_num_queries):
    client.force_login(acts.facilitator)
    with django_assert_num_queries(9):
        assert client.get(_url(acts)).status_code == 200
    for n in range(30):  # more actions: the same number of queries, one page of them
        services.add_action(
            finding=acts.patrols.finding, description=f"Extra {n}", owner=acts.lead, due_date=D(2009, 10, 1)
        )
    with django_assert_num_queries(9):
        response = client.get(_url(acts))
    assert len(response.context["rows"]) == 25 and "Showing 1–25 of 34" in response.content.decode()
    with django_assert_num_queries(7):
        assert client.get(reverse("action_page", args=[acts.overdue.pk])).status_code == 200


def test_every_status_control_carries_the_revision_its_page_shows(client, acts):
    """The findings page, the carried-over list and the tracker share one status control: each
    posts the revision it was drawn at, so a status changed since is refused, not overwritten."""
    client.force_login(acts.facilitator)
    page = client.get(reverse("session_findings", args=[acts.session.pk, acts.safeguarding.pk])).content.decode()
    form = page.split(f'action="{reverse("action_status", args=[acts.overdue.pk])}"')[1].split("</form>")[0]
    assert 'name="revision" value="1"' in form and f'for="action-status-{acts.overdue.pk}"' in form
    services.set_action_status(action=acts.overdue, status="in_progress", by=acts.lead)  # revision 2
    response = client.post(
        reverse("action_status", args=[acts.overdue.pk]), {"status": "done", "revision": 1}, follow=True
    )
    assert "changed since you opened the page: it is now in progress" in response.content.decode()
    acts.overdue.refresh_from_db()
    assert acts.overdue.status == "in_progress"
