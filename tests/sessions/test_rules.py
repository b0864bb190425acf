"""The scheduling rules, enforced by the services whatever the caller."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from challenge.editing import StaleEdit
from programmes.models import Milestone
from sessions import services
from sessions.models import ChallengeSession, Participant
from tests import factories as f

T = datetime.time


def create(world, **kw):
    args = dict(
        programme=world.programme,
        title="Safer city",
        date=datetime.date(2009, 6, 2),
        start_time=T(10),
        end_time=T(12),
        areas=[world.safer_city],
        facilitator=world.facilitator,
        reviewers=[world.health_reviewer],
    )
    args.update(kw)
    return services.create_session(**args)


def test_session_is_created_with_the_programmes_question_set(world):
    session = create(world)
    assert session.question_set == world.programme.question_set
    assert session.status == ChallengeSession.Status.DRAFT
    assert list(session.participants.values_list("person__username", "role")) == [("nurse", "reviewer")]


def test_reviewer_from_lead_org_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        create(world, reviewers=[world.police_officer])
    message = exc.value.message_dict["reviewers"][0]
    assert "Gary Thornton cannot be a peer reviewer" in message
    assert "Greater Manchester Police" in message
    assert "Safer city" in message
    assert not ChallengeSession.objects.filter(title="Safer city").exists()


def test_reviewer_from_org_leading_any_of_the_areas_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        create(world, areas=[world.safer_city, world.safeguarding], reviewers=[world.lead])
    assert "Safeguarding children" in exc.value.message_dict["reviewers"][0]


def test_reviewer_from_another_org_is_accepted(world):
    session = create(
        world, areas=[world.safer_city, world.safeguarding], reviewers=[world.health_reviewer, world.fire_reviewer]
    )
    assert session.participants.count() == 2


def test_session_must_end_after_it_starts(world):
    with pytest.raises(ValidationError) as exc:
        create(world, start_time=T(12), end_time=T(12))
    assert exc.value.message_dict["end_time"] == ["The session must end after it starts."]


def test_database_refuses_a_session_that_ends_before_it_starts(world):
    with pytest.raises(IntegrityError):
        f.session(world.programme, start_time=T(12), end_time=T(11))


def test_session_must_lie_within_the_programme(world):
    with pytest.raises(ValidationError) as exc:
        create(world, date=datetime.date(2010, 1, 5))
    assert "within the programme, 1 April 2009 to 30 November 2009" in exc.value.message_dict["date"][0]


def test_areas_must_belong_to_the_programme(world):
    other = f.area(world.fire, "Fire safety")
    with pytest.raises(ValidationError) as exc:
        create(world, areas=[other])
    assert "not under review in this programme" in exc.value.message_dict["areas"][0]


def test_nobody_is_booked_into_overlapping_sessions(world):
    # world.session: 8 May 2009 10:00-12:00 with the police reviewer.
    with pytest.raises(ValidationError) as exc:
        create(
            world,
            date=datetime.date(2009, 5, 8),
            start_time=T(11, 30),
            end_time=T(13),
            areas=[world.health_inequalities],
            reviewers=[world.reviewer],
            facilitator=world.fire_reviewer,
        )
    assert exc.value.message_dict["date"] == [
        "Paul Hargreaves is already booked into “Safeguarding children” on 8 May 2009 from 10:00 to 12:00."
    ]


def test_facilitator_cannot_be_double_booked(world):
    with pytest.raises(ValidationError) as exc:
        create(world, date=datetime.date(2009, 5, 8), start_time=T(9), end_time=T(10, 30), reviewers=[])
    assert "Ruth Mellor is already booked" in exc.value.message_dict["date"][0]


def test_back_to_back_sessions_do_not_overlap(world):
    session = create(
        world,
        date=datetime.date(2009, 5, 8),
        start_time=T(12),
        end_time=T(13),
        reviewers=[world.reviewer],
        areas=[world.health_inequalities],
    )
    assert session.pk


def test_cancelled_sessions_free_peoples_time(world):
    services.cancel_session(session=world.session)
    session = create(
        world, date=datetime.date(2009, 5, 8), reviewers=[world.reviewer], areas=[world.health_inequalities]
    )
    assert session.pk


def test_rescheduling_into_a_clash_is_refused(world):
    other = create(world, date=datetime.date(2009, 5, 9), reviewers=[world.reviewer], areas=[world.health_inequalities])
    with pytest.raises(ValidationError) as exc:
        services.update_session(
            session=other,
            expected_revision=other.revision,
            title=other.title,
            date=datetime.date(2009, 5, 8),
            start_time=T(10),
            end_time=T(11),
            areas=[world.health_inequalities],
            facilitator=world.fire_reviewer,
            reviewers=[world.reviewer],
        )
    assert "Paul Hargreaves is already booked" in " ".join(exc.value.message_dict["date"])


def test_stale_edit_is_refused_and_changes_nothing(world):
    session = world.session
    stale = session.revision
    services.update_session(
        session=session,
        expected_revision=stale,
        title="First edit",
        date=session.date,
        start_time=session.start_time,
        end_time=session.end_time,
        areas=[world.safeguarding],
        facilitator=world.facilitator,
        reviewers=[world.reviewer],
    )
    with pytest.raises(StaleEdit) as exc:
        services.update_session(
            session=session,
            expected_revision=stale,
            title="Second edit",
            date=session.date,
            start_time=session.start_time,
            end_time=session.end_time,
            areas=[world.safeguarding],
            facilitator=world.facilitator,
            reviewers=[world.reviewer],
        )
    assert exc.value.current.title == "First edit"
    session.refresh_from_db()
    assert session.title == "First edit"


def test_presenter_must_present_an_area_of_the_session(world):
    with pytest.raises(ValidationError) as exc:
        services.add_participant(
            session=world.session, person=world.police_officer, role=Participant.Role.PRESENTER, area=world.safer_city
        )
    assert "Safer city is not covered by this session" in exc.value.message_dict["area"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_participant(session=world.session, person=world.police_officer, role=Participant.Role.PRESENTER)
    assert "Choose the area" in exc.value.message_dict["area"][0]


def test_participant_rules_apply_when_adding_one_person(world):
    with pytest.raises(ValidationError) as exc:
        services.add_participant(session=world.session, person=world.council_colleague, role=Participant.Role.REVIEWER)
    assert "cannot be a peer reviewer" in exc.value.message_dict["person"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_participant(session=world.session, person=world.reviewer, role=Participant.Role.OBSERVER)
    assert "already takes part" in exc.value.message_dict["person"][0]
    # A colleague of the lead organisation may observe.
    part = services.add_participant(
        session=world.session, person=world.council_colleague, role=Participant.Role.OBSERVER
    )
    assert part.describe_role() == "Observer"


def test_removing_an_area_with_presenters_is_refused(world):
    session = world.session
    session.areas.add(world.health_inequalities)
    with pytest.raises(ValidationError) as exc:
        services.update_session(
            session=session,
            expected_revision=session.revision,
            title=session.title,
            date=session.date,
            start_time=session.start_time,
            end_time=session.end_time,
            areas=[world.health_inequalities],
            facilitator=world.facilitator,
            reviewers=[world.reviewer],
        )
    assert "Andrew Kenyon (Safeguarding children)" in exc.value.message_dict["areas"][0]


def test_status_transitions(world):
    session = create(world)
    with pytest.raises(ValidationError):
        services.mark_session_held(session=session)
    services.schedule_session(session=session)
    assert session.status == "scheduled"
    with pytest.raises(ValidationError):
        services.schedule_session(session=session)
    services.mark_session_held(session=session)
    assert session.status == "held"
    with pytest.raises(ValidationError):
        services.cancel_session(session=session)


def test_milestone_month_precision_falls_due_at_month_end(world):
    m = f.milestone(world.programme, date=datetime.date(2009, 7, 1), precision=Milestone.Precision.MONTH)
    assert m.due_date == datetime.date(2009, 7, 31)
    assert m.when == "July 2009"
    assert not m.is_overdue(datetime.date(2009, 7, 31))
    assert m.is_overdue(datetime.date(2009, 8, 1))
    m.done = True
    assert not m.is_overdue(datetime.date(2009, 8, 1))
