"""Browser test: the lock-out page as a person meets it, after too many wrong passwords, and
the message after an idle time-out, both checked with axe-core.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_signin.py -q
"""

import re

import pytest
from playwright.sync_api import Page, expect

from challenge import session_timeout
from tests import factories as f
from tests.browser_support import (
    PASSWORD,
    assert_accessible,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def try_password(page: Page, base: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_too_many_wrong_passwords_lead_to_a_readable_lockout_page(page, live_server):
    f.person(username="lead", first_name="Andrew", last_name="Kenyon")
    base = live_server.url
    for _ in range(4):
        try_password(page, base, "not-my-password")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    try_password(page, base, "not-my-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in paused")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Try again after \d\d:\d\d"))
    assert_accessible(page, "the lock-out page")

    # The right password does not get through until the pause is over.
    try_password(page, base, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in paused")
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_idle_time_out_sends_the_person_to_sign_in_with_a_message(page, live_server, monkeypatch):
    f.person(username="lead", first_name="Andrew", last_name="Kenyon")
    now = [1_241_600_000.0]
    monkeypatch.setattr(session_timeout, "_now", lambda: now[0])
    base = live_server.url
    sign_in(page, base, "lead")
    now[0] += 9 * 60 * 60
    page.goto(f"{base}/")
    expect(page.get_by_role("status")).to_contain_text("You were signed out after 8 hours without activity.")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page, "the sign-in page after a time-out")
