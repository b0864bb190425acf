"""What each person may do with a self-evaluation now (evaluations.permissions), and that its
page shows exactly those buttons and the comment form."""

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import SelfEvaluation
from evaluations.permissions import LifeSteps, can_comment_now, life_steps
from sessions.models import Participant
from tests import factories as f


@pytest.fixture
def se(world):
    return services.current_self_evaluation(programme=world.programme, area=world.safeguarding)


@pytest.mark.parametrize(
    "status,expected",
    [
        ("draft", LifeSteps(circulate=True, finalise=True)),
        ("circulated", LifeSteps(finalise=True)),
        ("final", LifeSteps(reopen=True)),
    ],
)
def test_the_facilitator_moves_the_latest_version_on(world, se, status, expected):
    se.status = status
    assert life_steps(world.facilitator, se, is_latest=True) == expected
    assert life_steps(world.facilitator, se, is_latest=False) == LifeSteps()  # an older version stays


@pytest.mark.parametrize("who", ["lead", "reviewer", "officer"])
@pytest.mark.parametrize("status", ["draft", "circulated", "final"])
def test_nobody_else_moves_it_on(world, se, who, status):
    se.status = status
    assert life_steps(getattr(world, who), se, is_latest=True) == LifeSteps()


@pytest.mark.parametrize(
    "who,may", [("reviewer", True), ("lead", True), ("facilitator", True), ("officer", False), ("outsider", False)]
)
def test_comments_are_taken_while_circulated_only(world, se, who, may):
    person = getattr(world, who)
    assert not can_comment_now(person, se)  # a draft
    se.status = SelfEvaluation.Status.CIRCULATED
    assert can_comment_now(person, se) is may


def test_the_page_shows_the_facilitator_the_steps_and_a_reader_none(client, world, se):
    f.participant(world.session, world.health_reviewer, Participant.Role.REVIEWER)
    url = reverse("self_evaluation", args=[se.pk])
    client.force_login(world.facilitator)
    html = client.get(url).content.decode()
    for step, shown in [("circulate", True), ("finalise", True), ("reopen", False)]:
        assert (reverse("self_evaluation_action", args=[se.pk, step]) in html) is shown, step
    assert reverse("self_evaluation_comment", args=[se.pk]) not in html  # not circulated yet
    services.circulate(self_evaluation=se, by=world.facilitator, notify=False)
    client.force_login(world.health_reviewer)
    html = client.get(url).content.decode()
    for step in ("circulate", "finalise", "reopen"):
        assert reverse("self_evaluation_action", args=[se.pk, step]) not in html, step
    assert reverse("self_evaluation_comment", args=[se.pk]) in html
