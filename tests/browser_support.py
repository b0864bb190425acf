"""What the browser tests share: how Chromium is launched, the per-test database clean-up,
plain-HTTP cookies, the page's timeouts, signing in and the axe-core check.

The fixtures are imported by name into each browser test module (pytest collects fixtures
imported into a module just like ones defined there); this module is not a conftest, so the
other tests never see them."""

import importlib
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.db import connections
from playwright.sync_api import Page, expect

# Playwright's sync API runs an event loop in the test thread; the ORM calls the fixtures and
# assertions make from that thread are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-long-test-password"
TIMEOUT_MS = 10_000

# Everything a test module needs, fixtures included (`from .browser_support import *`).
__all__ = [
    "PASSWORD",
    "TIMEOUT_MS",
    "_migration_data",
    "_migration_data_for_later_tests",
    "_plain_http_cookies",
    "assert_accessible",
    "browser_type_launch_args",
    "csp_violations",
    "open_page",
    "page_with_timeouts",
    "sign_in",
]


# Debian's Chromium, as the project's stack decides (scripts/test installs it). Debian's
# chromium-headless-shell would take about a quarter less CPU time; proposed, not adopted.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


_default_question_set = importlib.import_module(
    "programmes.migrations.0002_default_question_set"
).create_default_question_set


def _restore_migration_data(django_db_blocker):
    with django_db_blocker.unblock():
        _default_question_set(django_apps, None)
        # Leave no connection open behind (one left open on PostgreSQL stops the test
        # database from being dropped at the end of the run).
        connections.close_all()


@pytest.fixture(autouse=True)
def _migration_data(django_db_setup, django_db_blocker):
    """Put back the default question set that migration 0002 creates: the flush that ends
    each transactional test removes it.

    `serialized_rollback=True` cannot do this here: Django keeps the serialized rows on the
    connection object, and once Playwright's event loop is running the test sees a different
    connection object (asgiref's Local is per context), so the rows silently never come back.
    """
    _restore_migration_data(django_db_blocker)


@pytest.fixture(scope="module", autouse=True)
def _migration_data_for_later_tests(django_db_setup, django_db_blocker):
    """Leave the database as the migrations left it, for any test that runs after these."""
    yield
    _restore_migration_data(django_db_blocker)


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    """The live server speaks plain HTTP: keep the session and CSRF cookies off `Secure`
    so the browser sends them back whatever it thinks of http://localhost."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


# What the Content-Security-Policy blocked on the pages of the current test (see watch_csp).
_csp_reports: list[list[str]] = []


def watch_csp(page: Page) -> list[str]:
    """Collect every Content-Security-Policy violation on this page, in every document it
    loads: Chromium's console message, and the `securitypolicyviolation` event (the init
    script and the exposed function are the browser's own, so the policy does not apply to
    them). Returns the list it fills."""
    found: list[str] = []
    _csp_reports.append(found)

    def on_console(message):
        if "Content Security Policy" in message.text:
            found.append(f"console on {page.url}: {message.text}")

    page.on("console", on_console)
    page.expose_function("__challengeCspViolation", lambda text: found.append(f"event on {page.url}: {text}"))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", function (e) {
            window.__challengeCspViolation(
                e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " (" + (e.sourceFile || "") + ":" + e.lineNumber + ")");
        });"""
    )
    return found


def csp_violations() -> list[str]:
    """Every violation so far on the pages opened in this test (`page` and open_page's)."""
    return [report for reports in _csp_reports for report in reports]


@pytest.fixture(name="page")
def page_with_timeouts(page: Page):
    """pytest-playwright's page, failing after TIMEOUT_MS rather than 30 s; and the test fails
    if the Content-Security-Policy blocked anything on it, or on a page open_page opened."""
    _csp_reports.clear()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    watch_csp(page)
    yield page
    violations = csp_violations()
    _csp_reports.clear()
    assert violations == [], "The Content-Security-Policy blocked:\n" + "\n".join(violations)


def open_page(new_context, **context_options) -> Page:
    """A page in a fresh browser context, so with its own cookies: another person signed in,
    or the same person in a second window. `new_context` is pytest-playwright's fixture,
    which closes the context at the end of the test."""
    page = new_context(**context_options).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if context_options.get("java_script_enabled", True):
        watch_csp(page)
    return page


_axe = Axe()


def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core on the page as it is now (the library's defaults: every WCAG 2.x A/AA
    rule and the best practices) and fail with a readable list of what it found."""
    results = _axe.run(page)
    assert results.violations_count == 0, (
        f"axe found accessibility problems on {what} ({page.url}):\n{results.generate_report()}"
    )


def sign_in(page: Page, base_url: str, username: str, *, check=None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    if check:
        check(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(r"^Signed in as"))).to_be_visible()
