"""The migrations that put an existing installation's data into partnerships (programmes
0003–0005, and the organisation snapshots of sessions 0002, workspace 0002, evaluations
0004): rows made as the app made them before partnerships, then migrated forward.

Transactional (migrations need real commits); the flush that ends the test removes the
standard question set that migrate made, so it is put back afterwards for later tests."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("programmes", "0002_default_question_set"),
    ("challenge_sessions", "0001_initial"),
    ("workspace", "0001_initial"),
    ("findings", "0001_initial"),
    ("evaluations", "0002_draft_pdf"),
]

_default_question_set = importlib.import_module(
    "programmes.migrations.0002_default_question_set"
).create_default_question_set


@pytest.fixture
def _put_back_the_standard_question_set(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _default_question_set(django_apps, None)
        connections.close_all()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_installation(apps):
    """Salford's programmes (one named, one not), a Wigan programme whose area the police lead
    and in which a Salford reviewer also takes part, and the people of both."""
    Partner = apps.get_model("programmes", "Partner")
    User = apps.get_model("programmes", "User")
    ThematicArea = apps.get_model("programmes", "ThematicArea")
    QuestionSet = apps.get_model("programmes", "QuestionSet")
    Question = apps.get_model("programmes", "Question")
    Programme = apps.get_model("programmes", "Programme")
    ChallengeSession = apps.get_model("challenge_sessions", "ChallengeSession")
    Participant = apps.get_model("challenge_sessions", "Participant")
    Comment = apps.get_model("workspace", "Comment")
    Finding = apps.get_model("findings", "Finding")
    Action = apps.get_model("findings", "Action")
    SelfEvaluation = apps.get_model("evaluations", "SelfEvaluation")
    DraftComment = apps.get_model("evaluations", "DraftComment")

    council = Partner.objects.create(name="Salford City Council", short_name="SCC", contact_email="c@example.org")
    police = Partner.objects.create(name="Greater Manchester Police", short_name="GMP", contact_email="p@example.org")
    Partner.objects.create(name="Unused Trust")

    def person(username, partner=None, **flags):
        return User.objects.create(username=username, password="!", partner=partner, **flags)

    ruth = person("ruth", council)
    paul = person("paul", police)
    claire = person("claire", council, is_officer=True)
    person("root", is_superuser=True, is_staff=True)
    person("olga", is_officer=True)
    nora = person("nora")  # no organisation, facilitates Wigan's programme

    standard = QuestionSet.objects.get(family="caa-challenge-methodology", version=1)
    wigan_set = QuestionSet.objects.create(family="wigan-method", name="Wigan method", version=1)
    QuestionSet.objects.create(family="draft-method", name="A draft nobody uses", version=1)
    safeguarding = ThematicArea.objects.create(
        name="Safeguarding children", slug="safeguarding", lead_partner=council, lead_officer=ruth
    )
    wigan_area = ThematicArea.objects.create(name="Safer Wigan", slug="safer-wigan", lead_partner=police)

    def programme(slug, name, question_set, areas, facilitators):
        made = Programme.objects.create(
            slug=slug,
            name=slug,
            partnership_name=name,
            start_date=datetime.date(2009, 4, 1),
            end_date=datetime.date(2009, 11, 30),
            question_set=question_set,
        )
        made.areas.set(areas)
        made.facilitators.set(facilitators)
        return made

    salford = programme("caa-2009", "Salford City Partnership", standard, [safeguarding], [ruth])
    programme("caa-2010", "", standard, [safeguarding], [ruth])
    wigan = programme("wigan-2009", "Wigan Partnership", wigan_set, [wigan_area], [nora])

    def session(programme_, area, question_set, facilitator):
        made = ChallengeSession.objects.create(
            programme=programme_,
            title=f"{area.name} session",
            date=datetime.date(2009, 5, 8),
            start_time=datetime.time(10),
            end_time=datetime.time(12),
            facilitator=facilitator,
            question_set=question_set,
        )
        made.areas.set([area])
        return made

    salford_session = session(salford, safeguarding, standard, ruth)
    wigan_session = session(wigan, wigan_area, wigan_set, nora)
    Participant.objects.create(session=salford_session, person=paul, role="reviewer")
    Participant.objects.create(session=salford_session, person=ruth, role="presenter", area=safeguarding)
    Participant.objects.create(session=wigan_session, person=paul, role="observer")
    now = timezone.now()
    question = Question.objects.filter(section__question_set=standard).first()
    Comment.objects.create(
        session=salford_session,
        area=safeguarding,
        question=question,
        author=paul,
        kind="challenge",
        text="How?",
        created_at=now,
        updated_at=now,
    )
    finding = Finding.objects.create(
        session=wigan_session, area=wigan_area, kind="risk", title="Pace", text="Slow.", created_by=nora
    )
    Action.objects.create(
        finding=finding, description="Speed up", owner=paul, owner_partner=police, due_date=datetime.date(2009, 7, 1)
    )
    wigan_evaluation = SelfEvaluation.objects.create(programme=wigan, area=wigan_area, circulated_at=now)
    wigan_evaluation.circulated_to.set([police])
    salford_evaluation = SelfEvaluation.objects.create(programme=salford, area=safeguarding, circulated_at=now)
    salford_evaluation.circulated_to.set([police, council])
    DraftComment.objects.create(self_evaluation=salford_evaluation, author=claire, text="Agreed.")
    return {"standard": standard.pk, "question_count": Question.objects.filter(section__question_set=standard).count()}


def test_an_installation_moves_into_partnerships(_put_back_the_standard_question_set):
    old = _old_installation(_migrate(BEFORE))
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from evaluations.models import DraftComment, SelfEvaluation
    from findings.models import Action
    from programmes.models import Membership, Partner, Partnership, Programme, Question, QuestionSet, ThematicArea
    from sessions.models import ChallengeSession, Participant
    from workspace.models import Comment

    salford = Partnership.objects.get(name="Salford City Partnership")
    wigan = Partnership.objects.get(name="Wigan Partnership")
    assert (salford.slug, wigan.slug) == ("salford-city-partnership", "wigan-partnership")
    assert Partnership.objects.count() == 2
    by_slug = dict(Programme.objects.values_list("slug", "partnership__name"))
    assert by_slug == {
        "caa-2009": salford.name,
        "caa-2010": salford.name,  # no name: the default one
        "wigan-2009": wigan.name,
    }

    # Every partner in the main partnership; the police copied into Wigan, where they lead an area.
    assert set(Partner.objects.filter(partnership=salford).values_list("name", flat=True)) == {
        "Salford City Council",
        "Greater Manchester Police",
        "Unused Trust",
    }
    wigan_police = Partner.objects.get(partnership=wigan)
    assert (wigan_police.name, wigan_police.short_name, wigan_police.contact_email) == (
        "Greater Manchester Police",
        "GMP",
        "p@example.org",
    )
    salford_police = Partner.objects.get(partnership=salford, name="Greater Manchester Police")
    assert ThematicArea.objects.get(slug="safeguarding").partnership == salford
    safer_wigan = ThematicArea.objects.get(slug="safer-wigan")
    assert (safer_wigan.partnership, safer_wigan.lead_partner) == (wigan, wigan_police)

    # Memberships: organisation and officer flag copied; the administrator has none.
    memberships = {
        (m.person.username, m.partnership.name): (m.partner.name if m.partner else None, m.is_officer, m.is_facilitator)
        for m in Membership.objects.select_related("person", "partnership", "partner")
    }
    assert memberships == {
        ("ruth", salford.name): ("Salford City Council", False, False),
        ("paul", salford.name): ("Greater Manchester Police", False, False),
        ("paul", wigan.name): ("Greater Manchester Police", False, False),
        ("claire", salford.name): ("Salford City Council", True, False),
        ("olga", salford.name): (None, True, False),
        ("nora", wigan.name): (None, False, False),
    }
    assert Membership.objects.get(person__username="paul", partnership=wigan).partner == wigan_police

    # The snapshots: each person's organisation in the programme's partnership.
    assert {p.session.programme.slug: p.partner for p in Participant.objects.filter(person__username="paul")} == {
        "caa-2009": salford_police,
        "wigan-2009": wigan_police,
    }
    assert Participant.objects.get(person__username="ruth").partner.name == "Salford City Council"
    assert Comment.objects.get().author_partner == salford_police
    assert DraftComment.objects.get().author_partner.name == "Salford City Council"
    assert Action.objects.get().owner_partner == wigan_police
    wigan_evaluation = SelfEvaluation.objects.get(programme__slug="wigan-2009")
    assert list(wigan_evaluation.circulated_to.all()) == [wigan_police]
    salford_evaluation = SelfEvaluation.objects.get(programme__slug="caa-2009")
    assert set(salford_evaluation.circulated_to.values_list("partnership", flat=True)) == {salford.pk}

    # Question sets: the one each partnership used is its own, an unused draft the main one's;
    # the standard set, used by Salford, is Salford's now, and a copy is the standard one.
    assert QuestionSet.objects.get(pk=old["standard"]).partnership == salford
    assert QuestionSet.objects.get(family="wigan-method").partnership == wigan
    assert QuestionSet.objects.get(family="draft-method").partnership == salford
    standard = QuestionSet.objects.get(partnership__isnull=True)
    assert (standard.family, standard.version) == ("caa-challenge-methodology", 1)
    assert Question.objects.filter(section__question_set=standard).count() == old["question_count"]
    assert ChallengeSession.objects.filter(question_set_id=old["standard"]).count() == 1

    # And the app's rules read them: the reviewer sees each partnership's session he is in.
    paul = type(Membership.objects.first().person).objects.get(username="paul")
    assert set(ChallengeSession.objects.visible_to(paul).values_list("programme__slug", flat=True)) == {
        "caa-2009",
        "wigan-2009",
    }
    assert list(Programme.objects.visible_to(paul).filter(partnership=wigan).values_list("slug", flat=True)) == [
        "wigan-2009"
    ]
