"""My work, the home page when signed in (dashboard.my_work): each item appears for the
person it waits for, links to its exact place, and disappears when dealt with; the page costs
the same queries with one item of each kind as with many."""

import datetime

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from findings import services as finding_services
from findings.models import Action, Finding
from programmes.models import Membership, Notice
from sessions.models import Participant
from tests import factories as f
from workspace import services as workspace_services
from workspace.models import Comment

pytestmark = pytest.mark.django_db


def _questions(world):
    return [
        q for s in world.session.question_set.sections.order_by("position") for q in s.questions.order_by("position")
    ]


def _challenge(world, question=None, text="Where is the evidence?", kind=Comment.Kind.CHALLENGE, author=None):
    return workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question or _questions(world)[0],
        author=author or world.reviewer,
        kind=kind,
        text=text,
    )


def _work(client, who):
    client.force_login(who)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["work"], " ".join(response.content.decode().split())


def _place(world, question):
    return reverse("workspace", args=[world.session.pk, world.safeguarding.pk]) + f"#question-{question.pk}"


def test_a_challenge_awaits_the_presenters_reply_until_they_reply(client, world):
    question = _questions(world)[2]
    thread = _challenge(world, question, text="Show us the trend.")
    _challenge(world, kind=Comment.Kind.COMMENDATION, text="Well done.")  # asks nothing
    work, html = _work(client, world.lead)
    assert work.awaiting_reply == [thread]
    assert f'<a href="{_place(world, question)}">Challenge by Paul Hargreaves on Safeguarding children</a>' in html
    assert "Challenges awaiting your reply (1)" in html
    # Nobody else is waiting to reply to it.
    for who in (world.reviewer, world.facilitator, world.outsider, world.officer):
        assert _work(client, who)[0].awaiting_reply == []
    workspace_services.reply_to(parent=thread, author=world.lead, text="Here it is.")
    assert _work(client, world.lead)[0].awaiting_reply == []
    # The reviewer answers back: it waits for the presenter again.
    workspace_services.reply_to(parent=thread, author=world.reviewer, text="That is one year only.")
    assert _work(client, world.lead)[0].awaiting_reply == [thread]
    # Addressed, it waits no more.
    workspace_services.set_comment_status(comment=thread, by=world.facilitator, status=Comment.Status.ADDRESSED)
    assert _work(client, world.lead)[0].awaiting_reply == []


def test_a_reply_by_another_presenter_of_the_area_answers_it(client, world):
    colleague = f.person(world.council, "co-presenter")
    f.participant(world.session, colleague, Participant.Role.PRESENTER, world.safeguarding)
    thread = _challenge(world)
    assert _work(client, colleague)[0].awaiting_reply == [thread]
    workspace_services.reply_to(parent=thread, author=colleague, text="Answered for the area.")
    assert _work(client, world.lead)[0].awaiting_reply == []
    assert _work(client, colleague)[0].awaiting_reply == []


def test_a_closed_session_or_a_partnership_left_waits_for_nothing(client, world):
    _challenge(world)
    workspace_services.close_session(session=world.session, by=world.facilitator)
    assert _work(client, world.lead)[0].awaiting_reply == []
    workspace_services.reopen_session(session=world.session, by=world.facilitator)
    assert len(_work(client, world.lead)[0].awaiting_reply) == 1
    Membership.objects.filter(person=world.lead).update(is_active=False)
    world.lead.forget_memberships()
    work, _ = _work(client, world.lead)
    assert (work.awaiting_reply, work.blank_answers) == ([], [])


def test_an_unseen_reply_shows_until_its_notice_is_read(client, world):
    thread = _challenge(world)
    workspace_services.reply_to(parent=thread, author=world.lead, text="Here it is.")
    notice = Notice.objects.get(person=world.reviewer)
    work, html = _work(client, world.reviewer)
    assert work.unread_replies == [notice]
    assert f'<a href="{reverse("notice_open", args=[notice.pk])}">Andrew Kenyon replied to your challenge' in html
    assert _work(client, world.lead)[0].unread_replies == []
    client.force_login(world.reviewer)
    assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 302
    assert _work(client, world.reviewer)[0].unread_replies == []


def test_blank_answers_are_counted_per_session_and_area_with_a_link_to_the_first(client, world):
    questions = _questions(world)
    work, html = _work(client, world.lead)
    [row] = work.blank_answers
    assert (row.session, row.area, row.blank, row.total) == (
        world.session,
        world.safeguarding,
        len(questions),
        len(questions),
    )
    assert row.url == _place(world, questions[0])
    assert f"{len(questions)} of {len(questions)} questions not answered" in html
    workspace_services.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=questions[1],
        by=world.lead,
        expected_revision=0,
        likelihood=3,
    )
    [row] = _work(client, world.lead)[0].blank_answers
    assert (row.blank, row.url) == (len(questions) - 1, _place(world, questions[0]))  # a rating is an answer
    workspace_services.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=questions[0],
        by=world.lead,
        expected_revision=0,
        text="Yes.",
    )
    [row] = _work(client, world.lead)[0].blank_answers
    assert (row.blank, row.url) == (len(questions) - 2, _place(world, questions[2]))
    assert _work(client, world.reviewer)[0].blank_answers == []
    for question in questions:
        current = question.answers.filter(session=world.session).first()
        workspace_services.save_answer(
            session=world.session,
            area=world.safeguarding,
            question=question,
            by=world.lead,
            expected_revision=current.revision if current else 0,
            text="Answered.",
        )
    assert _work(client, world.lead)[0].blank_answers == []


