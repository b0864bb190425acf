"""`manage.py seed_demo` loads the Salford 2009 programme, and loading it twice changes nothing."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import RequestFactory
from pypdf import PdfReader

from demo.seed.files import prose
from evaluations import services as evaluation_services
from evaluations.models import SelfEvaluation
from findings import selectors as findings_selectors
from findings import services as findings_services
from findings.models import Action, Finding, Theme
from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue
from programmes.models import (
    FocusTopic,
    Membership,
    Milestone,
    Partner,
    Partnership,
    Programme,
    Question,
    QuestionSet,
    ThematicArea,
    User,
)
from sessions.models import ChallengeSession, Participant
from workspace import services as workspace_services
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion

COUNTED = [
    Partner,
    User,
    ThematicArea,
    FocusTopic,
    Programme,
    Milestone,
    ChallengeSession,
    Participant,
    Answer,
    AnswerVersion,
    Comment,
    CommentVersion,
    Theme,
    Finding,
    Action,
    SelfEvaluation,
    Indicator,
    IndicatorValue,
]
DEMO_TODAY = datetime.date(2009, 5, 20)
SOUTHAMPTON = "southampton"  # seeded beside Salford (issue 15: demo/seed/southampton_data.py)


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def no_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the module (finalising the safeguarding PDF takes a second or two), inside
    a transaction rolled back at the end of the module. Each test runs in a savepoint within
    it, so what a test changes, or a second seed it runs, is undone after it. Returns the
    seed's output."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.delenv("DEMO_PASSWORD", raising=False)
        with transaction.atomic():
            output = seed()
            yield output
            transaction.set_rollback(True)


def sign_in_request():
    # django-axes, first of the authentication back ends, needs the request it counts against.
    return RequestFactory().post("/accounts/login/")


@pytest.mark.django_db
def test_demo_password_from_the_environment(monkeypatch):
    # Seeds its own database: it runs before the module's shared seed (`seeded`) is made.
    monkeypatch.setenv("DEMO_PASSWORD", "salford-2009-demo")
    seed()
    assert authenticate(sign_in_request(), username="facilitator", password="salford-2009-demo") is not None
    assert authenticate(sign_in_request(), username="admin", password="salford-2009-demo") is not None

    # A second run with a new DEMO_PASSWORD sets it; without one, passwords are kept.
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    seed()
    assert authenticate(sign_in_request(), username="reviewer", password="another-demo-password") is not None
    monkeypatch.delenv("DEMO_PASSWORD")
    seed()
    assert authenticate(sign_in_request(), username="officer", password="another-demo-password") is not None


@pytest.mark.django_db
def test_seeding_e_mails_nobody(django_capture_on_commit_callbacks):
    # Seeds its own database, like the test above. Nothing is queued when the seed commits:
    # the circulated draft is recorded without e-mailing the demo partners' contacts, and
    # sessions are put in their state without invitations.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()
    assert callbacks == []
    assert mail.outbox == []
    circulated = SelfEvaluation.objects.get(area__slug="health-inequalities")
    assert circulated.status == "circulated"


def test_prose_in_the_data_files_is_unwrapped():
    text = """
First paragraph, written
across two lines.

Second paragraph:
- a list item, wrapped
  onto a second line
