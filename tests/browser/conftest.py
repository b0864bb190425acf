"""Browser journeys: Playwright's sync API in Debian's Chromium, beside a live server. The
shared fixtures (launch arguments, CSP watch, migration data kept for later tests, plain-HTTP
cookies) come from tests/browser_support.py and apply to this folder only."""

from tests.browser_support import (  # noqa: F401 (fixtures, found by pytest by name)
    _migration_data,
    _migration_data_for_later_tests,
    _plain_http_cookies,
    browser_type_launch_args,
    page_with_timeouts,
)
