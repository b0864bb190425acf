"""Hardening: a held session keeps its question set whoever asks; a self-evaluation is read
only by those who may read its area's sessions (and the partners it was circulated to); the
whole area self-evaluation and the emerging findings follow suit; officers never comment;
facilitators need neither staff status nor a group."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.models import AreaSelfEvaluationBuild, DraftComment, SelfEvaluation
from findings import services
from programmes.models import QuestionSet
from programmes.permissions import can_create_programme
from sessions import services as session_services
from sessions.models import ChallengeSession, Participant
from tests import factories as f
from tests.evaluations.drafts import download_draft_pdf
from workspace import services as ws

pytestmark = pytest.mark.django_db


# --- Facilitators need no staff status and no group ----------------------------------------------


def test_a_facilitator_without_staff_status_runs_their_programme(client, world):
    assert not world.facilitator.is_staff and not world.facilitator.groups.exists()
    client.force_login(world.facilitator)
    dashboard = client.get(reverse("programme_dashboard", args=["caa-2009"]))
    assert dashboard.status_code == 200
    assert "Schedule a session" in dashboard.content.decode()
    url = reverse("session_status", args=[world.session.pk, "held"])
    assert client.post(url).status_code == 302
    world.session.refresh_from_db()
    assert world.session.status == ChallengeSession.Status.HELD
    # The admin is not theirs, and the page does not offer it.
    assert client.get(reverse("admin:index")).status_code == 302
    assert "Administration" not in dashboard.content.decode()


def test_programmes_are_created_by_administrators_not_by_a_model_permission(world, admin_user):
    from django.contrib.auth.models import Permission

    world.facilitator.user_permissions.add(Permission.objects.get(codename="add_programme"))
    facilitator = type(world.facilitator).objects.get(pk=world.facilitator.pk)
    assert facilitator.has_perm("programmes.add_programme")
    assert not can_create_programme(facilitator, world.programme.partnership)
    assert can_create_programme(admin_user, world.programme.partnership)
    # A facilitator of the partnership (who sets it up) creates them in it, and in no other.
    f.member(facilitator, partnership_=f.partnership(), is_facilitator=True)
    facilitator.forget_memberships()
    assert not can_create_programme(facilitator, world.programme.partnership)
    world.facilitator.memberships.filter(partnership=world.programme.partnership).update(is_facilitator=True)
    facilitator.forget_memberships()
    assert can_create_programme(facilitator, world.programme.partnership)


# --- A held session keeps its question set ----------------------------------------------------


@pytest.fixture
def other_set(db):
    return QuestionSet.objects.create(family="other-methodology", name="Another methodology")


def first_question(session):
    return session.question_set.sections.order_by("position").first().questions.order_by("position").first()


def test_a_session_with_answers_keeps_its_question_set(world, other_set):
    session = world.session
    ws.save_answer(
        session=session,
        area=world.safeguarding,
        question=first_question(session),
        by=world.lead,
        expected_revision=0,
        text="Referrals rose by a fifth.",
    )
    original = session.question_set_id
    session = ChallengeSession.objects.get(pk=session.pk)
    session.question_set = other_set
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert "question_set" in refused.value.message_dict
    with pytest.raises(ValidationError):
        session.save()
    assert ChallengeSession.objects.get(pk=session.pk).question_set_id == original
    # Nothing vanished from the workspace.
    assert session.answers.get().question.section.question_set_id == original


def test_a_held_session_keeps_its_question_set_even_without_answers(world, other_set):
    session_services.mark_session_held(session=world.session)  # it was scheduled
    session = ChallengeSession.objects.get(pk=world.session.pk)
    original = session.question_set_id
    session.question_set = other_set
    with pytest.raises(ValidationError):
        session.save()
    with pytest.raises(ValidationError):
        session.save(update_fields=["question_set"])
    assert ChallengeSession.objects.get(pk=session.pk).question_set_id == original


def test_a_session_with_a_comment_or_closed_keeps_its_question_set(world, other_set):
    session = world.session
    ws.post_comment(
        session=session,
        area=world.safeguarding,
        question=first_question(session),
        author=world.reviewer,
        kind="question",
        text="Which year?",
    )
    loaded = ChallengeSession.objects.get(pk=session.pk)
    assert loaded.has_question_set_locked()
    loaded.question_set = other_set
    with pytest.raises(ValidationError):
        loaded.save()


def test_marking_held_and_changing_the_set_in_one_save_is_refused(world, other_set):
    session = ChallengeSession.objects.get(pk=world.session.pk)
    session.status = ChallengeSession.Status.HELD
    session.question_set = other_set
    with pytest.raises(ValidationError):
        session.save()
    assert ChallengeSession.objects.get(pk=session.pk).question_set_id != other_set.pk


def test_a_session_nothing_was_written_in_may_move_to_another_version(world, other_set):
    session = ChallengeSession.objects.get(pk=world.session.pk)
    assert not session.has_question_set_locked()
    session.question_set = other_set
    session.full_clean()
    session.save()
    assert ChallengeSession.objects.get(pk=session.pk).question_set == other_set


def test_saving_a_held_session_without_changing_its_set_still_works(world):
    session_services.mark_session_held(session=world.session)  # it was scheduled
    session = ChallengeSession.objects.get(pk=world.session.pk)
    session.notes = "Minutes to follow."
    session.save()
    assert ChallengeSession.objects.get(pk=session.pk).notes == "Minutes to follow."


# --- Self-evaluations follow their area's sessions --------------------------------------------


@pytest.fixture
def two_sessions(world):
    """Session 1 (the world's) covers safeguarding, with the police reviewer. Session 2 covers
    safer city, with the health reviewer and a police presenter, and has an answer, a
    challenge and a finding; safer city's self-evaluation is a draft."""
    w = world
    w.session2 = f.session(
        w.programme,
        areas=[w.safer_city],
        facilitator=w.facilitator,
        title="Safer city challenge",
        date=datetime.date(2009, 6, 2),
    )
    f.participant(w.session2, w.police_officer, Participant.Role.PRESENTER, w.safer_city)
    f.participant(w.session2, w.health_reviewer, Participant.Role.REVIEWER)
    question = first_question(w.session2)
    ws.save_answer(
        session=w.session2,
        area=w.safer_city,
        question=question,
        by=w.police_officer,
        expected_revision=0,
        text="Burglary fell by a third in Little Hulton.",
    )
    ws.post_comment(
        session=w.session2,
        area=w.safer_city,
        question=question,
        author=w.health_reviewer,
        kind="challenge",
        text="Is the fall displaced to Walkden?",
    )
    w.finding2 = services.record_finding(
        session=w.session2,
        area=w.safer_city,
        by=w.facilitator,
        kind="red_flag",
        title="Displacement unmeasured",
        text="No data.",
    )
    w.se2 = evaluation_services.current_self_evaluation(programme=w.programme, area=w.safer_city)
    w.se1 = evaluation_services.current_self_evaluation(programme=w.programme, area=w.safeguarding)
    return w


def se_urls(se):
    return {
        "page": reverse("self_evaluation", args=[se.pk]),
        "record": reverse("self_evaluation_record", args=[se.pk]),
        "pdf": reverse("self_evaluation_pdf", args=[se.pk]),
    }


# What session two's area's record shows: its finding (the page shows the record when asked).
SESSION_TWOS_FINDING = "Displacement unmeasured"


def test_a_reviewer_of_session_one_cannot_read_session_twos_draft(client, two_sessions):
    w = two_sessions
    client.force_login(w.reviewer)
    assert client.get(reverse("workspace", args=[w.session2.pk, w.safer_city.pk])).status_code == 403
    page = client.get(se_urls(w.se2)["page"])
    assert page.status_code == 403
    assert "Burglary fell by a third" not in page.content.decode()
    record = client.get(se_urls(w.se2)["record"])
    assert record.status_code == 403
    assert SESSION_TWOS_FINDING not in record.content.decode()
    assert client.get(se_urls(w.se2)["pdf"]).status_code == 403
    texts = client.post(
        reverse("self_evaluation_texts", args=[w.se2.pk]),
        {"introduction": "x", "conclusion": "y", "revision": w.se2.revision},
    )
    assert texts.status_code == 403
    # Their own area's self-evaluation they still read.
    assert client.get(se_urls(w.se1)["page"]).status_code == 200
    assert SelfEvaluation.objects.get(pk=w.se2.pk).introduction == ""


def test_a_reviewer_of_session_one_cannot_comment_on_session_twos_circulated_draft(client, two_sessions):
    w = two_sessions
    evaluation_services.circulate(self_evaluation=w.se2, by=w.facilitator, notify=False)  # no partner has an address
    client.force_login(w.reviewer)
    response = client.post(reverse("self_evaluation_comment", args=[w.se2.pk]), {"text": "Let me in."})
    assert response.status_code == 403
    assert not DraftComment.objects.exists()
    assert client.get(se_urls(w.se2)["page"]).status_code == 403


def test_those_who_take_part_in_the_area_read_it(client, two_sessions):
    w = two_sessions
    w.se2.introduction = "Burglary fell by a third in Little Hulton."
    w.se2.save()
    for who in ["health_reviewer", "police_officer", "facilitator", "officer"]:
        client.force_login(getattr(w, who))
        page = client.get(se_urls(w.se2)["page"])
        assert page.status_code == 200, who
        assert "Burglary fell by a third in Little Hulton." in page.content.decode(), who
        record = client.get(se_urls(w.se2)["record"])
        assert record.status_code == 200, who
        assert SESSION_TWOS_FINDING in record.content.decode(), who


def test_the_areas_lead_officer_reads_it_without_taking_part(client, two_sessions):
    w = two_sessions
    w.safer_city.lead_officer = w.council_colleague
    w.safer_city.save()
    client.force_login(w.council_colleague)
    assert client.get(se_urls(w.se2)["page"]).status_code == 200
    record = client.get(se_urls(w.se2)["record"])
    assert record.status_code == 200
    assert SESSION_TWOS_FINDING in record.content.decode()
    # Leading one area opens no other.
    assert client.get(se_urls(w.se1)["page"]).status_code == 403
    assert client.get(se_urls(w.se1)["record"]).status_code == 403


def test_the_pdf_of_a_readable_draft_downloads(client, two_sessions):
    w = two_sessions
    client.force_login(w.health_reviewer)
    response = download_draft_pdf(client, se_urls(w.se2)["pdf"])
    assert response.content.startswith(b"%PDF")


def test_once_circulated_to_the_reviewers_partner_they_may_read_and_comment(client, two_sessions):
    w = two_sessions
    w.police.contact_email = "partnership@gmp.example"
    w.police.save()
    evaluation_services.circulate(self_evaluation=w.se2, by=w.facilitator, notify=False)
    se2 = SelfEvaluation.objects.get(pk=w.se2.pk)
    assert list(se2.circulated_to.all()) == [w.police]

    client.force_login(w.reviewer)  # police, session 1 only
    page = client.get(se_urls(se2)["page"])
    assert page.status_code == 200
    assert "Add comment" in page.content.decode()
    record = client.get(se_urls(se2)["record"])
    assert record.status_code == 200
    assert SESSION_TWOS_FINDING in record.content.decode()
    response = client.post(reverse("self_evaluation_comment", args=[se2.pk]), {"text": "GMP agrees."})
    assert response.status_code == 302
    assert se2.draft_comments.get().author == w.reviewer
    docs = client.get(reverse("documents", args=["caa-2009"]))
    assert reverse("self_evaluation", args=[se2.pk]) in docs.content.decode()

    # A partner it was not circulated to (no contact address) still may not.
    client.force_login(w.outsider)  # fire, takes part in nothing
    assert client.get(se_urls(se2)["page"]).status_code == 403
    assert client.get(se_urls(se2)["record"]).status_code == 403
    assert client.get(se_urls(se2)["pdf"]).status_code == 403


def test_circulation_emails_only_the_partners_it_was_circulated_to(two_sessions, django_capture_on_commit_callbacks):
    from django.core import mail

    w = two_sessions
    w.police.contact_email = "partnership@gmp.example"
    w.police.save()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_services.circulate(self_evaluation=w.se2, by=w.facilitator)
    w.fire.contact_email = "late@gmfrs.example"  # added afterwards: not circulated to
    w.fire.save()
    # To the partners; the people it is circulated to are sent notices (tests/programmes/test_notices.py).
    assert [m.to for m in mail.outbox if m.subject.startswith("For comment:")] == [["partnership@gmp.example"]]
    w.reviewer.refresh_from_db()
    assert SelfEvaluation.objects.readable_by(w.reviewer).filter(pk=w.se2.pk).exists()
    assert not SelfEvaluation.objects.readable_by(w.fire_reviewer).filter(pk=w.se2.pk).exists()


def test_an_uncirculated_version_is_not_read_by_partners(client, two_sessions):
    """Circulation opens that version only: the draft after it stays with the area's people."""
    w = two_sessions
    w.police.contact_email = "partnership@gmp.example"
    w.police.save()
    evaluation_services.circulate(self_evaluation=w.se2, by=w.facilitator, notify=False)
    SelfEvaluation.objects.filter(pk=w.se2.pk).update(
        status="final",
        pdf=b"%PDF-1.7 v1",
        pdf_sha256="x",
        finalised_at=datetime.datetime(2009, 6, 10, tzinfo=datetime.UTC),
        finalised_by=w.facilitator,
    )
    v2 = evaluation_services.reopen(self_evaluation=SelfEvaluation.objects.get(pk=w.se2.pk), by=w.facilitator)
    client.force_login(w.reviewer)
    assert client.get(se_urls(w.se2)["page"]).status_code == 200
    assert client.get(se_urls(v2)["page"]).status_code == 403
    assert client.get(se_urls(v2)["pdf"]).status_code == 403
    page = client.get(se_urls(w.se2)["page"]).content.decode()
    assert reverse("self_evaluation", args=[v2.pk]) not in page
    docs = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    assert reverse("self_evaluation", args=[w.se2.pk]) in docs
    assert reverse("self_evaluation", args=[v2.pk]) not in docs
    assert reverse("self_evaluation_pdf", args=[v2.pk]) not in docs


def test_the_documents_page_lists_only_readable_self_evaluations(client, two_sessions):
    w = two_sessions
    client.force_login(w.reviewer)
    response = client.get(reverse("documents", args=["caa-2009"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert [row["area"] for row in response.context["rows"]] == [w.safeguarding]
    assert reverse("self_evaluation", args=[w.se1.pk]) in html
    assert reverse("self_evaluation", args=[w.se2.pk]) not in html
    assert reverse("self_evaluation_pdf", args=[w.se2.pk]) not in html
    assert "Safer city" not in html

    client.force_login(w.officer)
    rows = client.get(reverse("documents", args=["caa-2009"])).context["rows"]
    assert [row["area"] for row in rows] == [w.health_inequalities, w.safeguarding, w.safer_city]


def test_the_emerging_findings_show_only_the_sessions_one_takes_part_in(client, two_sessions):
    w = two_sessions
    services.record_finding(
        session=w.session, area=w.safeguarding, by=w.facilitator, kind="strength", title="Strong LSCB", text="x"
    )
    client.force_login(w.reviewer)
    response = client.get(reverse("emerging_findings", args=["caa-2009"]))
    html = response.content.decode()
    assert "Strong LSCB" in html
    assert "Displacement unmeasured" not in html
    assert response.context["emerging"].counts["Red flag"] == 0

    client.force_login(w.officer)
    html = client.get(reverse("emerging_findings", args=["caa-2009"])).content.decode()
    assert "Strong LSCB" in html and "Displacement unmeasured" in html


def test_the_dashboard_counts_only_visible_overdue_actions(client, two_sessions):
    w = two_sessions
    services.add_action(
        finding=w.finding2,
        description="Measure displacement",
        owner=w.police_officer,
        due_date=datetime.date(2009, 5, 1),
    )
    client.force_login(w.reviewer)
    html = client.get(reverse("programme_dashboard", args=["caa-2009"])).content.decode()
    assert "improvement action overdue" not in html
    client.force_login(w.officer)
    html = client.get(reverse("programme_dashboard", args=["caa-2009"])).content.decode()
    assert "1 improvement action overdue" in html


def test_the_area_self_evaluation_is_for_those_who_read_every_area(client, two_sessions):
    w = two_sessions
    build = AreaSelfEvaluationBuild.objects.create(
        programme=w.programme, requested_by=w.facilitator, status="ready", pdf=b"%PDF-1.7 all areas", pdf_sha256="x"
    )
    client.force_login(w.reviewer)
    assert client.get(reverse("area_build_status", args=[build.pk])).status_code == 403
    assert client.get(reverse("area_build_pdf", args=[build.pk])).status_code == 403
    docs = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    assert "Area self-evaluation" not in docs
    assert reverse("area_build_pdf", args=[build.pk]) not in docs

    for who in ["officer", "facilitator"]:
        client.force_login(getattr(w, who))
        assert client.get(reverse("area_build_pdf", args=[build.pk])).content == b"%PDF-1.7 all areas", who
        docs = client.get(reverse("documents", args=["caa-2009"])).content.decode()
        assert reverse("area_build_pdf", args=[build.pk]) in docs, who


# --- Officers read; they do not comment --------------------------------------------------------


def test_an_officer_cannot_comment_on_a_circulated_self_evaluation(client, world):
    world.council.contact_email = "partnership@salford.example"
    world.council.save()  # the officer's own organisation is circulated to
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator, notify=False)
    client.force_login(world.officer)
    page = client.get(reverse("self_evaluation", args=[se.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Partners' comments on the draft" in html
    assert "Add comment" not in html
    assert reverse("self_evaluation_comment", args=[se.pk]) not in html
    response = client.post(reverse("self_evaluation_comment", args=[se.pk]), {"text": "An officer's view."})
    assert response.status_code == 403
    assert not DraftComment.objects.exists()

    # The session's reviewer may.
    client.force_login(world.reviewer)
    assert "Add comment" in client.get(reverse("self_evaluation", args=[se.pk])).content.decode()
    assert client.post(reverse("self_evaluation_comment", args=[se.pk]), {"text": "Fine."}).status_code == 302
    assert DraftComment.objects.get().author == world.reviewer


def test_an_officer_who_also_takes_part_may_comment(client, world):
    f.participant(world.session, world.officer, Participant.Role.OBSERVER)
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator, notify=False)
    client.force_login(world.officer)
    assert client.post(reverse("self_evaluation_comment", args=[se.pk]), {"text": "As an observer."}).status_code == 302
    assert DraftComment.objects.get().author == world.officer


def test_the_documents_page_for_a_participant_does_not_query_per_area(
    client, two_sessions, django_assert_max_num_queries
):
    w = two_sessions
    client.force_login(w.reviewer)
    url = reverse("documents", args=["caa-2009"])

    def grow(n):
        for i in range(n):
            area = f.area(w.health, slug=f"reviewed-{i}-{w.session.areas.count()}")
            w.programme.areas.add(area)
            w.session.areas.add(area)
            SelfEvaluation.objects.create(programme=w.programme, area=area)

    grow(1)
    with django_assert_max_num_queries(25) as few:
        response = client.get(url)
    assert len(response.context["rows"]) == 2
    grow(10)
    with django_assert_max_num_queries(25) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 12
    assert len(few) == len(many)
