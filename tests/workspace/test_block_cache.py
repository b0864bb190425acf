"""The workspace page's cache (workspace/blocks.py): after every kind of change, each viewer's
page is exactly the page drawn with nothing cached (no stale block, no block of another
viewer's controls), an unchanged page is served from the cache, and the cache holds no CSRF
token."""

import pickle
import re

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from sessions.models import Participant
from tests import factories as f
from workspace import blocks
from workspace import services as ws

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
MASKED = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a CSRF token, masked afresh for each request
VIEWERS = ["facilitator", "lead", "reviewer", "council_colleague", "observer", "officer"]


@pytest.fixture
def w(world):
    """The world with an observer, a reviewer from the lead organisation, an answer and a
    thread with a reply on one question, a commendation on another, a thread on a third."""
    session = world.session
    world.observer = f.person(world.health, "observer", first_name="Olga", last_name="Observer")
    f.participant(session, world.observer, Participant.Role.OBSERVER)
    f.participant(session, world.council_colleague, Participant.Role.REVIEWER)
    questions = [q for s in session.question_set.sections.all() for q in s.questions.all()]
    world.question, world.other_question, world.third_question = questions[:3]
    world.answer = ws.save_answer(
        session=session,
        area=world.safeguarding,
        question=world.question,
        by=world.lead,
        expected_revision=0,
        text="We know the impact.",
    )
    world.thread = ws.post_comment(
        session=session,
        area=world.safeguarding,
        question=world.question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    world.reply = ws.reply_to(parent=world.thread, author=world.lead, text="In the annual report.")
    ws.post_comment(
        session=session,
        area=world.safeguarding,
        question=world.other_question,
        author=world.reviewer,
        kind="commendation",
        text="A clear plan.",
    )
    # A thread nobody replied to: the facilitator and the lead presenter see its block alike
    # but for the facilitator's "Mark" buttons.
    ws.post_comment(
        session=session,
        area=world.safeguarding,
        question=world.third_question,
        author=world.reviewer,
        kind="question",
        text="Who decides?",
    )
    world.url = reverse("workspace", args=[session.pk, world.safeguarding.pk])
    return world


def _page(w, who) -> str:
    client = Client()
    client.force_login(getattr(w, who))
    response = client.get(w.url)
    assert response.status_code == 200
    return MASKED.sub("TOKEN", response.content.decode())


def _pages(w) -> dict:
    return {who: _page(w, who) for who in VIEWERS}


def _workspace_entries() -> dict:
    """What the cache holds of the workspace's text, by key."""
    store = caches["default"]
    return {
        key: pickle.loads(value)  # noqa: S301 (our own test cache)
        for key, value in store._cache.items()
        if blocks.BLOCK_PREFIX in key or blocks.CONTENT_PREFIX in key
    }


def _refresh(w):
    w.answer.refresh_from_db()
    w.thread.refresh_from_db()
    w.reply.refresh_from_db()


def change_answer(w):
    ws.save_answer(
        session=w.session,
        area=w.safeguarding,
        question=w.question,
        by=w.lead,
        expected_revision=w.answer.revision,
        text="We know the impact, and we measured it.",
    )
    return "we measured it"


def edit_comment(w):
    ws.edit_comment(comment=w.thread, by=w.reviewer, expected_revision=w.thread.revision, text="Which report?")
    return "Which report?"


def edit_reply(w):
    ws.edit_comment(comment=w.reply, by=w.lead, expected_revision=w.reply.revision, text="The 2008 report.")
    return "The 2008 report."


def new_reply(w):
    ws.reply_to(parent=w.thread, author=w.facilitator, text="Please link it.")
    return "Please link it."


def reviewer_answers_back(w):
    """The thread's author replies to the presenter's reply (issue 14): the thread's reply
    control changes for everyone who may reply, and the lead's "mine" count may change."""
    ws.reply_to(parent=w.reply, author=w.reviewer, text="Which page of it?")
    return "Which page of it?"


def mark_addressed(w):
    ws.set_comment_status(comment=w.thread, by=w.facilitator, status="addressed")
    return "Marked addressed by Ruth Mellor"


def withdraw_comment(w):
    ws.withdraw_comment(comment=w.thread, by=w.reviewer)
    return "Withdrawn by the author."


def close_session(w):
    ws.close_session(session=w.session, by=w.facilitator)
    return "Answers and comments are frozen."


def rename_author(w):
    """Nothing of the comment's row changes: only the name shown."""
    w.reviewer.first_name = "Pauline"
    w.reviewer.save()
    return "Pauline Hargreaves"


def relabel_organisation(w):
    """The author's organisation snapshot (Comment.author_partner) gets a new short name."""
    w.police.short_name = "GM Police"
    w.police.save()
    return "(GM Police)"


CHANGES = [
    change_answer,
    edit_comment,
    edit_reply,
    new_reply,
    reviewer_answers_back,
    mark_addressed,
    withdraw_comment,
    close_session,
    rename_author,
    relabel_organisation,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_every_change_shows_at_once_to_every_viewer(w, change):
    before = _pages(w)  # every viewer's page is in the cache
    assert _workspace_entries()
    _refresh(w)
    shown = change(w)
    served = _pages(w)  # with the cache of before the change
    cache.clear()
    drawn = _pages(w)  # with nothing cached
    for who in VIEWERS:
        assert served[who] == drawn[who], who
        assert served[who] != before[who], who
        assert shown in served[who], who
        assert shown not in before[who], who


def _controls(html):
    return {
        "mark": "Mark addressed" in html,
        "withdraw": ">Withdraw…<" in html,
        "reply": "Reply<span" in html,
        "answer": "Edit the answer" in html,
        "comment": "Comment as a critical friend" in html,
    }


def test_each_viewer_sees_only_their_own_controls(w):
    """The same answers and threads, drawn for viewers who may do different things: no one is
    served another's controls from the cache, whoever came first."""
    pages = {}
    for who in ["facilitator", "reviewer", "lead", "observer", "council_colleague"]:
        pages[who] = _controls(_page(w, who))
    assert pages["facilitator"] == {"mark": True, "withdraw": False, "reply": True, "answer": True, "comment": False}
    # The reviewer replies in their own threads (to the presenter's reply).
    assert pages["reviewer"] == {"mark": False, "withdraw": True, "reply": True, "answer": False, "comment": True}
    assert pages["lead"] == {"mark": False, "withdraw": True, "reply": True, "answer": True, "comment": False}
    assert pages["observer"] == {"mark": False, "withdraw": False, "reply": False, "answer": False, "comment": False}
    # A reviewer from the organisation that leads the area may not challenge it.
    assert pages["council_colleague"] == pages["observer"]


def test_viewers_who_may_do_the_same_share_the_cached_text(w):
    _page(w, "observer")
    entries = set(_workspace_entries())
    _page(w, "officer")  # reads, as the observer does
    assert set(_workspace_entries()) == entries
    _page(w, "facilitator")  # marks, replies and answers: texts of their own
    assert len(_workspace_entries()) > len(entries)


def test_an_unchanged_page_is_served_from_the_cache(w, monkeypatch):
    drawn = []
    for name in ("draw_block", "draw_content"):
        original = getattr(blocks, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            drawn.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(blocks, name, spy)
    first = _page(w, "facilitator")
    block_count = drawn.count("draw_block")
    assert block_count == first.count('<article id="question-') > 2
    assert drawn.count("draw_content") == 1
    drawn.clear()
    assert _page(w, "facilitator") == first
    assert drawn == []  # nothing drawn: the content came from the cache
    # One thread changes: its block and the content are drawn again, the other blocks not.
    _refresh(w)
    ws.edit_comment(comment=w.thread, by=w.reviewer, expected_revision=w.thread.revision, text="Which report?")
    drawn.clear()
    assert "Which report?" in _page(w, "facilitator")
    assert drawn == ["draw_block", "draw_content"]


def test_the_cache_holds_no_csrf_token_and_each_page_has_its_own(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.facilitator)
    first = client.get(w.url).content.decode()
    second = client.get(w.url).content.decode()  # from the cache
    tokens = TOKEN.findall(second)
    assert len(tokens) >= 2  # the sign-out form's and the facilitator's "Mark …" forms'
    assert blocks._PLACEHOLDER not in first + second
    assert set(TOKEN.findall(first)).isdisjoint(tokens)  # masked afresh for each request
    entries = _workspace_entries()
    assert entries
    secret = client.cookies["csrftoken"].value
    for text in entries.values():
        assert set(TOKEN.findall(text)) <= {blocks._PLACEHOLDER}
        assert not MASKED.search(text)
        assert secret not in text
        for token in tokens:
            assert token not in text
    # The token put into a cached block is this viewer's: the "Mark addressed" form posts with it.
    mark = reverse("comment_status", args=[w.thread.pk])
    form = re.search(rf'action="{mark}"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"', second)
    assert form is not None
    response = client.post(mark, {"csrfmiddlewaretoken": form.group(1), "status": "addressed"})
    assert response.status_code == 302
    assert "Marked addressed by" in client.get(w.url).content.decode()


def test_a_form_being_filled_in_is_never_cached(w):
    """A refused htmx post answers with the block and what was typed: drawn for that request
    only, and the page's cached text does not change."""
    client = Client()
    client.force_login(w.reviewer)
    client.get(w.url)
    entries = _workspace_entries()
    url = reverse("comment_post", args=[w.session.pk, w.safeguarding.pk, w.question.pk])
    data = {f"c{w.question.pk}-kind": "challenge", f"c{w.question.pk}-text": ""}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<textarea" in response.content.decode()
    assert _workspace_entries() == entries
    assert "<textarea" not in client.get(w.url).content.decode()


# The page's options (issue 14): each is part of what a cached text shows, so of its key.
OPTIONS = ["?show=open", "?show=unanswered", "?show=mine", "?fold=1", "?show=mine&fold=1"]


def _page_at(w, who, query) -> str:
    client = Client()
    client.force_login(getattr(w, who))
    response = client.get(w.url + query)
    assert response.status_code == 200
    return MASKED.sub("TOKEN", response.content.decode())


@pytest.mark.parametrize("change", [change_answer, reviewer_answers_back, mark_addressed, withdraw_comment])
def test_every_filter_and_fold_shows_each_change_at_once(w, change):
    """Filtered and folded pages, cached before a change, are after it exactly the pages drawn
    with nothing cached, for every viewer."""
    for who in VIEWERS:
        for query in OPTIONS:
            _page_at(w, who, query)
    _refresh(w)
    change(w)
    served = {(who, query): _page_at(w, who, query) for who in VIEWERS for query in OPTIONS}
    cache.clear()
    for (who, query), page in served.items():
        assert page == _page_at(w, who, query), (who, query)


def test_options_never_serve_each_others_text(w):
    """The same viewer's page unfiltered, filtered and folded: each differs, each is served
    from the cache as drawn, whichever came first."""
    first = {query: _page_at(w, "lead", query) for query in ["", *OPTIONS]}
    assert len(set(first.values())) == len(first)
    again = {query: _page_at(w, "lead", query) for query in reversed(["", *OPTIONS])}
    assert again == first
    # Folded, a question without an open challenge is drawn closed: a block of its own.
    assert '<details class="question-details">' in first["?fold=1"]
    assert '<details class="question-details">' not in first[""]


def test_viewers_who_may_do_the_same_but_have_different_questions_of_their_own(w):
    """Two reviewers with the same controls on every block (neither may change anything shown)
    share the blocks, but not the content: "Mine" counts what each wrote."""
    for person in (w.health_reviewer, w.fire_reviewer):
        f.participant(w.session, person, Participant.Role.REVIEWER)
    thread = ws.post_comment(
        session=w.session,
        area=w.safeguarding,
        question=w.other_question,
        author=w.health_reviewer,
        kind="question",
        text="Asked, then withdrawn.",
    )
    ws.withdraw_comment(comment=thread, by=w.health_reviewer)
    fire = _page_at(w, "fire_reviewer", "")
    entries = set(_workspace_entries())
    health = _page_at(w, "health_reviewer", "")
    new = set(_workspace_entries()) - entries
    assert [key for key in new if blocks.BLOCK_PREFIX in key] == []  # every block shared
    assert [key for key in new if blocks.CONTENT_PREFIX in key] != []  # the content is not
    mine = re.compile(r'show=mine">Mine <span class="count">(\d+)')
    assert mine.search(" ".join(fire.split())).group(1) == "0"
    assert mine.search(" ".join(health.split())).group(1) == "1"
    assert _page_at(w, "health_reviewer", "?show=mine").count('<article id="question-') == 1
    assert _page_at(w, "fire_reviewer", "?show=mine").count('<article id="question-') == 0


def test_a_confirmation_is_never_cached(w):
    """Without JavaScript a save comes back with `saved=`: the question shows the message, drawn
    for that request only; the cache keeps what it kept, and the next page has no message."""
    client = Client()
    client.force_login(w.lead)
    client.get(w.url)
    entries = _workspace_entries()
    url = reverse("answer_save", args=[w.session.pk, w.safeguarding.pk, w.third_question.pk])
    p = f"q{w.third_question.pk}-"
    response = client.post(url, {p + "text": "Answered.", p + "evidence": "", p + "revision": 0})
    assert "saved=" in response["Location"]
    after_save = _workspace_entries()  # the page as it is now is not drawn until asked
    html = client.get(response["Location"]).content.decode()
    assert "Answer saved." in html
    assert _workspace_entries() == after_save
    assert not any("Answer saved." in text for text in _workspace_entries().values())
    html = client.get(w.url).content.decode()
    assert "Answer saved." not in html and "Answered." in html
    assert set(_workspace_entries()) > set(entries)