- another item
"""
    assert prose(text) == (
        "First paragraph, written across two lines.\n\nSecond paragraph:\n"
        "- a list item, wrapped onto a second line\n- another item"
    )


@pytest.mark.django_db
def test_seeds_the_salford_programme(seeded):
    salford = Partnership.objects.get(slug="salford")
    assert salford.name == "Salford City Partnership"
    # Salford's; Southampton (issue 15) is a partnership of its own, seeded beside it.
    assert set(Partner.objects.filter(partnership=salford).values_list("short_name", flat=True)) == {
        "SCC",
        "PCT",
        "GMP",
        "GMFRS",
    }
    assert ThematicArea.objects.filter(partnership=salford).count() == 8
    assert set(Partner.objects.values_list("partnership__slug", flat=True)) == {"salford", SOUTHAMPTON}
    assert set(ThematicArea.objects.values_list("partnership__slug", flat=True)) == {"salford", SOUTHAMPTON}
    health = ThematicArea.objects.get(slug="health-inequalities")
    assert health.lead_partner.short_name == "PCT"
    assert [t.name for t in health.focus_topics.all()] == ["Teenage pregnancy", "Smoking", "Alcohol", "Obesity"]
    for area in ThematicArea.objects.filter(partnership=salford).select_related("lead_officer"):
        area.full_clean()  # the lead officer works for the lead organisation

    programme = Programme.objects.get(slug="caa-2009")
    assert programme.partnership == salford
    assert programme.areas.count() == 8
    # The partnership's own copy of the standard methodology, which stays as it is.
    assert programme.question_set == QuestionSet.objects.get(
        family="caa-challenge-methodology", version=1, partnership=salford
    )
    assert QuestionSet.objects.filter(family="caa-challenge-methodology", partnership__isnull=True).count() == 1
    assert programme.self_evaluation_deadline == datetime.date(2009, 6, 15)
    assert programme.milestones.filter(date=datetime.date(2009, 5, 22), owner="James Foster").exists()
    assert programme.milestones.filter(precision=Milestone.Precision.MONTH, date__month=10).exists()
    assert programme.milestones.count() >= 10

    sessions = list(programme.sessions.order_by("date"))
    assert [s.date for s in sessions] == [
        datetime.date(2009, 4, 29),
        datetime.date(2009, 5, 8),
        datetime.date(2009, 5, 15),
        datetime.date(2009, 6, 2),
    ]
    assert [s.status for s in sessions] == ["held", "held", "held", "scheduled"]
    assert {a.slug for a in sessions[0].areas.all()} == {"safeguarding-children", "health-inequalities"}
    assert sessions[1].areas.count() == 2
    assert all(s.question_set_id == programme.question_set_id for s in sessions)


@pytest.mark.django_db
def test_demo_users_have_their_roles(seeded):
    output = seeded
    salford = Partnership.objects.get(slug="salford")
    facilitator = User.objects.get(username="facilitator")
    assert facilitator.partner_in(salford).short_name == "SCC"
    assert facilitator.facilitates_partnership(salford) and not facilitator.is_officer_in(salford)
    # The facilitator works in the app, not the Django admin: only the administrator is staff.
    assert not facilitator.is_staff and not facilitator.is_superuser
    assert not facilitator.groups.exists()
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    programme = Programme.objects.get(slug="caa-2009")
    assert facilitator in programme.facilitators.all()
    assert all(s.facilitator == facilitator for s in programme.sessions.all())

    lead = User.objects.get(username="lead")
    safeguarding = ThematicArea.objects.get(slug="safeguarding-children")
    assert lead.partner_in(salford).short_name == "SCC"
    assert safeguarding.lead_officer == lead
    assert Participant.objects.filter(
        person=lead, role="presenter", area=safeguarding, session__date="2009-04-29"
    ).exists()

    reviewer = User.objects.get(username="reviewer")
    assert reviewer.partner_in(salford).short_name == "GMP"
    reviewed = set(Participant.objects.filter(person=reviewer, role="reviewer").values_list("session__date", flat=True))
    assert {datetime.date(2009, 4, 29), datetime.date(2009, 5, 8)} <= reviewed

    officer = User.objects.get(username="officer")
    assert officer.is_officer_in(salford) and officer.partner_in(salford).short_name == "SCC"
    assert not officer.facilitates_partnership(salford)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and not admin.memberships.exists()  # of the installation, not a member
    # Everyone else is a member of the partnership, with an organisation and no role.
    members = Membership.objects.filter(partnership=salford)
    southampton = User.objects.filter(memberships__partnership__slug="southampton")
    assert members.count() == User.objects.exclude(pk__in=southampton).count() - 1
    assert not members.filter(partner__isnull=True).exists()
    assert set(
        members.filter(Q(is_officer=True) | Q(is_facilitator=True)).values_list("person__username", flat=True)
    ) == {
        "facilitator",
        "officer",
    }

    logins = ["facilitator", "lead", "reviewer", "officer", "admin", "scrutiny", "councillor"]
    for username in logins:
        assert User.objects.get(username=username).has_usable_password()
        assert username in output
    # Everyone else only takes part: nobody can sign in as them.
    others = User.objects.exclude(username__in=["facilitator", "lead", "reviewer", "officer", "admin"]).filter(
        memberships__partnership=salford
    )
    assert others.filter(username="james.foster").exists()
    assert not any(u.has_usable_password() for u in others)


@pytest.mark.django_db
def test_seeding_again_takes_staff_from_a_facilitator_seeded_as_staff(seeded, no_demo_password):
    # Earlier versions of the demo made the facilitator staff; scripts/run seeds on every start.
    User.objects.filter(username="facilitator").update(is_staff=True)
    seed()
    assert not User.objects.get(username="facilitator").is_staff
    assert User.objects.get(username="admin").is_staff


@pytest.mark.django_db
def findings_state():
    """What a second seed must leave alone: findings, actions, self-evaluations and the PDF."""
    return {
        "findings": list(
            Finding.objects.order_by("pk").values_list("pk", "kind", "title", "text", "revision", "updated_at")
        ),
        "themes": list(Theme.objects.order_by("pk").values_list("pk", "name", "description")),
        "actions": list(
            Action.objects.order_by("pk").values_list("pk", "owner_id", "due_date", "status", "updated_at")
        ),
        "self_evaluations": list(
            SelfEvaluation.objects.order_by("pk").values_list(
                "pk", "version", "status", "revision", "introduction", "finalised_at", "pdf_sha256"
            )
        ),
        "pdfs": [
            bytes(data)
            for data in SelfEvaluation.objects.filter(status="final").order_by("pk").values_list("pdf", flat=True)
        ],
    }


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(seeded, no_demo_password):
    # `seeded` is the first run on an empty database; this is the second.
    first = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    before = findings_state()
    output = seed()
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert findings_state() == before
    assert "(unchanged)" in output
    assert "new: 0 findings, 0 actions" in output


@pytest.mark.django_db
def test_no_reviewer_comes_from_an_organisation_that_leads_the_session_area(seeded):
    # Salford's peer challenge sessions: Southampton's scrutiny meeting and stretch and challenge
    # keep their own rules.
    for session in ChallengeSession.objects.filter(
        kind="peer", programme__partnership__slug="salford"
    ).prefetch_related("areas"):
        leads = {area.lead_partner_id for area in session.areas.all()}
        reviewers = session.participants.filter(role="reviewer").select_related("person")
        assert 2 <= reviewers.count() <= 3
        for participant in reviewers:
            assert participant.partner_id == participant.person.partner_in(session.programme.partnership_id).pk
            assert participant.partner_id not in leads, (session, participant)
        for presenter in session.participants.filter(role="presenter").select_related("area"):
            assert presenter.partner_id == presenter.area.lead_partner_id


def april_session():
    return ChallengeSession.objects.get(date=datetime.date(2009, 4, 29))


@pytest.mark.django_db
def test_the_29_april_session_is_answered_in_full_by_its_presenters(seeded):
    output = seeded
    session = april_session()
    assert session.status == "held" and not session.is_closed  # demo users can still work in it
    questions = list(Question.objects.filter(section__question_set=session.question_set))
    assert len(questions) == 15
    for area in session.areas.all():
        presenters = set(session.participants.filter(role="presenter", area=area).values_list("person_id", flat=True))
        answers = {a.question_id: a for a in Answer.objects.filter(session=session, area=area)}
        assert set(answers) == {q.pk for q in questions}, area
        for question in questions:
            answer = answers[question.pk]
            assert answer.revision >= 1 and answer.text.strip(), (area, question)
            assert answer.updated_by_id in presenters, (area, question)
            assert answer.versions.filter(edited_by_id__in=presenters).exists()
            # Only the rating the question asks for is set.
            ratings = {
                "likelihood": answer.likelihood,
                "scale": answer.scale,
                "direction": answer.direction,
                "confidence": answer.confidence,
            }
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
def test_the_29_april_session_has_critical_friend_threads(seeded):
    session = april_session()
    threads = Comment.objects.filter(session=session, parent__isnull=True).select_related("author", "area")
    replies = Comment.objects.filter(session=session, parent__isnull=False)
    assert 12 <= threads.count() <= 14
    assert replies.count() >= 8
    assert {t.status for t in threads} == {"open", "addressed", "unresolved"}
    assert {t.kind for t in threads} == {"challenge", "question", "suggestion", "commendation"}
    assert {t.area.slug for t in threads} == {"safeguarding-children", "health-inequalities"}
    reviewers = set(session.participants.filter(role="reviewer").values_list("person_id", flat=True))
    for thread in threads:
        # A critical friend never comes from the organisation that leads the area.
        assert thread.author_id in reviewers, thread
        assert thread.author_partner_id == thread.author.partner_in(session.programme.partnership_id).pk
        assert thread.author_partner_id != thread.area.lead_partner_id, thread
        if thread.status != "open":
            assert thread.status_by == session.facilitator
    presenters = dict(session.participants.filter(role="presenter").values_list("person_id", "area_id"))
    for reply in replies:
        assert presenters.get(reply.author_id) == reply.area_id or reply.author_id == session.facilitator_id, reply


@pytest.mark.django_db
def test_seeding_again_keeps_what_was_edited_in_the_app(seeded, no_demo_password):
    session = april_session()
    answer = Answer.objects.filter(session=session, area__slug="health-inequalities").first()
    lead = answer.area.lead_officer
    workspace_services.save_answer(
        session=session,
        area=answer.area,
        question=answer.question,
        by=lead,
        expected_revision=answer.revision,
        text="Rewritten in the session.",
    )
    thread = Comment.objects.filter(session=session, parent__isnull=True, status="open").first()
    workspace_services.set_comment_status(comment=thread, by=session.facilitator, status="addressed")
    facilitator = session.facilitator
    finding = Finding.objects.get(title="Strong improvement programme in place")
    finding = findings_services.update_finding(
        finding=finding,
        expected_revision=finding.revision,
        kind=finding.kind,
        title="Strong improvement programme, well monitored",
        text=finding.text,
    )
    action = Action.objects.get(due_date=datetime.date(2009, 4, 30))
    findings_services.set_action_status(action=action, status="done")
    circulated = SelfEvaluation.objects.get(area__slug="health-inequalities")
    evaluation_services.update_texts(
        self_evaluation=circulated,
        expected_revision=circulated.revision,
        introduction="Rewritten after partners' comments.",
        conclusion="",
    )
    final = SelfEvaluation.objects.get(area__slug="safeguarding-children", version=1)
    final_pdf = bytes(final.pdf)
    reopened = evaluation_services.reopen(self_evaluation=final, by=facilitator)
    first = counts()
    output = seed()
    assert counts() == first
    answer.refresh_from_db()
    thread.refresh_from_db()
    assert answer.text == "Rewritten in the session." and answer.revision == 2
    assert thread.status == "addressed"
    assert "new: 0 answers, 0 comments" in output
    # Findings, actions and self-evaluations changed in the app stay as they were changed;
    # the reopened version 2 stays an empty draft and version 1 keeps its PDF.
    assert "new: 0 findings, 0 actions" in output
    assert not Finding.objects.filter(title="Strong improvement programme in place").exists()
    action.refresh_from_db()
    assert action.status == "done"
    circulated.refresh_from_db()
    assert circulated.introduction == "Rewritten after partners' comments."
    reopened.refresh_from_db()
    assert (reopened.version, reopened.status, reopened.conclusion) == (2, "draft", final.conclusion)
    final.refresh_from_db()
    assert final.status == "final" and bytes(final.pdf) == final_pdf


SAFEGUARDING_TITLES = {
    "Strong improvement programme in place",
    "Full partnership involvement in the improvement plan",
    "Pace of delivery depends on the workforce and on partners",
}


@pytest.mark.django_db
def test_salford_emerging_findings(seeded):
    programme = Programme.objects.get(slug="caa-2009")
    facilitator = User.objects.get(username="facilitator")
    themes = set(Theme.objects.filter(programme=programme).values_list("name", flat=True))
    assert len(themes) >= 4
    assert {
        "Full partnership involvement",
        "Continued pace of delivery",
        "Governance arrangements",
        "Plausibility of the approach",
    } <= themes

    findings = Finding.objects.filter(session__programme=programme).select_related("session", "area")
    assert {f.kind for f in findings} >= {"red_flag", "green_flag", "strength", "improvement", "risk", "cross_cutting"}
    assert all(f.created_by == facilitator for f in findings)
    april = {f.title: f for f in findings if f.session.date == datetime.date(2009, 4, 29)}
    assert set(april) >= SAFEGUARDING_TITLES
    red = findings.get(kind="red_flag")
    assert red.area.slug == "health-inequalities" and "Little Hulton" in red.title
    assert "significant concern not being adequately addressed" in red.text
    assert {t.name for t in april["Full partnership involvement in the improvement plan"].themes.all()} >= {
        "Full partnership involvement"
    }
    health = [f for f in april.values() if f.area.slug == "health-inequalities"]
    assert {"Governance arrangements", "Plausibility of the approach"} <= {
        t.name for f in health for t in f.themes.all()
    }

    # Evidence comes from the same session and area, and most April findings have some.
    with_evidence = 0
    for finding in april.values():
        answers = list(finding.evidence_answers.all())
        comments = list(finding.evidence_comments.all())
        for item in answers + comments:
            assert (item.session_id, item.area_id) == (finding.session_id, finding.area_id)
        assert all(c.parent_id is None for c in comments)
        with_evidence += bool(answers and comments)
    assert with_evidence >= 5

    # Green flags: on the 8 May session, for the recession and sustainability, no evidence.
    greens = findings.filter(kind="green_flag")
    assert {g.area.slug for g in greens} == {"responding-to-the-recession", "sustainability-and-climate-change"}
    for green in greens:
        assert green.session.date == datetime.date(2009, 5, 8)
        assert green.session.areas.filter(pk=green.area_id).exists()
        assert not green.evidence_answers.exists() and not green.evidence_comments.exists()


@pytest.mark.django_db
def test_improvement_actions(seeded):
    actions = Action.objects.filter(finding__session__programme__slug="caa-2009").select_related(
        "owner", "owner_partner", "finding"
    )
    partners = set(Partner.objects.filter(partnership__slug="salford").values_list("short_name", flat=True))
    per_finding = {}
    for action in actions:
        per_finding[action.finding_id] = per_finding.get(action.finding_id, 0) + 1
        assert action.owner_partner == action.owner.partner_in(action.finding.session.programme.partnership_id)
        assert action.owner_partner.short_name in partners
        assert datetime.date(2009, 4, 30) <= action.due_date <= datetime.date(2009, 9, 30)
    assert sum(1 for n in per_finding.values() if 2 <= n <= 3) >= 4
    assert len({a.owner_partner_id for a in actions}) == 4  # every partner owns some
    assert {a.status for a in actions} >= {"not_started", "in_progress", "done"}
    overdue = list(Action.objects.filter(finding__session__programme__slug="caa-2009").overdue(DEMO_TODAY))
    assert overdue and all(a.is_overdue(DEMO_TODAY) for a in overdue)
    assert Action.objects.filter(due_date=datetime.date(2009, 4, 30), status="not_started").exists()
    # The app's own read counts them the same way on the demo day (CHALLENGE_TODAY).
    emerging = findings_selectors.emerging_findings(Programme.objects.get(slug="caa-2009"))
    assert emerging.action_counts["overdue"] == len(overdue)
    assert emerging.action_counts["total"] == actions.count()
    assert f"{actions.count()} actions ({len(overdue)} overdue on 20 May 2009)" in seeded


@pytest.mark.django_db
def test_self_evaluations(seeded):
    facilitator = User.objects.get(username="facilitator")
    by_area = {se.area.slug: se for se in SelfEvaluation.objects.select_related("area")}
    assert set(by_area) == {"safeguarding-children", "health-inequalities", "responding-to-the-recession"}

    final = by_area["safeguarding-children"]
    assert (final.version, final.status) == (1, "final")
    assert final.finalised_by == facilitator and final.finalised_at is not None
    assert final.introduction.strip() and final.conclusion.strip()
    data = bytes(final.pdf)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == final.pdf_sha256
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    for expected in [
        "Safeguarding children: mini self-evaluation",
        "Ruth Mellor",
        "Strong improvement programme in place",
        "Send the LSCB a revised timetable",
    ]:
        assert expected in text, expected
    assert "DRAFT" not in text

    circulated = by_area["health-inequalities"]
    assert (circulated.version, circulated.status) == (1, "circulated")
    assert circulated.circulated_by == facilitator and circulated.introduction.strip()
    assert not circulated.pdf

    draft = by_area["responding-to-the-recession"]
    assert (draft.version, draft.status) == (1, "draft") and not draft.pdf
    assert "Safeguarding children v1 final" in seeded


@pytest.mark.django_db
def test_the_final_pdf_shows_the_demo_day_even_without_the_demo_clock(seeded, settings):
    settings.CHALLENGE_TODAY = None  # e.g. `manage.py seed_demo` run outside scripts/run
    SelfEvaluation.objects.filter(area__slug="safeguarding-children").delete()
    seed()
    final = SelfEvaluation.objects.get(area__slug="safeguarding-children")
    assert final.status == "final"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(final.pdf))).pages)
    overdue = Action.objects.overdue(DEMO_TODAY).filter(finding__area__slug="safeguarding-children")
    assert overdue.count() == 1
    # The one overdue action, marked in the summary's actions due and in the action plan.
    assert " ".join(text.split()).count("overdue") == 2


def assessments():
    """Every indicator of Salford with its values and what the app derives from them."""
    indicators = Indicator.objects.filter(partnership__slug="salford").select_related("area").prefetch_related("values")
    return [(i, list(i.values.all()), assess(i, list(i.values.all()))) for i in indicators]


@pytest.mark.django_db
def test_every_area_has_indicators_with_benchmarked_series(seeded):
    for area in ThematicArea.objects.filter(partnership__slug="salford"):
        indicators = list(area.indicators.all())
        assert 2 <= len(indicators) <= 3, area
        assert len({i.position for i in indicators}) == len(indicators), area
    for indicator, values, _ in assessments():
        assert len(values) >= 5, indicator.code
        assert all(v.national is not None for v in values), indicator.code
        starts = [v.period_start for v in values]
        if indicator.frequency == "year":
            assert all(d.month == 1 and d.day == 1 for d in starts), indicator.code
            assert {d.year for d in starts} >= set(range(2003, 2009)), indicator.code
        else:
            assert indicator.frequency == "quarter"
            assert all(d.month in (1, 4, 7, 10) and d.day == 1 for d in starts), indicator.code
        assert indicator.source.strip() and indicator.definition.strip(), indicator.code
        if indicator.unit == "percent":
            assert all(0 <= v.value <= 100 for v in values), indicator.code
    indicators = Indicator.objects.filter(partnership__slug="salford")
    assert indicators.filter(frequency="quarter").count() >= 2
    assert IndicatorValue.objects.filter(comparator__isnull=False).exists()
    with_target = indicators.filter(target__isnull=False)
    assert with_target.count() * 4 >= indicators.count() * 3  # targets on most
    assert all(i.target_date and i.target_date.year in (2010, 2011) for i in with_target)
    assert {"ONS / Teenage Pregnancy Unit", "Home Office iQuanta"} <= set(indicators.values_list("source", flat=True))
    assert "indicators: 20 indicators in 8 areas (3 quarterly)" in seeded


@pytest.mark.django_db
def test_the_indicators_tell_a_mixed_story(seeded):
    judged = {i.code: a for i, _, a in assessments()}
    assert {a.direction for a in judged.values()} == {"improving", "declining", "no_change"}
    assert {a.on_track for a in judged.values()} >= {"met", "on_track", "off_track"}
    assert {a.versus_national for a in judged.values()} == {"better", "worse"}
    # The figures the 29 April answers quote.
    conceptions = judged["ni112-teenage-conceptions"]
    assert (conceptions.direction, conceptions.on_track) == ("improving", "off_track")
    assert conceptions.latest.value == Decimal("50.6") and conceptions.versus_national == "worse"
    assessments_7_days = judged["ni59-initial-assessments-7-days"]
    assert (assessments_7_days.previous.value, assessments_7_days.latest.value) == (62, 71)
    assert judged["ni39-alcohol-admissions"].direction == "declining"
    assert judged["ni123-smoking-quitters"].on_track == "on_track"
    assert judged["decent-homes-council-stock"].on_track == "on_track"


@pytest.mark.django_db
def test_seeding_again_keeps_indicators_and_imported_values(seeded, no_demo_password):
    conceptions = Indicator.objects.get(code="ni112-teenage-conceptions")
    Indicator.objects.filter(pk=conceptions.pk).update(target=45, name="Teenage conceptions")
    imported = conceptions.values.get(period_start=datetime.date(2008, 1, 1))
    IndicatorValue.objects.filter(pk=imported.pk).update(value=49.9, national=None)
    conceptions.values.filter(period_start=datetime.date(2003, 1, 1)).delete()
    first = counts()
    output = seed()
    assert counts() == {**first, "IndicatorValue": first["IndicatorValue"] + 1}
    assert "new: 0 indicators, 1 values" in output
    conceptions.refresh_from_db()
    assert (conceptions.target, conceptions.name) == (45, "Teenage conceptions")
    imported.refresh_from_db()
    assert (imported.value, imported.national) == (Decimal("49.9"), None)
    assert conceptions.values.filter(period_start=datetime.date(2003, 1, 1)).exists()
    assert "new: 0 indicators, 0 values" in seed()
    assert counts()["IndicatorValue"] == first["IndicatorValue"] + 1


@pytest.mark.django_db
def test_the_final_pdf_shows_the_area_indicators(seeded):
    # The indicators are seeded before the self-evaluations, so the stored PDF has them.
    final = SelfEvaluation.objects.get(area__slug="safeguarding-children", status="final")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(final.pdf))).pages)
    text = " ".join(text.split())
    assert "No indicators have been recorded" not in text
    for indicator in Indicator.objects.filter(area=final.area):
        assert indicator.name in text, indicator.code


@pytest.mark.django_db
def test_the_2009_programme_is_rolled_forward_into_2010(seeded):
    programme = Programme.objects.get(slug="caa-2009")
    next_cycle = Programme.objects.get(previous=programme)
    assert next_cycle.name == "CAA 2010 challenge sessions"
    assert next_cycle.status == Programme.Status.DRAFT  # as the roll-forward service makes it
    assert (next_cycle.start_date, next_cycle.end_date) == (datetime.date(2010, 4, 7), datetime.date(2010, 11, 30))
    assert next_cycle.self_evaluation_deadline == datetime.date(2010, 6, 15)
    assert set(next_cycle.areas.all()) == set(programme.areas.all())
    assert next_cycle.milestones.count() == programme.milestones.count()
    assert not next_cycle.milestones.filter(done=True).exists()
    # One session, scheduled, for two of the areas, with the critical-friend rule kept.
    session = next_cycle.sessions.get()
    assert (session.date, session.status) == (datetime.date(2010, 4, 28), "scheduled")
    assert {area.slug for area in session.areas.all()} == {"safeguarding-children", "health-inequalities"}
    assert session.question_set == next_cycle.question_set
    assert not session.answers.exists() and not Finding.objects.filter(session=session).exists()
    # The 2009 actions still open are carried over to it.
    open_2009 = Action.objects.filter(finding__session__programme=programme).exclude(status__in=Action.CLOSED)
    carried = findings_selectors.carried_over_actions(next_cycle)
    assert open_2009.exists() and {action.pk for action in carried} == set(open_2009.values_list("pk", flat=True))
    assert f"next cycle: CAA 2010 challenge sessions (draft, rolled forward): 1 session, {len(carried)} open" in seeded
    assert "next cycle: CAA 2010 challenge sessions (draft, already there): 1 session" in seed()


@pytest.mark.django_db
def test_the_demo_area_history_has_two_cycles_for_the_facilitator(seeded, client, settings):
    settings.CHALLENGE_TODAY = DEMO_TODAY  # as scripts/run sets the demo clock
    url = "/areas/safeguarding-children/history/"
    client.force_login(User.objects.get(username="facilitator"))
    body = client.get(url).content.decode()
    assert body.index("CAA 2010 challenge sessions") < body.index("CAA 2009 challenge sessions")
    assert "Strong improvement programme in place" in body and "carried over to" in body
    assert "Safeguarding and health inequalities: a year on" in body
    # The officer does not see the draft: only the 2009 cycle.
    client.force_login(User.objects.get(username="officer"))
    body = client.get(url).content.decode()
    assert "CAA 2009 challenge sessions" in body and "CAA 2010 challenge sessions" not in body
    # The 2009 pages keep the demo day: the dashboard's next session is still 2 June 2009.
    client.force_login(User.objects.get(username="facilitator"))
    dashboard = client.get(programme_url()).content.decode()
    assert "the app treats today as 20 May 2009" in dashboard and "2 Jun 2009" in dashboard


def programme_url():
    return Programme.objects.get(slug="caa-2009").get_absolute_url()


# --- Southampton (issue 15) -------------------------------------------------------------------


@pytest.mark.django_db
def test_seeds_southampton_with_its_scrutiny_panel_and_item_26(seeded):
    from findings.models import Resolution
    from programmes.models import ScrutinyPanel
    from sessions.models import AgendaItem

    southampton = Partnership.objects.get(slug="southampton")
    assert set(Partner.objects.filter(partnership=southampton).values_list("short_name", flat=True)) == {
        "SCC",
        "CCG",
        "HC",
        "HIWFRS",
    }
    panel = ScrutinyPanel.objects.get(partnership=southampton)
    assert panel.name == "Children and Families Scrutiny Panel"
    assert panel.chair.username == "cllr-bevois"
    assert "councillor" in set(panel.members.values_list("username", flat=True))
    assert not panel.members.filter(username="cllr-bargate").exists()  # the cabinet member
    meeting = ChallengeSession.objects.get(programme__partnership=southampton, kind="scrutiny")
    assert (meeting.date, meeting.panel) == (datetime.date(2021, 11, 4), panel)
    item = AgendaItem.objects.get(session=meeting)
    assert (item.number, item.area.name) == ("26", "Children's social care")
    assert {p.display_name for p in item.presenting_officers.all()} == {"Robert Henderson", "Steph Murray", "Jo Feeney"}
    resolution = Resolution.objects.get(agenda_item=item)
    assert "performance trends over a longer period" in resolution.text
    assert (resolution.response, resolution.status) == ("accepted", "in_progress")
    assert resolution.changes.count() == 3
    # The item's KPIs (demo/seed/southampton_data.py): five years, the rates and shares
    # benchmarked nationally and against statistical neighbours, and weekly ones.
    kpis = Indicator.objects.filter(area=item.area)
    assert kpis.filter(frequency="year").count() >= 10 and kpis.filter(frequency="week").exists()
    benchmarked = IndicatorValue.objects.filter(indicator__in=kpis, national__isnull=False, comparator__isnull=False)
    assert {value.period_start.year for value in benchmarked} == {2017, 2018, 2019, 2020, 2021}
    assert Comment.objects.filter(session=meeting, author__username="councillor").exists()


@pytest.mark.django_db
def test_southampton_demo_users(seeded):
    scrutiny = User.objects.get(username="scrutiny")
    councillor = User.objects.get(username="councillor")
    southampton = Partnership.objects.get(slug="southampton")
    assert scrutiny.facilitates_partnership(southampton)
    assert Membership.objects.get(person=councillor, partnership=southampton).is_councillor
    assert not scrutiny.memberships.filter(partnership__slug="salford").exists()
    assert not councillor.memberships.filter(partnership__slug="salford").exists()
    meeting = ChallengeSession.objects.get(programme__partnership=southampton, kind="scrutiny")
    assert ChallengeSession.objects.visible_to(councillor).filter(pk=meeting.pk).exists()
    assert not ChallengeSession.objects.visible_to(councillor).filter(programme__partnership__slug="salford").exists()
    assert "scrutiny" in seeded and "councillor" in seeded
