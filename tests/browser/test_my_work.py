"""Browser journeys of issue 14: everyone's next step in front of them.

1. My work and the e-mails: the reviewer challenges, and the lead's My work (the home page)
   lists the challenge awaiting their reply while an e-mail tells them; the lead replies, the
   challenge leaves their list, and the reviewer's My work lists the reply they have not seen
   while an e-mail tells them; opened, it leaves that list too.
2. The facilitator's challenge triage, with JavaScript on and off: filtered, one challenge
   marked addressed, another unresolved with the reason it asks for.
3. The action tracker, with JavaScript on and off: filtered to the overdue, an action's owner
   updates its status from there.
4. Search finds a phrase of a comment, and not one of a session the searcher may not read.

axe runs on each page at a desktop's width (1366 px) and a phone's (390 px).

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_my_work.py -q
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from findings.models import Action, Finding
from findings.services import add_action, record_finding
from sessions.models import Participant
from tests import factories as f
from tests.browser_support import assert_accessible, open_page, sign_in
from workspace import services as workspace_services
from workspace.models import Comment

# A live server needs real commits, so these tests are transactional (see browser_support).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

CHALLENGE = "Why do a fifth of children wait longer than the ten-day target?"
REPLY = "Two social workers joined in April; waits are falling."


def steady(page: Page) -> Page:
    """No transitions: axe would read a button's colours halfway through Bootstrap's fade."""
    page.emulate_media(reduced_motion="reduce")
    return page


def assert_accessible_at_both_sizes(page: Page, what: str) -> None:
    """axe at a desktop's width and a phone's; at the phone's the page fits without sideways
    scrolling. The window is left at the desktop's size."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        if size is PHONE:
            scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll_width <= inner_width, f"{what} is {scroll_width} px wide at {inner_width} px"
        assert_accessible(page, f"{what} at {size['width']} px")


def to_(person) -> list:
    """The e-mails sent to `person` so far."""
    return [message for message in mail.outbox if message.to == [person.email]]


def question_block(page: Page, number: str):
    return page.get_by_role("article", name=re.compile(rf"^{re.escape(number)} "))


# --- My work and the e-mails -------------------------------------------------------------


