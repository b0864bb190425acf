"""Browser tests: real Chromium (Debian's) driven by Playwright against the live server.

They cover what the view tests cannot: the forms as a person fills them in, htmx swapping
parts of a page in place, the same journeys with JavaScript off, and an axe-core
accessibility check (WCAG 2.x A/AA plus axe's best practices) of every page visited.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_sessions.py -q
"""

import datetime
import re

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from sessions.models import ChallengeSession, Participant
from tests import factories as f
from tests.browser_support import (
    TIMEOUT_MS,
    assert_accessible,
    csp_violations,
    open_page,
    sign_in,
)

# A live server needs real commits, so these tests are transactional: the database is
# emptied after each one (browser_support._migration_data puts back the rows the
# migrations made).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def participants_section(page: Page):
    return page.locator("#participants")


# --- The journey from the issue ----------------------------------------------------------


def test_facilitator_schedules_a_session_fixing_a_refused_reviewer(page, live_server, world):
    base = live_server.url
    sign_in(
        page,
        base,
        "facilitator",
        check=lambda p: assert_accessible(p, "the sign-in page"),
    )

    # The programme dashboard.
    page.get_by_role("link", name="CAA 2009 challenge sessions").click()
    expect(page.get_by_role("heading", name="CAA 2009 challenge sessions", level=1)).to_be_visible()
    assert_accessible(page, "the programme dashboard")

    # The empty form.
    page.get_by_role("link", name="Schedule a session").first.click()
    expect(page.get_by_role("heading", name="Schedule a session", level=1)).to_be_visible()
    assert_accessible(page, "the empty session form")

    page.get_by_label("Title").fill("Children and health")
    page.get_by_label("Date").fill("2009-06-10")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Venue").fill("Salford Civic Centre, Room 2")
    page.get_by_role("checkbox", name="Safeguarding children").check()
    page.get_by_role("checkbox", name="Health inequalities").check()
    reviewer_box = page.get_by_role("checkbox", name="Paul Hargreaves, Greater Manchester Police")
    colleague_box = page.get_by_role("checkbox", name="Karen Ashworth, Salford City Council")
    # The reviewers are grouped by organisation; with the areas ticked, the picker (fetched
    # again by htmx) marks those whose organisation leads one, and says why, before sending.
    picker = page.get_by_role("group", name="Peer reviewers (critical friends)")
    council = picker.get_by_role("group", name="Salford City Council")
    expect(council).to_have_accessible_description(
        "Not eligible Salford City Council leads Safeguarding children: a critical friend comes from another "
        "organisation."
    )
    expect(picker.get_by_role("group", name="Salford Primary Care Trust")).to_have_accessible_description(
        re.compile("Salford Primary Care Trust leads Health inequalities")
    )
    expect(colleague_box).to_have_accessible_name("Karen Ashworth, Salford City Council (not eligible)")
    expect(reviewer_box).to_have_accessible_name("Paul Hargreaves, Greater Manchester Police")
    assert_accessible(page, "the session form, its reviewers marked for the areas chosen")
    reviewer_box.check()
    colleague_box.check()
    page.get_by_role("button", name="Schedule and invite").click()

    # Refused: the council leads Safeguarding children (the form is sent all the same: the
    # marks only warn). The message sits with the reviewers field (inside its fieldset), and
    # nothing typed is lost.
    reviewers_field = page.locator("#reviewer-picker")
    expect(reviewers_field).to_contain_text("cannot be a peer reviewer")
    expect(reviewers_field).to_contain_text("Karen Ashworth")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("cannot be a peer reviewer")
    # The summary links to the field: for a group of checkboxes, its first box.
    summary_link = summary.get_by_role("link", name=re.compile("cannot be a peer reviewer"))
    expect(summary_link).to_have_attribute("href", "#id_reviewers_0")
    expect(page.locator("#id_reviewers_0")).to_have_count(1)
    expect(page.get_by_label("Title")).to_have_value("Children and health")
    expect(page.get_by_label("Date")).to_have_value("2009-06-10")
    expect(page.get_by_label("Start time")).to_have_value("10:00")
    expect(page.get_by_label("Venue")).to_have_value("Salford Civic Centre, Room 2")
    expect(page.get_by_role("checkbox", name="Safeguarding children")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Health inequalities")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Safer city")).not_to_be_checked()
    expect(reviewer_box).to_be_checked()
    expect(colleague_box).to_be_checked()
    assert not ChallengeSession.objects.filter(title="Children and health").exists()
    assert_accessible(page, "the session form with errors")

    colleague_box.uncheck()
    page.get_by_role("button", name="Schedule and invite").click()

    # The session's page.
    expect(page.get_by_role("heading", name="Children and health", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Scheduled “Children and health”")
    expect(page.get_by_text("Wednesday 10 June 2009, 10:00 to 12:00")).to_be_visible()
    areas = page.get_by_role("region", name="Areas and presenters")
    expect(areas.get_by_role("heading", name="Safeguarding children")).to_be_visible()
    expect(areas.get_by_role("heading", name="Health inequalities")).to_be_visible()
    reviewers = page.get_by_role("region", name="Peer reviewers")
    expect(reviewers).to_contain_text("Paul Hargreaves")
    expect(reviewers).not_to_contain_text("Karen Ashworth")
    session = ChallengeSession.objects.get(title="Children and health")
    assert session.status == ChallengeSession.Status.SCHEDULED
    assert page.url == f"{base}/sessions/{session.pk}/"
    assert_accessible(page, "the session page")

    # The dashboard lists it under the upcoming sessions (today is 6 May 2009).
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="CAA 2009 challenge sessions").click()
    upcoming = page.get_by_role("region", name="Upcoming sessions")
    row = upcoming.get_by_role("row").filter(has_text="Children and health")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Wed 10 Jun 2009")
    expect(row).to_contain_text("Scheduled")

    # The calendar file.
    row.get_by_role("link", name="Children and health").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"challenge-session-{session.pk}.ics"
    with open(download.path(), "rb") as fh:
        calendar = Calendar.from_ical(fh.read())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Children and health"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    addresses = {str(a).lower() for a in attendees}
    assert "mailto:reviewer@example.org" in addresses
    assert "mailto:colleague@example.org" not in addresses
    assert event.decoded("DTSTART").date() == datetime.date(2009, 6, 10)


# --- Without JavaScript ------------------------------------------------------------------


def test_without_javascript_participants_and_filters_still_work(browser, live_server, world):
    f.session(
        world.programme,
        areas=[world.safer_city],
        facilitator=world.facilitator,
        title="Safer city",
        date=datetime.date(2009, 6, 3),
    )
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        base = live_server.url
        sign_in(page, base, "facilitator")

        # Add a presenter by an ordinary form post; the redirect lands back on the page.
        page.goto(f"{base}/sessions/{world.session.pk}/")
        form = page.get_by_role("region", name="Add someone to the session")
        form.get_by_label("Person").select_option(label="Karen Ashworth, Salford City Council")
        form.get_by_label("Area presented").select_option(label="Safeguarding children")
        form.get_by_role("radio", name="Presenter").check()
        form.get_by_role("button", name="Add to session").click()
        page.wait_for_url(re.compile(rf"/sessions/{world.session.pk}/#participants$"))
        expect(page.get_by_role("status").first).to_contain_text("Added Karen Ashworth as presenter")
        area_card = (
            page.get_by_role("region", name="Areas and presenters")
            .get_by_role("article")
            .filter(has=page.get_by_role("heading", name="Safeguarding children"))
        )
        expect(area_card).to_contain_text("Karen Ashworth")
        expect(area_card).to_contain_text("Andrew Kenyon")
        assert Participant.objects.filter(
            session=world.session,
            person=world.council_colleague,
            role=Participant.Role.PRESENTER,
            area=world.safeguarding,
        ).exists()

        # The session list's filter is a plain GET form.
        page.goto(f"{base}/programmes/caa-2009/sessions/")
        results = page.locator("#results")
        expect(results).to_contain_text("2 sessions")
        page.get_by_label("Area").select_option(label="Safer city")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"/programmes/caa-2009/sessions/\?area=\d+&status=$"))
        expect(results).to_contain_text("1 session covering Safer city")
        expect(results.get_by_role("link", name=re.compile("Safer city"))).to_have_count(1)
        expect(results).not_to_contain_text("Safeguarding children")
        expect(page.get_by_label("Area")).to_have_value(str(world.safer_city.pk))

        page.get_by_label("Area").select_option(label="All areas")
        page.get_by_label("Status").select_option(label="Cancelled")
        page.get_by_role("button", name="Filter").click()
        expect(results).to_contain_text("No sessions match.")
    finally:
        context.close()


