"""Scheduling in the browser's terms: forms, messages beside fields, e-mails, calendars."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from sessions.models import ChallengeSession
from tests import factories as f
from tests.conflict_box import conflict_box


def form_data(world, **kw):
    data = {
        "title": "Health and safety",
        "date": "2009-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": "Salford Civic Centre",
        "meeting_link": "",
        "areas": [world.safeguarding.pk, world.health_inequalities.pk],
        "facilitator": world.facilitator.pk,
        "reviewers": [world.reviewer.pk],
        "notes": "Bring the latest figures.",
        "action": "schedule",
    }
    data.update(kw)
    return data


@pytest.fixture
def fac_client(client, world):
    client.force_login(world.facilitator)
    return client


def test_schedule_a_session_with_two_areas_and_invite_everyone(fac_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(reverse("session_create", args=["caa-2009"]), form_data(world))
    session = ChallengeSession.objects.get(title="Health and safety")
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert session.status == "scheduled"
    assert set(session.areas.values_list("name", flat=True)) == {"Safeguarding children", "Health inequalities"}
    assert list(session.participants.values_list("person__username", flat=True)) == ["reviewer"]
    assert sorted(m.to[0] for m in mail.outbox) == ["facilitator@example.org", "reviewer@example.org"]
    message = next(m for m in mail.outbox if m.to == ["reviewer@example.org"])
    assert message.subject == "Invitation: Health and safety, Wednesday 10 June 2009 10:00"
    assert "You are invited to a challenge session as peer reviewer." in message.body
    assert "Bring the latest figures." in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype.startswith("text/calendar; method=REQUEST")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Health and safety"


def test_draft_sends_nothing_until_scheduled(fac_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("session_create", args=["caa-2009"]), form_data(world, action="draft"))
    session = ChallengeSession.objects.get(title="Health and safety")
    assert session.status == "draft" and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(reverse("session_status", args=[session.pk, "schedule"]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "scheduled"
    assert len(mail.outbox) == 2


def test_refused_reviewer_shows_message_beside_field_and_keeps_what_was_typed(fac_client, world):
    data = form_data(world, reviewers=[world.reviewer.pk, world.council_colleague.pk])
    response = fac_client.post(reverse("session_create", args=["caa-2009"]), data)
    assert response.status_code == 200
    assert not ChallengeSession.objects.filter(title="Health and safety").exists()
    form = response.context["form"]
    assert form.errors["reviewers"] == [
        "Karen Ashworth cannot be a peer reviewer here: their organisation, Salford City "
        "Council, leads Safeguarding children. A critical friend must come from another "
        "organisation."
    ]
    html = response.content.decode()
    # Beside the field: inside the reviewers field's own container.
    field_block = html[html.index('id="reviewer-picker"') :]
    field_block = field_block[: field_block.index('id="div_id_notes"')]
    assert "cannot be a peer reviewer here" in field_block
    # Nothing typed is lost.
    assert 'value="Health and safety"' in html
    assert 'value="2009-06-10"' in html
    assert "Bring the latest figures." in html
    assert f'value="{world.council_colleague.pk}"' in html
    assert html.count("checked") >= 4  # two areas and two reviewers stay ticked


def _picker(html):
    """The reviewer picker's HTML, white space collapsed, from a page or a fragment."""
    start = html.index('id="reviewer-picker"')
    return " ".join(
        html[start : html.index('id="div_id_notes"', start) if 'id="div_id_notes"' in html else None].split()
    )


def _ticked(picker, person) -> bool:
    """Whether `person`'s checkbox in the picker is ticked."""
    tag = picker.split(f'value="{person.pk}"')[1].split(">")[0]
    return "checked" in tag.split()


