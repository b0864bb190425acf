"""Browser tests of findings, self-evaluations and indicators: real Chromium (Debian's) driven
by Playwright against the live server, with an axe-core check of each new page.

1. The journey from the issue: the facilitator records a green flag and an action, finalises
   the area's mini self-evaluation, and an officer downloads the PDF, whose bytes are the
   ones the page's SHA-256 names.
2. Indicators: the infographic (worst trajectory first, charts with text alternatives), an
   indicator page and an area page; then a CSV import, previewed and applied, that shows on
   the indicator's table and chart; and the same import with JavaScript off.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_findings.py -q
"""

import datetime
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from evaluations.models import SelfEvaluation
from findings.models import Action, Finding
from indicators.models import Indicator, IndicatorValue
from indicators.services import record_value
from tests.browser_support import (
    assert_accessible,
    open_page,
    sign_in,
)

# A live server needs real commits, so these tests are transactional (see browser_support).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREEN_FLAG = "Multi-agency safeguarding hub cut referral waits"
ACTION = "Extend the hub's duty rota to weekends"


def _pdf_text(data: bytes) -> str:
    """The PDF's text, with its line breaks and runs of spaces made single spaces."""
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


# --- The journey from the issue ----------------------------------------------------------


def test_facilitator_records_flag_and_action_finalises_officer_downloads_pdf(
    page, new_context, live_server, world, tmp_path
):
    base = live_server.url
    findings_url = f"{base}{reverse('session_findings', args=[world.session.pk, world.safeguarding.pk])}"

    # The facilitator opens the session and follows "Findings" for Safeguarding children.
    sign_in(page, base, "facilitator")
    page.goto(f"{base}/sessions/{world.session.pk}/")
    page.get_by_role("region", name="The session's work, area by area").get_by_role(
        "link", name="Findings for Safeguarding children"
    ).click()
    expect(page.get_by_role("heading", name="Findings and actions: Safeguarding children", level=1)).to_be_visible()
    assert page.url == findings_url
    expect(page.get_by_text("No findings have been recorded for this area yet.")).to_be_visible()

    # A green flag, with a new cross-cutting theme typed in.
    form = page.get_by_role("region", name="Record a finding")
    form.get_by_role("radio", name="Green flag", exact=True).check()
    form.get_by_label("Title").fill(GREEN_FLAG)
    form.get_by_role("textbox", name=re.compile(r"^The finding\b")).fill(
        "Since the hub opened in January, 90% of referrals are decided within a day."
    )
    form.get_by_label("Add new themes").fill("Partnership working")
    assert_accessible(page, "the session findings page, the form filled in")
    form.get_by_role("button", name="Record finding").click()

    finding = Finding.objects.get()
    expect(page).to_have_url(f"{findings_url}#finding-{finding.pk}")
    expect(page.get_by_role("status").first).to_contain_text(f"Recorded the green flag “{GREEN_FLAG}”.")
    card = page.get_by_role("article", name=re.compile(re.escape(GREEN_FLAG)))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Green flag")
    expect(card).to_contain_text("90% of referrals are decided within a day")
    expect(card).to_contain_text("Partnership working")
    expect(card).to_contain_text("No actions yet.")
    assert (finding.kind, finding.title) == (Finding.Kind.GREEN_FLAG, GREEN_FLAG)
    assert [t.name for t in finding.themes.all()] == ["Partnership working"]

    # An action for it: an owner and a due date.
    card.locator("summary", has_text="Add an action").click()
    card.get_by_label("What will be done").fill(ACTION)
    card.get_by_label("Owner").select_option(label="Andrew Kenyon, Salford City Council")
    card.get_by_label("Due date").fill("2009-07-31")
    assert_accessible(page, "the session findings page, a finding and its action form open")
    card.get_by_role("button", name="Add action").click()
    expect(page).to_have_url(f"{findings_url}#finding-{finding.pk}")
    expect(page.get_by_role("status").first).to_contain_text("Action added.")
    card = page.get_by_role("article", name=re.compile(re.escape(GREEN_FLAG)))
    row = card.get_by_role("row", name=re.compile(re.escape(ACTION)))
    expect(row).to_contain_text("Andrew Kenyon, SCC")
    expect(row).to_contain_text("31 Jul 2009")
    expect(card.get_by_label(re.compile("^Status of"))).to_have_value("not_started")
    action = Action.objects.get()
    assert (action.finding, action.owner, action.owner_partner, action.due_date) == (
        finding,
        world.lead,
        world.council,
        datetime.date(2009, 7, 31),
    )
    assert_accessible(page, "the session findings page with a finding and an action")

    # The programme's emerging findings list the flag, under its theme and its area.
    page.goto(f"{base}/programmes/caa-2009/")
    page.get_by_role("link", name="Emerging findings", exact=True).click()
    expect(page.get_by_role("heading", name="Emerging findings", level=1)).to_be_visible()
    flags = page.get_by_role("region", name="Flags")
    expect(flags.get_by_role("link", name=GREEN_FLAG)).to_be_visible()
    expect(page.get_by_role("region", name="Cross-cutting themes")).to_contain_text("Partnership working")
    expect(page.get_by_role("region", name="At a glance")).to_contain_text("1 in all, 0 done, none overdue")
    assert_accessible(page, "the emerging findings page")

    # The self-evaluations page, from the programme's dashboard: start the area's.
    page.goto(f"{base}/programmes/caa-2009/")
    page.get_by_role("link", name="Self-evaluations", exact=True).click()
    expect(page.get_by_role("heading", name="Self-evaluations", level=1)).to_be_visible()
    page.get_by_role("button", name="Start the self-evaluation for Safeguarding children").click()
    se = SelfEvaluation.objects.get()
    expect(page).to_have_url(f"{base}/self-evaluations/{se.pk}/")
    expect(page.get_by_role("heading", name="Safeguarding children: mini self-evaluation", level=1)).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Draft")
    # The draft already shows the finding and the action, in the area's record, which the page
    # shows when asked (htmx swaps it in).
    preview = page.get_by_role("region", name=re.compile("^The self-evaluation"))
    expect(preview).not_to_contain_text(GREEN_FLAG)
    preview.get_by_role("link", name="Show the area's record").click()
    expect(preview.get_by_role("region", name="Findings")).to_contain_text(GREEN_FLAG)
    expect(preview.get_by_role("region", name="Action plan")).to_contain_text(ACTION)
    expect(page).to_have_url(f"{base}/self-evaluations/{se.pk}/")
    assert_accessible(page, "the self-evaluation page with the area's record")

    page.get_by_role("textbox", name="Introduction").fill(
        "Safeguarding children is the partnership's first priority for 2009."
    )
    page.get_by_role("button", name="Save introduction and conclusion").click()
    expect(page.get_by_role("status").first).to_contain_text("Introduction and conclusion saved.")
    expect(preview).to_contain_text("the partnership's first priority for 2009")
    assert_accessible(page, "the self-evaluation page, a draft")

    # The officer downloads the draft: the worker prepares its PDF while the page shows that it
    # is being prepared, then (htmx polls) offers the download.
    reader = open_page(new_context, accept_downloads=True)
    sign_in(reader, base, "officer")
    reader.goto(f"{base}/self-evaluations/{se.pk}/")
    reader.get_by_role("link", name="Download PDF (draft)").click()
    expect(reader.get_by_role("heading", name="Safeguarding children: PDF of the draft, version 1")).to_be_visible()
    ready = reader.get_by_role("link", name="Download the PDF (draft)")
    expect(ready).to_be_visible(timeout=20_000)
    assert_accessible(reader, "the draft PDF's page, ready")
    with reader.expect_download() as download_info:
        ready.click()
    assert download_info.value.suggested_filename == "safeguarding-self-evaluation-v1-draft.pdf"
    draft_text = _pdf_text(Path(download_info.value.path()).read_bytes())
    assert "DRAFT" in draft_text and "the partnership's first priority for 2009" in draft_text

    page.get_by_role("link", name="Finalise…").click()
    # Finalising asks first, saying what it does (nobody commented on this draft).
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finalise Safeguarding children, version 1?")
    expect(page.get_by_text("It cannot be undone")).to_be_visible()
    assert_accessible(page, "the finalise confirmation page")
    page.get_by_role("button", name="Finalise version 1").click()
    # The worker renders the final PDF (in these tests it runs as soon as the request commits).
    expect(page.get_by_role("status").first).to_contain_text("Finalising")
    expect(page.locator(".lead")).to_contain_text("Final")
    expect(page.get_by_role("link", name="Finalise…")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen as version 2")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF", exact=True)).to_be_visible()
    sha = page.locator("code.sha").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha), sha
    expect(page.get_by_text("Finalised by Ruth Mellor")).to_be_visible()
    se.refresh_from_db()
    assert (se.status, se.pdf_sha256, se.finalised_by) == ("final", sha, world.facilitator)
    assert_accessible(page, "the self-evaluation page, final")

    # The officer, in their own browser, downloads the stored PDF from the documents page.
    officer = open_page(new_context, accept_downloads=True)
    sign_in(officer, base, "officer")
    officer.goto(f"{base}/programmes/caa-2009/documents/")
    row = officer.get_by_role("row", name=re.compile("^Safeguarding children"))
    expect(row).to_contain_text("Final")
    expect(row).to_contain_text(f"SHA-256 {sha[:12]}")
    expect(row.get_by_role("button", name=re.compile("^Start"))).to_have_count(0)
    assert_accessible(officer, "the documents page as an officer")
    with officer.expect_download() as download_info:
        # (Chromium names the link "PDF : Safeguarding…": the hidden span is positioned.)
        row.get_by_role("link", name=re.compile(r"^PDF ?: Safeguarding children, version 1$")).click()
    download = download_info.value
    assert download.suggested_filename == "safeguarding-self-evaluation-v1.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == sha
    text = _pdf_text(data)
    assert GREEN_FLAG in text
    assert ACTION in text
    assert "Safeguarding children is the partnership's first priority for 2009." in text