# --- With JavaScript: htmx ---------------------------------------------------------------


def test_htmx_updates_participants_in_place(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "facilitator")

    # The session list: choosing an area filters it in place and puts the filter in the
    # address (data-hx-push-url), without loading a new page.
    page.goto(f"{base}/programmes/caa-2009/sessions/")
    results = page.locator("#results")
    expect(results).to_contain_text("1 session")
    assert_accessible(page, "the session list")
    page.evaluate("window.__marker = 1")
    page.get_by_label("Area").select_option(label="Safer city")
    expect(results).to_contain_text("0 sessions covering Safer city")
    expect(results).to_contain_text("No sessions match.")
    expect(page).to_have_url(re.compile(rf"\?area={world.safer_city.pk}&status=$"))
    assert page.evaluate("window.__marker") == 1
    assert_accessible(page, "the session list after filtering")

    page.goto(f"{base}/sessions/{world.session.pk}/")
    url = page.url
    page.evaluate("window.__marker = 1")
    form = page.get_by_role("region", name="Add someone to the session")

    # Allowed: the health trust leads none of this session's areas.
    form.get_by_label("Person").select_option(label="Helen Barlow, Salford Primary Care Trust")
    form.get_by_role("radio", name="Peer reviewer").check()
    form.get_by_role("button", name="Add to session").click()
    reviewers = page.get_by_role("region", name="Peer reviewers")
    expect(reviewers).to_contain_text("Helen Barlow")
    expect(participants_section(page).get_by_role("status")).to_contain_text("Added Helen Barlow")
    assert page.url == url
    assert page.evaluate("window.__marker") == 1

    # Refused: the council leads Safeguarding children. The error appears in place and the
    # council colleague is not added.
    form = page.get_by_role("region", name="Add someone to the session")
    form.get_by_label("Person").select_option(label="Karen Ashworth, Salford City Council")
    form.get_by_role("radio", name="Peer reviewer").check()
    form.get_by_role("button", name="Add to session").click()
    expect(participants_section(page)).to_contain_text("cannot be a peer reviewer")
    expect(page.locator("#div_id_person")).to_contain_text("cannot be a peer reviewer")
    expect(page.get_by_role("region", name="Peer reviewers")).not_to_contain_text("Karen Ashworth")
    assert page.url == url
    assert page.evaluate("window.__marker") == 1
    assert not Participant.objects.filter(session=world.session, person=world.council_colleague).exists()
    assert Participant.objects.filter(
        session=world.session,
        person=world.health_reviewer,
        role=Participant.Role.REVIEWER,
    ).exists()
    assert_accessible(page, "the session page after an htmx swap with an error")


