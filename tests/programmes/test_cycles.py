"""Cycles (issue 13, B4): rolling a programme forward into the next cycle as a draft, open
improvement actions carried over to later cycles of their area until closed, and a finding
"raised again" from an earlier cycle's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from findings import services as finding_services
from findings.models import Action, Finding
from programmes import cycles
from programmes.models import Milestone, Programme
from programmes.services import new_question_set_version
from sessions.models import ChallengeSession
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def setter(world):
    return f.person(world.council, "setter", first_name="Sue", last_name="Setter", is_facilitator=True)


@pytest.fixture
def timetable(world):
    return [
        f.milestone(world.programme, title="Self-evaluations in", date=D(2009, 6, 15), done=True),
        f.milestone(
            world.programme, title="Formal assessment", date=D(2009, 10, 1), precision=Milestone.Precision.MONTH
        ),
        f.milestone(world.programme, title="Leap day review", date=D(2012, 2, 29)),
    ]


def test_rolling_forward_makes_the_next_cycle_as_a_draft(world, timetable):
    v2 = new_question_set_version(question_set=world.programme.question_set)
    new = cycles.roll_forward(world.programme)
    assert new.previous == world.programme
    assert new.status == Programme.Status.DRAFT
    assert new.name == "CAA 2010 challenge sessions" and new.slug == "caa-2010-challenge-sessions"
    assert new.partnership == world.programme.partnership
    assert (new.start_date, new.end_date, new.self_evaluation_deadline) == (
        D(2010, 4, 1),
        D(2010, 11, 30),
        D(2010, 6, 15),
    )
    assert set(new.areas.all()) == set(world.programme.areas.all())  # and so their leads
    assert list(new.facilitators.all()) == [world.facilitator]
    assert new.question_set == v2  # the newest version of its family
    moved = list(new.milestones.order_by("date").values_list("title", "date", "precision", "done"))
    assert moved == [
        ("Self-evaluations in", D(2010, 6, 15), "day", False),
        ("Formal assessment", D(2010, 10, 1), "month", False),
        ("Leap day review", D(2013, 2, 28), "day", False),
    ]
    assert not new.sessions.exists()  # nobody invited yet
    # The programme rolled forward is as it was.
    assert world.programme.milestones.count() == 3 and world.programme.status == Programme.Status.ACTIVE


def test_a_cycle_of_another_length_moves_the_timetable_by_the_days_between_the_starts(world, timetable):
    new = cycles.roll_forward(world.programme, start_date=D(2010, 10, 1), name="Autumn cycle")
    assert new.name == "Autumn cycle"
    days = (D(2010, 10, 1) - D(2009, 4, 1)).days
    assert new.end_date == D(2009, 11, 30) + datetime.timedelta(days=days)
    assert set(new.milestones.values_list("date", flat=True)) == {
        m.date + datetime.timedelta(days=days) for m in timetable
    }


def test_facilitators_who_left_are_not_carried(world):
    membership = world.facilitator.memberships.get()
    membership.is_active = False
    membership.save()
    assert not cycles.roll_forward(world.programme).facilitators.exists()


def test_rolling_forward_twice_is_refused_naming_the_draft(world):
    new = cycles.roll_forward(world.programme)
    with pytest.raises(cycles.AlreadyRolledForward) as refused:
        cycles.roll_forward(world.programme)
    assert refused.value.existing == new
    assert Programme.objects.filter(previous=world.programme).count() == 1


def test_the_name_moves_on_each_year_it_names():
    assert cycles.next_cycle_name("CAA 2009/2010 sessions", 1) == "CAA 2010/2011 sessions"
    assert cycles.next_cycle_name("Stretch and challenge", 1) == "Stretch and challenge (next cycle)"


# --- The confirmation page ---------------------------------------------------------------------


def test_the_confirmation_page_shows_what_will_be_made_then_makes_it(client, world, setter, timetable):
    url = reverse("programme_roll_forward", args=[world.programme.slug])
    client.force_login(setter)
    body = client.get(url).content.decode()
    assert "365 days" in body  # the cycle length, a year by default
    assert "CAA 2010 challenge sessions" in body and "1 April 2010" in body
    assert "Formal assessment" in body and "1 October 2010" in body
    assert world.lead.display_name in body  # the area's lead carries over
    # A different start, looked at before it is made: nothing made yet.
    preview = client.post(url, {"start_date": "2010-09-01", "name": "Next", "preview": "1"})
    assert preview.status_code == 200 and "1 September 2010" in preview.content.decode()
    assert not Programme.objects.filter(previous=world.programme).exists()
    response = client.post(url, {"start_date": "2010-04-01", "name": "CAA 2010 challenge sessions"})
    new = Programme.objects.get(previous=world.programme)
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    dashboard = client.get(new.get_absolute_url()).content.decode()
    assert "Draft" in dashboard and world.programme.name in dashboard
    # A second time (a double click, or later): refused, offering the draft.
    again = client.post(url, {"start_date": "2010-04-01", "name": "Again"})
    assert again.status_code == 409
    assert new.get_absolute_url() in again.content.decode()
    assert client.get(url).content.decode().count(new.get_absolute_url()) >= 1
    assert Programme.objects.filter(previous=world.programme).count() == 1


def test_the_next_cycle_must_start_after_this_one(client, world, setter):
    client.force_login(setter)
    url = reverse("programme_roll_forward", args=[world.programme.slug])
    response = client.post(url, {"start_date": "2009-03-01", "name": "Backwards"})
    assert response.status_code == 200
    assert "must start after this one starts" in response.content.decode()
    assert not Programme.objects.filter(previous=world.programme).exists()


def test_the_confirmation_page_costs_a_fixed_number_of_queries(client, world, setter, django_assert_num_queries):
    url = reverse("programme_roll_forward", args=[world.programme.slug])
    client.force_login(setter)
    with django_assert_num_queries(10):
        client.get(url)
    for n in range(3):
        f.milestone(world.programme, title=f"More {n}")
        world.programme.areas.add(f.area(world.council, f"More {n}"))
        world.programme.facilitators.add(f.person(world.council, f"more-{n}"))
    with django_assert_num_queries(10):
        body = client.get(url).content.decode()
    assert "More 2" in body


# --- Actions carried over ----------------------------------------------------------------------


@pytest.fixture
def findings(world):
    """A red flag for safeguarding in the 2009 cycle, with an open and a done action, and one
    for an area the next cycle does not review."""
    finding = finding_services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind="red_flag",
        title="Too few foster carers",
        text="Recruitment is behind.",
    )
    open_action = finding_services.add_action(
        finding=finding, description="Recruit twenty carers", owner=world.lead, due_date=D(2009, 9, 30)
    )
    done_action = finding_services.add_action(
        finding=finding, description="Review the fees", owner=world.lead, due_date=D(2009, 8, 1)
    )
    finding_services.set_action_status(action=done_action, status=Action.Status.DONE)
    return finding, open_action, done_action


def _next_cycle(world, *, areas=None):
    new = cycles.roll_forward(world.programme)
    if areas is not None:
        new.areas.set(areas)
    new.status = Programme.Status.ACTIVE
    new.save()
    return new


def test_open_actions_carry_over_until_closed(client, world, findings):
    finding, open_action, done_action = findings
    new = _next_cycle(world)
    client.force_login(world.facilitator)
    body = client.get(reverse("emerging_findings", args=[new.slug])).content.decode()
    assert "Actions carried over from earlier cycles" in body
    assert "Recruit twenty carers" in body and "Review the fees" not in body
    carried = body.split('id="carried-heading"')[1].split("</section>")[0]
    assert world.lead.display_name in carried and "30 September 2009" in carried
    assert "overdue" not in carried  # due after today (6 May 2009 in tests)
    assert "CAA 2009 challenge sessions" in body  # the cycle it comes from
    dashboard = " ".join(client.get(new.get_absolute_url()).content.decode().split())
    assert "1 open action carried over from earlier cycles" in dashboard
    # It is the one record, still the 2009 finding's: closing it there closes it everywhere.
    assert open_action.finding == finding and Action.objects.count() == 2
    finding_services.set_action_status(action=open_action, status=Action.Status.DONE)
    assert "Recruit twenty carers" not in client.get(reverse("emerging_findings", args=[new.slug])).content.decode()
    assert "carried over" not in client.get(new.get_absolute_url()).content.decode()


def test_the_next_cycles_own_facilitator_follows_up_a_carried_action(client, world, findings):
    """Someone who facilitates only the later cycle (not the partnership, nor the cycle the
    action was agreed in) updates it from the list of carried actions; nobody else does."""
    _, open_action, done_action = findings
    new = _next_cycle(world)
    helper = f.person(world.council, "helper2010", first_name="Hal", last_name="Helper")
    new.facilitators.add(helper)
    client.force_login(helper)
    url = reverse("emerging_findings", args=[new.slug])
    page = client.get(url).content.decode()
    assert f'action="{reverse("action_status", args=[open_action.pk])}"' in page
    assert 'for="carried-status-' in page  # a labelled control
    response = client.post(
        reverse("action_status", args=[open_action.pk]), {"status": "in_progress", "carried_in": new.slug}
    )
    assert response.status_code == 302 and response["Location"] == url + "#carried-heading"
    open_action.refresh_from_db()
    assert open_action.status == "in_progress"
    # Not without naming the cycle that carries it, not a closed action, not another cycle.
    status_url = reverse("action_status", args=[open_action.pk])
    assert client.post(status_url, {"status": "done"}).status_code == 403
    done_url = reverse("action_status", args=[done_action.pk])
    assert client.post(done_url, {"status": "open", "carried_in": new.slug}).status_code == 403
    assert client.post(status_url, {"status": "done", "carried_in": world.programme.slug}).status_code == 403
    # A member who facilitates nothing sees the status, not the control, and is refused.
    client.force_login(world.police_officer)
    assert client.post(status_url, {"status": "done", "carried_in": new.slug}).status_code == 403
    open_action.refresh_from_db()
    assert open_action.status == "in_progress"


def test_actions_carry_over_to_every_later_cycle_of_the_area_only(world, findings):
    from findings.selectors import carried_over_actions

    _, open_action, _ = findings
    second = _next_cycle(world)
    third = cycles.roll_forward(second)
    assert carried_over_actions(second) == [open_action]
    assert carried_over_actions(third) == [open_action]
    assert carried_over_actions(world.programme) == []  # not in its own cycle
    without = cycles.roll_forward(third)
    without.areas.set([world.safer_city])
    assert carried_over_actions(without) == []


def test_an_overdue_carried_action_counts_on_the_next_dashboard(client, world, findings):
    _, open_action, _ = findings
    open_action.due_date = D(2009, 5, 1)  # before today (6 May 2009 in tests)
    open_action.save()
    new = _next_cycle(world)
    client.force_login(world.facilitator)
    dashboard = client.get(new.get_absolute_url()).content.decode()
    assert "1 improvement action overdue" in dashboard


def test_a_participant_sees_carried_actions_only_of_the_areas_of_their_sessions(client, world, findings):
    new = _next_cycle(world)
    url = reverse("emerging_findings", args=[new.slug])
    safer = f.session(new, areas=[world.safer_city], facilitator=world.facilitator, title="Safer city 2010")
    f.participant(safer, world.police_officer)
    client.force_login(world.police_officer)
    assert "Recruit twenty carers" not in client.get(url).content.decode()
    safeguarding = f.session(new, areas=[world.safeguarding], facilitator=world.facilitator, title="Safeguarding 2010")
    f.participant(safeguarding, world.police_officer)
    assert "Recruit twenty carers" in client.get(url).content.decode()


# --- Raised again ------------------------------------------------------------------------------


def test_a_finding_is_raised_again_from_the_same_areas_earlier_finding(client, world, findings):
    earlier, _, _ = findings
    new = _next_cycle(world)
    session = f.session(new, areas=[world.safeguarding], facilitator=world.facilitator, title="Safeguarding 2010")
    url = reverse("session_findings", args=[session.pk, world.safeguarding.pk])
    client.force_login(world.facilitator)
    form = client.get(url).context["form"]
    assert list(form.fields["raised_again_from"].queryset) == [earlier]
    response = client.post(
        url,
        {
            "kind": "red_flag",
            "title": "Still too few foster carers",
            "text": "Recruitment is still behind.",
            "raised_again_from": earlier.pk,
            "submission_token": "",
        },
    )
    assert response.status_code == 302
    again = Finding.objects.get(title="Still too few foster carers")
    assert again.raised_again_from == earlier
    assert list(earlier.raised_again_in.all()) == [again]
    body = client.get(url).content.decode()
    assert "Raised again from" in body and earlier.title in body
    # A finding of its own cycle, or of another area, is not one to raise again.
    other = finding_services.record_finding(
        session=session, area=world.safeguarding, by=world.facilitator, kind="strength", title="Good", text="."
    )
    with pytest.raises(ValidationError):
        finding_services.record_finding(
            session=session,
            area=world.safeguarding,
            by=world.facilitator,
            kind="risk",
            title="x",
            text="x",
            raised_again_from=other,
        )
    refused = client.post(url, {"kind": "risk", "title": "x", "text": "x", "raised_again_from": other.pk})
    assert "Select a valid choice" in refused.content.decode()


def test_raised_again_from_another_area_is_refused(world, findings):
    earlier, _, _ = findings
    new = _next_cycle(world)
    session = f.session(new, areas=[world.safer_city], facilitator=world.facilitator, title="Safer city 2010")
    with pytest.raises(ValidationError) as refused:
        finding_services.record_finding(
            session=session,
            area=world.safer_city,
            by=world.facilitator,
            kind="risk",
            title="x",
            text="x",
            raised_again_from=earlier,
        )
    assert "raised_again_from" in refused.value.message_dict


def test_a_draft_cycles_session_is_seen_only_by_the_partnerships_facilitators(client, world):
    """Rolled forward, the next cycle is a draft that nobody is invited to yet: a session
    scheduled in it is not on its participants' home page, lists or workspace until the
    programme is made active."""
    new = cycles.roll_forward(world.programme)
    session = f.session(new, areas=[world.safeguarding], facilitator=world.facilitator, title="Draft cycle session")
    f.participant(session, world.lead, "presenter", world.safeguarding)
    boss = f.person(world.council, "boss", is_facilitator=True)
    # The session's own facilitator prepares it with the partnership's facilitators; the
    # partnership's facilitator takes no part in it, so it is not on their home page.
    for who, sees, listed in [
        (world.lead, False, False),
        (world.officer, False, False),
        (world.facilitator, True, True),
        (boss, True, False),
    ]:
        client.force_login(who)
        assert (client.get(reverse("session_detail", args=[session.pk])).status_code == 200) is sees, who
        workspace = reverse("workspace", args=[session.pk, world.safeguarding.pk])
        assert (client.get(workspace).status_code == 200) is sees, who
        assert ("Draft cycle session" in client.get(reverse("home")).content.decode()) is listed, who
    new.status = Programme.Status.ACTIVE
    new.save()
    client.force_login(world.lead)
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
    assert "Draft cycle session" in client.get(reverse("home")).content.decode()


def test_the_dashboards_prepared_action_counts_are_the_querysets(world, findings):
    """A programme's facilitators see every session: their dashboard counts its actions with a
    query built once (dashboard.selectors._PROGRAMME_ACTION_COUNTS); it counts what the query
    for any other viewer counts, given every session, carried-over actions and overdue ones too."""
    from dashboard import selectors

    _, open_action, _ = findings
    for programme in (world.programme, _next_cycle(world)):
        for due in (D(2009, 5, 1), D(2009, 9, 1)):  # overdue on the tests' day, then not
            open_action.due_date = due
            open_action.save()
            sessions = list(ChallengeSession.objects.filter(programme=programme))
            today = D(2009, 5, 6)
            prepared = selectors._action_counts(programme, sessions, today, whole=True, every_session=True)
            plain = selectors._action_counts(programme, sessions, today, whole=True)
            assert prepared == plain
    assert plain == {"overdue_actions": 0, "carried_actions": 1}
