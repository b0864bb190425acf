"""The workspace shows answers and threads read-only, with "Answer", "Comment" and "Reply"
controls that fetch one form when asked: with htmx the form alone, swapped in; without
JavaScript a page with just that form, which posts where the workspace's form would and comes
back to the question. Who may fetch a form is who may post it (SessionAccess)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from sessions.models import Participant
from tests import factories as f
from workspace import services as ws
from workspace.models import Answer, Comment

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def w(world):
    """The world with an observer, a peer reviewer from the lead organisation, the first
    Impact question (a likelihood rating) and a challenge on it."""
    session = world.session
    world.observer = f.person(world.health, "observer", first_name="Olga", last_name="Observer")
    f.participant(session, world.observer, Participant.Role.OBSERVER)
    f.participant(session, world.council_colleague, Participant.Role.REVIEWER)
    world.question = session.question_set.sections.get(title="Impact").questions.order_by("position")[0]
    world.thread = ws.post_comment(
        session=session,
        area=world.safeguarding,
        question=world.question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    return world


def attributes(html, element_id):
    """The attributes of the element with this id (an attribute without a value maps to None)."""
    found = {}

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id") == element_id:
                found.update(attrs, tag=tag)

    Reader().feed(html)
    assert found, element_id
    return found


def workspace_url(w):
    return reverse("workspace", args=[w.session.pk, w.safeguarding.pk])


def answer_form_url(w):
    return reverse("answer_edit", args=[w.session.pk, w.safeguarding.pk, w.question.pk])


def comment_form_url(w):
    return reverse("comment_new", args=[w.session.pk, w.safeguarding.pk, w.question.pk])


def reply_url(w):
    return reverse("comment_reply", args=[w.thread.pk])


# --- Who may fetch each form: the same people as may post it ------------------------------------

MATRIX = [
    # (form, url, permitted, refused with 403: wrong part, the lead organisation's reviewer, outsider)
    ("answer", answer_form_url, ["lead", "facilitator"], ["reviewer", "observer", "officer", "outsider"]),
    ("comment", comment_form_url, ["reviewer"], ["council_colleague", "lead", "facilitator", "observer", "outsider"]),
    # The thread's author replies in it; another reviewer does not.
    ("reply", reply_url, ["lead", "facilitator", "reviewer"], ["council_colleague", "observer", "officer", "outsider"]),
]


@pytest.mark.parametrize(("form", "url", "permitted", "refused"), MATRIX)
def test_who_may_fetch_each_form(client, w, form, url, permitted, refused):
    for who in permitted:
        client.force_login(getattr(w, who))
        response = client.get(url(w))
        assert response.status_code == 200, who
        assert response.context["kind"] == form
    for who in refused:
        client.force_login(getattr(w, who))
        assert client.get(url(w)).status_code == 403, who
        assert client.get(url(w), **HTMX).status_code == 403, who


@pytest.mark.parametrize(("form", "url", "permitted", "refused"), MATRIX)
def test_anonymous_visitors_sign_in_first(client, w, form, url, permitted, refused):
    response = client.get(url(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_form_pages_only_answer_get(client, w, method):
    client.force_login(w.facilitator)
    assert getattr(client, method)(answer_form_url(w)).status_code == 405
    client.force_login(w.reviewer)
    assert getattr(client, method)(comment_form_url(w)).status_code == 405
    if method != "post":  # a POST there is the reply itself
        client.force_login(w.lead)
        assert getattr(client, method)(reply_url(w)).status_code == 405


def test_a_closed_session_offers_no_form(client, w):
    ws.close_session(session=w.session, by=w.facilitator)
    for who, url in (("lead", answer_form_url), ("reviewer", comment_form_url), ("lead", reply_url)):
        client.force_login(getattr(w, who))
        response = client.get(url(w))
        assert response.status_code == 403
        assert "The session is closed" in response.content.decode()


def test_a_withdrawn_thread_offers_no_reply_form(client, w):
    ws.withdraw_comment(comment=w.thread, by=w.reviewer)
    client.force_login(w.lead)
    response = client.get(reply_url(w))
    assert response.status_code == 403
    assert "This comment was withdrawn, so it takes no more replies." in response.content.decode()


def test_a_reply_to_a_reply_goes_into_the_thread(client, w):
    """The reviewer answers the presenter's reply: the form names whom it answers, and the
    reply's parent is the thread (one flat thread)."""
    reply = ws.reply_to(parent=w.thread, author=w.lead, text="The March audit.")
    url = reverse("comment_reply", args=[reply.pk])
    client.force_login(w.reviewer)
    html = client.get(url).content.decode()
    assert "<h1>Reply to Andrew Kenyon</h1>" in html
    assert f'action="{url}"' in html
    assert f'name="r{w.thread.pk}-text"' in html  # the thread's form: what was typed survives a new reply
    response = client.post(url, {f"r{w.thread.pk}-text": "Which page of it?"})
    assert response.status_code == 302
    answer_back = Comment.objects.get(text="Which page of it?")
    assert (answer_back.parent, answer_back.author, answer_back.kind) == (w.thread, w.reviewer, "reply")


