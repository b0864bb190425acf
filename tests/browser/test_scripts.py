"""The site's own JavaScript (static/js/app.js): when an in-place (htmx) update fails, the
page says so, instead of looking as if nothing happened. And the only scripts a page runs
are htmx and app.js: Bootstrap's JavaScript is not shipped (no page uses it).

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_scripts.py -q
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser_support import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DONE_URL = re.compile(r"/milestones/\d+/done/$")


@pytest.fixture
def timetable(page, live_server, world):
    """The facilitator on the programme dashboard, with a milestone to mark done in place."""
    f.milestone(world.programme, title="Programme board agrees the sessions", date=datetime.date(2009, 5, 20))
    sign_in(page, live_server.url, "facilitator")
    page.goto(f"{live_server.url}{world.programme.get_absolute_url()}")
    return page


# The visually hidden part of the name ("Mark done: …") comes with a space before it in Chromium.
MARK_DONE = re.compile(r"^Mark done\W+Programme board agrees the sessions$")


def _mark_done(page):
    page.get_by_role("button", name=MARK_DONE).click()


def test_the_page_runs_htmx_and_the_sites_script_only(timetable):
    scripts = timetable.eval_on_selector_all("script", "elements => elements.map(e => e.getAttribute('src'))")
    assert [re.sub(r"^/static/", "", src) for src in scripts] == ["vendor/htmx-2.0.11/htmx.min.js", "js/app.js"]
    assert timetable.evaluate("typeof window.bootstrap") == "undefined"
    expect(timetable.locator("#htmx-error")).to_be_hidden()


def test_a_refused_update_is_announced(timetable):
    timetable.route(DONE_URL, lambda route: route.fulfill(status=403, body="Refused"))
    _mark_done(timetable)
    box = timetable.locator("#htmx-error")
    expect(box).to_be_visible()
    expect(box).to_have_text(re.compile(r"^That was refused: you may no longer do this here"))
    expect(box).to_be_focused()
    # Nothing was swapped in: the button is still there, not done.
    expect(timetable.get_by_role("button", name=MARK_DONE)).to_be_visible()


def test_a_failed_update_is_announced_with_its_error(timetable):
    timetable.route(DONE_URL, lambda route: route.fulfill(status=500, body="Broken"))
    _mark_done(timetable)
    expect(timetable.locator("#htmx-error")).to_have_text(
        "That did not work (error 500). Reload the page and try again."
    )


def test_an_unreachable_server_is_announced(timetable):
    timetable.route(DONE_URL, lambda route: route.abort())
    _mark_done(timetable)
    expect(timetable.locator("#htmx-error")).to_have_text(re.compile(r"^The server could not be reached\."))
