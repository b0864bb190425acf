"""axe-core on every page each kind of person can reach in the demonstration programme
(`seed_demo`), on the real date as well as on the demo day.

The other browser journeys run on the demonstration clock (conftest pins 6 May 2009), when
little is late. On the real date every 2009 milestone is overdue, every draft self-evaluation
late and every open action overdue: pages show tinted rows and boxes that the demo day never
shows, and their links and buttons must keep their contrast there too.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_real_date.py -q
"""

import datetime
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser_support import (
    PASSWORD,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_DAY = datetime.date(2009, 5, 20)
SOUTHAMPTON_USERS = {"scrutiny", "councillor"}
SOUTHAMPTON_PROGRAMME = "southampton-scrutiny-2021-22"
# Not pages: downloads, signing out, the Django admin (its own styles), and the forms that
# change a password.
NOT_PAGES = re.compile(r"/admin/|/accounts/|\.pdf$|/pdf/$|/docx/$|\.csv$|\.ics$|[?&]")
_axe = Axe()


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def shape(url: str) -> str:
    """One visit per kind of page: /sessions/3/ and /sessions/4/ look alike, and so do the pages
    of two areas (/areas/health-inequalities/history/ and /areas/safer-city/history/)."""
    return re.sub(r"/areas/[a-z][^/]*/", "/areas/S/", re.sub(r"/\d+/", "/N/", url))


def visit_every_page(page: Page, base: str) -> dict[str, list[str]]:
    """Follow the links from the home page, once per kind of page, and run axe-core on each.
    Returns the problems found, by page (an empty list for a page without any)."""
    found: dict[str, list[str]] = {}
    queue = [f"{base}/"]
    while queue:
        url = queue.pop(0)
        if shape(url) in found:
            continue
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        results = _axe.run(page).response
        found[shape(url)] = [
            f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
            for violation in results["violations"]
            for node in violation["nodes"]
        ]
        for href in page.eval_on_selector_all("main a[href], nav a[href]", "els => els.map(e => e.href)"):
            href = href.split("#")[0]
            if href.startswith(base) and not NOT_PAGES.search(href[len(base) :]) and shape(href) not in found:
                queue.append(href)
    return found


@pytest.mark.parametrize(
    "clock, username",
    [
        ("real date", "facilitator"),
        ("real date", "lead"),
        ("real date", "reviewer"),
        ("real date", "officer"),
        ("demo day", "facilitator"),
        # Southampton's (issue 15): its scrutiny officer and a councillor on the panel.
        ("real date", "scrutiny"),
        ("real date", "councillor"),
        ("demo day", "scrutiny"),
    ],
)
def test_every_page_passes_axe(page, live_server, demo, settings, clock, username):
    settings.CHALLENGE_TODAY = None if clock == "real date" else DEMO_DAY
    base = live_server.url
    sign_in(page, base, username)
    programme = SOUTHAMPTON_PROGRAMME if username in SOUTHAMPTON_USERS else "caa-2009"

    # The clock is the one asked for: the demo day says so in a banner; the real date makes
    # the programme's deadline long past.
    page.goto(f"{base}/programmes/{programme}/documents/")
    banner = page.get_by_role("note").filter(has_text="Demonstration clock")
    if clock == "real date":
        expect(banner).to_have_count(0)
        if programme == "caa-2009":
            expect(page.get_by_text("Late", exact=True).first).to_be_visible()
    else:
        expect(banner).to_contain_text("20 May 2009")

    found = visit_every_page(page, base)

    # The walk reached the pages that show lateness, not just the home page.
    visited = set(found)
    assert f"{base}/programmes/{programme}/" in visited
    assert f"{base}/programmes/{programme}/documents/" in visited
    if username == "facilitator":
        assert any(re.search(r"/sessions/N/areas/N/findings/$", url) for url in visited), visited
    problems = {url: items for url, items in found.items() if items}
    assert problems == {}, "axe-core found:\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(items) for url, items in problems.items()
    )