def test_reviewer_picker_groups_people_by_organisation(fac_client, world):
    html = fac_client.get(reverse("session_create", args=["caa-2009"])).content.decode()
    picker = _picker(html)
    # One group per organisation, alphabetically, each its own fieldset with a legend.
    legends = [chunk.split("</legend>")[0] for chunk in picker.split('<legend class="h6 mb-1">')[1:]]
    assert legends == [
        "Greater Manchester Fire and Rescue Service",
        "Greater Manchester Police",
        "Salford City Council",
        "Salford Primary Care Trust",
    ]
    police = picker[picker.index("Greater Manchester Police</legend>") : picker.index("Salford City Council</legend>")]
    assert "Paul Hargreaves" in police and "Gary Thornton" in police
    # No area is chosen yet: nobody is marked.
    assert "Not eligible" not in picker


def test_reviewer_picker_marks_who_cannot_review_the_areas_chosen(fac_client, world):
    # Editing the safeguarding session: the council leads it.
    html = fac_client.get(reverse("session_edit", args=[world.session.pk])).content.decode()
    picker = _picker(html)
    council = picker[
        picker.index("Salford City Council</legend>") : picker.index("Salford Primary Care Trust</legend>")
    ]
    assert (
        "Not eligible</span> Salford City Council leads Safeguarding children: a critical friend comes from" in council
    )
    assert council.count("(not eligible)") == 4  # the lead, the facilitator, a colleague, the officer
    assert f'aria-describedby="org-{world.council.pk}-note"' in picker
    assert f'id="org-{world.council.pk}-note"' in council
    assert picker.count("Not eligible</span>") == 1
    # The reviewer already chosen is ticked.
    assert _ticked(picker, world.reviewer)
    assert not _ticked(picker, world.fire_reviewer)


