"""Browser journey: a facilitator schedules a weekly stretch-and-challenge series with a service
lead and a handful of KPIs, opens an occurrence (its KPIs' latest values first), and skips one
occurrence with a reason; axe checks every page visited.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_stretch.py -q
"""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from indicators.services import record_value
from sessions.models import ChallengeSession, SessionSeries
from tests.browser_support import assert_accessible, csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_schedules_a_stretch_series_and_skips_one_occurrence(page, live_server, world):
    referrals = Indicator.objects.create(area=world.safeguarding, code="referrals", name="Referrals", unit="count")
    record_value(indicator=referrals, period_start=datetime.date(2009, 1, 1), value=Decimal(342))
    base = live_server.url
    sign_in(page, base, "facilitator")

    page.goto(f"{base}/programmes/caa-2009/sessions/")
    page.get_by_role("link", name="Schedule a stretch-and-challenge series").click()
    expect(page.get_by_role("heading", name="Schedule a stretch-and-challenge series", level=1)).to_be_visible()
    assert_accessible(page, "the empty series form")

    page.get_by_label("Title").fill("Referrals weekly")
    page.get_by_label("Area").select_option(label="Safeguarding children")
    page.get_by_label("Service lead").select_option(value=str(world.lead.pk))
    page.get_by_label("Referrals (Safeguarding children)").check()
    page.get_by_label("Weekly", exact=True).check()
    page.get_by_label("Weekday").select_option(label="Wednesday")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("10:00")
    page.get_by_label("First week").fill("2009-06-01")
    page.get_by_label("Or: number of occurrences").fill("4")
    page.get_by_role("button", name="Schedule the series").click()

    expect(page.get_by_role("heading", name="Referrals weekly", level=1)).to_be_visible()
    expect(page.get_by_text("Scheduled “Referrals weekly”: 4 occurrences.")).to_be_visible()
    assert_accessible(page, "the series page")
    series = SessionSeries.objects.get()
    assert series.occurrences.count() == 4

    # An occurrence: the KPIs' latest values first.
    page.get_by_role("link", name="Wed 3 Jun 2009").click()
    expect(page.get_by_role("heading", name="The KPIs, latest values first")).to_be_visible()
    expect(page.get_by_role("cell", name="342")).to_be_visible()
    assert_accessible(page, "an occurrence's page")
    page.go_back()

    # Skip the second, with a reason.
    page.get_by_role("link", name="Skip 10 June 2009").click()
    expect(page.get_by_role("heading", name="Skip Wednesday 10 June 2009", level=1)).to_be_visible()
    assert_accessible(page, "the skip page")
    page.get_by_role("button", name="Skip this occurrence").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # the reason is asked for
    page.get_by_label("Why is it skipped?").fill("Bank holiday week")
    page.get_by_role("button", name="Skip this occurrence").click()

    expect(page.get_by_role("heading", name="Referrals weekly", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Wed 10 Jun 2009")
    expect(row).to_contain_text("Skipped")
    expect(row).to_contain_text("Bank holiday week")
    assert_accessible(page, "the series page with a skipped occurrence")
    skipped = series.occurrences.get(planned_date=datetime.date(2009, 6, 10))
    assert skipped.is_skipped and skipped.session.status == ChallengeSession.Status.CANCELLED
    assert csp_violations() == []
