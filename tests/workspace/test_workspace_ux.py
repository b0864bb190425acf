"""The workspace as people work in it (issue 14): a filter for open challenges, unanswered
questions and "mine"; questions folded to their heading and status; threads with their earlier
replies folded; the reviewer answering the presenter's reply; after an htmx save the progress
box and the counts swapped out of band; without JavaScript, the confirmation inside the saved
question."""

import pickle
import re

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes.models import Notice, NoticeKind
from sessions.models import Participant
from tests import factories as f
from workspace import blocks
from workspace import services as ws
from workspace.models import Comment

HTMX = {"HTTP_HX_REQUEST": "true"}
ARTICLE = re.compile(r'<article id="question-(\d+)"')
OPEN_DETAILS = re.compile(
    r'<article id="question-(\d+)"[^>]*>\s*<div class="card-body">.*?<details class="question-details"( open)?>', re.S
)


@pytest.fixture
def ux(world):
    """Fifteen questions. 1.1: answered by the lead, an open challenge from the reviewer that
    the lead replied to. 1.2: not answered, an open challenge from a second reviewer, no reply.
    1.3: answered by the facilitator, the reviewer's challenge marked addressed. 1.4: answered
    by the lead, a commendation from the reviewer. The rest: not answered, nothing said. An
    observer, and a second presenter of the area (the police officer)."""
    session, area = world.session, world.safeguarding
    f.participant(session, world.health_reviewer, Participant.Role.REVIEWER)
    world.observer = f.person(world.health, "observer", first_name="Olga", last_name="Observer")
    f.participant(session, world.observer, Participant.Role.OBSERVER)
    f.participant(session, world.police_officer, Participant.Role.PRESENTER, area)
    world.questions = [q for s in session.question_set.sections.all() for q in s.questions.all()]
    q1, q2, q3, q4 = world.questions[:4]

    def answer(question, by, text):
        ws.save_answer(session=session, area=area, question=question, by=by, expected_revision=0, text=text)

    def post(question, author, kind="challenge", text="Where is the evidence?"):
        return ws.post_comment(session=session, area=area, question=question, author=author, kind=kind, text=text)

    answer(q1, world.lead, "Referrals rose by a fifth.")
    world.thread = post(q1, world.reviewer)
    world.reply = ws.reply_to(parent=world.thread, author=world.lead, text="In the March audit.")
    world.waiting = post(q2, world.health_reviewer, text="Who checks the waiting list?")
    answer(q3, world.facilitator, "A note from the facilitator.")
    addressed = post(q3, world.reviewer, text="Is the plan funded?")
    ws.set_comment_status(comment=addressed, by=world.facilitator, status="addressed")
    answer(q4, world.lead, "The hub opened in March.")
    post(q4, world.reviewer, kind="commendation", text="Good practice.")
    world.url = reverse("workspace", args=[session.pk, area.pk])
    return world


def _get(client, w, who, query=""):
    client.force_login(getattr(w, who))
    response = client.get(w.url + query)
    assert response.status_code == 200
    return response.content.decode()


def _flat(html) -> str:
    """`html` with each run of whitespace one space."""
    return " ".join(html.split())


def _shown(html) -> list:
    return [int(pk) for pk in ARTICLE.findall(html)]


def _numbers(w, *indexes) -> list:
    return [w.questions[i].pk for i in indexes]


# --- The filter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "show", "expected"),
    [
        ("reviewer", "open", [0, 1]),
        ("observer", "open", [0, 1]),
        ("lead", "unanswered", [1, *range(4, 15)]),
        # Mine: what they commented on...
        ("reviewer", "mine", [0, 2, 3]),
        ("health_reviewer", "mine", [1]),
        # ...answered (the answer as it stands is theirs)...
        ("facilitator", "mine", [2]),
        # ...and for a presenter, what waits for them: no answer yet, or an open challenge
        # whose last word is not a presenter's. 1.3 is answered and its challenge addressed.
        ("lead", "mine", [0, 1, 3, *range(4, 15)]),
        ("police_officer", "mine", [1, *range(4, 15)]),
        ("observer", "mine", []),
    ],
)
def test_each_filter_shows_its_questions(client, ux, who, show, expected):
    html = _get(client, ux, who, f"?show={show}")
    assert _shown(html) == _numbers(ux, *expected)
    assert html.count("<h1") == 1


