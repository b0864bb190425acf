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


def test_finalising_asks_first_naming_the_partners_who_commented(client, world, se):
    """Nothing records a reply to a draft comment: the page warns with how many partners'
    comments came in since circulation and from whom (the facilitator's own not counted);
    a post without the page's `confirmed` is sent back to it and finalises nothing."""
    f.participant(world.session, world.health_reviewer, Participant.Role.REVIEWER)
    services.circulate(self_evaluation=se, by=world.facilitator, notify=False)
    for author in (world.lead, world.health_reviewer, world.lead, world.facilitator):
        services.comment_on_draft(self_evaluation=se, author=author, text="A comment")
    url = reverse("self_evaluation_action", args=[se.pk, "finalise"])
    client.force_login(world.facilitator)
    assert f'href="{url}"' in client.get(se.get_absolute_url()).content.decode()
    html = client.get(url).content.decode()
    assert "3 comments since the draft was circulated" in html and "from SCC, PCT." in html
    assert "It cannot be undone" in html and '<input type="hidden" name="confirmed" value="1">' in html
    response = client.post(url)
    assert response.status_code == 302 and response.url == url
    se.refresh_from_db()
    assert se.status == "circulated"


def test_finalising_a_draft_never_circulated_says_so(client, world, se):
    client.force_login(world.facilitator)
    html = client.get(reverse("self_evaluation_action", args=[se.pk, "finalise"])).content.decode()
    assert "This draft was never circulated to the partners" in html


@pytest.mark.parametrize("who", ["lead", "health_reviewer", "outsider"])
def test_only_the_facilitator_opens_the_finalise_page(client, world, se, who):
    """Refused (403) to the rest of the partnership; another partnership's people get a 404
    (tests/programmes/test_partnerships.py)."""
    client.force_login(getattr(world, who))
    assert client.get(reverse("self_evaluation_action", args=[se.pk, "finalise"])).status_code == 403


def test_the_finalise_page_needs_signing_in_and_the_other_steps_are_posted(client, world, se):
    url = reverse("self_evaluation_action", args=[se.pk, "finalise"])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(world.facilitator)
    assert client.get(reverse("self_evaluation_action", args=[se.pk, "circulate"])).status_code == 405
    assert client.delete(url).status_code == 405