def test_reviewer_picker_follows_the_areas_as_they_change(fac_client, world):
    """What htmx asks for when the areas ticked change: the picker alone, marked for them,
    the people ticked still ticked."""
    url = reverse("session_create", args=["caa-2009"])
    query = f"?picker=reviewers&areas={world.safer_city.pk}&areas={world.health_inequalities.pk}"
    response = fac_client.get(url + query + f"&reviewers={world.fire_reviewer.pk}", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html
    picker = _picker(html)
    assert "Greater Manchester Police leads Safer city" in picker
    assert "Salford Primary Care Trust leads Health inequalities" in picker
    assert "Salford City Council leads" not in picker
    assert _ticked(picker, world.fire_reviewer)
    assert not _ticked(picker, world.reviewer)


def test_a_sent_form_marks_the_areas_it_chose_beside_the_rules_message(fac_client, world):
    """Without JavaScript the picker is marked for the areas sent, and the rule's message
    stays beside it."""
    data = form_data(world, areas=[world.safer_city.pk], reviewers=[world.reviewer.pk])
    html = fac_client.post(reverse("session_create", args=["caa-2009"]), data).content.decode()
    picker = _picker(html)
    assert "Greater Manchester Police leads Safer city" in picker
    assert "Paul Hargreaves cannot be a peer reviewer here: their organisation, Greater Manchester Police" in picker
    assert 'id="reviewers-error"' in picker


def test_end_before_start_and_date_outside_programme_are_explained(fac_client, world):
    response = fac_client.post(
        reverse("session_create", args=["caa-2009"]),
        form_data(world, date="2010-02-01", start_time="14:00", end_time="13:00"),
    )
    errors = response.context["form"].errors
    assert errors["end_time"] == ["The session must end after it starts."]
    assert errors["date"] == ["The date must fall within the programme, 1 April 2009 to 30 November 2009."]


def test_required_fields_are_named(fac_client, world):
    response = fac_client.post(reverse("session_create", args=["caa-2009"]), {"action": "schedule"})
    errors = response.context["form"].errors
    for field in ("title", "date", "start_time", "end_time", "areas", "facilitator"):
        assert errors[field] == ["This field is required."]


def test_reschedule_tells_everyone_of_the_move(fac_client, world, django_capture_on_commit_callbacks):
    session = world.session
    data = form_data(
        world,
        title=session.title,
        date="2009-05-12",
        areas=[world.safeguarding.pk],
        revision=session.revision,
        reviewers=[world.reviewer.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(reverse("session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.date == datetime.date(2009, 5, 12)
    assert session.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "facilitator@example.org",
        "lead@example.org",
        "reviewer@example.org",
    ]
    assert all(m.subject.startswith("Moved: Safeguarding children") for m in mail.outbox)
    cal = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    event = cal.walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").date() == datetime.date(2009, 5, 12)


def test_changing_reviewers_invites_the_new_and_releases_the_old(fac_client, world, django_capture_on_commit_callbacks):
    session = world.session
    data = form_data(
        world,
        title=session.title,
        date="2009-05-08",
        areas=[world.safeguarding.pk],
        revision=session.revision,
        reviewers=[world.fire_reviewer.pk],
        notes="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("session_edit", args=[session.pk]), data)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["firefighter@example.org"].startswith("Invitation:")
    assert subjects["reviewer@example.org"].startswith("Cancelled:")
    assert "You no longer take part" in next(m for m in mail.outbox if m.to == ["reviewer@example.org"]).body


def test_cancel_sends_cancellations(fac_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("session_status", args=[world.session.pk, "cancel"]), {"confirmed": "1"})
    world.session.refresh_from_db()
    assert world.session.status == "cancelled"
    assert len(mail.outbox) == 3
    for m in mail.outbox:
        assert m.subject.startswith("Cancelled:")
        assert "has been cancelled" in m.body
        cal = Calendar.from_ical(m.attachments[0][1])
        assert str(cal["METHOD"]) == "CANCEL"
        assert str(cal.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_concurrent_edit_is_not_applied_and_both_versions_are_shown(fac_client, world):
    session = world.session
    stale = session.revision
    first = form_data(world, title="Renamed by Ruth", date="2009-05-08", areas=[world.safeguarding.pk], revision=stale)
    second = form_data(
        world,
        title="Renamed by Martin",
        date="2009-05-08",
        areas=[world.safeguarding.pk],
        revision=stale,
        notes="My careful notes",
    )
    assert fac_client.post(reverse("session_edit", args=[session.pk]), first).status_code == 302
    response = fac_client.post(reverse("session_edit", args=[session.pk]), second)
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.title == "Renamed by Ruth"
    html = response.content.decode()
    box = conflict_box(html)
    assert box.heading == "This session changed while you were editing it"
    assert ("Title", "Renamed by Ruth") in box.saved
    assert 'value="Renamed by Martin"' in html and "My careful notes" in html
    # Saving again, knowingly, applies the second version.
    assert f'name="revision" value="{session.revision}"' in html
    second["revision"] = session.revision
    assert fac_client.post(reverse("session_edit", args=[session.pk]), second).status_code == 302
    session.refresh_from_db()
    assert session.title == "Renamed by Martin"


def test_held_session_cannot_be_edited(fac_client, world):
    ChallengeSession.objects.filter(pk=world.session.pk).update(status="held")
    response = fac_client.get(reverse("session_edit", args=[world.session.pk]))
    assert response.status_code == 302
    response = fac_client.post(
        reverse("participant_add", args=[world.session.pk]), {"person": world.fire_reviewer.pk, "role": "observer"}
    )
    assert response.status_code == 302
    assert not world.session.participants.filter(person=world.fire_reviewer).exists()


def test_add_presenter_and_remove_participant(fac_client, world, django_capture_on_commit_callbacks):
    url = reverse("participant_add", args=[world.session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            url, {"person": world.council_colleague.pk, "role": "presenter", "area": world.safeguarding.pk}
        )
    assert response.status_code == 302
    part = world.session.participants.get(person=world.council_colleague)
    assert part.describe_role() == "Presenter for Safeguarding children"
    assert [m.to[0] for m in mail.outbox] == ["colleague@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("participant_remove", args=[world.session.pk, part.pk]))
    assert not world.session.participants.filter(person=world.council_colleague).exists()
    assert mail.outbox[-1].subject.startswith("Cancelled:")


def test_add_participant_refusal_is_shown_in_place_with_htmx(fac_client, world):
    response = fac_client.post(
        reverse("participant_add", args=[world.session.pk]),
        {"person": world.council_colleague.pk, "role": "reviewer"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="participants"')
    assert "<html" not in html
    assert "cannot be a peer reviewer here" in html
    assert not world.session.participants.filter(person=world.council_colleague).exists()


def test_htmx_add_returns_the_updated_participants_fragment(fac_client, world):
    response = fac_client.post(
        reverse("participant_add", args=[world.session.pk]),
        {"person": world.fire_reviewer.pk, "role": "reviewer"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="participants"')
    assert "Added Tony Byrne as peer reviewer." in html


def test_session_ics_parses_with_attendees(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("session_ics", args=[world.session.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert cal.walk("VTIMEZONE"), "the event's time zone travels with it"
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Safeguarding children"
    assert str(event["UID"]) == f"{world.session.uid}@challenge"
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, str(start.tzinfo)) == (datetime.date(2009, 5, 8), 10, "Europe/London")
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:reviewer@example.org"]["CN"] == "Paul Hargreaves"
    assert attendees["mailto:lead@example.org"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:facilitator@example.org"]["ROLE"] == "CHAIR"
    assert str(event["LOCATION"]) == "Civic Centre"


def test_programme_calendar_has_every_visible_session(client, world):
    f.session(world.programme, areas=[world.safer_city], title="Safer city", date=datetime.date(2009, 6, 2))
    client.force_login(world.facilitator)
    cal = Calendar.from_ical(client.get(reverse("programme_calendar", args=["caa-2009"])).content)
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["Safeguarding children", "Safer city"]
    client.force_login(world.reviewer)
    cal = Calendar.from_ical(client.get(reverse("programme_calendar", args=["caa-2009"])).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Safeguarding children"]


def test_session_list_by_month_filters_by_area_and_status(fac_client, world):
    f.session(
        world.programme,
        areas=[world.safer_city],
        title="Safer city session",
        date=datetime.date(2009, 6, 2),
        status="draft",
    )
    url = reverse("session_list", args=["caa-2009"])
    html = fac_client.get(url).content.decode()
    assert "May 2009" in html and "June 2009" in html
    assert html.index("May 2009") < html.index("June 2009")
    html = fac_client.get(url, {"area": world.safer_city.pk}).content.decode()
    assert (
        "Safer city session" in html
        and "Safeguarding children</" not in html.split('id="results"')[1].split("Safer city session")[0]
    )
    html = fac_client.get(url, {"status": "draft"}).content.decode()
    results = html.split('id="results"')[1]
    assert "Safer city session" in results and "8 May" not in results
    partial = fac_client.get(url, {"status": "scheduled"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results"') and "Safer city session" not in partial


def test_bad_filter_values_are_ignored(fac_client, world):
    response = fac_client.get(reverse("session_list", args=["caa-2009"]), {"area": "x", "status": "bogus"})
    assert response.status_code == 200
    assert response.context["selected_area"] is None and response.context["selected_status"] == ""


def test_cancelling_asks_first_and_says_what_it_does(fac_client, world):
    """The page says who is told and that it cannot be undone; a post without the page's
    `confirmed` is sent back to it and cancels nothing."""
    url = reverse("session_status", args=[world.session.pk, "cancel"])
    assert world.session.status == "scheduled"
    mail.outbox.clear()
    html = fac_client.get(url).content.decode()
    assert "e-mailed a cancellation" in html and "cannot be scheduled again" in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    response = fac_client.post(url)
    assert response.status_code == 302 and response.url == url
    world.session.refresh_from_db()
    assert world.session.status == "scheduled" and mail.outbox == []


def test_cancelling_a_draft_says_nobody_is_told(fac_client, world):
    ChallengeSession.objects.filter(pk=world.session.pk).update(status="draft")
    html = fac_client.get(reverse("session_status", args=[world.session.pk, "cancel"])).content.decode()
    assert "Nobody has been invited to this draft, so nobody is e-mailed." in html
