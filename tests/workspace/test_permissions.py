"""What SessionAccess lets each person do to a comment, and that the workspace page asks it
rather than working the rules out itself."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions.models import Participant
from tests import factories as f
from workspace import services as ws
from workspace.models import Comment
from workspace.permissions import SessionAccess

PEOPLE = ["author", "other_reviewer", "facilitator", "presenter", "officer"]


@pytest.fixture
def comments(world):
    """A challenge and a commendation by the world's reviewer, a reply by the presenter, a
    withdrawn challenge; a second peer reviewer takes part."""
    session = world.session
    f.participant(session, world.health_reviewer, Participant.Role.REVIEWER)
    question = session.question_set.sections.get(title="Impact").questions.order_by("position")[0]

    def post(kind, text):
        return ws.post_comment(
            session=session, area=world.safeguarding, question=question, author=world.reviewer, kind=kind, text=text
        )

    world.question = question
    world.challenge = post("challenge", "Where is the evidence?")
    world.commendation = post("commendation", "The referral hub is good practice.")
    world.withdrawn = ws.withdraw_comment(comment=post("challenge", "Second thoughts."), by=world.reviewer)
    world.reply = ws.reply_to(parent=world.challenge, author=world.lead, text="The March audit.")
    world.people = {
        "author": world.reviewer,
        "other_reviewer": world.health_reviewer,
        "facilitator": world.facilitator,
        "presenter": world.lead,
        "officer": world.officer,
    }
    return world


def access(world, who):
    return SessionAccess(world.people[who], world.session)


@pytest.mark.parametrize(
    "who,challenge,reply,commendation,withdrawn",
    [
        ("author", True, False, True, False),
        ("other_reviewer", False, False, False, False),
        ("facilitator", False, False, False, False),
        ("presenter", False, True, False, False),
        ("officer", False, False, False, False),
    ],
)
def test_who_may_edit_or_withdraw_a_comment(comments, who, challenge, reply, commendation, withdrawn):
    person = access(comments, who)
    assert person.can_edit_comment(comments.challenge) is challenge
    assert person.can_edit_comment(comments.reply) is reply
    assert person.can_edit_comment(comments.commendation) is commendation
    assert person.can_edit_comment(comments.withdrawn) is withdrawn


@pytest.mark.parametrize(
    "who,challenge",
    [("author", False), ("other_reviewer", False), ("facilitator", True), ("presenter", False), ("officer", False)],
)
def test_only_the_facilitator_marks_and_only_what_has_a_status(comments, who, challenge):
    person = access(comments, who)
    assert person.can_mark(comments.challenge) is challenge
    # A commendation has no status, a reply belongs to its thread's, a withdrawn one is over.
    assert not person.can_mark(comments.commendation)
    assert not person.can_mark(comments.reply)
    assert not person.can_mark(comments.withdrawn)


@pytest.mark.parametrize(
    "who,challenge",
    [("author", True), ("other_reviewer", False), ("facilitator", True), ("presenter", True), ("officer", False)],
)
def test_who_may_reply_in_a_thread(comments, who, challenge):
    person = access(comments, who)
    assert person.can_reply_to(comments.challenge) is challenge
    assert not person.can_reply_to(comments.withdrawn)  # nobody replies to a withdrawn comment


@pytest.mark.parametrize("who", PEOPLE)
def test_a_closed_session_lets_nobody_change_comments(comments, who):
    ws.close_session(session=comments.session, by=comments.facilitator)
    comments.session.refresh_from_db()
    person = access(comments, who)
    for comment in (comments.challenge, comments.reply, comments.commendation):
        assert not person.can_edit_comment(comment)
        assert not person.can_mark(comment)
    assert not person.can_reply_to(comments.challenge)


def _buttons(html, comment, last=None):
    """What the page offers on `comment`: its Edit and Withdraw links, Mark buttons, Reply link
    (which fetches the reply form when asked, and answers the thread's last message, `last`)."""
    return {
        "edit": f'href="{reverse("comment_edit", args=[comment.pk])}"' in html,
        "withdraw": f'href="{reverse("comment_withdraw", args=[comment.pk])}"' in html,
        "mark": len(re.findall(f'action="{reverse("comment_status", args=[comment.pk])}"', html)),
        "reply": f'href="{reverse("comment_reply", args=[(last or comment).pk])}"' in html,
    }


@pytest.mark.parametrize(
    "who,challenge,reply",
    [
        # On the challenge: edit, withdraw, the two other statuses, reply. On the reply: edit, withdraw.
        ("author", (True, True, 0, True), (False, False)),
        ("other_reviewer", (False, False, 0, False), (False, False)),
        ("facilitator", (False, False, 2, True), (False, False)),
        ("presenter", (False, False, 0, True), (True, True)),
        ("officer", (False, False, 0, False), (False, False)),
    ],
)
def test_the_page_offers_what_session_access_allows(client, comments, who, challenge, reply):
    client.force_login(comments.people[who])
    html = client.get(reverse("workspace", args=[comments.session.pk, comments.safeguarding.pk])).content.decode()
    on_challenge = _buttons(html, comments.challenge, last=comments.reply)
    assert (on_challenge["edit"], on_challenge["withdraw"], on_challenge["mark"], on_challenge["reply"]) == challenge
    on_reply = _buttons(html, comments.reply)
    assert (on_reply["edit"], on_reply["withdraw"]) == reply
    # Nobody marks a commendation or does anything to a withdrawn comment.
    on_commendation = _buttons(html, comments.commendation)
    assert on_commendation["mark"] == 0
    assert on_commendation["edit"] == (who == "author")
    assert _buttons(html, comments.withdrawn) == {"edit": False, "withdraw": False, "mark": 0, "reply": False}


def test_a_withdrawn_comment_takes_no_reply_and_the_text_is_kept(client, comments):
    with pytest.raises(ValidationError, match="withdrawn"):
        ws.reply_to(parent=comments.withdrawn, author=comments.lead, text="Too late.")
    # The page was shown before the withdrawal: the reply comes back with what was typed.
    client.force_login(comments.lead)
    response = client.post(
        reverse("comment_reply", args=[comments.withdrawn.pk]), {f"r{comments.withdrawn.pk}-text": "My typed reply."}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This comment was withdrawn, so it takes no more replies." in html
    assert "My typed reply.</textarea>" in html
    assert not Comment.objects.filter(parent=comments.withdrawn).exists()


@pytest.mark.parametrize("target", ["commendation", "withdrawn"])
def test_a_crafted_post_cannot_mark_what_has_no_status(client, comments, target):
    comment = getattr(comments, target)
    client.force_login(comments.facilitator)
    response = client.post(reverse("comment_status", args=[comment.pk]), {"status": "unresolved"})
    assert response.status_code in (200, 302)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.OPEN
    with pytest.raises(ValidationError):
        ws.set_comment_status(comment=comment, by=comments.facilitator, status="addressed")