def _action(world, due, owner=None, description="Speed up the audit"):
    finding = finding_services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="Pace of delivery",
        text="Delivery is slow.",
    )
    return finding_services.add_action(
        finding=finding, description=description, owner=owner or world.lead, due_date=due
    )


def test_my_actions_overdue_first_until_done(client, world):
    later = _action(world, datetime.date(2009, 6, 1), description="Later one")
    overdue = _action(world, datetime.date(2009, 5, 1), description="Overdue one")
    _action(world, datetime.date(2009, 5, 1), owner=world.reviewer, description="Someone else's")
    work, html = _work(client, world.lead)
    assert work.actions == [overdue, later]
    assert [a.overdue for a in work.actions] == [True, False]
    assert (
        f'<strong class="text-danger">Overdue:</strong> <a href="{reverse("action_page", args=[overdue.pk])}">'
        "Overdue one</a>" in html
    )
    finding_services.set_action_status(action=overdue, status=Action.Status.DONE)
    assert _work(client, world.lead)[0].actions == [later]


def test_a_draft_circulated_to_me_waits_for_my_comment(client, world):
    world.police.contact_email = "partnership@gmp.example"
    world.police.save()
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator)
    work, html = _work(client, world.reviewer)
    assert work.drafts == [se]
    assert f'<a href="{se.get_absolute_url()}">Safeguarding children, version 1</a>' in html
    assert _work(client, world.facilitator)[0].drafts == []  # who circulated it
    assert _work(client, world.fire_reviewer)[0].drafts == []  # not sent to the fire service
    client.force_login(world.reviewer)
    client.post(reverse("self_evaluation_comment", args=[se.pk]), {"text": "Say more on pace."})
    assert _work(client, world.reviewer)[0].drafts == []


def test_nothing_waiting_says_so_and_the_programmes_stay(client, world):
    work, html = _work(client, world.outsider)
    assert work.count == 0
    assert "Nothing is waiting for you" in html
    assert "Programmes you can open" in html
    assert html.count("<h1") == 1


def _lots(world, n):
    """`n` of each kind of item for the lead and the reviewer, on `n` more sessions."""
    questions = _questions(world)
    for i in range(n):
        session = f.session(
            world.programme,
            areas=[world.safeguarding],
            facilitator=world.facilitator,
            title=f"More {i}",
            date=datetime.date(2009, 5, 20 + i % 5),
        )
        f.participant(session, world.lead, Participant.Role.PRESENTER, world.safeguarding)
        f.participant(session, world.reviewer, Participant.Role.REVIEWER)
        thread = workspace_services.post_comment(
            session=session,
            area=world.safeguarding,
            question=questions[i % len(questions)],
            author=world.reviewer,
            kind=Comment.Kind.QUESTION,
            text=f"Question {i}",
        )
        mine = workspace_services.post_comment(
            session=session,
            area=world.safeguarding,
            question=questions[0],
            author=world.reviewer,
            kind=Comment.Kind.CHALLENGE,
            text=f"Challenge {i}",
        )
        workspace_services.reply_to(parent=mine, author=world.lead, text=f"Reply {i}")
        workspace_services.reply_to(parent=thread, author=world.reviewer, text=f"More on {i}")
        _action(world, datetime.date(2009, 4 + i % 3, 1), description=f"Action {i}")
    world.police.contact_email = "partnership@gmp.example"
    world.police.save()
    for area in (world.safer_city, world.health_inequalities):
        se = evaluation_services.current_self_evaluation(programme=world.programme, area=area)
        if se.status == se.Status.DRAFT:
            evaluation_services.circulate(self_evaluation=se, by=world.facilitator)


@pytest.mark.parametrize("who", ["lead", "reviewer"])
def test_my_work_costs_the_same_queries_with_one_item_or_many(client, world, who, django_assert_num_queries):
    """Session, user, memberships (with the unread count); the seven lists; the programmes (2:
    with their areas) and the upcoming sessions (3: with their areas and the person's parts)."""
    _lots(world, 1)
    person = getattr(world, who)
    client.force_login(person)
    with django_assert_num_queries(14):
        small = client.get(reverse("home")).context["work"]
    _lots(world, 6)
    with django_assert_num_queries(14):
        large = client.get(reverse("home")).context["work"]
    assert large.count > small.count > 0
