"""Browser tests of the session workspace: real Chromium (Debian's) driven by Playwright
against the live server, with an axe-core check of the pages as each kind of user sees them.

What the view tests in test_workspace.py cannot show: the "Answer", "Comment" and "Reply"
controls fetching their form into the question (htmx) or opening it on a page of its own
(JavaScript off), answers and comments typed into them and swapped in place, and an edit
conflict that keeps what the person typed.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_workspace.py -q
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser_support import (
    assert_accessible,
    open_page,
    sign_in,
)
from workspace import services as services
from workspace.models import Answer, AnswerVersion, Comment

# A live server needs real commits, so these tests are transactional (see browser_support).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def questions(session) -> dict:
    """The session's questions by the number the workspace shows: {"1.1": question, ...}."""
    numbered = {}
    for s_index, section in enumerate(session.question_set.sections.all(), start=1):
        for q_index, question in enumerate(section.questions.all(), start=1):
            numbered[f"{s_index}.{q_index}"] = question
    return numbered


def workspace_url(base, world) -> str:
    return f"{base}{reverse('workspace', args=[world.session.pk, world.safeguarding.pk])}"


def question_block(page: Page, number: str):
    """A question's <article>, found by its accessible name (its heading, "1.1 What …")."""
    return page.get_by_role("article", name=re.compile(rf"^{re.escape(number)} "))


def steady(page: Page) -> Page:
    """No transitions (as for someone who asks for reduced motion): Bootstrap's buttons fade
    on hover, and axe would read a control's colours halfway through the fade."""
    page.emulate_media(reduced_motion="reduce")
    return page


def mark_page(page: Page) -> None:
    """Leave a mark on the window: it survives an htmx swap, not a page load."""
    page.evaluate("window.__marker = 1")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was loaded again, not updated in place"


def answer_form(page: Page, number: str):
    """Ask for question `number`'s answer form with its "Answer this question" or "Edit the
    answer" control: with JavaScript the form is swapped into the question's block, without
    it the form's own page opens. The form, either way."""
    control = re.compile(rf"^(Answer this question|Edit the answer) {re.escape(number)}$")
    question_block(page, number).get_by_role("link", name=control).click()
    form = page.locator("form").filter(has=page.get_by_role("button", name=f"Save answer {number}"))
    expect(form).to_be_visible()
    return form


def answer(page: Page, number: str, *, text=None, rating=None, form=None) -> None:
    """Fill in question `number`'s answer form (asking for it first, unless it is `form`) and save."""
    form = form or answer_form(page, number)
    if text is not None:
        form.get_by_label("Answer", exact=True).fill(text)
    if rating is not None:
        form.get_by_role("radio", name=rating, exact=True).check()
    form.get_by_role("button", name=f"Save answer {number}").click()


# --- The journey from the issue ----------------------------------------------------------