def test_my_work_and_emails_follow_a_challenge_and_its_reply(page, new_context, live_server, world):
    base = live_server.url
    workspace = f"{base}{reverse('workspace', args=[world.session.pk, world.safeguarding.pk])}"

    # The lead's My work: nothing awaiting their reply.
    lead = steady(page)
    lead.set_viewport_size(DESKTOP)
    sign_in(lead, base, "lead")
    lead.goto(f"{base}/")
    expect(lead.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(lead.get_by_role("heading", name=re.compile("^Challenges awaiting your reply"))).to_have_count(0)
    assert_accessible_at_both_sizes(lead, "My work of the lead, nothing awaiting a reply")

    # The reviewer challenges question 1.1 in the workspace.
    reviewer = steady(open_page(new_context, viewport=DESKTOP))
    sign_in(reviewer, base, "reviewer")
    reviewer.goto(workspace)
    block = question_block(reviewer, "1.1")
    block.get_by_text("Comment as a critical friend").click()
    expect(block.get_by_role("radio", name="Challenge", exact=True)).to_be_checked()
    block.get_by_label("Your comment").fill(CHALLENGE)
    block.get_by_role("button", name=re.compile("^Post comment")).click()
    expect(block.get_by_role("status")).to_have_text("Challenge posted.")
    challenge = Comment.objects.get(author=world.reviewer)

    # An e-mail went to the lead (the worker runs at once in these tests), linking back.
    (message,) = to_(world.lead)
    assert message.subject.startswith(
        "Challenge: Paul Hargreaves posted a challenge on Safeguarding children in Safeguarding children"
    )
    assert "/notices/" in message.body or f"#question-{challenge.question_id}" in message.body
    assert to_(world.reviewer) == []

    # The lead's My work lists it, and links to the question.
    lead.reload()
    awaiting = lead.get_by_role("region", name="Challenges awaiting your reply (1)")
    expect(awaiting).to_be_visible()
    link = awaiting.get_by_role("link", name="Challenge by Paul Hargreaves on Safeguarding children")
    expect(awaiting).to_contain_text(CHALLENGE)
    assert_accessible_at_both_sizes(lead, "My work of the lead, a challenge awaiting a reply")
    link.click()
    expect(lead).to_have_url(f"{workspace}#question-{challenge.question_id}")

    # The lead replies: the challenge leaves their list.
    block = question_block(lead, "1.1")
    block.get_by_role("link", name="Reply to Paul Hargreaves").click()
    block.get_by_label("Your reply").fill(REPLY)
    block.get_by_role("button", name="Post reply to Paul Hargreaves").click()
    expect(block.get_by_role("status")).to_have_text("Reply posted.")
    lead.goto(f"{base}/")
    expect(lead.get_by_role("heading", name=re.compile("^Challenges awaiting your reply"))).to_have_count(0)

    # An e-mail went to the reviewer, and their My work lists the reply they have not seen.
    (message,) = to_(world.reviewer)
    assert message.subject.startswith(
        "Challenge: Andrew Kenyon replied to your challenge on Safeguarding children in Safeguarding children"
    )
    assert len(to_(world.lead)) == 1  # nothing more to the lead of their own reply
    reviewer.goto(f"{base}/")
    unseen = reviewer.get_by_role("region", name="Replies to your challenges you have not seen")
    reply_link = unseen.get_by_role(
        "link", name="Andrew Kenyon replied to your challenge on Safeguarding children in Safeguarding children"
    )
    expect(reply_link).to_be_visible()
    assert_accessible_at_both_sizes(reviewer, "My work of the reviewer, a reply not seen")

    # Followed, the reply is seen: the link leads to the question, and leaves the list.
    reply_link.click()
    expect(reviewer).to_have_url(f"{workspace}#question-{challenge.question_id}")
    expect(question_block(reviewer, "1.1").locator(".thread")).to_contain_text(REPLY)
    reviewer.goto(f"{base}/")
    expect(reviewer.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(reviewer.get_by_role("region", name="Replies to your challenges you have not seen")).to_have_count(0)

    # The notices page keeps it, read.
    reviewer.goto(f"{base}{reverse('notice_list')}")
    expect(reviewer.get_by_role("heading", level=1)).to_be_visible()
    expect(reviewer.get_by_role("main")).to_contain_text("Andrew Kenyon replied to your challenge")
    assert_accessible_at_both_sizes(reviewer, "the reviewer's notices")


# --- Challenge triage --------------------------------------------------------------------


@pytest.fixture
def challenges(world):
    """Two open challenges on safeguarding, from the police and the fire service reviewers,
    and a suggestion already addressed."""
    f.participant(world.session, world.fire_reviewer)
    questions = list(world.session.question_set.sections.first().questions.all()[:2])
    waits = workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=questions[0],
        author=world.reviewer,
        kind="challenge",
        text=CHALLENGE,
        notify=False,
    )
    audits = workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=questions[1],
        author=world.fire_reviewer,
        kind="challenge",
        text="Who audits the case files, and how often?",
        notify=False,
    )
    rota = workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=questions[1],
        author=world.reviewer,
        kind="suggestion",
        text="Share the duty rota with the police.",
        notify=False,
    )
    workspace_services.set_comment_status(comment=rota, by=world.facilitator, status="addressed")
    return waits, audits, rota


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_facilitator_triages_the_challenges(new_context, live_server, world, challenges, javascript):
    base = live_server.url
    waits, audits, rota = challenges
    url = f"{base}{reverse('challenge_triage', args=[world.session.pk])}"
    page = steady(open_page(new_context, java_script_enabled=javascript, viewport=DESKTOP))
    sign_in(page, base, "facilitator")

    # From the session's page.
    page.goto(f"{base}/sessions/{world.session.pk}/")
    page.get_by_role("link", name="Triage the challenges of all the areas").click()
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", name="Challenges of “Safeguarding children”", level=1)).to_be_visible()
    # The open ones, by default.
    threads = page.locator("main article")
    expect(threads).to_have_count(2)
    expect(page.get_by_role("heading", name="2 challenges", level=2)).to_be_visible()
    if javascript:  # (axe runs in the page: not without JavaScript)
        assert_accessible_at_both_sizes(page, "the triage list")

    # Every status: the addressed suggestion too.
    page.get_by_label("Status").select_option(label="Any status (3)")
    page.get_by_label("Area").select_option(label="Safeguarding children")
    page.get_by_role("button", name="Show").click()
    expect(threads).to_have_count(3)
    expect(page.get_by_role("article").filter(has_text="Share the duty rota")).to_contain_text("Addressed")

    # Mark the first challenge addressed: back on the same list, filters kept.
    page.get_by_role("button", name=re.compile(r"^Mark addressed\s*: challenge from Paul Hargreaves$")).click()
    expect(page.get_by_role("status").first).to_contain_text("Marked “Why do a fifth")
    assert "status=all" in page.url
    expect(page.get_by_role("article").filter(has_text=CHALLENGE)).to_contain_text("Addressed")
    waits.refresh_from_db()
    assert (waits.status, waits.status_by) == ("addressed", world.facilitator)

    # Mark the other unresolved: the page asks why, and refuses without a reason.
    page.get_by_role("link", name=re.compile(r"^Mark unresolved…\s*challenge from Tony Byrne$")).click()
    expect(page.get_by_role("heading", name="Mark a challenge", level=1)).to_be_visible()
    expect(page.get_by_role("radio", name="Unresolved")).to_be_checked()
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_label("Why it stays unresolved")).to_have_attribute("aria-invalid", "true")
    audits.refresh_from_db()
    assert audits.status == "open"
    if javascript:  # (axe runs in the page: not without JavaScript)
        assert_accessible_at_both_sizes(page, "the mark page, the reason missing")
    page.get_by_label("Why it stays unresolved").fill("No audit schedule was shown; the board is to set one.")
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_role("status").first).to_contain_text("unresolved")
    expect(page).to_have_url(re.compile(r"/challenges/\?.*status=all"))
    card = page.get_by_role("article").filter(has_text="Who audits the case files")
    expect(card).to_contain_text("Unresolved")
    expect(card).to_contain_text("Why it stays unresolved: No audit schedule was shown; the board is to set one.")
    audits.refresh_from_db()
    assert (audits.status, audits.status_note) == (
        "unresolved",
        "No audit schedule was shown; the board is to set one.",
    )

    # Nothing is left open.
    page.goto(url)
    expect(threads).to_have_count(0)
    expect(page.get_by_text("No challenge matches: none is waiting to be dealt with.")).to_be_visible()
    if javascript:  # (axe runs in the page: not without JavaScript)
        assert_accessible_at_both_sizes(page, "the triage list, nothing open")