# --- Indicators ---------------------------------------------------------------------------


def _indicator(area, code, name, values, **kw):
    """An indicator with its values entered one at a time (services.record_value)."""
    indicator = Indicator.objects.create(area=area, code=code, name=name, frequency=Indicator.Frequency.YEAR, **kw)
    for year, (value, national) in values.items():
        record_value(
            indicator=indicator,
            period_start=datetime.date(year, 1, 1),
            value=Decimal(value),
            national=Decimal(national),
        )
    return indicator


@pytest.fixture
def indicators(world):
    """Two yearly indicators, 2004 to 2008: one improving (health inequalities), one
    declining (safer city, named after health inequalities in the alphabet, so coming first
    on the infographic says it is the worse)."""
    world.session.areas.add(world.health_inequalities)
    improving = _indicator(
        world.health_inequalities,
        "life-gap",
        "Life expectancy gap",
        {2004: ("9.0", "7.0"), 2005: ("8.6", "7.0"), 2006: ("8.1", "6.9"), 2007: ("7.7", "6.9"), 2008: ("7.2", "6.8")},
        unit=Indicator.Unit.SCORE,
        polarity=Indicator.Polarity.LOWER,
    )
    declining = _indicator(
        world.safer_city,
        "feel-safe",
        "Residents who feel safe after dark",
        {2004: ("52", "55"), 2005: ("51", "55"), 2006: ("49", "56"), 2007: ("48", "56"), 2008: ("46", "57")},
        unit=Indicator.Unit.PERCENT,
        polarity=Indicator.Polarity.HIGHER,
    )
    return improving, declining


