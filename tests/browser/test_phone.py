"""Browser tests at a phone's size (issue 14): each page that lists things in tables or
carries form controls in a row fits a 390 px wide screen without sideways scrolling, and
axe finds nothing on it at a desktop's width (1366 px) or a phone's (390 px).

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_phone.py -q
"""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from evaluations.services import current_self_evaluation
from findings.models import Finding
from findings.services import add_action, record_finding
from tests.browser_support import TIMEOUT_MS, assert_accessible, sign_in
from workspace import services as workspace_services

# A live server needs real commits, so these tests are transactional (see browser_support).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

CHALLENGE = "Why do a fifth of children still wait longer than the ten-day target for a decision?"


@pytest.fixture
def busy(world):
    """Something on each page: a challenge with a reply, a finding with an action (so the
    action's status select), a self-evaluation started for one area."""
    question = world.session.question_set.sections.first().questions.first()
    challenge = workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text=CHALLENGE,
    )
    workspace_services.reply_to(
        parent=challenge, author=world.lead, text="Two social workers joined in April; waits are falling."
    )
    finding = record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="Referral waits above the ten-day target for a fifth of children",
        text="Waits fall since April but the target is still missed.",
        new_themes=["Workforce capacity"],
    )
    add_action(
        finding=finding,
        description="Recruit two more social workers for the referral and assessment team",
        owner=world.lead,
        due_date=datetime.date(2009, 4, 30),
    )
    current_self_evaluation(programme=world.programme, area=world.safeguarding)
    return challenge


def pages(world) -> list[tuple[str, str, str]]:
    """(who, address, what) for each page checked."""
    session, area = world.session.pk, world.safeguarding.pk
    return [
        ("facilitator", reverse("documents", args=["caa-2009"]), "the documents page"),
        ("officer", reverse("documents", args=["caa-2009"]), "the documents page as an officer"),
        ("facilitator", reverse("session_findings", args=[session, area]), "the session findings page"),
        ("facilitator", reverse("emerging_findings", args=["caa-2009"]), "the emerging findings page"),
        ("facilitator", reverse("action_tracker", args=["caa-2009"]), "the action tracker"),
        ("lead", reverse("action_tracker", args=["caa-2009"]), "the action tracker as an action's owner"),
        ("facilitator", reverse("challenge_triage", args=[session]), "the challenge triage list"),
        ("facilitator", reverse("search") + "?q=ten-day+target", "the search results"),
        ("lead", reverse("notice_list"), "the notices page"),
        ("lead", reverse("home"), "My work (the home page) of the lead"),
        ("reviewer", reverse("home"), "My work (the home page) of the reviewer"),
        ("lead", reverse("programme_dashboard", args=["caa-2009"]), "the programme page as a presenter"),
    ]


def assert_fits(page: Page, what: str) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width <= inner_width:
        return
    # Name the outermost elements that reach past the window's edge, to say what to fix.
    wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter((el) => !(el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5))
            .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                 + " " + Math.round(el.getBoundingClientRect().right) + " px")
            .slice(0, 5)"""
    )
    raise AssertionError(f"{what} is {scroll_width} px wide in a {inner_width} px window: {wide}")


@pytest.mark.parametrize("who", ["facilitator", "officer", "lead", "reviewer"])
def test_pages_fit_a_phone_and_pass_axe(browser, live_server, world, busy, who):
    base = live_server.url
    for size in (DESKTOP, PHONE):
        context = browser.new_context(viewport=size, reduced_motion="reduce")
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            sign_in(page, base, who)
            for person, url, what in pages(world):
                if person != who:
                    continue
                page.goto(f"{base}{url}")
                expect(page.locator("h1")).to_have_count(1)
                if size is PHONE:
                    assert_fits(page, what)
                assert_accessible(page, f"{what} at {size['width']} px")
        finally:
            context.close()


def test_action_status_select_reads_in_full(browser, live_server, world, busy):
    """The action's status select shows its whole option ("Not started", "In progress"),
    on a desktop and on a phone."""
    base = live_server.url
    for size in (DESKTOP, PHONE):
        context = browser.new_context(viewport=size)
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            sign_in(page, base, "facilitator")
            for url in (
                reverse("session_findings", args=[world.session.pk, world.safeguarding.pk]),
                reverse("action_tracker", args=["caa-2009"]),
            ):
                page.goto(f"{base}{url}")
                select = page.get_by_label(re.compile("^Status of")).first
                expect(select).to_be_visible()
                # Wide enough for its longest option's text (with room for the chevron).
                fits = select.evaluate(
                    """(el) => {
                        const probe = document.createElement("span");
                        probe.style.font = getComputedStyle(el).font;
                        probe.style.position = "absolute";
                        probe.style.whiteSpace = "nowrap";
                        document.body.appendChild(probe);
                        let widest = 0;
                        for (const option of el.options) {
                            probe.textContent = option.text;
                            widest = Math.max(widest, probe.getBoundingClientRect().width);
                        }
                        probe.remove();
                        return el.clientWidth - widest;
                    }"""
                )
                assert fits >= 24, f"the status select on {url} at {size['width']} px is {-fits + 24} px short"
                assert_fits(page, url)
        finally:
            context.close()