def test_the_filter_is_a_nav_of_links_with_counts_and_says_what_it_filtered(client, ux):
    html = _get(client, ux, "reviewer")
    nav = html[html.index('<nav aria-label="Show questions">') : html.index("</nav>", html.index("Show questions"))]
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>(.*?)</a>', nav, re.S)
    text = [re.sub(r"<[^>]+>|\s+", " ", label).split() for _, _, label in links]
    assert text == [
        ["All", "questions", "15"],
        ["Open", "challenges", "2", "questions"],
        ["Unanswered", "12", "questions"],
        ["Mine", "3", "questions"],
    ]
    assert [url for url, _, _ in links] == [ux.url] + [
        f"{ux.url}?show={name}" for name in ("open", "unanswered", "mine")
    ]
    assert [bool(current) for _, current, _ in links] == [True, False, False, False]
    assert "Filtered:" not in html
    assert len(_shown(html)) == 15

    html = _get(client, ux, "reviewer", "?show=open")
    assert f'href="{ux.url}?show=open" aria-current="page">Open challenges' in html
    assert html.count('aria-current="page">') == 2  # the breadcrumb's and the filter's
    assert "<strong>Filtered:</strong> showing 2 of 15 questions, those with an open challenge." in html
    assert f'<a href="{ux.url}">Show all questions</a>' in html
    # A section with none of them says so, and how to see them all.
    assert "Filtered: none of this section's 5 questions is one of those with an open challenge." in _flat(html)


def test_mine_says_what_it_holds_for_a_presenter(client, ux):
    assert "those you answered, commented on or replied in." in _get(client, ux, "reviewer", "?show=mine")
    html = _get(client, ux, "lead", "?show=mine")
    assert (
        "those you answered, commented on or replied in, and those waiting for you: not answered yet or with a "
        "challenge to reply to." in html
    )


def test_an_unknown_filter_shows_everything(client, ux):
    html = _get(client, ux, "reviewer", "?show=everything&fold=yes")
    assert len(_shown(html)) == 15
    assert f'<a href="{ux.url}" aria-current="page">All' in html
    assert "Filtered:" not in html


def test_a_challenge_waits_for_the_presenters_until_one_of_them_replies(client, ux):
    """1.2's challenge waits for every presenter of the area; once the lead replies it no
    longer waits for the other presenter; when the reviewer answers back it waits again."""
    q2 = ux.questions[1]
    ws.save_answer(
        session=ux.session, area=ux.safeguarding, question=q2, by=ux.facilitator, expected_revision=0, text="Noted."
    )
    assert q2.pk in _shown(_get(client, ux, "police_officer", "?show=mine"))
    reply = ws.reply_to(parent=ux.waiting, author=ux.lead, text="The duty manager, weekly.")
    assert q2.pk not in _shown(_get(client, ux, "police_officer", "?show=mine"))
    assert q2.pk in _shown(_get(client, ux, "lead", "?show=mine"))  # they replied in it
    ws.reply_to(parent=reply, author=ux.health_reviewer, text="Since when?")
    assert q2.pk in _shown(_get(client, ux, "police_officer", "?show=mine"))
    # A withdrawn answer back is not the last word.
    answer_back = Comment.objects.get(text="Since when?")
    ws.withdraw_comment(comment=answer_back, by=ux.health_reviewer)
    assert q2.pk not in _shown(_get(client, ux, "police_officer", "?show=mine"))


# --- Folding ------------------------------------------------------------------------------------


def _open(html) -> dict:
    return {int(pk): bool(is_open) for pk, is_open in OPEN_DETAILS.findall(html)}