# A 2009 value high enough to turn the declining trend (least squares over 2005 to 2009).
IMPORT_CSV = "indicator,period,value,national,comparator\nfeel-safe,2009,60,57,54\n"


def test_infographic_indicator_and_area_pages(page, live_server, world, indicators):
    base = live_server.url
    improving, declining = indicators

    sign_in(page, base, "officer")
    page.goto(f"{base}/programmes/caa-2009/indicators/")
    expect(page.get_by_role("heading", name="Performance at a glance", level=1)).to_be_visible()
    # The area with the declining indicator first, then the improving one, then the area
    # without indicators.
    headings = page.locator("main h2")
    expect(headings).to_have_text(["Safer city", "Health inequalities", "Safeguarding children"])

    for indicator, direction in ((declining, "Declining"), (improving, "Improving")):
        card = page.get_by_role("article", name=indicator.name)
        chart = card.locator("svg[role=img]")
        expect(chart).to_have_count(1)
        expect(chart.locator("title")).to_have_text(re.compile(rf"^{re.escape(indicator.name)}"))
        expect(chart).to_have_accessible_name(re.compile(rf"^{re.escape(indicator.name)}"))
        expect(chart).to_have_accessible_description(re.compile(rf"Direction of travel: {direction.lower()}\."))
        # The direction is written out, not only shown by the icon or colour.
        expect(card.locator(".direction")).to_contain_text(direction)
    expect(page.get_by_role("img", name=re.compile("^Residents who feel safe"))).to_have_count(1)
    assert_accessible(page, "the indicators infographic")

    # The indicator page: big chart, judgement, numbers table.
    page.get_by_role("link", name=declining.name).click()
    expect(page).to_have_url(f"{base}{declining.get_absolute_url()}")
    expect(page.get_by_role("heading", name=declining.name, level=1)).to_be_visible()
    judgement = page.get_by_role("region", name="What the numbers say")
    expect(judgement).to_contain_text("Declining")
    expect(judgement).to_contain_text("46 in 2008")
    table = page.get_by_role("table", name=re.compile("the numbers"))
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(page.locator("figure svg[role=img] circle")).to_have_count(5)
    assert_accessible(page, "an indicator page")

    # The area page, through the breadcrumb.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Safer city").click()
    expect(page.get_by_role("heading", name="Safer city", level=1)).to_be_visible()
    panel = page.get_by_role("region", name="Performance indicators")
    expect(panel.get_by_role("article", name=declining.name)).to_contain_text("Declining")
    expect(panel.get_by_role("link", name="Export CSV")).to_be_visible()
    # An officer who is not a facilitator or lead does not import.
    expect(panel.get_by_role("link", name="Import CSV")).to_have_count(0)
    assert_accessible(page, "an area page")