def test_lead_answers_reviewer_challenges_lead_replies_facilitator_marks_addressed(
    page, new_context, live_server, world
):
    base = live_server.url
    q = questions(world.session)
    url = workspace_url(base, world)

    # The lead opens the session and follows the link to the area's workspace.
    steady(page)
    sign_in(page, base, "lead")
    page.goto(f"{base}/sessions/{world.session.pk}/")
    page.get_by_role("region", name="The session's work, area by area").get_by_role(
        "link", name="Safeguarding children", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Safeguarding children", level=1)).to_be_visible()
    assert page.url == url
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text(re.compile(r"0 of \d+ questions answered"))
    expect(progress).to_contain_text("Impact not rated yet.")
    # Every question offers its answer form, fetched when asked for; no form is on the page.
    expect(page.get_by_role("link", name=re.compile(r"^Answer this question \d"))).to_have_count(len(q))
    expect(page.get_by_role("button", name=re.compile("^Save answer"))).to_have_count(0)
    assert_accessible(page, "the workspace as the lead")
    # Asked for, the form comes into the question, and the cursor into the answer box.
    mark_page(page)
    form = answer_form(page, "1.1")
    expect(question_block(page, "1.1").get_by_label("Answer", exact=True)).to_be_focused()
    expect(question_block(page, "1.1").get_by_role("link", name="Answer this question 1.1")).to_have_count(0)
    assert_same_page(page)
    assert_accessible(page, "the workspace as the lead, an answer form swapped in")

    # Three answers, each saved and shown in place.
    mark_page(page)
    saves = [
        ("1.1", "Referrals rose by a fifth; some children wait too long.", "3 – possible", "Likelihood: 3 – possible"),
        ("1.2", "Around 1,200 children on plans across the city.", "4 – wide", "Scale: 4 – wide"),
        ("2.1", None, "Improving", "Direction of travel: Improving"),
    ]
    for number, text, rating, shown in saves:
        block = question_block(page, number)
        answer(page, number, text=text, rating=rating, form=form if number == "1.1" else None)
        expect(block.get_by_role("status")).to_have_text("Answer saved.")
        # Keyboard focus moves to the message, in the same question, not back to the page's top.
        expect(block.get_by_role("status")).to_be_focused()
        expect(block.locator(".answer")).to_contain_text(shown)
        if text:
            expect(block.locator(".answer")).to_contain_text(text)
        expect(block.locator(".answer")).to_contain_text("Saved by Andrew Kenyon")
        expect(block.locator(".answer")).to_contain_text("(version 1)")
        # Saved, the form gives way to "Edit the answer".
        expect(block.get_by_role("button", name=re.compile("^Save answer"))).to_have_count(0)
        expect(block.get_by_role("link", name=f"Edit the answer {number}")).to_be_visible()
        assert page.url == url
        assert_same_page(page)
    saved = Answer.objects.get(question=q["1.1"], area=world.safeguarding, session=world.session)
    assert (saved.likelihood, saved.revision, saved.updated_by) == (3, 1, world.lead)
    assert Answer.objects.get(question=q["1.2"]).scale == 4
    assert Answer.objects.get(question=q["2.1"]).direction == "improving"
    assert_accessible(page, "the workspace after three answers were swapped in")

    # Each save swapped the progress box in place too (out of band): it counts the answers and
    # places the area on the impact matrix (likelihood 3 × scale 4 = 12: high), and the
    # filter counts the questions still unanswered; no reload.
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text(re.compile(r"3 of \d+ questions answered"))
    expect(progress.locator("figcaption")).to_have_text("Impact: likelihood 3, scale 4, high (score 12 of 25).")
    filters = page.get_by_role("navigation", name="Show questions")
    expect(filters.get_by_role("link", name=re.compile(r"^Unanswered"))).to_have_text(
        re.compile(rf"^Unanswered\s+{len(q) - 3}\s+questions$")
    )
    assert_same_page(page)
    page.reload()
    expect(page.get_by_role("region", name="Progress")).to_contain_text(re.compile(r"3 of \d+ questions answered"))
    # For a screen reader the matrix is named, and its description says the same.
    matrix = progress.get_by_role("img", name="Impact matrix")
    expect(matrix).to_have_accessible_name("Impact matrix")
    expect(matrix).to_have_accessible_description(
        re.compile(r"^Likelihood 3 of 5 and scale 4 of 5: score 12, high impact\.")
    )

    # The police reviewer, in their own browser, challenges question 1.1.
    reviewer = steady(open_page(new_context))
    sign_in(reviewer, base, "reviewer")
    reviewer.goto(url)
    expect(reviewer.get_by_role("button", name=re.compile("^Save answer"))).to_have_count(0)
    block = question_block(reviewer, "1.1")
    expect(block).to_contain_text("Likelihood: 3 – possible")
    expect(block).to_contain_text("No comments yet.")
    block.get_by_text("Comment as a critical friend").click()
    expect(block.get_by_role("radio", name="Challenge", exact=True)).to_be_checked()
    block.get_by_label("Your comment").fill("Why do a fifth of children wait longer than the target?")
    assert_accessible(reviewer, "the workspace as a peer reviewer, a comment form open")
    mark_page(reviewer)
    block.get_by_role("button", name=re.compile("^Post comment")).click()
    expect(block.get_by_role("status")).to_have_text("Challenge posted.")
    expect(block.get_by_role("status")).to_be_focused()
    thread = block.locator(".thread")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text("Challenge from Paul Hargreaves")
    expect(thread).to_contain_text("Why do a fifth of children wait longer than the target?")
    expect(thread.locator(".status")).to_have_text("Open")
    heading = block.get_by_role("heading", name="Critical-friend comments on question 1.1 (1)")
    expect(heading).to_be_visible()
    assert_same_page(reviewer)
    challenge = Comment.objects.get(author=world.reviewer)
    assert (challenge.kind, challenge.status, challenge.question) == ("challenge", "open", q["1.1"])

    # The reviewer can change their own comment (on a page of its own), not mark it.
    expect(thread.get_by_role("button", name=re.compile("^Mark "))).to_have_count(0)
    thread.get_by_role("link", name="Edit your challenge").click()
    expect(reviewer.get_by_role("heading", name="Edit your challenge", level=1)).to_be_visible()
    expect(reviewer.get_by_label("Your comment")).to_have_value(
        "Why do a fifth of children wait longer than the target?"
    )
    assert_accessible(reviewer, "the comment edit page")
    reviewer.get_by_label("Your comment").fill("Why do a fifth of children wait longer than the 10-day target?")
    reviewer.get_by_role("button", name="Save").click()
    # Back at the question, which says it was saved (not the top of the page).
    expect(reviewer).to_have_url(f"{url}?saved={q['1.1'].pk}#question-{q['1.1'].pk}")
    expect(question_block(reviewer, "1.1").get_by_role("status")).to_have_text("Comment updated.")
    thread = question_block(reviewer, "1.1").locator(".thread")
    expect(thread).to_contain_text("wait longer than the 10-day target?")
    expect(thread).to_contain_text("· edited")

    # The lead sees it and replies.
    page.reload()
    mark_page(page)
    block = question_block(page, "1.1")
    expect(block.locator(".thread")).to_contain_text("10-day target")
    expect(block.get_by_role("button", name=re.compile("^Mark "))).to_have_count(0)
    expect(block.get_by_label("Your reply")).to_have_count(0)
    block.get_by_role("link", name="Reply to Paul Hargreaves").click()
    expect(block.get_by_label("Your reply")).to_be_focused()
    assert_accessible(page, "the workspace as the lead, a reply form swapped in")
    block.get_by_label("Your reply").fill("Two social workers joined in April; waits are falling.")
    block.get_by_role("button", name="Post reply to Paul Hargreaves").click()
    expect(block.get_by_role("status")).to_have_text("Reply posted.")
    expect(block.get_by_role("status")).to_be_focused()
    reply = block.locator(".thread .reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Reply from Andrew Kenyon")
    expect(reply).to_contain_text("Two social workers joined in April; waits are falling.")
    assert_same_page(page)

    # The reviewer answers the lead's reply, in place: the reply goes into the thread, the
    # lead's reply folds away as an earlier one.
    reviewer.reload()
    mark_page(reviewer)
    block = question_block(reviewer, "1.1")
    block.get_by_role("link", name="Reply to Andrew Kenyon").click()
    expect(block.get_by_label("Your reply")).to_be_focused()
    block.get_by_label("Your reply").fill("Thank you: when will the waits be back on target?")
    block.get_by_role("button", name="Post reply to Andrew Kenyon").click()
    expect(block.get_by_role("status")).to_have_text("Reply posted.")
    expect(block.locator(".thread .reply").filter(has_text="back on target")).to_be_visible()
    expect(block.locator(".earlier-replies summary")).to_have_text(re.compile(r"^1 earlier reply"))
    assert_same_page(reviewer)
    assert Comment.objects.get(text__contains="back on target").parent == challenge
    # The open challenges, folded to what is open, as the reviewer sees them.
    reviewer.get_by_role("navigation", name="Show questions").get_by_role(
        "link", name=re.compile("^Open challenges")
    ).click()
    reviewer.get_by_role("link", name="Fold the questions without open challenges").click()
    expect(reviewer).to_have_url(f"{url}?show=open&fold=1")
    expect(reviewer.get_by_role("article")).to_have_count(1)
    assert_accessible(reviewer, "the workspace filtered to open challenges, folded")

    # The facilitator marks the challenge addressed.
    facilitator = steady(open_page(new_context))
    sign_in(facilitator, base, "facilitator")
    facilitator.goto(url)
    block = question_block(facilitator, "1.1")
    expect(block.locator(".thread")).to_contain_text("Reply from Andrew Kenyon")
    assert_accessible(facilitator, "the workspace as the facilitator")
    mark_page(facilitator)
    # (The words after "Mark addressed" are there for screen readers, in a visually-hidden
    # span, which the accessible name sets apart with a space.)
    block.get_by_role("button", name=re.compile(r"^Mark addressed\s*: challenge from Paul Hargreaves$")).click()
    expect(block.get_by_role("status")).to_have_text("Marked addressed.")
    expect(block.get_by_role("status")).to_be_focused()
    thread = block.locator(".thread")
    expect(thread.locator(".status")).to_have_text("Addressed")
    expect(thread).to_contain_text("Marked addressed by Ruth Mellor")
    expect(thread.get_by_role("button", name=re.compile("^Mark addressed"))).to_have_count(0)
    expect(thread.get_by_role("button", name=re.compile("^Mark open"))).to_have_count(1)
    expect(thread.get_by_role("button", name=re.compile("^Mark unresolved"))).to_have_count(1)
    assert_same_page(facilitator)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.status_by) == ("addressed", world.facilitator)

    # The mark updated the progress box's counts in place, for the facilitator.
    expect(facilitator.get_by_role("region", name="Progress")).to_contain_text("0 open 1 addressed 0 unresolved")
    # Everyone sees it addressed, and the progress box counts it.
    page.reload()
    expect(question_block(page, "1.1").locator(".thread .status")).to_have_text("Addressed")
    expect(page.get_by_role("region", name="Progress")).to_contain_text("0 open 1 addressed 0 unresolved")

    # The answer's history: the versions and every change to its comments.
    question_block(page, "1.1").get_by_role("link", name="History of answer 1.1").click()
    expect(page.get_by_role("heading", name="History of the answer", level=1)).to_be_visible()
    versions = page.get_by_role("region", name="Versions of the answer, newest first")
    version = versions.get_by_role("heading", name=re.compile(r"^Version 1: Andrew Kenyon"))
    expect(version).to_be_visible()
    expect(versions).to_contain_text("Likelihood: 3 – possible")
    changes = page.get_by_role("region", name="Changes to comments on this question")
    # Posted, edited, replied to twice, marked addressed.
    expect(changes.get_by_role("listitem")).to_have_count(5)
    expect(changes).to_contain_text("by Paul Hargreaves")
    expect(changes).to_contain_text("by Andrew Kenyon")
    expect(changes).to_contain_text("by Ruth Mellor")
    assert_accessible(page, "the answer history page")
    page.get_by_role("link", name="Back to the question").click()
    expect(page).to_have_url(f"{url}#question-{q['1.1'].pk}")

    # The answer form's own page (where the control leads without JavaScript).
    page.goto(f"{base}{reverse('answer_edit', args=[world.session.pk, world.safeguarding.pk, q['1.1'].pk])}")
    expect(page.get_by_role("heading", name="Answer question 1.1", level=1)).to_be_visible()
    expect(page.get_by_label("Answer", exact=True)).to_be_focused()
    assert_accessible(page, "an answer form's own page")

    # A council colleague made a peer reviewer (the model allows it; commenting refuses it)
    # has no comment form, and is told why.
    f.participant(world.session, world.council_colleague)
    colleague = steady(open_page(new_context))
    sign_in(colleague, base, "colleague")
    colleague.goto(url)
    expect(colleague.get_by_role("heading", name="Safeguarding children", level=1)).to_be_visible()
    expect(
        colleague.get_by_text(
            "Your organisation leads Safeguarding children, so you cannot challenge it: a critical "
            "friend comes from another organisation."
        )
    ).to_be_visible()
    expect(colleague.get_by_text("Comment as a critical friend")).to_have_count(0)
    expect(colleague.get_by_role("button", name=re.compile("^Post comment"))).to_have_count(0)
    expect(colleague.get_by_role("button", name=re.compile("^Save answer"))).to_have_count(0)
    expect(colleague.get_by_role("button", name=re.compile("^Post reply"))).to_have_count(0)
    expect(question_block(colleague, "1.1").locator(".thread")).to_contain_text("Addressed")
    assert_accessible(colleague, "the workspace as a reviewer from the lead organisation")

    # Nor can they post one directly.
    client = Client()
    client.force_login(world.council_colleague)
    response = client.post(
        reverse("comment_post", args=[world.session.pk, world.safeguarding.pk, q["1.1"].pk]),
        {f"c{q['1.1'].pk}-kind": "challenge", f"c{q['1.1'].pk}-text": "Marking our own homework"},
    )
    assert response.status_code == 403
    assert not Comment.objects.filter(author=world.council_colleague).exists()


