"""The admin, which only superusers may use: every page loads, question sets that sessions
use stay read-only, a held session keeps its question set, the session workspace (answers,
comments and their history) is shown but never changed, and a final self-evaluation and its
stored PDF are a record nobody changes. Facilitators, even with staff status, are refused."""

import datetime
import decimal

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import AreaSelfEvaluationBuild, DraftComment, SelfEvaluation
from evaluations.services import circulate, comment_on_draft, current_self_evaluation
from findings.models import Action, AssuranceAudit, Finding, Theme
from findings.resolutions import record_resolution
from findings.services import add_action, record_finding
from indicators.models import Indicator, IndicatorValue, Pathway, PathwayStage
from programmes.models import (
    CabinetPortfolio,
    FocusTopic,
    Membership,
    Milestone,
    Partner,
    Partnership,
    Programme,
    Question,
    QuestionSet,
    ScrutinyPanel,
    Section,
    SignOnProvider,
    ThematicArea,
    User,
)
from programmes.people import update_partner
from sessions.models import AgendaItem, ChallengeSession, Participant, SeriesOccurrence, SessionSeries
from sessions.series import new_occurrence
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion, SessionEvent
from workspace.services import close_session, post_comment, reply_to, save_answer

DEFAULT_FAMILY = "caa-challenge-methodology"
OUR_APPS = {"programmes", "indicators", "challenge_sessions", "workspace", "findings", "evaluations"}

# Shown, never added, changed or deleted through the admin: written in the workspace, which
# keeps their history (the history itself is the audit trail), or by a background build.
READ_ONLY_MODELS = {Answer, Comment, SessionEvent, AreaSelfEvaluationBuild}
# Not added through the admin, but changed there: started and written in the app.
NOT_ADDED_MODELS = READ_ONLY_MODELS | {SelfEvaluation, DraftComment, SessionSeries}

BUILD_PDF = b"%PDF-1.7 test"
FINAL_PDF = b"%PDF-1.7 the final version"
HISTORY_INLINES = {AnswerVersion, CommentVersion}

pytestmark = pytest.mark.django_db


def registered_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
        key=lambda model: model._meta.label,
    )


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def default_question_set():
    return QuestionSet.objects.get(family=DEFAULT_FAMILY, version=1, partnership__isnull=True)


def make_world(suffix=""):
    """One of everything, joined up as the app would have it."""
    partnership, _ = Partnership.objects.get_or_create(slug="salford", defaults={"name": "Salford City Partnership"})
    partner = Partner.objects.create(
        partnership=partnership,
        name=f"Salford City Council{suffix}",
        short_name=f"SCC{suffix}",
        kind=Partner.Kind.COUNCIL,
        contact_email="council@example.org",
    )
    other = Partner.objects.create(partnership=partnership, name=f"NHS Salford{suffix}", kind=Partner.Kind.HEALTH)
    lead = User.objects.create_user(
        username=f"lead{suffix}",
        first_name="Lena",
        last_name="Lead",
        job_title="Head of service",
    )
    Membership.objects.create(partnership=partnership, person=lead, partner=partner)
    reviewer = User.objects.create_user(username=f"reviewer{suffix}", first_name="Ravi", last_name="Review")
    Membership.objects.create(partnership=partnership, person=reviewer, partner=other)
    sign_on = SignOnProvider(
        partner=other, issuer="https://login.example/nhs", client_id="challenge", email_domains="nhs.example"
    )
    sign_on.set_client_secret("a-client-secret")
    sign_on.save()
    facilitator = User.objects.create_user(username=f"facilitator{suffix}", first_name="Fay", last_name="Cilitator")
    Membership.objects.create(partnership=partnership, person=facilitator, is_officer=True)
    area = ThematicArea.objects.create(
        partnership=partnership,
        name=f"Children and young people{suffix}",
        slug=f"children{suffix}",
        lead_partner=partner,
        lead_officer=lead,
    )
    FocusTopic.objects.create(area=area, name="Teenage pregnancy")
    programme = Programme.objects.create(
        partnership=partnership,
        name=f"Comprehensive area assessment{suffix}",
        slug=f"caa{suffix}",
        start_date=datetime.date(2009, 4, 1),
        end_date=datetime.date(2009, 10, 31),
        self_evaluation_deadline=datetime.date(2009, 9, 1),
        question_set=default_question_set(),
    )
    programme.areas.add(area)
    programme.facilitators.add(facilitator)
    Milestone.objects.create(programme=programme, title="Formal assessment", date=datetime.date(2009, 10, 1))
    session = ChallengeSession.objects.create(
        programme=programme,
        title=f"Children's services challenge{suffix}",
        date=datetime.date(2009, 6, 10),
        start_time=datetime.time(10),
        end_time=datetime.time(12),
        venue="Civic Centre",
        facilitator=facilitator,
        question_set=default_question_set(),
    )
    session.areas.add(area)
    Participant.objects.create(
        session=session, person=lead, role=Participant.Role.PRESENTER, area=area, partner=partner
    )
    Participant.objects.create(session=session, person=reviewer, role=Participant.Role.REVIEWER, partner=other)

    # The workspace, written as the app writes it, so every kind of history exists.
    question = Question.objects.filter(section__question_set=session.question_set).first()
    save_answer(
        session=session,
        area=area,
        question=question,
        by=lead,
        expected_revision=0,
        text="Teenage pregnancy in Salford has fallen for three years.",
        evidence=[{"title": "Salford observatory", "link": "https://example.org", "reference": ""}],
    )
    thread = post_comment(
        session=session,
        area=area,
        question=question,
        author=reviewer,
        kind=Comment.Kind.CHALLENGE,
        text="How does Salford know the fall will last?",
    )
    reply_to(parent=thread, author=lead, text="The Salford observatory's forecasts.")
    close_session(session=session, by=facilitator)

    indicator = Indicator.objects.create(
        area=area,
        code=f"conceptions{suffix}".replace(" ", "-"),
        name="Under-18 conception rate",
        unit=Indicator.Unit.PER_1000,
        polarity=Indicator.Polarity.LOWER,
        target=decimal.Decimal("40"),
        target_date=datetime.date(2010, 12, 31),
        source="Salford observatory",
    )
    for year, value in [(2006, "52.1"), (2007, "49.8"), (2008, "47.0")]:
        IndicatorValue.objects.create(
            indicator=indicator,
            period_start=datetime.date(year, 1, 1),
            value=decimal.Decimal(value),
            national=decimal.Decimal("41.2"),
        )

    # What the session concluded, and the write-ups built from it.
    theme = Theme.objects.create(programme=programme, name="Partnership involvement")
    finding = record_finding(
        session=session,
        area=area,
        by=facilitator,
        kind=Finding.Kind.STRENGTH,
        title="Salford's teenage pregnancy rate keeps falling",
        text="Three years of falls, with the observatory's forecasts behind them.",
        themes=[theme],
        evidence_answers=Answer.objects.filter(session=session, area=area),
        evidence_comments=[thread],
    )
    add_action(
        finding=finding,
        description="Publish the Salford observatory's forecast method",
        owner=lead,
        due_date=datetime.date(2009, 12, 1),
    )
    # An assurance audit of the area with a finding, and the area's pathway with a stage.
    audit = AssuranceAudit.objects.create(
        area=area,
        title=f"Salford casework audit{suffix}",
        audited_on=datetime.date(2009, 5, 1),
        auditor="Quality assurance team",
        sample_size=12,
        grading=AssuranceAudit.Grading.GOOD,
        created_by=facilitator,
    )
    Finding.objects.create(
        audit=audit, area=area, created_by=facilitator, kind=Finding.Kind.STRENGTH, title="Plans on time", text="Yes."
    )
    pathway = Pathway.objects.create(area=area)
    PathwayStage.objects.create(pathway=pathway, name="Contact", position=1, volume_indicator=indicator)
    # A stretch-and-challenge series with one occurrence (sessions/series.py makes them).
    series = SessionSeries.objects.create(
        programme=programme,
        area=area,
        title=f"Salford weekly stretch and challenge{suffix}",
        service_lead=lead,
        facilitator=facilitator,
        weekday=SessionSeries.Weekday.MONDAY,
        start_time=datetime.time(9),
        end_time=datetime.time(9, 30),
        starts_on=datetime.date(2009, 6, 1),
        count=1,
    )
    series.indicators.set([indicator])
    new_occurrence(series, datetime.date(2009, 6, 1))
    self_evaluation = circulate(self_evaluation=current_self_evaluation(programme=programme, area=area), by=facilitator)
    comment_on_draft(self_evaluation=self_evaluation, author=reviewer, text="Salford's health partners agree.")
    AreaSelfEvaluationBuild.objects.create(
        programme=programme,
        requested_by=facilitator,
        status=AreaSelfEvaluationBuild.Status.READY,
        progress=100,
        step="Done",
        finished_at=datetime.datetime(2009, 9, 1, 12, tzinfo=datetime.UTC),
        pdf=BUILD_PDF,
        pdf_sha256=SelfEvaluation.digest(BUILD_PDF),
    )

    # Scrutiny: a panel, a cabinet portfolio, a meeting's agenda item and its resolution.
    panel = ScrutinyPanel.objects.create(partnership=partnership, name=f"Salford scrutiny panel{suffix}", chair=lead)
    panel.members.add(lead)
    portfolio = CabinetPortfolio.objects.create(
        partnership=partnership, title=f"Cabinet Member for Salford's children{suffix}", holder=reviewer
    )
    portfolio.areas.add(area)
    meeting = ChallengeSession.objects.create(
        programme=programme,
        kind=ChallengeSession.Kind.SCRUTINY,
        panel=panel,
        title=f"Salford scrutiny{suffix}",
        date=datetime.date(2009, 7, 10),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        facilitator=facilitator,
        question_set=default_question_set(),
    )
    meeting.areas.add(area)
    item = AgendaItem.objects.create(session=meeting, number="1", title=f"Salford children{suffix}", area=area)
    record_resolution(
        item=item,
        by=facilitator,
        kind="resolution",
        text="Salford's panel asks for five years of data.",
        owner=lead,
        response_due=datetime.date(2009, 9, 1),
    )
    return session


