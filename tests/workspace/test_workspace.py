"""The session workspace: who may do what, conflicts, history, closing, and query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.services import new_question_set_version
from sessions.models import Participant
from tests import factories as f
from tests.conflict_box import conflict_box, expected_message
from workspace import services as ws
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion, SessionEvent
from workspace.templatetags.workspace import band, simple_text


@pytest.fixture
def setup(world):
    """Adds an observer, a peer reviewer from the lead organisation and a question."""
    session = world.session
    observer = f.person(world.health, "observer", first_name="Olga", last_name="Observer")
    f.participant(session, observer, Participant.Role.OBSERVER)
    lead_org_reviewer = world.council_colleague
    f.participant(session, lead_org_reviewer, Participant.Role.REVIEWER)
    question = session.question_set.sections.get(title="Impact").questions.order_by("position")[0]
    world.observer = observer
    world.question = question
    return world


def ws_url(w):
    return reverse("workspace", args=[w.session.pk, w.safeguarding.pk])


def answer_url(w):
    return reverse("answer_save", args=[w.session.pk, w.safeguarding.pk, w.question.pk])


def comment_url(w):
    return reverse("comment_post", args=[w.session.pk, w.safeguarding.pk, w.question.pk])


def answer_data(w, text="We know the impact.", revision=0, **extra):
    p = f"q{w.question.pk}-"
    return {
        p + "text": text,
        p + "likelihood": "3",
        p + "evidence": "",
        p + "revision": revision,
        **{p + k: v for k, v in extra.items()},
    }


def comment_data(w, text="How do you know?", kind="challenge"):
    return {f"c{w.question.pk}-kind": kind, f"c{w.question.pk}-text": text}


def a_thread(w):
    return ws.post_comment(
        session=w.session,
        area=w.safeguarding,
        question=w.question,
        author=w.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )


READERS = ["facilitator", "lead", "reviewer", "council_colleague", "observer", "officer"]


@pytest.mark.parametrize("who", READERS)
def test_everyone_with_a_part_reads_the_workspace(client, setup, who):
    client.force_login(getattr(setup, who))
    response = client.get(ws_url(setup))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What is the impact? And what is the likelihood that this will happen?" in html
    assert html.count("<h1") == 1


def test_outsider_and_anonymous_cannot_read(client, setup):
    a_thread(setup)
    urls = [
        ws_url(setup),
        reverse("answer_history", args=[setup.session.pk, setup.safeguarding.pk, setup.question.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
        client.force_login(setup.outsider)
        assert client.get(url).status_code == 403
        client.logout()


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("facilitator", True),
        ("lead", True),
        ("reviewer", False),
        ("council_colleague", False),
        ("observer", False),
        ("officer", False),
        ("outsider", False),
    ],
)
def test_who_may_answer(client, setup, who, allowed):
    client.force_login(getattr(setup, who))
    response = client.post(answer_url(setup), answer_data(setup))
    assert response.status_code == (302 if allowed else 403)
    assert Answer.objects.filter(text="We know the impact.").exists() == allowed


def test_presenter_answers_only_for_their_area(client, setup):
    setup.session.areas.add(setup.health_inequalities)
    client.force_login(setup.lead)
    url = reverse("answer_save", args=[setup.session.pk, setup.health_inequalities.pk, setup.question.pk])
    assert client.post(url, answer_data(setup)).status_code == 403


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("reviewer", True),
        ("council_colleague", False),
        ("lead", False),
        ("observer", False),
        ("officer", False),
        ("facilitator", False),
        ("outsider", False),
    ],
)
def test_who_may_challenge(client, setup, who, allowed):
    client.force_login(getattr(setup, who))
    response = client.post(comment_url(setup), comment_data(setup))
    assert response.status_code == (302 if allowed else 403)
    assert Comment.objects.exists() == allowed


def test_reviewer_from_lead_organisation_sees_why_they_cannot_comment(client, setup):
    client.force_login(setup.council_colleague)
    html = client.get(ws_url(setup)).content.decode()
    assert "Your organisation leads Safeguarding children, so you cannot challenge it" in html
    assert "Comment as a critical friend" not in html


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("lead", True),
        ("facilitator", True),
        ("reviewer", True),  # the thread's author, answering back
        ("council_colleague", False),  # a reviewer, not the thread's author
        ("observer", False),
        ("officer", False),
    ],
)
def test_who_may_reply(client, setup, who, allowed):
    thread = a_thread(setup)
    client.force_login(getattr(setup, who))
    response = client.post(reverse("comment_reply", args=[thread.pk]), {f"r{thread.pk}-text": "Here it is."})
    assert response.status_code == (302 if allowed else 403)
    assert thread.replies.exists() == allowed


@pytest.mark.parametrize(
    "who,allowed", [("facilitator", True), ("lead", False), ("reviewer", False), ("officer", False)]
)
def test_only_facilitator_marks_challenges(client, setup, who, allowed):
    thread = a_thread(setup)
    client.force_login(getattr(setup, who))
    response = client.post(reverse("comment_status", args=[thread.pk]), {"status": "addressed"})
    assert response.status_code == (302 if allowed else 403)
    thread.refresh_from_db()
    assert (thread.status == "addressed") == allowed
    if allowed:
        assert thread.status_by == setup.facilitator


@pytest.mark.parametrize(
    "who,allowed", [("reviewer", True), ("lead", False), ("facilitator", False), ("observer", False)]
)
def test_only_the_author_edits_or_withdraws(client, setup, who, allowed):
    thread = a_thread(setup)
    client.force_login(getattr(setup, who))
    response = client.post(
        reverse("comment_edit", args=[thread.pk]), {"kind": "question", "text": "Changed", "revision": thread.revision}
    )
    assert response.status_code == (302 if allowed else 403)
    response = client.post(reverse("comment_withdraw", args=[thread.pk]), {"confirmed": "1"})
    assert response.status_code == (302 if allowed else 403)
    thread.refresh_from_db()
    assert (thread.text == "Changed" and thread.kind == "question" and thread.is_withdrawn) == allowed


def test_wrong_methods(client, setup):
    thread = a_thread(setup)
    client.force_login(setup.facilitator)
    assert client.post(ws_url(setup)).status_code == 405
    for url in [
        answer_url(setup),
        comment_url(setup),
        reverse("comment_status", args=[thread.pk]),
    ]:
        assert client.get(url).status_code == 405
    # The forms' own pages are read; their forms post where the workspace's would.
    for url in [
        reverse("answer_edit", args=[setup.session.pk, setup.safeguarding.pk, setup.question.pk]),
        reverse("comment_new", args=[setup.session.pk, setup.safeguarding.pk, setup.question.pk]),
    ]:
        assert client.post(url).status_code == 405
    assert client.put(reverse("comment_reply", args=[thread.pk])).status_code == 405
    assert client.delete(reverse("session_freeze", args=[setup.session.pk, "close"])).status_code == 405
    assert client.delete(reverse("comment_withdraw", args=[thread.pk])).status_code == 405


def test_unknown_area_or_question_is_not_found(client, setup):
    client.force_login(setup.facilitator)
    assert client.get(reverse("workspace", args=[setup.session.pk, setup.safer_city.pk])).status_code == 404
    other_set_question = f.default_question_set()
    v2 = new_question_set_version(question_set=other_set_question)
    q2 = v2.sections.first().questions.first()
    assert (
        client.post(reverse("answer_save", args=[setup.session.pk, setup.safeguarding.pk, q2.pk]), {}).status_code
        == 404
    )


def test_answer_saves_text_rating_and_evidence_with_history(client, setup):
    client.force_login(setup.lead)
    data = answer_data(
        setup,
        text="First version.",
        evidence="LSCB annual report 2008/09 | LSCB/0809\nOfsted letter | https://example.org/ofsted",
    )
    assert client.post(answer_url(setup), data).status_code == 302
    answer = Answer.objects.get()
    assert (answer.text, answer.likelihood, answer.revision, answer.updated_by) == ("First version.", 3, 1, setup.lead)
    assert answer.evidence == [
        {"title": "LSCB annual report 2008/09", "link": "", "reference": "LSCB/0809"},
        {"title": "Ofsted letter", "link": "https://example.org/ofsted", "reference": ""},
    ]
    client.post(answer_url(setup), answer_data(setup, text="Second version.", revision=1))
    history = client.get(
        reverse("answer_history", args=[setup.session.pk, setup.safeguarding.pk, setup.question.pk])
    ).content.decode()
    assert history.index("Second version.") < history.index("First version.")
    assert "Version 2: Andrew Kenyon" in history
    assert list(AnswerVersion.objects.values_list("revision", "text")) == [
        (2, "Second version."),
        (1, "First version."),
    ]


def test_unchanged_save_adds_no_version(client, setup):
    client.force_login(setup.lead)
    client.post(answer_url(setup), answer_data(setup))
    client.post(answer_url(setup), answer_data(setup, revision=1))
    assert AnswerVersion.objects.count() == 1


def test_bad_evidence_is_explained_and_nothing_typed_is_lost(client, setup):
    client.force_login(setup.lead)
    data = answer_data(setup, text="My long careful answer.", evidence="Report | javascript://alert(1)")
    response = client.post(answer_url(setup), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a web link (http or https)" in html
    assert "My long careful answer." in html
    assert not Answer.objects.filter(revision__gt=0).exists()


def test_concurrent_answer_edit_is_not_applied_and_both_texts_are_shown(client, setup):
    ws.save_answer(
        session=setup.session,
        area=setup.safeguarding,
        question=setup.question,
        by=setup.facilitator,
        expected_revision=0,
        text="The facilitator's text.",
    )
    client.force_login(setup.lead)
    response = client.post(answer_url(setup), answer_data(setup, text="The lead's text.", revision=0))
    assert response.status_code == 200
    html = response.content.decode()
    box = conflict_box(html)
    assert box.heading == "This answer changed while you were editing it"
    assert box.paragraphs[0] == expected_message("Ruth Mellor", Answer.objects.get().updated_at)
    assert box.saved == [("Answer", "The facilitator's text.")]
    assert "The lead&#x27;s text.</textarea>" in html
    assert f'name="q{setup.question.pk}-revision" value="1"' in html
    assert Answer.objects.get().text == "The facilitator's text."
    # Saving again, knowingly, applies the merge.
    client.post(answer_url(setup), answer_data(setup, text="Merged text.", revision=1))
    assert Answer.objects.get().text == "Merged text."


def test_conflict_in_place_with_htmx(client, setup):
    ws.save_answer(
        session=setup.session,
        area=setup.safeguarding,
        question=setup.question,
        by=setup.facilitator,
        expected_revision=0,
        text="Theirs.",
    )
    client.force_login(setup.lead)
    response = client.post(answer_url(setup), answer_data(setup, text="Mine.", revision=0), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="question-{setup.question.pk}"')
    assert "Theirs." in html and "Mine.</textarea>" in html


def test_htmx_save_returns_the_question_block(client, setup):
    client.force_login(setup.lead)
    response = client.post(answer_url(setup), answer_data(setup, text="Saved in place."), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="question-{setup.question.pk}"')
    assert "Answer saved." in html and "Saved in place." in html and "<html" not in html


def test_comment_edit_conflict_keeps_both(client, setup):
    thread = a_thread(setup)
    ws.edit_comment(comment=thread, by=setup.reviewer, expected_revision=1, text="Edited elsewhere.")
    client.force_login(setup.reviewer)
    response = client.post(
        reverse("comment_edit", args=[thread.pk]), {"kind": "challenge", "text": "My edit.", "revision": 1}
    )
    html = response.content.decode()
    box = conflict_box(html)
    assert box.heading == "This challenge changed while you were editing it"
    assert box.saved == [("Challenge", "Edited elsewhere.")]
    assert "Edited elsewhere." in html and "My edit.</textarea>" in html
    thread.refresh_from_db()
    assert thread.text == "Edited elsewhere."


def test_comment_history_records_every_change(setup):
    thread = a_thread(setup)
    ws.edit_comment(comment=thread, by=setup.reviewer, expected_revision=1, text="Sharper.")
    ws.set_comment_status(comment=thread, by=setup.facilitator, status="unresolved", note="Not persuaded.")
    ws.withdraw_comment(comment=thread, by=setup.reviewer)
    versions = list(
        CommentVersion.objects.filter(comment=thread).values_list("action", "text", "status", "by__username")
    )
    assert versions == [
        ("posted", "Where is the evidence?", "open", "reviewer"),
        ("edited", "Sharper.", "open", "reviewer"),
        ("status", "Sharper.", "unresolved", "facilitator"),
        ("withdrawn", "Sharper.", "unresolved", "reviewer"),
    ]


def test_closing_freezes_and_reopening_is_recorded(client, setup):
    thread = a_thread(setup)
    client.force_login(setup.facilitator)
    close = reverse("session_freeze", args=[setup.session.pk, "close"])
    # A post that does not come from the page saying what closing does closes nothing.
    assert client.post(close).url == close
    setup.session.refresh_from_db()
    assert not setup.session.is_closed
    assert client.post(close, {"confirmed": "1"}).status_code == 302
    setup.session.refresh_from_db()
    assert setup.session.is_closed and setup.session.closed_by == setup.facilitator
    client.force_login(setup.lead)
    # Writes from a page shown before the close are refused, and come back with what was typed.
    for response in (
        client.post(answer_url(setup), answer_data(setup, text="Typed before the close")),
        client.post(reverse("comment_reply", args=[thread.pk]), {f"r{thread.pk}-text": "Typed before the close"}),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "The session is closed: answers and comments are frozen." in html and "Typed before the close" in html
    assert not Answer.objects.exists() and Comment.objects.count() == 1
    html = client.get(ws_url(setup)).content.decode()
    assert "Answers and comments are frozen." in html and "Answer this question" not in html
    client.force_login(setup.reviewer)
    response = client.post(comment_url(setup), comment_data(setup, text="A challenge typed before the close"))
    assert response.status_code == 200 and "A challenge typed before the close" in response.content.decode()
    assert Comment.objects.count() == 1
    assert client.post(reverse("comment_withdraw", args=[thread.pk])).status_code == 403
    client.force_login(setup.facilitator)
    assert client.post(reverse("comment_status", args=[thread.pk]), {"status": "addressed"}).status_code == 403
    client.force_login(setup.lead)
    assert client.post(reverse("session_freeze", args=[setup.session.pk, "reopen"])).status_code == 403
    client.force_login(setup.facilitator)
    client.post(reverse("session_freeze", args=[setup.session.pk, "reopen"]), {"note": "Late evidence from the PCT"})
    events = list(SessionEvent.objects.values_list("action", "by__username", "note"))
    assert events == [("closed", "facilitator", ""), ("reopened", "facilitator", "Late evidence from the PCT")]
    client.force_login(setup.lead)
    assert client.post(answer_url(setup), answer_data(setup)).status_code == 302


def test_session_page_shows_progress_per_area(client, setup):
    ws.save_answer(
        session=setup.session,
        area=setup.safeguarding,
        question=setup.question,
        by=setup.lead,
        expected_revision=0,
        text="Answered.",
    )
    thread = a_thread(setup)
    ws.set_comment_status(comment=thread, by=setup.facilitator, status="unresolved", note="Not persuaded.")
    a_thread(setup)
    client.force_login(setup.observer)
    response = client.get(reverse("session_detail", args=[setup.session.pk]))
    row = response.context["progress"][0]
    assert (row["answered"], row["total"]) == (1, 15)
    assert [(p["section"].title, p["answered"], p["total"]) for p in row["sections"]] == [
        ("Impact", 1, 4),
        ("Trajectory", 0, 5),
        ("Improvement plan", 0, 6),
    ]
    assert (row["counts"].open, row["counts"].addressed, row["counts"].unresolved) == (1, 0, 1)
    assert "1 of 15 answered" in response.content.decode()


def test_user_text_is_escaped_and_lists_are_kept():
    html = simple_text("Intro <img src=x onerror=alert(1)>\n\n- one <b>\n- two\n\n1. first\n2) second")
    assert html == (
        "<p>Intro &lt;img src=x onerror=alert(1)&gt;</p>"
        "<ul><li>one &lt;b&gt;</li><li>two</li></ul>"
        "<ol><li>first</li><li>second</li></ol>"
    )


def test_impact_bands():
    assert [band(1, 4)["label"], band(3, 3)["label"], band(3, 4)["label"], band(4, 5)["label"]] == [
        "Low",
        "Medium",
        "High",
        "Very high",
    ]


def test_impact_matrix_marks_the_position_with_text(client, setup):
    kinds = {q.answer_kind: q for q in setup.session.question_set.sections.get(title="Impact").questions.all()}
    ws.save_answer(
        session=setup.session,
        area=setup.safeguarding,
        question=kinds["likelihood"],
        by=setup.lead,
        expected_revision=0,
        likelihood=3,
    )
    ws.save_answer(
        session=setup.session,
        area=setup.safeguarding,
        question=kinds["scale"],
        by=setup.lead,
        expected_revision=0,
        scale=4,
    )
    client.force_login(setup.officer)
    html = client.get(ws_url(setup)).content.decode()
    assert "Likelihood 3 of 5 and scale 4 of 5: score 12, high impact." in html
    assert "<strong>high</strong> (score 12 of 25)" in html
    assert 'role="img"' in html and "<circle" in html


def _add_comments(w, questions, n):
    """Give each question `n` more threads (half of them with a reply) and an answer."""
    now = timezone.now()
    for q in questions:
        Answer.objects.get_or_create(
            session=w.session,
            area=w.safeguarding,
            question=q,
            defaults=dict(text="a", revision=1, updated_by=w.lead, updated_at=now),
        )
        threads = Comment.objects.bulk_create(
            Comment(
                session=w.session,
                area=w.safeguarding,
                question=q,
                author=w.reviewer,
                kind="challenge",
                text=f"c{i}",
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        )
        Comment.objects.bulk_create(
            Comment(
                session=w.session,
                area=w.safeguarding,
                question=q,
                parent=t,
                author=w.lead,
                kind="reply",
                text="r",
                created_at=now,
                updated_at=now,
            )
            for t in threads[: n // 2]
        )


@pytest.mark.parametrize("who", ["lead", "reviewer", "facilitator", "officer"])
def test_workspace_queries_do_not_grow_with_comments(client, setup, who, django_assert_max_num_queries):
    questions = [q for s in setup.session.question_set.sections.all() for q in s.questions.all()]
    client.force_login(getattr(setup, who))
    _add_comments(setup, questions, 2)
    client.get(ws_url(setup))  # the question set's structure is cached from now on
    with django_assert_max_num_queries(16) as few:
        assert client.get(ws_url(setup)).status_code == 200
    _add_comments(setup, questions, 48)
    with django_assert_max_num_queries(16) as many:
        assert client.get(ws_url(setup)).status_code == 200
    assert Comment.objects.filter(parent__isnull=True).count() == 50 * len(questions)
    assert len(few) == len(many)


def test_withdrawing_asks_first_and_says_what_it_does(client, setup):
    """The workspace's Withdraw is a link to a page saying what withdrawing does, whose button
    posts `confirmed`; a post without it (plain or htmx) withdraws nothing and goes there."""
    thread = a_thread(setup)
    url = reverse("comment_withdraw", args=[thread.pk])
    client.force_login(setup.reviewer)
    assert f'href="{url}"' in client.get(ws_url(setup)).content.decode()
    html = client.get(url).content.decode()
    assert "<h1>Withdraw your challenge?</h1>" in html and "Where is the evidence?" in html
    assert "Nobody can reply to it any more" in html and "It cannot be undone" in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert client.post(url).url == url
    assert client.post(url, headers={"HX-Request": "true"}).headers["HX-Redirect"] == url
    thread.refresh_from_db()
    assert not thread.is_withdrawn
    response = client.post(url, {"confirmed": "1"})
    assert response.url == ws_url(setup) + f"?saved={setup.question.pk}#question-{setup.question.pk}"
    thread.refresh_from_db()
    assert thread.is_withdrawn


@pytest.mark.parametrize("who", ["lead", "facilitator", "outsider"])
def test_only_the_author_opens_the_withdraw_page(client, setup, who):
    """Refused (403) to the rest of the partnership; another partnership's people get a 404
    (tests/programmes/test_partnerships.py)."""
    thread = a_thread(setup)
    client.force_login(getattr(setup, who))
    assert client.get(reverse("comment_withdraw", args=[thread.pk])).status_code == 403


def test_the_withdraw_page_needs_signing_in(client, setup):
    url = reverse("comment_withdraw", args=[a_thread(setup).pk])
    assert client.get(url).url.startswith(reverse("login"))