# --- Without JavaScript ------------------------------------------------------------------


def test_without_javascript_answers_and_comments_are_plain_form_posts(new_context, live_server, world):
    base = live_server.url
    q = questions(world.session)
    url = workspace_url(base, world)
    # Back at the question, with the confirmation inside it.
    anchor = re.compile(rf"{re.escape(url)}\?saved={q['1.3'].pk}#question-{q['1.3'].pk}$")

    lead = open_page(new_context, java_script_enabled=False)
    sign_in(lead, base, "lead")
    lead.goto(url)
    form = answer_form(lead, "1.3")
    # The form's own page, for this one question.
    expect(lead.get_by_role("heading", name="Answer question 1.3", level=1)).to_be_visible()
    answer(lead, "1.3", text="Serious: two serious case reviews in 2008.", form=form)
    lead.wait_for_url(anchor)
    block = question_block(lead, "1.3")
    # The confirmation is in the question the page opens at, not at the top of the page.
    expect(block.get_by_role("status")).to_have_text("Answer saved.")
    expect(block.get_by_role("status")).to_be_in_viewport()
    expect(lead.locator(".messages")).to_have_count(0)
    expect(block.locator(".answer")).to_contain_text("Serious: two serious case reviews in 2008.")
    expect(block.locator(".answer")).to_contain_text("Saved by Andrew Kenyon")

    reviewer = open_page(new_context, java_script_enabled=False)
    sign_in(reviewer, base, "reviewer")
    reviewer.goto(url)
    block = question_block(reviewer, "1.3")
    expect(block.locator(".answer")).to_contain_text("Serious: two serious case reviews in 2008.")

    # The comment form opens on its own page. An empty comment comes back with its error,
    # the kind still chosen.
    block.get_by_text("Comment as a critical friend").click()
    expect(reviewer.get_by_role("heading", name="Comment on question 1.3", level=1)).to_be_visible()
    reviewer.get_by_role("radio", name="Question", exact=True).check()
    reviewer.get_by_role("button", name=re.compile("^Post comment")).click()
    form = reviewer.locator("form.comment-new")
    expect(form.get_by_label("Your comment")).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("This field is required.")
    expect(form.get_by_role("radio", name="Question", exact=True)).to_be_checked()
    assert not Comment.objects.exists()

    form.get_by_label("Your comment").fill("Were the reviews' actions all completed?")
    form.get_by_role("button", name=re.compile("^Post comment")).click()
    reviewer.wait_for_url(anchor)
    expect(question_block(reviewer, "1.3").get_by_role("status")).to_have_text("Question posted.")
    thread = question_block(reviewer, "1.3").locator(".thread")
    expect(thread).to_contain_text("Question from Paul Hargreaves")
    expect(thread).to_contain_text("Were the reviews' actions all completed?")

    # The lead's page shows both (the confirmation was shown once).
    lead.reload()
    block = question_block(lead, "1.3")
    expect(block.locator(".answer")).to_contain_text("Serious: two serious case reviews in 2008.")
    expect(block.locator(".thread")).to_contain_text("Were the reviews' actions all completed?")
    expect(block.get_by_role("status")).to_have_count(0)

    # The filter is links: the open challenges, then every question again.
    filters = lead.get_by_role("navigation", name="Show questions")
    filters.get_by_role("link", name=re.compile(r"^Open challenges")).click()
    expect(lead).to_have_url(f"{url}?show=open")
    expect(filters.get_by_role("link", name=re.compile(r"^Open challenges"))).to_have_attribute("aria-current", "page")
    expect(lead.get_by_role("article")).to_have_count(1)
    expect(question_block(lead, "1.3")).to_be_visible()
    expect(
        lead.get_by_text(re.compile(r"Filtered: showing 1 of \d+ questions, those with an open challenge\."))
    ).to_be_visible()
    lead.get_by_role("link", name="Show all questions").first.click()
    expect(lead.get_by_role("article")).to_have_count(len(q))

    # Folded, a question shows its heading and status; its summary unfolds it (no JavaScript).
    lead.get_by_role("link", name="Fold the questions without open challenges").click()
    folded = question_block(lead, "1.1")
    expect(folded.get_by_role("heading", name=re.compile(r"^1\.1 "))).to_be_visible()
    expect(folded.locator("summary")).to_contain_text("Not answered")
    expect(folded.locator(".answer")).to_be_hidden()
    expect(question_block(lead, "1.3").locator(".thread")).to_be_visible()  # an open challenge
    folded.locator("summary").click()
    expect(folded.locator(".answer")).to_be_visible()

    # The lead replies; the reviewer answers the reply, on the form's own page.
    question_block(lead, "1.3").get_by_role("link", name="Reply to Paul Hargreaves").click()
    lead.get_by_label("Your reply").fill("All but one; the last is due in June.")
    lead.get_by_role("button", name="Post reply to Paul Hargreaves").click()
    expect(question_block(lead, "1.3").get_by_role("status")).to_have_text("Reply posted.")
    reviewer.reload()
    block = question_block(reviewer, "1.3")
    block.get_by_role("link", name="Reply to Andrew Kenyon").click()
    expect(reviewer.get_by_role("heading", name="Reply to Andrew Kenyon", level=1)).to_be_visible()
    reviewer.get_by_label("Your reply").fill("Which one is late?")
    reviewer.get_by_role("button", name="Post reply to Andrew Kenyon").click()
    reviewer.wait_for_url(anchor)
    block = question_block(reviewer, "1.3")
    expect(block.get_by_role("status")).to_have_text("Reply posted.")
    # The latest reply shows; the earlier one is folded away.
    expect(block.locator(".thread .reply").filter(has_text="Which one is late?")).to_be_visible()
    expect(block.locator(".earlier-replies summary")).to_have_text(re.compile(r"^1 earlier reply"))
    expect(block.locator(".thread .reply").filter(has_text="All but one")).to_be_hidden()
    replies = Comment.objects.filter(parent__isnull=False).order_by("pk")
    assert [(reply.author, reply.parent.author) for reply in replies] == [
        (world.lead, world.reviewer),
        (world.reviewer, world.reviewer),
    ]