def _check_then_import(page: Page, base: str) -> None:
    page.goto(f"{base}/indicators/import/")
    expect(page.get_by_role("heading", name="Import indicator values", level=1)).to_be_visible()
    page.get_by_label("Or paste the CSV here").fill(IMPORT_CSV)
    page.get_by_role("button", name="Check the file").click()
    preview = page.get_by_role("region", name="Preview: nothing is saved yet")
    expect(preview).to_contain_text("1 new, 0 changed, 0 unchanged.")
    row = preview.get_by_role("row", name=re.compile("Residents who feel safe after dark"))
    expect(row).to_contain_text("2009")
    expect(row).to_contain_text("60")
    expect(row).to_contain_text("new")
    assert not IndicatorValue.objects.filter(period_start=datetime.date(2009, 1, 1)).exists()


def _assert_imported(page: Page, base: str) -> None:
    expect(page).to_have_url(f"{base}/indicators/import/")
    expect(page.get_by_role("status").first).to_contain_text("Imported: 1 new, 0 changed, 0 unchanged.")
    value = IndicatorValue.objects.get(indicator__code="feel-safe", period_start=datetime.date(2009, 1, 1))
    assert (value.value, value.national, value.comparator) == (Decimal(60), Decimal(57), Decimal(54))

    page.goto(f"{base}{value.indicator.get_absolute_url()}")
    table = page.get_by_role("table", name=re.compile("the numbers"))
    expect(table.locator("tbody tr")).to_have_count(6)
    row = table.get_by_role("row", name=re.compile("^2009"))
    expect(row).to_contain_text("60")
    expect(row).to_contain_text("57")
    expect(row).to_contain_text("54")
    expect(page.locator("figure svg[role=img] circle")).to_have_count(6)
    judgement = page.get_by_role("region", name="What the numbers say")
    expect(judgement).to_contain_text("60 in 2009")
    expect(judgement).not_to_contain_text("Declining")


def test_facilitator_imports_a_value_that_turns_the_trend(page, live_server, world, indicators):
    base = live_server.url
    sign_in(page, base, "facilitator")
    _check_then_import(page, base)
    assert_accessible(page, "the import page with a preview")
    page.get_by_role("button", name="Import 1 value").click()
    _assert_imported(page, base)
    expect(page.get_by_role("region", name="What the numbers say")).to_contain_text("Improving")

    # On the infographic the safer city's indicator is improving now (its card drawn afresh);
    # the area still comes first, as it improves more slowly than health inequalities' (3% of
    # its average a year against 5.5%): the worst trajectories first.
    page.goto(f"{base}/programmes/caa-2009/indicators/")
    expect(page.locator("main h2")).to_have_text(["Safer city", "Health inequalities", "Safeguarding children"])
    card = page.get_by_role("article", name="Residents who feel safe after dark")
    expect(card.locator(".direction")).to_contain_text("Improving")


def test_import_without_javascript(new_context, live_server, world, indicators):
    base = live_server.url
    page = open_page(new_context, java_script_enabled=False)
    sign_in(page, base, "facilitator")
    _check_then_import(page, base)
    page.get_by_role("button", name="Import 1 value").click()
    _assert_imported(page, base)