def test_a_question_of_another_set_is_not_found(client, w):
    client.force_login(w.lead)
    url = reverse("answer_edit", args=[w.session.pk, w.safeguarding.pk, 999999])
    assert client.get(url).status_code == 404


# --- What the page and the forms look like ------------------------------------------------------


def test_the_page_has_controls_not_forms(client, w):
    client.force_login(w.facilitator)
    html = client.get(workspace_url(w)).content.decode()
    assert "<textarea" not in html
    # The controls are links (without JavaScript) that htmx turns into an in-place fetch.
    assert f'href="{answer_form_url(w)}" data-hx-get="{answer_form_url(w)}"' in html
    assert f'href="{reply_url(w)}" data-hx-get="{reply_url(w)}"' in html
    questions = sum(section.questions.count() for section in w.session.question_set.sections.all())
    assert html.count('data-hx-target="closest div"') == questions + 1  # answer each, reply to the one thread
    client.force_login(w.reviewer)
    html = client.get(workspace_url(w)).content.decode()
    assert html.count(">Comment as a critical friend<") == questions
    assert "<textarea" not in html


def test_htmx_fetches_the_form_alone_posting_in_place(client, w):
    ws.save_answer(
        session=w.session,
        area=w.safeguarding,
        question=w.question,
        by=w.lead,
        expected_revision=0,
        text="Saved before.",
        likelihood=2,
    )
    client.force_login(w.lead)
    html = client.get(answer_form_url(w), **HTMX).content.decode()
    assert "<html" not in html and "<h1" not in html
    save_url = reverse("answer_save", args=[w.session.pk, w.safeguarding.pk, w.question.pk])
    assert f'data-hx-post="{save_url}"' in html
    assert f'data-hx-target="#question-{w.question.pk}"' in html
    assert "Saved before.</textarea>" in html
    assert f'name="q{w.question.pk}-revision" value="1"' in html
    likely = attributes(html, f"id_q{w.question.pk}-likelihood_1")
    assert (likely["value"], likely["class"], "checked" in likely) == ("2", "form-check-input", True)
    # The cursor goes to the answer, with its label, help text and Bootstrap's classes.
    text = attributes(html, f"id_q{w.question.pk}-text")
    assert (text["tag"], text["class"], "autofocus" in text) == ("textarea", "form-control", True)
    assert f'<label for="id_q{w.question.pk}-text" class="form-label">Answer</label>' in html
    assert f'aria-describedby="id_q{w.question.pk}-text_helptext"' in html
    assert f'<div id="id_q{w.question.pk}-text_helptext" class="form-text">' in html


def test_without_javascript_the_form_has_its_own_page(client, w):
    client.force_login(w.lead)
    response = client.get(reply_url(w))
    html = response.content.decode()
    assert "<h1>Reply to Paul Hargreaves</h1>" in html
    assert "Where is the evidence?" in html  # the thread being answered
    assert f'action="{reply_url(w)}"' in html and "data-hx-post" not in html
    # Posting it replies, and comes back to the question.
    response = client.post(reply_url(w), {f"r{w.thread.pk}-text": "The March audit."})
    assert response.status_code == 302
    assert response["Location"] == f"{workspace_url(w)}?saved={w.question.pk}#question-{w.question.pk}"
    assert Comment.objects.get(parent=w.thread).text == "The March audit."