@pytest.fixture
def world():
    return make_world()


def test_every_model_of_ours_is_registered():
    registered = {model._meta.label for model in registered_models()}
    assert {
        "programmes.Partnership",
        "programmes.Partner",
        "programmes.Membership",
        "programmes.User",
        "programmes.ThematicArea",
        "programmes.Programme",
        "programmes.Milestone",
        "programmes.QuestionSet",
        "programmes.Section",
        "programmes.Question",
        "programmes.SignOnProvider",
        "challenge_sessions.ChallengeSession",
        "challenge_sessions.Participant",
        "workspace.Answer",
        "workspace.Comment",
        "workspace.SessionEvent",
        "indicators.Indicator",
        "findings.Theme",
        "findings.Finding",
        "findings.Action",
        "evaluations.SelfEvaluation",
        "evaluations.DraftComment",
        "evaluations.AreaSelfEvaluationBuild",
        "programmes.ScrutinyPanel",
        "programmes.CabinetPortfolio",
        "challenge_sessions.AgendaItem",
        "findings.Resolution",
    } <= registered


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_load(admin_client, world, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200
    expected_add = 403 if model in NOT_ADDED_MODELS else 200
    assert admin_client.get(admin_url(model, "add")).status_code == expected_add
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the test data has no {model._meta.label}"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_changelist_search_finds_things(admin_client, world, model):
    response = admin_client.get(admin_url(model, "changelist"), {"q": "Salford"})
    assert response.status_code == 200


def test_changelists_do_not_query_per_row(admin_client, world):
    """list_select_related and annotations keep each changelist's query count flat."""

    def counts():
        result = {}
        for model in registered_models():
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.get(admin_url(model, "changelist"))
            assert response.status_code == 200
            assert response.context["cl"].result_count, f"no {model._meta.label} listed"
            result[model._meta.label] = len(queries)
        return result

    before = counts()
    for n in range(3):
        make_world(suffix=f" {n}")
    assert counts() == before


def test_autocomplete_targets_answer(admin_client, world):
    """The person and session pickers on participants search the user and session admins."""
    url = reverse("admin:autocomplete")
    for field, name in [("person", "Lena"), ("session", "Children")]:
        response = admin_client.get(
            url,
            {
                "app_label": "challenge_sessions",
                "model_name": "participant",
                "field_name": field,
                "term": name,
            },
        )
        assert response.status_code == 200
        assert response.json()["results"], field


# --- Frozen question sets ----------------------------------------------------------------


def question_set_post(question_set, **changes):
    data = {
        "name": question_set.name,
        "family": question_set.family,
        "version": question_set.version,
        "description": question_set.description,
        "created_at_0": "2025-01-01",
        "created_at_1": "10:00:00",
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_used_question_set_is_read_only(admin_client, world, rf, admin_user):
    used = default_question_set()
    assert used.is_frozen
    url = admin_url(QuestionSet, "change", used.pk)

    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"frozen" in page.content
    assert b'name="name"' not in page.content  # shown, not editable
    assert b'name="_save"' not in page.content

    response = admin_client.post(url, question_set_post(used, name="Tampered"))
    assert response.status_code == 403
    used.refresh_from_db()
    assert used.name == "CAA challenge methodology"

    request = rf.get(url)
    request.user = admin_user
    model_admin = admin.site._registry[QuestionSet]
    assert not model_admin.has_change_permission(request, used)
    assert not model_admin.has_delete_permission(request, used)
    assert model_admin.has_view_permission(request, used)
    assert model_admin.has_change_permission(request)  # the changelist still works

    section = used.sections.first()
    question = section.questions.first()
    for model, obj in [(Section, section), (Question, question)]:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.has_delete_permission(request, obj)
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.post(admin_url(Section, "change", section.pk), {}).status_code == 403
    assert admin_client.post(admin_url(Question, "change", question.pk), {}).status_code == 403
    assert admin_client.post(admin_url(Section, "delete", section.pk), {"post": "yes"}).status_code == 403
    assert Section.objects.filter(pk=section.pk).exists()


@pytest.mark.parametrize("model", [QuestionSet, Section, Question], ids=lambda m: m.__name__)
def test_delete_selected_spares_a_used_question_set(admin_client, world, model):
    used = default_question_set()
    objs = {
        QuestionSet: QuestionSet.objects.filter(pk=used.pk),
        Section: used.sections.all(),
        Question: Question.objects.filter(section__question_set=used),
    }[model]
    pks = list(objs.values_list("pk", flat=True))
    response = admin_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert response.status_code == 200  # the "cannot delete" page, not a redirect
    assert model.objects.filter(pk__in=pks).count() == len(pks)


def test_an_unused_question_set_can_be_changed(admin_client, world):
    draft = QuestionSet.objects.create(family="draft-methodology", name="Draft")
    assert not draft.is_frozen
    url = admin_url(QuestionSet, "change", draft.pk)

    page = admin_client.get(url)
    assert b'name="name"' in page.content

    response = admin_client.post(url, question_set_post(draft, name="Renamed"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.name == "Renamed"


def test_new_sections_and_questions_only_go_into_unused_sets(admin_client, world):
    draft = QuestionSet.objects.create(family="draft-methodology", name="Draft")
    section = Section.objects.create(question_set=draft, title="Draft section")

    form = admin_client.get(admin_url(Section, "add")).context["adminform"].form
    assert list(form.fields["question_set"].queryset) == [draft]
    form = admin_client.get(admin_url(Question, "add")).context["adminform"].form
    assert list(form.fields["section"].queryset) == [section]


def test_make_a_new_version_action(admin_client, world):
    original = default_question_set()
    questions = Question.objects.filter(section__question_set=original)
    before = list(questions.order_by("pk").values_list("pk", "text", "section__title"))
    assert before

    response = admin_client.post(
        admin_url(QuestionSet, "changelist"),
        {"action": "make_new_version", "_selected_action": [original.pk]},
        follow=True,
    )
    assert response.status_code == 200

    copy = QuestionSet.objects.get(family=DEFAULT_FAMILY, version=2)
    assert copy.based_on == original
    assert not copy.is_frozen
    assert Question.objects.filter(section__question_set=copy).count() == len(before)
    assert copy.sections.count() == original.sections.count()

    original.refresh_from_db()
    assert original.version == 1
    assert original.name == "CAA challenge methodology"
    assert list(questions.order_by("pk").values_list("pk", "text", "section__title")) == before

    change_url = admin_url(QuestionSet, "change", copy.pk)
    messages = [str(m) for m in response.context["messages"]]
    assert any(change_url in m and "version 2" in m for m in messages), messages
    assert admin_client.get(change_url).status_code == 200


# --- Sessions ------------------------------------------------------------------------------


def test_session_admin_explains_it_bypasses_the_rules(admin_client, world):
    page = admin_client.get(admin_url(ChallengeSession, "change", world.pk))
    assert b"skip the scheduling rules" in page.content


def test_an_admin_edit_bumps_the_session_revision(admin_client, world):
    session = world
    participants = list(session.participants.order_by("pk"))
    data = {
        "programme": session.programme_id,
        "title": "Renamed session",
        "status": session.status,
        "facilitator": session.facilitator_id,
        "question_set": session.question_set_id,
        "date": "2009-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": session.venue,
        "meeting_link": "",
        "areas": [a.pk for a in session.areas.all()],
        "notes": "",
        "participants-TOTAL_FORMS": str(len(participants)),
        "participants-INITIAL_FORMS": str(len(participants)),
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
    }
    for i, p in enumerate(participants):
        data |= {
            f"participants-{i}-id": p.pk,
            f"participants-{i}-session": session.pk,
            f"participants-{i}-person": p.person_id,
            f"participants-{i}-role": p.role,
            f"participants-{i}-area": p.area_id or "",
        }
    response = admin_client.post(admin_url(ChallengeSession, "change", session.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    before_revision, before_sequence = session.revision, session.sequence
    session.refresh_from_db()
    assert session.title == "Renamed session"
    assert session.revision == before_revision + 1
    assert session.sequence == before_sequence + 1


def test_session_admin_refuses_a_date_outside_the_programme(admin_client, world):
    session = world
    data = {
        "programme": session.programme_id,
        "title": session.title,
        "status": session.status,
        "facilitator": session.facilitator_id,
        "question_set": session.question_set_id,
        "date": "2010-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "areas": [a.pk for a in session.areas.all()],
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
    }
    response = admin_client.post(admin_url(ChallengeSession, "change", session.pk), data)
    assert response.status_code == 200
    assert "date" in response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.date == datetime.date(2009, 6, 10)


def test_session_admin_refuses_an_area_the_programme_does_not_review(admin_client, world):
    """The admin runs the service's own check of the record (sessions.services.session_record_errors)."""
    session = world
    elsewhere = make_world(suffix="-b").areas.get()
    data = {
        "programme": session.programme_id,
        "title": session.title,
        "status": session.status,
        "facilitator": session.facilitator_id,
        "question_set": session.question_set_id,
        "date": "2009-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "areas": [elsewhere.pk],
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
    }
    response = admin_client.post(admin_url(ChallengeSession, "change", session.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["areas"] == [
        f"{elsewhere.name} is not under review in this programme."
    ]
    assert list(session.areas.values_list("pk", flat=True)) != [elsewhere.pk]


@pytest.mark.parametrize(
    "role,area,error",
    [
        ("presenter", None, "Choose the area this presenter presents."),
        ("presenter", "elsewhere", "Children and young people-b is not covered by this session."),
        ("observer", "own", "Only presenters present an area."),
    ],
)
def test_participant_admin_refuses_what_the_service_refuses_of_a_part(admin_client, world, role, area, error):
    session = world
    areas = {"own": session.areas.get().pk, "elsewhere": make_world(suffix="-b").areas.get().pk, None: ""}
    person = User.objects.create_user(username="newcomer", first_name="New", last_name="Comer")
    response = admin_client.post(
        admin_url(Participant, "add"), {"session": session.pk, "person": person.pk, "role": role, "area": areas[area]}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["area"] == [error]
    assert not Participant.objects.filter(person=person).exists()


def _new_person(partnership, partner, **membership):
    data = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": "a-long-Unguessable-passphrase-42",
        "password2": "a-long-Unguessable-passphrase-42",
        "first_name": "Nia",
        "last_name": "Newcomer",
        "email": "nia@example.org",
        "job_title": "Analyst",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-partnership": partnership.pk,
        "memberships-0-partner": partner.pk,
        "memberships-0-is_active": "on",
    }
    data.update({f"memberships-0-{name}": value for name, value in membership.items()})
    return data


def test_adding_a_person_sets_their_organisation_in_a_partnership(admin_client, world):
    partner = Partner.objects.get(name="Salford City Council")
    response = admin_client.post(admin_url(User, "add"), _new_person(partner.partnership, partner, is_officer="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(username="newcomer")
    assert person.job_title == "Analyst" and person.get_full_name() == "Nia Newcomer"
    membership = person.memberships.get()
    assert (membership.partnership, membership.partner, membership.is_officer, membership.is_facilitator) == (
        partner.partnership,
        partner,
        True,
        False,
    )


def test_a_person_cannot_work_for_another_partnerships_partner(admin_client, world):
    elsewhere = Partnership.objects.create(name="Southampton Partnership", slug="southampton")
    partner = Partner.objects.get(name="Salford City Council")
    response = admin_client.post(admin_url(User, "add"), _new_person(elsewhere, partner))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0]["partner"] == ["The organisation must be one of this partnership's partners."]
    assert not User.objects.filter(username="newcomer").exists()


def test_a_new_partnership_gets_its_own_copy_of_the_standard_question_set(admin_client, world):
    response = admin_client.post(
        admin_url(Partnership, "add"),
        {
            "name": "Southampton Partnership",
            "slug": "southampton",
            "description": "",
            "partners-TOTAL_FORMS": "1",
            "partners-INITIAL_FORMS": "0",
            "partners-MIN_NUM_FORMS": "0",
            "partners-MAX_NUM_FORMS": "1000",
            "partners-0-name": "Southampton City Council",
            "partners-0-short_name": "SCC",
            "partners-0-kind": "council",
            "partners-0-contact_email": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    southampton = Partnership.objects.get(slug="southampton")
    assert list(southampton.partners.values_list("name", flat=True)) == ["Southampton City Council"]
    copy = QuestionSet.objects.get(partnership=southampton)
    standard = default_question_set()
    assert (copy.family, copy.version) == (standard.family, standard.version) and copy.pk != standard.pk
    assert [
        q.text for q in Question.objects.filter(section__question_set=copy).order_by("section__position", "position")
    ] == [
        q.text
        for q in Question.objects.filter(section__question_set=standard).order_by("section__position", "position")
    ]


# --- The session workspace -------------------------------------------------------------------


def test_session_admin_shows_who_closed_it(admin_client, world):
    page = admin_client.get(admin_url(ChallengeSession, "change", world.pk))
    assert page.status_code == 200
    assert world.closed_at is not None
    assert "closed_at" in page.context["adminform"].readonly_fields
    assert "closed_by" in page.context["adminform"].readonly_fields
    assert "Fay Cilitator" in page.content.decode()
    assert 'name="closed_at"' not in page.content.decode()


@pytest.mark.parametrize(
    "model, term, found",
    [
        (Answer, "three years", 1),
        (Comment, "fall will last", 1),
        (Comment, "Ravi", 1),  # the author's first name
        (Comment, "Review", 1),  # last name
        (Comment, "Lena", 1),  # the reply's author
        (Comment, "observatory", 1),
        (SessionEvent, "Children's services", 1),
    ],
)
def test_workspace_search_finds_things(admin_client, world, model, term, found):
    response = admin_client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert response.context["cl"].result_count == found


@pytest.mark.parametrize("model", sorted(READ_ONLY_MODELS, key=str), ids=lambda m: m.__name__)
def test_workspace_records_are_read_only(admin_client, world, rf, admin_user, model):
    obj = model.objects.order_by("pk").first()
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.has_view_permission(request, obj)

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert admin_url(model, "add") not in changelist.content.decode()
    assert not changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)

    url = admin_url(model, "change", obj.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Shown read-only" in content
    assert 'name="_save"' not in content
    assert admin_url(model, "delete", obj.pk) not in content

    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    assert admin_client.post(url, {"text": "Tampered", "note": "Tampered"}).status_code == 403
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "add"), {"text": "Forged"}).status_code == 403
    delete_url = admin_url(model, "delete", obj.pk)
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=obj.pk).exists(), response.status_code
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before


def test_history_inlines_are_read_only(admin_client, world, rf, admin_user):
    answer = Answer.objects.get(session=world)
    comment = Comment.objects.threads().get(session=world)
    request = rf.get("/")
    request.user = admin_user
    seen = set()
    for model, obj in [(Answer, answer), (Comment, comment)]:
        for inline in admin.site._registry[model].get_inline_instances(request, obj):
            seen.add(inline.model)
            assert not inline.has_add_permission(request, obj), inline
            assert not inline.has_change_permission(request, obj), inline
            assert not inline.has_delete_permission(request, obj), inline
    assert HISTORY_INLINES | {Comment} <= seen  # Comment: the replies

    page = admin_client.get(admin_url(Answer, "change", answer.pk)).content.decode()
    assert "fallen for three years" in page  # the answer and its version
    assert 'name="versions-0-text"' not in page  # shown, not editable
    assert 'name="versions-MAX_NUM_FORMS" value="0"' in page  # no rows can be added

    page = admin_client.get(admin_url(Comment, "change", comment.pk)).content.decode()
    assert "The Salford observatory&#x27;s forecasts." in page  # the reply
    assert "Posted" in page  # its history
    assert 'name="replies-0-text"' not in page
    assert 'name="versions-0-text"' not in page
    assert 'name="replies-MAX_NUM_FORMS" value="0"' in page
    assert 'name="versions-MAX_NUM_FORMS" value="0"' in page

    # Nothing the change pages could post would reach the history.
    assert admin_client.post(admin_url(Answer, "change", answer.pk), {}).status_code == 403
    assert AnswerVersion.objects.filter(answer=answer).count() == 1
    assert CommentVersion.objects.filter(comment__session=world).count() == 2


def test_a_session_with_a_workspace_record_cannot_be_deleted_in_the_admin(admin_client, world):
    """Deleting a session would delete its answers, comments and history, which the admin
    may not delete: the admin refuses rather than lose the audit trail. (A session with
    findings is refused before that: findings protect their session.)"""
    url = admin_url(ChallengeSession, "delete", world.pk)
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the "cannot delete" page
    assert response.context["protected"]
    assert ChallengeSession.objects.filter(pk=world.pk).exists()

    Finding.objects.filter(session=world).delete()
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 403
    assert ChallengeSession.objects.filter(pk=world.pk).exists()
    assert SessionEvent.objects.filter(session=world).exists()


# --- Findings and self-evaluations -------------------------------------------------------------


def finalise_by_hand(self_evaluation, by, pdf=FINAL_PDF):
    """Final as `services.finalise` leaves it (the check constraint wants the PDF and the time),
    without rendering a PDF."""
    SelfEvaluation.objects.filter(pk=self_evaluation.pk).update(
        status=SelfEvaluation.Status.FINAL,
        pdf=pdf,
        pdf_sha256=SelfEvaluation.digest(pdf),
        finalised_at=datetime.datetime(2009, 9, 1, 9, tzinfo=datetime.UTC),
        finalised_by=by,
    )
    self_evaluation.refresh_from_db()
    return self_evaluation


def stored(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_final_self_evaluation_is_a_record(admin_client, world, rf, admin_user):
    se = finalise_by_hand(SelfEvaluation.objects.get(programme=world.programme), world.facilitator)
    comment = DraftComment.objects.get(self_evaluation=se)
    before, comment_before = stored(se), stored(comment)

    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[SelfEvaluation]
    assert not model_admin.has_change_permission(request, se)
    assert not model_admin.has_delete_permission(request, se)
    assert model_admin.has_view_permission(request, se)
    assert model_admin.has_change_permission(request)  # the changelist still works
    for inline in model_admin.get_inline_instances(request, se):
        assert not inline.has_add_permission(request, se), inline
        assert not inline.has_change_permission(request, se), inline
        assert not inline.has_delete_permission(request, se), inline
    comment_admin = admin.site._registry[DraftComment]
    assert not comment_admin.has_change_permission(request, comment)
    assert not comment_admin.has_delete_permission(request, comment)

    url = admin_url(SelfEvaluation, "change", se.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "this version is the record" in content
    assert 'name="_save"' not in content
    assert 'name="introduction"' not in content
    assert 'name="draft_comments-0-text"' not in content
    assert admin_url(SelfEvaluation, "delete", se.pk) not in content
    assert se.pdf_sha256 in content
    assert f"{len(FINAL_PDF)} bytes" in content
    assert "the final version" not in content  # the PDF's bytes are never shown
    assert reverse("self_evaluation_pdf", args=[se.pk]) in content

    post = {
        "introduction": "Tampered",
        "conclusion": "Tampered",
        "status": "draft",
        "pdf": "forged",
        "pdf_sha256": "0" * 64,
        "draft_comments-TOTAL_FORMS": "1",
        "draft_comments-INITIAL_FORMS": "1",
        "draft_comments-MIN_NUM_FORMS": "0",
        "draft_comments-MAX_NUM_FORMS": "1000",
        "draft_comments-0-id": comment.pk,
        "draft_comments-0-self_evaluation": se.pk,
        "draft_comments-0-text": "Tampered",
        "draft_comments-0-DELETE": "on",
    }
    assert admin_client.post(url, post).status_code == 403
    delete_url = admin_url(SelfEvaluation, "delete", se.pk)
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        admin_url(SelfEvaluation, "changelist"),
        {"action": "delete_selected", "_selected_action": [se.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the "cannot delete" page, not a redirect

    comment_url = admin_url(DraftComment, "change", comment.pk)
    assert admin_client.get(comment_url).status_code == 200
    assert admin_client.post(comment_url, {"text": "Tampered"}).status_code == 403
    delete_url = admin_url(DraftComment, "delete", comment.pk)
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        admin_url(DraftComment, "changelist"),
        {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"},
    )
    assert response.status_code == 200

    assert stored(se) == before
    assert bytes(before["pdf"]) == FINAL_PDF
    assert stored(comment) == comment_before


def test_a_draft_self_evaluation_changes_only_its_texts(admin_client, world):
    se = SelfEvaluation.objects.get(programme=world.programme)
    comment = DraftComment.objects.get(self_evaluation=se)
    url = admin_url(SelfEvaluation, "change", se.pk)
    content = admin_client.get(url).content.decode()
    assert 'name="introduction"' in content
    assert 'name="pdf' not in content  # neither the bytes nor their SHA-256 are fields
    assert "No PDF stored" in content

    response = admin_client.post(
        url,
        {
            "introduction": "Salford's partners reviewed this.",
            "conclusion": "",
            "status": "final",
            "version": "7",
            "pdf": "forged",
            "pdf_sha256": "0" * 64,
            "draft_comments-TOTAL_FORMS": "1",
            "draft_comments-INITIAL_FORMS": "1",
            "draft_comments-MIN_NUM_FORMS": "0",
            "draft_comments-MAX_NUM_FORMS": "1000",
            "draft_comments-0-id": comment.pk,
            "draft_comments-0-self_evaluation": se.pk,
            "draft_comments-0-text": comment.text,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision = se.revision
    se.refresh_from_db()
    assert se.introduction == "Salford's partners reviewed this."
    assert se.revision == revision + 1  # an edit open in the app is now stale
    assert (se.status, se.version, se.pdf, se.pdf_sha256) == (
        SelfEvaluation.Status.CIRCULATED,
        1,
        None,
        "",
    )


def test_the_admin_saves_texts_through_the_service_and_never_into_a_final_version(rf, admin_user, world):
    """Finalised between the admin reading the version and saving it: the service refuses, and
    the version keeps what it was finalised with."""
    se = SelfEvaluation.objects.get(programme=world.programme)
    model_admin = admin.site._registry[SelfEvaluation]
    request = rf.post("/")
    request.user = admin_user
    obj = model_admin.get_object(request, str(se.pk))
    form = model_admin.get_form(request, obj, change=True)({"introduction": "Too late", "conclusion": ""}, instance=obj)
    assert form.is_valid(), form.errors
    finalise_by_hand(SelfEvaluation.objects.get(pk=se.pk), world.facilitator)
    with pytest.raises(PermissionDenied, match="A final self-evaluation does not change"):
        model_admin.save_model(request, form.save(commit=False), form, change=True)
    assert SelfEvaluation.objects.get(pk=se.pk).introduction == se.introduction


def test_a_build_shows_its_pdf_size_and_digest_not_its_bytes(admin_client, world):
    build = AreaSelfEvaluationBuild.objects.get(programme=world.programme)
    content = admin_client.get(admin_url(AreaSelfEvaluationBuild, "change", build.pk)).content
    assert SelfEvaluation.digest(BUILD_PDF).encode() in content
    assert f"{len(BUILD_PDF)} bytes".encode() in content
    assert BUILD_PDF not in content
    assert reverse("area_build_pdf", args=[build.pk]).encode() in content


def test_changelists_never_load_the_stored_pdfs(admin_client, world):
    """The lists show each PDF's size, computed in the database: the bytes stay there, and
    the query count stays flat as final versions pile up."""
    pdf_models = [SelfEvaluation, DraftComment, AreaSelfEvaluationBuild]

    def counts():
        result = {}
        for model in pdf_models:
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.get(admin_url(model, "changelist"))
            assert response.status_code == 200
            for query in queries.captured_queries:
                sql = query["sql"].replace('LENGTH("evaluations_selfevaluation"."pdf")', "")
                sql = sql.replace('LENGTH("evaluations_areaselfevaluationbuild"."pdf")', "")
                assert '."pdf"' not in sql, sql
            result[model._meta.label] = (len(queries), response.context["cl"].result_count)
        return result

    finalise_by_hand(SelfEvaluation.objects.get(programme=world.programme), world.facilitator)
    before = counts()
    for n in range(3):
        session = make_world(suffix=f" {n}")
        finalise_by_hand(
            SelfEvaluation.objects.get(programme=session.programme),
            session.facilitator,
            pdf=FINAL_PDF * 1000,
        )
    after = counts()
    assert {k: n for k, (n, _) in after.items()} == {k: n for k, (n, _) in before.items()}
    assert all(after[k][1] == 4 * before[k][1] for k in before)


def finding_post(finding, **changes):
    actions = list(finding.actions.order_by("pk"))
    data = {
        "session": finding.session_id,
        "area": finding.area_id,
        "kind": finding.kind,
        "title": finding.title,
        "text": finding.text,
        "themes": [t.pk for t in finding.themes.all()],
        "evidence_answers": [a.pk for a in finding.evidence_answers.all()],
        "evidence_comments": [c.pk for c in finding.evidence_comments.all()],
        "actions-TOTAL_FORMS": str(len(actions)),
        "actions-INITIAL_FORMS": str(len(actions)),
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for i, a in enumerate(actions):
        data |= {
            f"actions-{i}-id": a.pk,
            f"actions-{i}-finding": finding.pk,
            f"actions-{i}-description": a.description,
            f"actions-{i}-owner": a.owner_id,
            f"actions-{i}-due_date": a.due_date.isoformat(),
            f"actions-{i}-status": a.status,
        }
    data.update(changes)
    return data


def test_a_finding_edit_keeps_its_evidence_to_its_session_and_bumps_its_revision(admin_client, world):
    finding = Finding.objects.get(session=world)
    other = make_world(suffix=" elsewhere")
    url = admin_url(Finding, "change", finding.pk)

    page = admin_client.get(url).content.decode()
    assert "Partnership involvement" in page
    for name, foreign in [
        ("evidence_answers", [Answer.objects.get(session=other).pk]),
        ("evidence_comments", [Comment.objects.filter(session=other).first().pk]),
        ("themes", [Theme.objects.get(programme=other.programme).pk]),
        ("area", other.areas.get().pk),
    ]:
        response = admin_client.post(url, finding_post(finding, **{name: foreign}))
        assert response.status_code == 200, name
        assert response.context["adminform"].form.errors[name], name

    response = admin_client.post(url, finding_post(finding, title="Renamed finding"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision = finding.revision
    finding.refresh_from_db()
    assert finding.title == "Renamed finding"
    assert finding.revision == revision + 1
    assert finding.evidence_answers.count() == 1


def test_an_action_added_in_the_admin_records_its_owners_organisation(admin_client, world):
    finding = Finding.objects.get(session=world)
    lead = User.objects.get(username="lead")
    response = admin_client.post(
        admin_url(Action, "add"),
        {
            "finding": finding.pk,
            "description": "Share the forecasts with Salford's schools",
            "owner": lead.pk,
            "due_date": "2010-01-31",
            "status": Action.Status.NOT_STARTED,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    action = Action.objects.get(description__startswith="Share the forecasts")
    assert action.owner_partner == lead.partner_in(world.programme.partnership)

    facilitator = world.facilitator  # works for no partner organisation
    response = admin_client.post(
        admin_url(Action, "change", action.pk),
        {
            "finding": finding.pk,
            "description": action.description,
            "owner": facilitator.pk,
            "due_date": "2010-01-31",
            "status": Action.Status.NOT_STARTED,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["owner"]


def test_evidence_pickers_search_answers_and_comments(admin_client, world):
    url = reverse("admin:autocomplete")
    for field, term in [("evidence_answers", "three years"), ("evidence_comments", "Salford")]:
        response = admin_client.get(
            url,
            {"app_label": "findings", "model_name": "finding", "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert response.json()["results"], field


# --- Who may use the admin: administrators only ------------------------------------------------
#
# The model admins give whole-table rights, with no idea whose programme a row belongs to, so
# a facilitator in the admin could take over any programme. Only superusers may use it, whatever
# staff status or permissions anyone else has.

FACILITATOR_ADMIN_PERMISSIONS = [
    # What the Facilitators group used to carry (programmes.services.FACILITATOR_PERMISSIONS,
    # now removed: facilitators need no group and no staff status).
    ("programmes", "view_programme"),
    ("programmes", "change_programme"),
    ("programmes", "add_programme"),
    ("programmes", "view_partner"),
    ("programmes", "change_partner"),
    ("programmes", "view_user"),
    ("challenge_sessions", "view_challengesession"),
    ("challenge_sessions", "change_challengesession"),
    ("challenge_sessions", "view_participant"),
    ("challenge_sessions", "add_participant"),
]


@pytest.fixture
def staff_facilitator(world):
    """The facilitator of another programme, with staff status and every admin permission
    the Facilitators group used to give."""
    from django.contrib.auth.models import Permission

    other = make_world(suffix=" elsewhere")
    facilitator = other.facilitator
    facilitator.is_staff = True
    facilitator.save()
    facilitator.user_permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in FACILITATOR_ADMIN_PERMISSIONS
    )
    return User.objects.get(pk=facilitator.pk)  # without the cached permissions


def assert_sent_to_admin_sign_in(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_a_staff_facilitator_is_refused_by_the_admin(client, world, staff_facilitator):
    client.force_login(staff_facilitator)
    assert staff_facilitator.has_perm("programmes.change_programme")  # and still refused
    for url in [
        reverse("admin:index"),
        admin_url(Programme, "changelist"),
        admin_url(Programme, "change", world.programme.pk),
        admin_url(Participant, "add"),
        admin_url(Answer, "changelist"),
    ]:
        assert_sent_to_admin_sign_in(client.get(url))


def test_a_staff_facilitator_cannot_take_over_another_programme(client, world, staff_facilitator):
    """The attacks from the review: add themselves as facilitator, add themselves as a
    participant to read the answers, redirect a partner's e-mails, change a held session's
    question set. Each is refused and the database is unchanged."""
    programme, session = world.programme, world
    partner = Partner.objects.get(name="Salford City Council")
    other_set = QuestionSet.objects.create(family="other-methodology", name="Other")
    before = (
        set(programme.facilitators.values_list("pk", flat=True)),
        Participant.objects.count(),
        partner.contact_email,
        session.question_set_id,
    )
    client.force_login(staff_facilitator)

    assert_sent_to_admin_sign_in(
        client.post(
            admin_url(Programme, "change", programme.pk),
            {
                "name": programme.name,
                "slug": programme.slug,
                "start_date": "2009-04-01",
                "end_date": "2009-10-31",
                "question_set": programme.question_set_id,
                "areas": [a.pk for a in programme.areas.all()],
                "facilitators": [staff_facilitator.pk, *before[0]],
                "milestones-TOTAL_FORMS": "0",
                "milestones-INITIAL_FORMS": "0",
            },
        )
    )
    assert_sent_to_admin_sign_in(
        client.post(
            admin_url(Participant, "add"),
            {"session": session.pk, "person": staff_facilitator.pk, "role": "observer"},
        )
    )
    assert_sent_to_admin_sign_in(
        client.post(
            admin_url(Partner, "change", partner.pk),
            {"name": partner.name, "kind": partner.kind, "contact_email": "attacker@example.org"},
        )
    )
    assert_sent_to_admin_sign_in(
        client.post(
            admin_url(ChallengeSession, "change", session.pk),
            {"programme": programme.pk, "title": session.title, "question_set": other_set.pk},
        )
    )

    partner.refresh_from_db()
    session.refresh_from_db()
    assert (
        set(programme.facilitators.values_list("pk", flat=True)),
        Participant.objects.count(),
        partner.contact_email,
        session.question_set_id,
    ) == before
    assert staff_facilitator.pk not in before[0]


def test_the_admin_refuses_every_non_superuser(rf, world):
    from django.contrib.auth.models import AnonymousUser

    staff = User.objects.create_user(username="staff", is_staff=True)
    superuser = User.objects.create_user(username="root", is_staff=True, is_superuser=True)
    inactive_superuser = User.objects.create_user(username="gone", is_staff=True, is_superuser=True, is_active=False)
    request = rf.get("/admin/")
    for user, allowed in [
        (AnonymousUser(), False),
        (staff, False),
        (world.facilitator, False),
        (inactive_superuser, False),
        (superuser, True),
    ]:
        request.user = user
        assert admin.site.has_permission(request) is allowed, user


def test_a_superuser_still_uses_the_admin(admin_client, world):
    page = admin_client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert admin_url(Programme, "changelist") in page.content.decode()
    change = admin_client.get(admin_url(Programme, "change", world.programme.pk))
    assert change.status_code == 200
    assert 'name="facilitators"' in change.content.decode()


def test_the_administration_link_is_shown_to_superusers_only(client, admin_user, world):
    staff = User.objects.create_user(username="staff", is_staff=True)
    admin_link = f'href="{reverse("admin:index")}"'
    for user, shown in [(staff, False), (world.facilitator, False), (admin_user, True)]:
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert (admin_link in page) is shown, user
        assert ("Administration" in page) is shown, user


# --- A held session keeps its question set ------------------------------------------------------


def test_the_admin_shows_a_held_sessions_question_set_read_only(admin_client, world):
    session = world  # closed, with answers and comments
    other_set = QuestionSet.objects.create(family="other-methodology", name="Other")
    url = admin_url(ChallengeSession, "change", session.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "question_set" in page.context["adminform"].readonly_fields
    assert 'name="question_set"' not in page.content.decode()

    participants = list(session.participants.order_by("pk"))
    data = {
        "programme": session.programme_id,
        "title": session.title,
        "status": session.status,
        "facilitator": session.facilitator_id,
        "question_set": other_set.pk,  # not a field of the form: ignored
        "date": "2009-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": session.venue,
        "meeting_link": "",
        "areas": [a.pk for a in session.areas.all()],
        "notes": "",
        "participants-TOTAL_FORMS": str(len(participants)),
        "participants-INITIAL_FORMS": str(len(participants)),
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
    }
    for i, p in enumerate(participants):
        data |= {
            f"participants-{i}-id": p.pk,
            f"participants-{i}-session": session.pk,
            f"participants-{i}-person": p.person_id,
            f"participants-{i}-role": p.role,
            f"participants-{i}-area": p.area_id or "",
        }
    admin_client.post(url, data)
    session.refresh_from_db()
    assert session.question_set == default_question_set()
    assert Answer.objects.filter(session=session).exists()


def test_the_admin_still_offers_the_question_set_of_a_session_with_nothing_in_it(admin_client, world):
    fresh = ChallengeSession.objects.create(
        programme=world.programme,
        title="Not yet held",
        date=datetime.date(2009, 7, 1),
        start_time=datetime.time(10),
        end_time=datetime.time(12),
        facilitator=world.facilitator,
        question_set=default_question_set(),
    )
    page = admin_client.get(admin_url(ChallengeSession, "change", fresh.pk))
    assert 'name="question_set"' in page.content.decode()


# --- Admin edits bump the revision -------------------------------------------------------------
#
# A record edited in the app carries a `revision` (challenge/editing.py): a form opened in the
# app before an administrator's change must then be refused as stale, not silently overwrite it.


def revisioned_models():
    return [m for m in registered_models() if any(f.name == "revision" for f in m._meta.concrete_fields)]


# The admin refuses to change the world's instance of these, by design: nothing to bump.
REVISION_NOT_CHANGED_IN_ADMIN = {
    Answer: "written in the workspace, which keeps its history",
    Comment: "written in the workspace, which keeps its history",
    QuestionSet: "the world's question set is used by sessions: frozen",
}
# The field each check edits, where a model has no plain text field to append to.
EDITED_FIELD = {Membership: "is_officer"}


def posted_value(bound, value, name=None):
    """`value` as the bound field's widget would post it under `name` (the field's own by
    default): its sub-fields' names and values for a widget of several inputs."""
    widget, name = bound.field.widget, name or bound.html_name
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        formatted = [sub.format_value(part) for sub, part in zip(widget.widgets, parts, strict=True)]
        return {name + suffix: v or "" for suffix, v in zip(widget.widgets_names, formatted, strict=True)}
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(value, list | tuple):
        return {name: ["" if v is None else str(v) for v in value]}
    formatted = widget.format_value(value)
    return {name: "" if formatted is None else formatted}


def form_post(form):
    """What the browser posts back for `form` left as the page showed it (files left out)."""
    data = {}
    for name in form.fields:
        bound = form[name]
        if isinstance(bound.field, forms.FileField):
            continue
        data |= posted_value(bound, bound.value())
        if bound.field.show_hidden_initial:  # a field with a callable default
            data |= posted_value(bound, bound.value(), name=bound.html_initial_name)
    return data


def change_page_post(page):
    """The change page's form and inline formsets as the page showed them, with "_save"."""
    data = form_post(page.context["adminform"].form) | {"_save": "Save"}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= form_post(formset.management_form)
        for form in formset.forms:
            data |= form_post(form)
    return data


def edit_one_field(model, form, data):
    """`data` with one field the admin may change edited: a text field appended to, or the
    field named in EDITED_FIELD."""
    name = EDITED_FIELD.get(model)
    if name is None:
        name = next(
            name
            for name, field in form.fields.items()
            if type(field) is forms.CharField and not field.widget.is_hidden and not field.disabled
        )
    bound = form[name]
    if isinstance(bound.field, forms.BooleanField):
        return {k: v for k, v in data.items() if k != bound.html_name} | posted_value(bound, not bound.value())
    return data | {bound.html_name: f"{bound.value() or ''} (corrected)".strip()}


@pytest.mark.parametrize("model", revisioned_models(), ids=lambda m: m._meta.label)
def test_an_admin_edit_bumps_the_revision(admin_client, world, model):
    """Saved unchanged, the record keeps its revision (an edit open in the app is still good);
    edited, its revision moves on, so the app refuses a form opened before."""
    obj = model._default_manager.order_by("pk").first()
    url = admin_url(model, "change", obj.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    if model in REVISION_NOT_CHANGED_IN_ADMIN:
        assert not page.context["has_change_permission"], f"{model.__name__} is changed in the admin now"
        return
    assert page.context["has_change_permission"], f"add {model.__name__} to REVISION_NOT_CHANGED_IN_ADMIN"

    data = change_page_post(page)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert model._default_manager.get(pk=obj.pk).revision == obj.revision

    response = admin_client.post(url, edit_one_field(model, form, data))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert model._default_manager.get(pk=obj.pk).revision > obj.revision


def test_an_admin_save_after_an_app_edit_is_refused(admin_client, world):
    """The other direction: the change page carries the revision it showed. Saved after the
    record was edited in the app, it is refused with a message beside the form, what the
    administrator typed stays in the form and the app's edit stays saved."""
    partner = Partner.objects.get(name="Salford City Council")
    url = admin_url(Partner, "change", partner.pk)
    page = admin_client.get(url)
    assert f'name="revision_shown" value="{partner.revision}"' in page.content.decode()
    update_partner(
        partner=partner,
        expected_revision=partner.revision,
        name="Salford Council",
        short_name=partner.short_name,
        kind=partner.kind,
        contact_email=partner.contact_email,
    )

    response = admin_client.post(url, change_page_post(page) | {"name": "Salford City Council (admin)"})
    assert response.status_code == 200
    assert "Someone else changed this record since you opened this page" in response.content.decode()
    assert response.context["adminform"].form["name"].value() == "Salford City Council (admin)"
    saved = Partner.objects.get(pk=partner.pk)
    assert (saved.name, saved.revision) == ("Salford Council", partner.revision + 1)

    page = admin_client.get(url)  # reloaded: the administrator's change goes through
    response = admin_client.post(url, change_page_post(page) | {"name": "Salford City Council (admin)"})
    assert response.status_code == 302, response.context["errors"]
    saved = Partner.objects.get(pk=partner.pk)
    assert (saved.name, saved.revision) == ("Salford City Council (admin)", partner.revision + 2)


def inlines_with_revisions():
    return [
        (model, inline)
        for model in registered_models()
        for inline in admin.site._registry[model].inlines
        if any(f.name == "revision" for f in inline.model._meta.concrete_fields)
    ]


# Shown on their parent's page, never changed there.
REVISION_INLINES_NOT_CHANGED = {AnswerVersion, CommentVersion, Comment, SeriesOccurrence}


@pytest.mark.parametrize(
    "model,inline",
    inlines_with_revisions(),
    ids=lambda x: x._meta.label if hasattr(x, "_meta") else x.__name__,
)
def test_an_admin_edit_of_an_inline_row_bumps_its_revision(admin_client, world, model, inline):
    """A row changed on its parent's page (a partner on its partnership's, an action on its
    finding's...) is a row someone may have open in the app too."""
    fk = next(f for f in inline.model._meta.concrete_fields if f.is_relation and f.related_model is model)
    child = inline.model._default_manager.filter(**{f"{fk.name}__isnull": False}).order_by("pk").first()
    url = admin_url(model, "change", getattr(child, fk.name).pk)
    page = admin_client.get(url)
    (shown,) = [i for i in page.context["inline_admin_formsets"] if i.formset.model is inline.model]
    (form,) = [f for f in shown.formset.initial_forms if f.instance.pk == child.pk]
    editable = shown.has_change_permission and set(form.fields) - {"id", fk.name, "DELETE"}
    assert bool(editable) is (inline.model not in REVISION_INLINES_NOT_CHANGED), editable
    if not editable:
        return

    data = change_page_post(page)
    response = admin_client.post(url, edit_one_field(inline.model, form, data))
    assert response.status_code == 302, response.context["errors"]
    assert inline.model._default_manager.get(pk=child.pk).revision > child.revision


def test_admin_edits_of_a_question_sets_parts_bump_its_revision(admin_client, world):
    """The app's editor of a question set guards its sections and questions with the set's
    revision: adding, changing, moving or deleting one in the admin bumps it."""
    draft = QuestionSet.objects.create(family="draft-methodology", name="Draft")
    other = QuestionSet.objects.create(family="other-methodology", name="Other")
    section = Section.objects.create(question_set=draft, title="Draft section")
    question = Question.objects.create(section=section, text="Is it working?")
    elsewhere = Section.objects.create(question_set=other, title="Other section")

    def revisions():
        return list(QuestionSet.objects.filter(pk__in=[draft.pk, other.pk]).order_by("pk").values_list("revision"))

    def save(model, pk, **changes):
        url = admin_url(model, "change", pk)
        page = admin_client.get(url)
        response = admin_client.post(url, change_page_post(page) | changes)
        assert response.status_code == 302, response.context["errors"]

    start = revisions()
    save(QuestionSet, draft.pk, **{"sections-0-title": "Renamed on the set's page"})  # an inline only
    save(Section, section.pk, title="Renamed on its own page")
    save(Section, section.pk, **{"questions-0-text": "Renamed on its section's page"})
    save(Question, question.pk, text="Renamed on its own page")
    assert revisions() == [(start[0][0] + 4,), start[1]]
    save(Section, section.pk)  # saved unchanged: nothing to be stale about
    assert revisions() == [(start[0][0] + 4,), start[1]]

    save(Question, question.pk, section=elsewhere.pk)  # moved: both sets change
    assert revisions() == [(start[0][0] + 5,), (start[1][0] + 1,)]
    response = admin_client.post(admin_url(Section, "delete", elsewhere.pk), {"post": "yes"})
    assert response.status_code == 302
    assert revisions() == [(start[0][0] + 5,), (start[1][0] + 2,)]


def test_an_admin_edit_of_an_areas_focus_topics_bumps_its_topics_revision(admin_client, world):
    """The app guards an area's list of focus topics with `topics_revision`, apart from the
    area's own fields: a topic renamed on the area's admin page bumps that one only."""
    area = world.areas.get()
    url = admin_url(ThematicArea, "change", area.pk)
    page = admin_client.get(url)
    response = admin_client.post(url, change_page_post(page) | {"focus_topics-0-name": "Teenage conceptions"})
    assert response.status_code == 302, response.context["errors"]
    saved = ThematicArea.objects.get(pk=area.pk)
    assert list(saved.focus_topics.values_list("name", flat=True)) == ["Teenage conceptions"]
    assert (saved.revision, saved.topics_revision) == (area.revision, area.topics_revision + 1)


def test_an_admin_save_of_an_inline_row_changed_in_the_app_meanwhile_is_refused(admin_client, world):
    """Each inline row carries the revision it showed too: a partner changed in the app after
    its partnership's admin page was opened is not overwritten by that page."""
    partner = Partner.objects.get(name="Salford City Council")
    url = admin_url(Partnership, "change", partner.partnership_id)
    page = admin_client.get(url)
    (formset,) = [i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Partner]
    (row,) = [f for f in formset.initial_forms if f.instance.pk == partner.pk]
    update_partner(
        partner=partner,
        expected_revision=partner.revision,
        name="Salford Council",
        short_name=partner.short_name,
        kind=partner.kind,
        contact_email=partner.contact_email,
    )

    response = admin_client.post(url, change_page_post(page) | {row["name"].html_name: "Salford City Council (admin)"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this record since you opened this page" in content
    assert 'value="Salford City Council (admin)"' in content  # what the administrator typed
    saved = Partner.objects.get(pk=partner.pk)
    assert (saved.name, saved.revision) == ("Salford Council", partner.revision + 1)