# --- The action tracker ------------------------------------------------------------------


@pytest.fixture
def actions(world):
    """Two actions of a safeguarding finding: the lead's, overdue; the facilitator's, not."""
    finding = record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="Referral waits above the ten-day target",
        text="A fifth of children wait longer than the target.",
    )
    overdue = add_action(
        finding=finding,
        description="Recruit two more social workers for the referral team",
        owner=world.lead,
        due_date=datetime.date(2009, 4, 30),
    )
    later = add_action(
        finding=finding,
        description="Report the waits to the board every month",
        owner=world.facilitator,
        due_date=datetime.date(2009, 9, 30),
    )
    return overdue, later


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_owner_updates_an_action_from_the_tracker(new_context, live_server, world, actions, javascript):
    base = live_server.url
    overdue, later = actions
    url = f"{base}{reverse('action_tracker', args=['caa-2009'])}"

    # The facilitator follows "1 improvement action overdue" from the dashboard: the tracker, filtered.
    facilitator = steady(open_page(new_context, java_script_enabled=javascript, viewport=DESKTOP))
    sign_in(facilitator, base, "facilitator")
    facilitator.goto(f"{base}/programmes/caa-2009/")
    facilitator.get_by_role("link", name="1 improvement action overdue").click()
    expect(facilitator).to_have_url(f"{url}?overdue=on")
    expect(facilitator.get_by_role("heading", name="Action tracker", level=1)).to_be_visible()
    expect(facilitator.get_by_label("Overdue only")).to_be_checked()
    rows = facilitator.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Recruit two more social workers")
    expect(rows.first).to_contain_text("Overdue")
    if javascript:  # (axe runs in the page: not without JavaScript)
        assert_accessible_at_both_sizes(facilitator, "the action tracker, overdue only")

    # Every action, by due date; then only the facilitator's.
    facilitator.get_by_label("Overdue only").uncheck()
    facilitator.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Recruit two more social workers")
    expect(rows.nth(1)).to_contain_text("Report the waits to the board")
    facilitator.get_by_label("Owner").select_option(value=str(world.facilitator.pk))
    facilitator.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Report the waits to the board")
    expect(facilitator.get_by_role("link", name="Download these as CSV")).to_have_attribute(
        "href", re.compile(rf"actions\.csv\?.*owner={world.facilitator.pk}")
    )

    # The lead, who owns the overdue action, marks it in progress from the tracker.
    lead = steady(open_page(new_context, java_script_enabled=javascript, viewport=DESKTOP))
    sign_in(lead, base, "lead")
    lead.goto(url)
    row = lead.get_by_role("row", name=re.compile("Recruit two more social workers"))
    status = row.get_by_label(re.compile("^Status of"))
    expect(status).to_have_value("not_started")
    if javascript:  # (axe runs in the page: not without JavaScript)
        assert_accessible_at_both_sizes(lead, "the action tracker as an action's owner")
    status.select_option(label="In progress")
    row.get_by_role("button", name=re.compile("^Update")).click()
    expect(lead.get_by_role("status").first).to_contain_text("Action marked in progress.")
    expect(lead).to_have_url(re.compile(rf"/programmes/caa-2009/actions/#action-{overdue.pk}$"))
    row = lead.get_by_role("row", name=re.compile("Recruit two more social workers"))
    expect(row.get_by_label(re.compile("^Status of"))).to_have_value("in_progress")
    overdue.refresh_from_db()
    assert overdue.status == Action.Status.IN_PROGRESS
    # The facilitator's action is not the lead's to change.
    later_row = lead.get_by_role("row", name=re.compile("Report the waits to the board"))
    expect(later_row.get_by_role("combobox")).to_have_count(0)