def test_an_error_shows_the_form_page_again_with_what_was_typed(client, w):
    client.force_login(w.reviewer)
    response = client.post(
        reverse("comment_post", args=[w.session.pk, w.safeguarding.pk, w.question.pk]),
        {f"c{w.question.pk}-kind": "challenge", f"c{w.question.pk}-text": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Comment on question 1.1</h1>" in html
    # The error is next to the field, named by it, and the field takes the focus.
    field = f"id_c{w.question.pk}-text"
    assert f'<div id="{field}_error" class="invalid-feedback d-block">' in html
    assert "This field is required." in html
    text = attributes(html, field)
    assert (text["class"], text["aria-invalid"], text["aria-describedby"]) == (
        "form-control is-invalid",
        "true",
        f"{field}_error",
    )
    assert "autofocus" in text
    kind = attributes(html, f"id_c{w.question.pk}-kind_0")
    assert (kind["value"], "checked" in kind, "autofocus" in kind) == ("challenge", True, False)
    assert Comment.objects.count() == 1


def test_a_stale_answer_with_htmx_comes_back_in_its_block(client, w):
    ws.save_answer(
        session=w.session, area=w.safeguarding, question=w.question, by=w.facilitator, expected_revision=0, text="Hers."
    )
    client.force_login(w.lead)
    response = client.post(
        reverse("answer_save", args=[w.session.pk, w.safeguarding.pk, w.question.pk]),
        {f"q{w.question.pk}-text": "Mine.", f"q{w.question.pk}-evidence": "", f"q{w.question.pk}-revision": 0},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="question-{w.question.pk}"')
    assert '<h4 class="h6">This answer changed while you were editing it</h4>' in html
    assert "Mine.</textarea>" in html and "Hers." in html
    # The form is back in place of the "Edit the answer" control, still posting in place.
    assert "Edit the answer<span" not in html
    assert 'data-hx-post="' in html
    assert Answer.objects.get().text == "Hers."


def test_without_javascript_a_save_comes_back_to_the_page_as_it_was_filtered_and_folded(client, w):
    """The workspace shown with `show=open&fold=1`: each control's link carries the options, the
    form's page keeps them (hidden fields, and its links back), and its save, an error, a
    withdrawal or a status change come back to the page filtered and folded as it was."""
    options = "?show=open&fold=1"
    client.force_login(w.lead)
    page = client.get(workspace_url(w) + options).content.decode()
    assert f'href="{reply_url(w)}{options.replace("&", "&amp;")}" data-hx-get="{reply_url(w)}"' in page
    form = client.get(reply_url(w) + options).content.decode()
    assert '<input type="hidden" name="show" value="open">' in form
    assert '<input type="hidden" name="fold" value="1">' in form
    assert f'href="{workspace_url(w)}{options.replace("&", "&amp;")}#comment-{w.thread.pk}"' in form
    # A refused post keeps them too, with what was typed.
    refused = client.post(reply_url(w), {f"r{w.thread.pk}-text": "", "show": "open", "fold": "1"}).content.decode()
    assert '<input type="hidden" name="show" value="open">' in refused
    response = client.post(reply_url(w), {f"r{w.thread.pk}-text": "The March audit.", "show": "open", "fold": "1"})
    assert response["Location"] == (
        f"{workspace_url(w)}?show=open&fold=1&saved={w.question.pk}#question-{w.question.pk}"
    )
    # An option that is not one is dropped, not echoed.
    response = client.post(reply_url(w), {f"r{w.thread.pk}-text": "Again.", "show": "<script>", "fold": "yes"})
    assert response["Location"] == f"{workspace_url(w)}?saved={w.question.pk}#question-{w.question.pk}"

    # The facilitator's status buttons post the options as well.
    client.force_login(w.facilitator)
    page = client.get(workspace_url(w) + "?show=open").content.decode()
    assert '<input type="hidden" name="show" value="open">' in page
    response = client.post(reverse("comment_status", args=[w.thread.pk]), {"status": "addressed", "show": "open"})
    assert response["Location"] == f"{workspace_url(w)}?show=open&saved={w.question.pk}#question-{w.question.pk}"

    # The author's edit and withdraw pages keep them and come back with them.
    client.force_login(w.reviewer)
    page = client.get(workspace_url(w) + "?fold=1").content.decode()
    edit_url = reverse("comment_edit", args=[w.thread.pk])
    assert f'href="{edit_url}?fold=1"' in page
    assert '<input type="hidden" name="fold" value="1">' in client.get(edit_url + "?fold=1").content.decode()
    withdraw_url = reverse("comment_withdraw", args=[w.thread.pk])
    response = client.post(withdraw_url, {"confirmed": "1", "fold": "1"})
    assert response["Location"] == f"{workspace_url(w)}?fold=1&saved={w.question.pk}#question-{w.question.pk}"