def test_every_question_is_unfolded_unless_asked(client, ux):
    """By default every question shows its answer and threads (a link to a question's anchor
    lands on it unfolded); folded, a question shows its heading and its status in words."""
    html = _get(client, ux, "lead")
    assert set(_open(html).values()) == {True} and len(_open(html)) == 15
    assert f'<a href="{ux.url}?fold=1">Fold the questions without open challenges</a>' in _flat(html)

    html = _get(client, ux, "lead", "?fold=1")
    opened = _open(html)
    # Only the questions with an open challenge stay unfolded.
    assert [pk for pk, is_open in opened.items() if is_open] == _numbers(ux, 0, 1)
    assert len(opened) == 15
    assert f'<a href="{ux.url}">Unfold every question</a>' in html
    # Each filter keeps the fold, and the fold control keeps the filter.
    assert f'href="{ux.url}?show=open&amp;fold=1"' in html
    html = _get(client, ux, "lead", "?show=mine&fold=1")
    assert f'<a href="{ux.url}?show=mine">Unfold every question</a>' in html


def _summary(html, question):
    start = html.index(f'<article id="question-{question.pk}"')
    summary = html[html.index("<summary>", start) : html.index("</summary>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


def test_a_question_summary_says_its_status_in_words(client, ux):
    html = _get(client, ux, "observer")
    q1, q2, q3, q4, q5 = ux.questions[:5]
    assert _summary(html, q1) == "Answered 1 open challenge Answer and comments of question 1.1 (1 comment)"
    assert _summary(html, q2) == "Not answered 1 open challenge Answer and comments of question 1.2 (1 comment)"
    assert _summary(html, q3) == "Answered Answer and comments of question 1.3 (1 comment)"  # addressed
    assert _summary(html, q4) == "Answered Answer and comments of question 1.4 (1 comment)"  # a commendation
    assert _summary(html, q5) == "Not answered Answer and comments of question 2.1 (0 comments)"


def test_a_thread_shows_its_latest_reply_and_folds_the_earlier_ones(client, ux):
    html = _get(client, ux, "observer")
    one_reply = html[html.index(f'id="comment-{ux.thread.pk}"') :]
    one_reply = one_reply[: one_reply.index("</article>")]
    assert "earlier-replies" not in one_reply
    assert f'<li id="comment-{ux.reply.pk}" class="reply">' in one_reply

    second = ws.reply_to(parent=ux.reply, author=ux.reviewer, text="Which page?")
    third = ws.reply_to(parent=ux.thread, author=ux.lead, text="Page 12.")
    html = _get(client, ux, "observer")
    thread = html[html.index(f'id="comment-{ux.thread.pk}"') :]
    thread = thread[: thread.index("</article>")]
    earlier = thread[thread.index('<details class="earlier-replies">') : thread.index("</details>")]
    assert "2 earlier replies" in earlier
    assert f'id="comment-{ux.reply.pk}"' in earlier and f'id="comment-{second.pk}"' in earlier
    after = thread[thread.index("</details>") :]
    assert f'<li id="comment-{third.pk}" class="reply">' in after and "Page 12." in after


# --- The reviewer answers the presenter's reply --------------------------------------------------


def _reply_url(comment):
    return reverse("comment_reply", args=[comment.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("reviewer", 200),  # the thread's author
        ("lead", 200),  # the area's presenters
        ("police_officer", 200),
        ("facilitator", 200),
        ("health_reviewer", 403),  # a reviewer, not the thread's author
        ("observer", 403),
        ("officer", 403),
        ("council_colleague", 403),  # a member with no part in the session
    ],
)
def test_who_may_reply_to_a_reply(client, ux, who, status):
    client.force_login(getattr(ux, who))
    assert client.get(_reply_url(ux.reply)).status_code == status
    assert client.get(_reply_url(ux.reply), **HTMX).status_code == status
    response = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": f"From {who}."})
    assert response.status_code == (302 if status == 200 else status)
    posted = Comment.objects.filter(text=f"From {who}.")
    assert posted.exists() == (status == 200)
    if status == 200:
        assert posted.get().parent == ux.thread  # one flat thread


def test_a_reply_from_a_stranger_to_the_thread_is_refused_too(client, ux):
    """The thread's own reply form: the other reviewer may not use it either."""
    client.force_login(ux.health_reviewer)
    assert client.get(_reply_url(ux.thread)).status_code == 403
    assert client.post(_reply_url(ux.thread), {f"r{ux.thread.pk}-text": "Me too."}).status_code == 403
    assert not Comment.objects.filter(text="Me too.").exists()


def test_anonymous_visitors_sign_in_before_replying(client, ux):
    response = client.get(_reply_url(ux.reply))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_author_answering_back_tells_the_presenters(client, ux):
    client.force_login(ux.reviewer)
    client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": "Which page of the audit?"})
    told = set(
        Notice.objects.filter(kind=NoticeKind.CHALLENGE, text__contains="replied in their challenge").values_list(
            "person", flat=True
        )
    )
    assert {ux.lead.pk, ux.police_officer.pk} <= told
    assert ux.reviewer.pk not in told


def test_a_closed_session_takes_no_reply_to_a_reply_and_keeps_what_was_typed(client, ux):
    ws.close_session(session=ux.session, by=ux.facilitator)
    client.force_login(ux.reviewer)
    response = client.get(_reply_url(ux.reply))
    assert response.status_code == 403
    assert "The session is closed" in response.content.decode()
    response = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": "Typed before the close."})
    assert response.status_code == 200
    assert "Typed before the close.</textarea>" in response.content.decode()
    assert not Comment.objects.filter(text="Typed before the close.").exists()


def test_a_withdrawn_reply_or_thread_takes_no_reply(client, ux):
    ws.withdraw_comment(comment=ux.reply, by=ux.lead)
    client.force_login(ux.reviewer)
    response = client.get(_reply_url(ux.reply))
    assert response.status_code == 403
    assert "This comment was withdrawn, so it takes no more replies." in response.content.decode()
    response = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": "Too late?"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This comment was withdrawn, so it takes no more replies." in html
    assert "Too late?</textarea>" in html
    assert not Comment.objects.filter(text="Too late?").exists()
    # The form comes back answering the thread, which stands: sent again, it goes through.
    assert f'action="{_reply_url(ux.thread)}"' in html
    html = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": "Too late?"}, **HTMX).content.decode()
    assert f'data-hx-post="{_reply_url(ux.thread)}"' in html and "Too late?</textarea>" in html
    client.post(_reply_url(ux.thread), {f"r{ux.thread.pk}-text": "Too late?"})
    assert Comment.objects.get(text="Too late?").parent == ux.thread
    # The page's control answers the last message that stands: the reviewer's own reply.
    html = _get(client, ux, "reviewer")
    own = Comment.objects.get(text="Too late?")
    assert f'href="{_reply_url(own)}"' in html and f'href="{_reply_url(ux.reply)}"' not in html
    ws.withdraw_comment(comment=ux.thread, by=ux.reviewer)
    client.force_login(ux.lead)
    assert client.get(_reply_url(ux.thread)).status_code == 403


def test_the_page_offers_the_reply_to_the_last_word(client, ux):
    """The reviewer's control answers the lead's reply; once the reviewer has the last word,
    theirs adds to the thread, while the lead's answers the reviewer."""
    html = _get(client, ux, "reviewer")
    control = f'href="{_reply_url(ux.reply)}" data-hx-get="{_reply_url(ux.reply)}"'
    assert control in html
    assert 'Reply<span class="visually-hidden"> to Andrew Kenyon</span>' in _flat(html)
    answer_back = ws.reply_to(parent=ux.reply, author=ux.reviewer, text="Which page?")
    html = _get(client, ux, "reviewer")
    assert f'href="{_reply_url(answer_back)}"' in html
    assert 'Add a reply<span class="visually-hidden"> to the challenge from Paul Hargreaves</span>' in _flat(html)
    html = _get(client, ux, "lead")
    assert 'Reply<span class="visually-hidden"> to Paul Hargreaves</span>' in _flat(html)
    # The form's own page (without JavaScript) names whom it answers.
    client.force_login(ux.lead)
    assert "<h1>Reply to Paul Hargreaves</h1>" in client.get(_reply_url(answer_back)).content.decode()
    client.force_login(ux.reviewer)
    page = client.get(_reply_url(answer_back)).content.decode()
    assert "<h1>Add a reply to the challenge from Paul Hargreaves</h1>" in page


# --- After an htmx save: the block, and out of band the progress box and the counts --------------


def _oob(html, element_id):
    match = re.search(rf'<(section|div) id="{element_id}"[^>]*>', html)
    assert match, element_id
    return match.group(0)


def _answer_data(question, text="Saved with htmx.", revision=0):
    p = f"q{question.pk}-"
    return {p + "text": text, p + "evidence": "", p + "revision": revision}


def test_an_htmx_answer_swaps_the_progress_box_and_the_counts_out_of_band(client, ux):
    question = ux.questions[5]
    client.force_login(ux.lead)
    response = client.post(
        reverse("answer_save", args=[ux.session.pk, ux.safeguarding.pk, question.pk]),
        _answer_data(question),
        HTTP_HX_CURRENT_URL=f"http://testserver{ux.url}?show=open&fold=1",
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="question-{question.pk}"')
    assert 'role="status" tabindex="-1" autofocus>Answer saved.</div>' in html
    assert 'data-hx-swap-oob="true"' in _oob(html, "progress")
    assert "<strong>4 of 15</strong> questions answered." in html
    assert "Impact not rated yet." in html  # the matrix's caption, with the box
    assert 'data-hx-swap-oob="true"' in _oob(html, "question-filters")
    # The counts, as the page it was sent from shows them (its filter and fold kept).
    unanswered = f'<a href="{ux.url}?show=unanswered&amp;fold=1">Unanswered <span class="count">11<span'
    assert unanswered in _flat(html)
    assert f'href="{ux.url}?show=open&amp;fold=1" aria-current="page">' in html
    # The question just saved is shown unfolded though it has no open challenge.
    assert _open(html) == {question.pk: True}
    # The page itself swaps nothing out of band.
    assert "data-hx-swap-oob" not in _get(client, ux, "lead")


def test_an_htmx_challenge_and_a_mark_update_the_challenge_counts(client, ux):
    question = ux.questions[6]
    client.force_login(ux.reviewer)
    html = client.post(
        reverse("comment_post", args=[ux.session.pk, ux.safeguarding.pk, question.pk]),
        {f"c{question.pk}-kind": "challenge", f"c{question.pk}-text": "And the budget?"},
        HTTP_HX_CURRENT_URL=f"http://testserver{ux.url}",
        **HTMX,
    ).content.decode()
    assert '<span class="status status-next">3 open</span>' in html
    assert f'<a href="{ux.url}?show=open">Open challenges <span class="count">3' in _flat(html)
    thread = Comment.objects.get(text="And the budget?")
    client.force_login(ux.facilitator)
    html = client.post(
        reverse("comment_status", args=[thread.pk]), {"status": "addressed"}, HTTP_HX_CURRENT_URL="", **HTMX
    ).content.decode()
    assert '<span class="status status-next">2 open</span>' in html
    assert '<span class="status status-held">2 addressed</span>' in html
    assert 'id="progress"' in html and 'id="question-filters"' in html


def test_an_htmx_reply_and_a_refused_post_carry_the_out_of_band_parts_too(client, ux):
    client.force_login(ux.reviewer)
    html = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": "Which page?"}, **HTMX).content.decode()
    assert "autofocus>Reply posted.</div>" in html
    assert 'id="progress"' in html
    # An empty reply: the block again with the form, still posting to the reply it answers.
    html = client.post(_reply_url(ux.reply), {f"r{ux.thread.pk}-text": ""}, **HTMX).content.decode()
    assert "This field is required." in html
    assert f'data-hx-post="{_reply_url(ux.reply)}"' in html
    assert 'id="progress"' in html


# --- Without JavaScript: the confirmation inside the saved question ------------------------------


def _article(html, question):
    start = html.index(f'<article id="question-{question.pk}"')
    return html[start : html.index("</article>", start)]


def _workspace_entries() -> dict:
    """What the cache holds of the workspace's text, by key."""
    store = caches["default"]
    return {
        key: pickle.loads(value)  # noqa: S301 (our own test cache)
        for key, value in store._cache.items()
        if blocks.BLOCK_PREFIX in key or blocks.CONTENT_PREFIX in key
    }


def test_without_javascript_the_confirmation_is_inside_the_saved_question(client, ux):
    question = ux.questions[5]
    client.force_login(ux.lead)
    client.get(ux.url)  # the page is in the cache
    entries = _workspace_entries()
    response = client.post(
        reverse("answer_save", args=[ux.session.pk, ux.safeguarding.pk, question.pk]), _answer_data(question)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ux.url}?saved={question.pk}#question-{question.pk}"
    html = client.get(response["Location"]).content.decode()
    assert '<div class="alert alert-success py-2" role="status" tabindex="-1" autofocus>Answer saved.</div>' in (
        _article(html, question)
    )
    assert html.count("Answer saved.") == 1
    assert '<div class="messages"' not in html  # not at the top of the page
    # Drawn for that request only: the cache holds nothing new, and no message.
    assert _workspace_entries() == entries
    assert not any("Answer saved." in text for text in entries.values())
    # Shown once: reloaded, the page has no message (and comes from the cache).
    html = client.get(response["Location"]).content.decode()
    assert "Answer saved." not in html


def test_without_javascript_a_refusal_is_inside_the_question_too(client, ux, monkeypatch):
    """A button's write refused by the service (the session closed a moment after the check):
    the reason is shown where the button was, as an alert."""

    def closed(**kwargs):
        raise ValidationError("The session is closed: answers and comments are frozen.")

    monkeypatch.setattr(ws, "withdraw_comment", closed)
    client.force_login(ux.reviewer)
    response = client.post(reverse("comment_withdraw", args=[ux.thread.pk]), {"confirmed": "1"})
    assert response["Location"] == f"{ux.url}?saved={ux.questions[0].pk}#question-{ux.questions[0].pk}"
    html = client.get(response["Location"]).content.decode()
    alert = '<div class="alert alert-danger py-2" role="alert" tabindex="-1" autofocus>The session is closed'
    assert alert in _article(html, ux.questions[0])
    # With htmx, the block says it the same way.
    html = client.post(reverse("comment_withdraw", args=[ux.thread.pk]), {"confirmed": "1"}, **HTMX).content.decode()
    assert alert in html


def test_without_javascript_an_edited_comment_is_confirmed_in_its_question(client, ux):
    client.force_login(ux.reviewer)
    response = client.post(
        reverse("comment_edit", args=[ux.thread.pk]),
        {"kind": "challenge", "text": "Which audit?", "revision": ux.thread.revision},
    )
    assert response["Location"] == f"{ux.url}?saved={ux.questions[0].pk}#question-{ux.questions[0].pk}"
    html = client.get(response["Location"]).content.decode()
    assert "autofocus>Comment updated.</div>" in _article(html, ux.questions[0])


def test_a_saved_parameter_without_a_message_or_for_no_question_changes_nothing(client, ux):
    plain = _get(client, ux, "lead")
    for query in (f"?saved={ux.questions[2].pk}", "?saved=999999", "?saved=nonsense"):
        html = _get(client, ux, "lead", query)
        assert 'role="status" tabindex="-1"' not in html
        assert _shown(html) == _shown(plain)