# --- An edit conflict --------------------------------------------------------------------


def _watch_textarea(page: Page, field_id: str) -> None:
    """Record the answer box's text before each htmx request and after each swap."""
    page.evaluate(
        """(id) => {
            window.__seen = [];
            const look = (when) => {
                const box = document.getElementById(id);
                window.__seen.push([when, box ? box.value : null]);
            };
            document.body.addEventListener("htmx:beforeRequest", () => look("before"));
            document.body.addEventListener("htmx:afterSwap", () => look("swapped"));
            document.body.addEventListener("htmx:afterSettle", () => look("settled"));
        }""",
        field_id,
    )


def _runs(seen: list) -> list:
    """`seen` with each run of the same entry once."""
    return [entry for index, entry in enumerate(seen) if index == 0 or entry != seen[index - 1]]


def test_edit_conflict_keeps_what_was_typed(page, new_context, live_server, world):
    base = live_server.url
    q = questions(world.session)
    url = workspace_url(base, world)
    question = q["1.3"]
    field_id = f"id_q{question.pk}-text"
    first_text = "Serious: two serious case reviews in 2008."
    mine = "Serious: the 2008 reviews found weak information sharing between partners."

    # The lead has the workspace open in two windows.
    sign_in(page, base, "lead")
    page.goto(url)
    other = open_page(new_context)
    sign_in(other, base, "lead")
    other.goto(url)

    # The second window asks for the answer form; the answer is saved in the first...
    mark_page(other)
    answer_form(other, "1.3")
    answer(page, "1.3", text=first_text)
    expect(question_block(page, "1.3").get_by_role("status")).to_have_text("Answer saved.")

    # ...then different text saved in the second, which still has the form it opened.
    _watch_textarea(other, field_id)
    block = question_block(other, "1.3")
    block.get_by_label("Answer", exact=True).fill(mine)
    block.get_by_role("button", name=re.compile("^Save answer")).click()
    conflict = block.get_by_role("alert")
    expect(conflict.get_by_role("heading")).to_have_text("This answer changed while you were editing it")
    # The lead saved it themselves, in the other window.
    expect(conflict).to_contain_text("This is what you, in another tab or window, saved at")
    expect(conflict.locator("dt")).to_have_text(["Answer"])
    expect(conflict.locator("blockquote")).to_have_text(first_text)
    expect(conflict).to_be_focused()
    # What they typed is still in the form; the saved answer above it is the other one.
    expect(block.get_by_label("Answer", exact=True)).to_have_value(mine)
    expect(block.locator(".answer")).to_contain_text(first_text)
    expect(block.get_by_role("status")).to_have_count(0)
    assert_same_page(other)
    answer_row = Answer.objects.get(question=question, area=world.safeguarding)
    assert (answer_row.text, answer_row.revision) == (first_text, 1)
    assert_accessible(other, "the workspace showing an edit conflict")

    # Saving again, knowingly, goes through.
    block.get_by_role("button", name=re.compile("^Save answer")).click()
    expect(block.get_by_role("status")).to_have_text("Answer saved.")
    expect(block.get_by_role("alert")).to_have_count(0)
    expect(block.locator(".answer")).to_contain_text(mine)
    expect(block.locator(".answer")).to_contain_text("(version 2)")
    assert_same_page(other)
    answer_row.refresh_from_db()
    assert (answer_row.text, answer_row.revision) == (mine, 2)
    assert [v.text for v in AnswerVersion.objects.filter(answer=answer_row)] == [mine, first_text]

    # The typed text was in the box before each request and after the conflict's swap, never
    # lost; after the successful save the form gives way to the saved answer.
    # (Each response swaps three parts: the question's block, and out of band the progress box
    # and the filter's counts; htmx reports each swap and settle, so repeats are run together.)
    seen = _runs(other.evaluate("window.__seen"))
    assert seen == [["before", mine], ["swapped", mine], ["settled", mine]] + [
        ["before", mine],
        ["swapped", None],
        ["settled", None],
    ]


