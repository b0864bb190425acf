"""Browser journeys of issue 14's "nothing destructive in one click": a reviewer withdraws a
challenge a finding cites, from the page that says what withdrawing does (JavaScript off: the
workspace's Withdraw is a plain link); the facilitator sees it marked withdrawn in the finding's
evidence, then withdraws the finding itself (JavaScript on), sees it struck through and restores
it; and closing the session asks first.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_nothing_in_one_click.py -q
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from findings import services as finding_services
from findings.models import Finding
from tests.browser_support import assert_accessible, open_page, sign_in
from workspace import services as ws
from workspace.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_withdrawing_a_cited_challenge_and_the_finding_ask_first(new_context, live_server, world):
    base = live_server.url
    question = world.session.question_set.sections.order_by("position")[0].questions.order_by("position")[0]
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence of impact?",
    )
    finding = finding_services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind="red_flag",
        title="No evidence of impact",
        text="The area could not show its impact.",
        evidence_comments=[thread],
    )
    workspace = base + reverse("workspace", args=[world.session.pk, world.safeguarding.pk])
    findings = base + reverse("session_findings", args=[world.session.pk, world.safeguarding.pk])

    reviewer = open_page(new_context, java_script_enabled=False)
    sign_in(reviewer, base, "reviewer")
    reviewer.goto(workspace)
    reviewer.get_by_role("link", name="Withdraw… your challenge").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Withdraw your challenge?")
    expect(reviewer.get_by_text("It cannot be undone")).to_be_visible()
    reviewer.get_by_role("button", name="Withdraw it").click()
    reviewer.wait_for_url(re.compile(rf"#question-{question.pk}$"))
    expect(reviewer.get_by_role("status").first).to_contain_text("Comment withdrawn.")
    expect(reviewer.locator(f"#comment-{thread.pk}")).to_contain_text("Withdrawn by the author.")
    assert Comment.objects.get(pk=thread.pk).is_withdrawn

    facilitator = open_page(new_context)
    sign_in(facilitator, base, "facilitator")
    facilitator.goto(findings)
    card = facilitator.locator(f"#finding-{finding.pk}")
    expect(card.get_by_role("listitem")).to_contain_text("Withdrawn by the author on")
    card.get_by_role("link", name="Withdraw… “No evidence of impact”").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Withdraw the finding?")
    assert_accessible(facilitator, "the page asking before a finding is withdrawn")
    facilitator.get_by_label("Why withdraw it? (optional, kept in its history)").fill("Evidence withdrawn")
    facilitator.get_by_role("button", name="Withdraw the finding").click()
    expect(facilitator.get_by_role("status").first).to_contain_text("Withdrew “No evidence of impact”")
    card = facilitator.locator(f"#finding-{finding.pk}")
    expect(card.locator(".status-withdrawn").first).to_have_text("Withdrawn")
    expect(card).to_contain_text("Evidence withdrawn")
    assert card.locator(".finding-struck").first.evaluate("e => getComputedStyle(e).textDecorationLine") == (
        "line-through"
    )
    assert_accessible(facilitator, "the findings page with a withdrawn finding")
    card.get_by_role("button", name="Restore “No evidence of impact”").click()
    expect(facilitator.get_by_role("status").first).to_contain_text("Restored")
    assert not Finding.objects.get(pk=finding.pk).is_withdrawn
    facilitator.get_by_role("link", name="History of “No evidence of impact”").click()
    expect(facilitator.get_by_role("main")).to_contain_text("Why: Evidence withdrawn")


def test_closing_the_session_asks_first(new_context, live_server, world):
    base = live_server.url
    facilitator = open_page(new_context)
    sign_in(facilitator, base, "facilitator")
    facilitator.goto(base + world.session.get_absolute_url())
    facilitator.get_by_role("link", name=re.compile("^Close")).first.click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Close the session")
    expect(facilitator.get_by_text("nobody can answer, comment, reply, edit, withdraw")).to_be_visible()
    world.session.refresh_from_db()
    assert not world.session.is_closed
    facilitator.get_by_role("button", name="Close the session").click()
    expect(facilitator.get_by_role("status").first).to_contain_text("Session closed")
    world.session.refresh_from_db()
    assert world.session.is_closed