# --- A peer reviewer ---------------------------------------------------------------------


def test_reviewer_sees_their_session_without_facilitator_controls(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "reviewer")

    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    mine = page.get_by_role("region", name="Your upcoming sessions")
    expect(mine).to_contain_text("Friday 8 May 2009, 10:00–12:00")
    expect(mine).to_contain_text("You: Peer reviewer")
    assert_accessible(page, "the home page")

    mine.get_by_role("link", name="Safeguarding children").click()
    expect(page.get_by_role("heading", name="Safeguarding children", level=1)).to_be_visible()
    assert page.url == f"{base}/sessions/{world.session.pk}/"
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    expect(page.get_by_role("link", name="Edit or reschedule")).to_have_count(0)
    expect(page.get_by_role("link", name="Schedule a session")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel session")).to_have_count(0)
    expect(page.get_by_role("region", name="Add someone to the session")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)

    # Nor does the dashboard offer to schedule one.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="CAA 2009 challenge sessions").click()
    expect(page.get_by_role("heading", name="CAA 2009 challenge sessions", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Schedule a session")).to_have_count(0)
    expect(page.get_by_role("link", name="Schedule one")).to_have_count(0)


# --- Content-Security-Policy -------------------------------------------------------------


def test_htmx_updates_break_nothing_under_the_content_security_policy(page, live_server, world):
    """The policy allows no inline script or style: htmx must work without injecting its
    indicator <style>, and nothing on these pages may be blocked. (The `page` fixture also
    fails any browser test whose pages the policy blocked something on.)"""
    f.milestone(world.programme, title="Area leads briefed", date=datetime.date(2009, 5, 22))
    base = live_server.url
    response = page.goto(f"{base}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    sign_in(page, base, "facilitator")

    # htmx took its configuration from the meta element and added no <style> element.
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    expect(page.locator("style")).to_have_count(0)

    # Filtering the session list in place.
    page.goto(f"{base}/programmes/caa-2009/sessions/")
    page.evaluate("window.__marker = 1")
    page.get_by_label("Area").select_option(label="Safer city")
    expect(page.locator("#results")).to_contain_text("0 sessions covering Safer city")
    assert page.evaluate("window.__marker") == 1

    # Adding a participant in place.
    page.goto(f"{base}/sessions/{world.session.pk}/")
    page.evaluate("window.__marker = 1")
    form = page.get_by_role("region", name="Add someone to the session")
    form.get_by_label("Person").select_option(label="Helen Barlow, Salford Primary Care Trust")
    form.get_by_role("radio", name="Peer reviewer").check()
    form.get_by_role("button", name="Add to session").click()
    expect(page.get_by_role("region", name="Peer reviewers")).to_contain_text("Helen Barlow")
    assert page.evaluate("window.__marker") == 1

    # Marking a milestone done in the dashboard's timetable, in place.
    page.goto(f"{base}/programmes/caa-2009/")
    page.evaluate("window.__marker = 1")
    timetable = page.locator("#timetable")
    timetable.get_by_role("button", name=re.compile(r"^Mark done\W+Area leads briefed")).click()
    expect(timetable.get_by_role("button", name=re.compile(r"^Mark not done\W+Area leads briefed"))).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    expect(page.locator("style")).to_have_count(0)

    assert csp_violations() == []


def test_a_blocked_inline_style_is_reported(new_context, live_server, world):
    """The check the browser tests rely on does see a violation (so an empty list means none)."""
    page = open_page(new_context)
    sign_in(page, live_server.url, "facilitator")
    assert csp_violations() == []
    page.evaluate("document.body.setAttribute('style', 'background: rgb(255, 0, 0)')")
    for _ in range(50):
        if csp_violations():
            break
        page.wait_for_timeout(100)
    assert any("style-src" in report for report in csp_violations()), csp_violations()
    # Blocked, not merely reported.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
