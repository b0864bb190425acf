"""What each person may do to a session now (sessions.permissions.session_steps), and that the
session's page shows exactly those buttons."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import ChallengeSession
from sessions.permissions import SessionSteps, session_steps

NOTHING = SessionSteps()


@pytest.mark.parametrize(
    "status,closed,expected",
    [
        ("draft", False, SessionSteps(edit=True, schedule=True, cancel=True, close=True)),
        ("scheduled", False, SessionSteps(edit=True, mark_held=True, cancel=True, close=True)),
        ("scheduled", True, SessionSteps(edit=True, mark_held=True, cancel=True, reopen=True)),
        ("held", False, SessionSteps(close=True)),
        ("held", True, SessionSteps(reopen=True)),
        ("cancelled", False, NOTHING),
    ],
)
def test_those_who_manage_a_session_take_the_steps_its_state_allows(world, status, closed, expected):
    session = world.session
    session.status = status
    session.closed_at = timezone.now() if closed else None
    assert session_steps(world.facilitator, session) == expected


@pytest.mark.parametrize("who", ["lead", "reviewer", "officer", "outsider"])
def test_nobody_else_changes_a_session(world, who):
    assert session_steps(getattr(world, who), world.session) == NOTHING


def test_the_session_facilitator_manages_it_without_facilitating_the_programme(world):
    world.session.facilitator = world.council_colleague
    assert session_steps(world.council_colleague, world.session).edit


BUTTONS = {
    "edit": ("session_edit", ()),
    "schedule": ("session_status", ("schedule",)),
    "mark_held": ("session_status", ("held",)),
    "cancel": ("session_status", ("cancel",)),
    "close": ("session_freeze", ("close",)),
    "reopen": ("session_freeze", ("reopen",)),
}


@pytest.mark.parametrize("who", ["facilitator", "lead", "officer"])
@pytest.mark.parametrize("status", ["draft", "scheduled", "held"])
def test_the_session_page_shows_the_allowed_steps_only(client, world, who, status):
    ChallengeSession.objects.filter(pk=world.session.pk).update(status=status)
    session = ChallengeSession.objects.get(pk=world.session.pk)
    person = getattr(world, who)
    client.force_login(person)
    html = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    allowed = session_steps(person, session)
    for step, (name, args) in BUTTONS.items():
        assert (f'href="{reverse(name, args=[session.pk, *args])}"' in html) == getattr(allowed, step), step