# --- Search ------------------------------------------------------------------------------


def test_search_finds_what_the_searcher_may_read_only(page, live_server, world):
    base = live_server.url
    question = world.session.question_set.sections.first().questions.first()
    workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text="How many looked-after children moved placement three times this year?",
        notify=False,
    )
    # A session of the safer city the reviewer takes no part in, with a comment of its own.
    hidden = f.session(world.programme, areas=[world.safer_city], title="Safer city", date=datetime.date(2009, 5, 20))
    f.participant(hidden, world.health_reviewer, Participant.Role.REVIEWER)
    workspace_services.post_comment(
        session=hidden,
        area=world.safer_city,
        question=question,
        author=world.health_reviewer,
        kind="challenge",
        text="Why did night-time economy assaults rise in the city centre?",
        notify=False,
    )

    steady(page).set_viewport_size(DESKTOP)
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/search/")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    page.get_by_label("Words to find").fill('"moved placement three times"')
    page.get_by_role("search", name="Search again").get_by_role("button", name="Search").click()
    expect(page.get_by_role("status").first).to_contain_text("1 result for")
    results = page.get_by_role("region", name=re.compile("^Challenges"))
    expect(results).to_contain_text("moved placement three times")
    expect(results.locator("mark").first).to_be_visible()
    assert_accessible_at_both_sizes(page, "the search results")
    results.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/sessions/{world.session.pk}/areas/{world.safeguarding.pk}/"))

    # The phrase of the session they may not read finds nothing.
    page.goto(f"{base}/search/?q=night-time+economy+assaults")
    expect(page.get_by_role("status").first).to_contain_text("Nothing found for “night-time economy assaults”")
    expect(page.get_by_role("main")).not_to_contain_text("Why did night-time")
    assert_accessible_at_both_sizes(page, "the search, nothing found")

    # The facilitator, who reads every session, finds it.
    other = steady(page.context.browser.new_context(viewport=DESKTOP).new_page())
    try:
        sign_in(other, base, "facilitator")
        other.goto(f"{base}/search/?q=night-time+economy+assaults")
        expect(other.get_by_role("main")).to_contain_text("night-time economy assaults")
    finally:
        other.context.close()
