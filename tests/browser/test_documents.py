"""The accessible HTML version of a mini self-evaluation in Chromium: axe finds nothing on it,
its only stylesheet is the site's own (the `page` fixture fails the test on any CSP
violation), and its contents link to its parts.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_documents.py -q
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluations import services as evaluation_services
from findings import services as findings
from tests.browser_support import assert_accessible, sign_in
from workspace import services as ws

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_html_version_passes_axe(page, live_server, world):
    question = world.session.question_set.sections.first().questions.first()
    ws.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=question,
        by=world.lead,
        expected_revision=0,
        text="Referrals rose by a fifth in Ordsall.\n\n- Contacts up a third\n- Five posts vacant",
    )
    findings.record_finding(
        session=world.session, area=world.safeguarding, by=world.facilitator, kind="red_flag", title="Backlog", text="t"
    )
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    sign_in(page, live_server.url, "officer")
    page.goto(live_server.url + reverse("self_evaluation_published", args=[se.pk]))
    expect(page.get_by_role("heading", level=1, name="Safeguarding children: mini self-evaluation")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Referrals rose by a fifth in Ordsall.")
    expect(page.get_by_role("table", name="Impact matrix")).to_be_visible()
    assert_accessible(page, "the HTML version of the mini self-evaluation")
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Findings and action plan").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('self_evaluation_published', args=[se.pk])}#se-findings")
