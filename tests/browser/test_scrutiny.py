"""The scrutiny journey from issue 15, in real Chromium beside the live server, with an
axe-core check of each page visited: the scrutiny officer schedules a meeting of the Children
and Families Scrutiny Panel with an agenda item; a councillor on the panel challenges an
officer's answer in the meeting's workspace; the scrutiny officer records the panel's
resolution and the executive's response; and the item's scrutiny report is downloaded.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_scrutiny.py -q
"""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from findings.models import Resolution
from programmes.models import User
from sessions.models import AgendaItem, ChallengeSession
from tests.browser_support import assert_accessible, open_page, sign_in
from tests.scrutiny_world import southampton
from workspace.models import Comment
from workspace.services import save_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESOLVED = "The Panel would be provided with data and performance trends over a longer period."


@pytest.fixture
def soton():
    world = southampton()
    User.objects.filter(pk=world.scrutiny_officer.pk).update(username="scrutiny")
    User.objects.filter(pk=world.councillor.pk).update(username="councillor")
    return world


def test_scrutiny_meeting_challenge_resolution_response_and_report(page, new_context, live_server, soton):
    base = live_server.url

    # The scrutiny officer schedules a meeting of the panel.
    sign_in(page, base, "scrutiny")
    page.goto(f"{base}/programmes/{soton.programme.slug}/sessions/new/")
    page.get_by_role("radio", name="Scrutiny panel").check()
    page.get_by_label("Panel that meets").select_option(label="Children and Families Scrutiny Panel")
    page.get_by_label("Title").fill("Children and Families Scrutiny Panel")
    page.get_by_label("Date").fill("2021-11-04")
    page.get_by_label("Start time").fill("17:30")
    page.get_by_label("End time").fill("19:30")
    page.get_by_label("Venue").fill("Civic Centre, Southampton")
    page.get_by_role("checkbox", name=re.compile("^Children's social care")).check()
    assert_accessible(page, "the session form, a scrutiny meeting")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_role("heading", name="Children and Families Scrutiny Panel", level=1)).to_be_visible()
    meeting = ChallengeSession.objects.get(kind="scrutiny")
    assert meeting.panel == soton.panel and meeting.participants.filter(person=soton.councillor).exists()
    expect(page.get_by_role("heading", name="Agenda of the Children and Families Scrutiny Panel")).to_be_visible()
    assert_accessible(page, "the scrutiny meeting's page")

    # …with item 26, presented by the Executive Director and the service lead.
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Number").fill("26")
    page.get_by_label("Title").fill("Children's and Learning Service Improvement Plan")
    page.get_by_label("Area").select_option(label="Children's social care")
    page.get_by_label("Report").fill("An update on progress against the revised improvement plan.")
    page.get_by_role("checkbox", name=re.compile("^Robert Henderson")).check()
    page.get_by_role("checkbox", name=re.compile("^Jo Feeney")).check()
    assert_accessible(page, "the agenda item form")
    page.get_by_role("button", name="Save the item").click()
    expect(
        page.get_by_role("heading", name="Item 26: Children's and Learning Service Improvement Plan")
    ).to_be_visible()
    item = AgendaItem.objects.get()
    assert_accessible(page, "the agenda item's page")

    # The service lead has answered the first question in the workspace.
    question = meeting.question_set.sections.order_by("position").first().questions.order_by("position").first()
    save_answer(
        session=meeting,
        area=soton.area,
        question=question,
        by=soton.service_lead,
        expected_revision=0,
        text="Assessment timeliness is now close to our statistical neighbours.",
    )

    # A councillor on the panel sees the meeting and challenges the officer's answer.
    councillor = open_page(new_context)
    sign_in(councillor, base, "councillor")
    councillor.goto(f"{base}/programmes/{soton.programme.slug}/sessions/")
    councillor.get_by_role("link", name="Children and Families Scrutiny Panel").first.click()
    councillor.get_by_role("link", name=re.compile("^Item 26")).click()
    councillor.get_by_role("link", name="The panel's questions and the officers' answers").click()
    block = councillor.get_by_role("article", name=re.compile(r"^1\.1 "))
    expect(block).to_contain_text("close to our statistical neighbours")
    block.get_by_text("Question the officers as a panel member").click()
    block.get_by_role("radio", name="Question", exact=True).check()
    block.get_by_label("Your comment").fill("How has this moved over five years, against our neighbours?")
    assert_accessible(councillor, "the scrutiny meeting's workspace, a councillor's question open")
    block.get_by_role("button", name=re.compile("^Post comment")).click()
    expect(block.locator(".thread")).to_contain_text("How has this moved over five years")
    assert Comment.objects.get(author=soton.councillor).kind == "question"

    # The scrutiny officer records the panel's resolution…
    page.goto(f"{base}/agenda-items/{item.pk}/")
    page.get_by_role("radio", name="Resolution", exact=True).check()
    page.get_by_label("What the panel resolved").fill(RESOLVED)
    page.get_by_label("Owner").select_option(value=str(soton.director.pk))
    page.get_by_label("Response due").fill("2021-12-16")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_role("region", name="Resolutions and recommendations")).to_contain_text(RESOLVED)
    assert_accessible(page, "the agenda item's page with its resolution")

    # …and the executive's response.
    page.get_by_role("link", name=re.compile("^Response, progress and history")).click()
    page.get_by_role("radio", name="Accepted", exact=True).check()
    page.get_by_label("Its reasons and plan").fill("Five years of data from the next meeting.")
    page.get_by_role("button", name="Save the response").click()
    expect(page.get_by_text("Saved the response.")).to_be_visible()
    assert_accessible(page, "the resolution's page")
    resolution = Resolution.objects.get()
    assert (resolution.response, resolution.response_text) == ("accepted", "Five years of data from the next meeting.")

    # The open resolutions across meetings list it, for the councillor too.
    councillor.goto(f"{base}/partnerships/{soton.partnership.slug}/resolutions/")
    expect(councillor.get_by_role("table")).to_contain_text("performance trends over a longer period")
    assert_accessible(councillor, "the open resolutions")

    # The councillor downloads the item's scrutiny report, prepared by the worker.
    reader = open_page(new_context, accept_downloads=True)
    sign_in(reader, base, "councillor")
    reader.goto(f"{base}/agenda-items/{item.pk}/")
    reader.get_by_role("link", name="Scrutiny report (PDF)").click()
    ready = reader.get_by_role("link", name="Download the scrutiny report (PDF)")
    expect(ready).to_be_visible(timeout=20_000)
    assert_accessible(reader, "the scrutiny report's page, ready")
    with reader.expect_download() as download_info:
        ready.click()
    assert download_info.value.suggested_filename == "scrutiny-report-item-26-2021-11-04.pdf"
    data = Path(download_info.value.path()).read_bytes()
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages))
    assert "How has this moved over five years, against our neighbours?" in text
    assert "performance trends over a longer period" in text and "Five years of data from the next meeting." in text
