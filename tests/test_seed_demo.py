"""`manage.py seed_demo` loads the Salford 2009 programme, and loading it twice changes nothing."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from challenge.models import (
    FocusTopic,
    Milestone,
    Partner,
    Programme,
    Question,
    QuestionSet,
    ThematicArea,
    User,
)
from challenge.services import FACILITATORS_GROUP
from sessions import workspace_services
from sessions.models import (
    Answer,
    AnswerVersion,
    ChallengeSession,
    Comment,
    CommentVersion,
    Participant,
)

COUNTED = [Partner, User, ThematicArea, FocusTopic, Programme, Milestone, ChallengeSession,
           Participant, Answer, AnswerVersion, Comment, CommentVersion]


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def no_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.mark.django_db
def test_seeds_the_salford_programme(no_demo_password):
    seed()
    assert set(Partner.objects.values_list("short_name", flat=True)) == {
        "SCC", "PCT", "GMP", "GMFRS"
    }
    assert ThematicArea.objects.count() == 8
    health = ThematicArea.objects.get(slug="health-inequalities")
    assert health.lead_partner.short_name == "PCT"
    assert [t.name for t in health.focus_topics.all()] == [
        "Teenage pregnancy", "Smoking", "Alcohol", "Obesity"
    ]
    for area in ThematicArea.objects.select_related("lead_officer"):
        area.full_clean()  # the lead officer works for the lead organisation

    programme = Programme.objects.get(slug="caa-2009")
    assert programme.areas.count() == 8
    assert programme.question_set == QuestionSet.objects.get(
        family="caa-challenge-methodology", version=1
    )
    assert programme.self_evaluation_deadline == datetime.date(2009, 6, 15)
    assert programme.milestones.filter(
        date=datetime.date(2009, 5, 22), owner="James Foster"
    ).exists()
    assert programme.milestones.filter(
        precision=Milestone.Precision.MONTH, date__month=10
    ).exists()
    assert programme.milestones.count() >= 10

    sessions = list(programme.sessions.order_by("date"))
    assert [s.date for s in sessions] == [
        datetime.date(2009, 4, 29), datetime.date(2009, 5, 8),
        datetime.date(2009, 5, 15), datetime.date(2009, 6, 2),
    ]
    assert [s.status for s in sessions] == ["held", "scheduled", "scheduled", "scheduled"]
    assert {a.slug for a in sessions[0].areas.all()} == {
        "safeguarding-children", "health-inequalities"
    }
    assert sessions[1].areas.count() == 2
    assert all(s.question_set_id == programme.question_set_id for s in sessions)


@pytest.mark.django_db
def test_demo_users_have_their_roles(no_demo_password):
    output = seed()
    facilitator = User.objects.get(username="facilitator")
    assert facilitator.partner.short_name == "SCC"
    assert facilitator.is_staff
    assert facilitator.groups.filter(name=FACILITATORS_GROUP).exists()
    programme = Programme.objects.get(slug="caa-2009")
    assert facilitator in programme.facilitators.all()
    assert all(s.facilitator == facilitator for s in programme.sessions.all())

    lead = User.objects.get(username="lead")
    safeguarding = ThematicArea.objects.get(slug="safeguarding-children")
    assert lead.partner.short_name == "SCC"
    assert safeguarding.lead_officer == lead
    assert Participant.objects.filter(
        person=lead, role="presenter", area=safeguarding, session__date="2009-04-29"
    ).exists()

    reviewer = User.objects.get(username="reviewer")
    assert reviewer.partner.short_name == "GMP"
    reviewed = set(
        Participant.objects.filter(person=reviewer, role="reviewer").values_list(
            "session__date", flat=True
        )
    )
    assert {datetime.date(2009, 4, 29), datetime.date(2009, 5, 8)} <= reviewed

    officer = User.objects.get(username="officer")
    assert officer.is_officer and officer.partner.short_name == "SCC"
    assert User.objects.get(username="admin").is_superuser

    for username in ("facilitator", "lead", "reviewer", "officer", "admin"):
        assert User.objects.get(username=username).has_usable_password()
        assert username in output
    # Everyone else only takes part: nobody can sign in as them.
    others = User.objects.exclude(username__in=["facilitator", "lead", "reviewer", "officer",
                                                "admin"])
    assert others.filter(username="james.foster").exists()
    assert not any(u.has_usable_password() for u in others)


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(no_demo_password):
    seed()
    first = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    output = seed()
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "(unchanged)" in output


@pytest.mark.django_db
def test_no_reviewer_comes_from_an_organisation_that_leads_the_session_area(no_demo_password):
    seed()
    for session in ChallengeSession.objects.prefetch_related("areas"):
        leads = {area.lead_partner_id for area in session.areas.all()}
        reviewers = session.participants.filter(role="reviewer").select_related("person")
        assert 2 <= reviewers.count() <= 3
        for participant in reviewers:
            assert participant.person.partner_id not in leads, (session, participant)
        for presenter in session.participants.filter(role="presenter").select_related("area"):
            assert presenter.person.partner_id == presenter.area.lead_partner_id


@pytest.mark.django_db
def test_demo_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "salford-2009-demo")
    seed()
    assert authenticate(username="facilitator", password="salford-2009-demo") is not None
    assert authenticate(username="admin", password="salford-2009-demo") is not None

    # A second run with a new DEMO_PASSWORD sets it; without one, passwords are kept.
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    seed()
    assert authenticate(username="reviewer", password="another-demo-password") is not None
    monkeypatch.delenv("DEMO_PASSWORD")
    seed()
    assert authenticate(username="officer", password="another-demo-password") is not None


def april_session():
    return ChallengeSession.objects.get(date=datetime.date(2009, 4, 29))


@pytest.mark.django_db
def test_the_29_april_session_is_answered_in_full_by_its_presenters(no_demo_password):
    output = seed()
    session = april_session()
    assert session.status == "held" and not session.is_closed  # demo users can still work in it
    questions = list(Question.objects.filter(section__question_set=session.question_set))
    assert len(questions) == 15
    for area in session.areas.all():
        presenters = set(session.participants.filter(role="presenter", area=area)
                         .values_list("person_id", flat=True))
        answers = {a.question_id: a for a in Answer.objects.filter(session=session, area=area)}
        assert set(answers) == {q.pk for q in questions}, area
        for question in questions:
            answer = answers[question.pk]
            assert answer.revision >= 1 and answer.text.strip(), (area, question)
            assert answer.updated_by_id in presenters, (area, question)
            assert answer.versions.filter(edited_by_id__in=presenters).exists()
            # Only the rating the question asks for is set.
            ratings = {"likelihood": answer.likelihood, "scale": answer.scale,
                       "direction": answer.direction, "confidence": answer.confidence}
            given = {name for name, value in ratings.items() if value not in (None, "")}
            expected = set() if question.answer_kind == "text" else {question.answer_kind}
            assert given == expected, (area, question)
            for item in answer.evidence:
                assert set(item) == {"title", "link", "reference"} and item["title"]
                assert not item["link"] or item["link"].startswith("https://")
    safeguarding = Answer.objects.filter(session=session, area__slug="safeguarding-children")
    assert safeguarding.get(question__answer_kind="likelihood").likelihood == 3
    assert safeguarding.get(question__answer_kind="scale").scale == 4
    with_evidence = [a for a in Answer.objects.filter(session=session) if a.evidence]
    assert 10 <= len(with_evidence) <= 20
    assert "30 answers" in output


@pytest.mark.django_db
def test_the_29_april_session_has_critical_friend_threads(no_demo_password):
    seed()
    session = april_session()
    threads = Comment.objects.filter(session=session, parent__isnull=True).select_related(
        "author", "area")
    replies = Comment.objects.filter(session=session, parent__isnull=False)
    assert 12 <= threads.count() <= 14
    assert replies.count() >= 8
    assert {t.status for t in threads} == {"open", "addressed", "unresolved"}
    assert {t.kind for t in threads} == {"challenge", "question", "suggestion", "commendation"}
    assert {t.area.slug for t in threads} == {"safeguarding-children", "health-inequalities"}
    reviewers = set(session.participants.filter(role="reviewer")
                    .values_list("person_id", flat=True))
    for thread in threads:
        # A critical friend never comes from the organisation that leads the area.
        assert thread.author_id in reviewers, thread
        assert thread.author.partner_id != thread.area.lead_partner_id, thread
        if thread.status != "open":
            assert thread.status_by == session.facilitator
    presenters = dict(session.participants.filter(role="presenter")
                      .values_list("person_id", "area_id"))
    for reply in replies:
        assert (presenters.get(reply.author_id) == reply.area_id
                or reply.author_id == session.facilitator_id), reply


@pytest.mark.django_db
def test_seeding_again_keeps_what_was_edited_in_the_app(no_demo_password):
    seed()
    session = april_session()
    answer = Answer.objects.filter(session=session, area__slug="health-inequalities").first()
    lead = answer.area.lead_officer
    workspace_services.save_answer(
        session=session, area=answer.area, question=answer.question, by=lead,
        expected_revision=answer.revision, text="Rewritten in the session.")
    thread = Comment.objects.filter(session=session, parent__isnull=True, status="open").first()
    workspace_services.set_comment_status(
        comment=thread, by=session.facilitator, status="addressed")
    first = counts()
    output = seed()
    assert counts() == first
    answer.refresh_from_db()
    thread.refresh_from_db()
    assert answer.text == "Rewritten in the session." and answer.revision == 2
    assert thread.status == "addressed"
    assert "new: 0 answers, 0 comments" in output