def test_edit_conflict_without_javascript(new_context, live_server, world):
    base = live_server.url
    question = questions(world.session)["1.3"]
    url = workspace_url(base, world)
    mine = "Serious: the 2008 reviews found weak information sharing between partners."

    lead = open_page(new_context, java_script_enabled=False)
    sign_in(lead, base, "lead")
    lead.goto(url)
    form = answer_form(lead, "1.3")
    # The facilitator saves an answer while the lead's form is open.
    services.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=question,
        by=world.facilitator,
        expected_revision=0,
        text="Facilitator's note: see the 2008 reviews.",
    )
    form.get_by_label("Answer", exact=True).fill(mine)
    form.get_by_role("button", name=re.compile("^Save answer")).click()

    # The form's page comes back with the conflict and the lead's text.
    lead.wait_for_url(re.compile(rf"/questions/{question.pk}/answer/$"))
    block = lead.locator(".answer-edit")
    conflict = block.get_by_role("alert")
    expect(conflict.get_by_role("heading")).to_have_text("This answer changed while you were editing it")
    expect(conflict).to_contain_text("This is what Ruth Mellor saved at")
    expect(conflict.locator("blockquote")).to_have_text("Facilitator's note: see the 2008 reviews.")
    # The page comes back at its top, so the conflict takes the focus (and is scrolled to).
    expect(conflict).to_be_focused()
    expect(conflict).to_be_in_viewport()
    expect(block.get_by_label("Answer", exact=True)).to_have_value(mine)

    block.get_by_role("button", name=re.compile("^Save answer")).click()
    lead.wait_for_url(re.compile(rf"{re.escape(url)}\?saved={question.pk}#question-{question.pk}$"))
    expect(question_block(lead, "1.3").get_by_role("status")).to_have_text("Answer saved.")
    expect(question_block(lead, "1.3").locator(".answer")).to_contain_text(mine)
    assert Answer.objects.get(question=question, area=world.safeguarding).revision == 2
