"""The findings tests' shared world: a session with work, a finding and an action."""

import datetime

import pytest

from evaluations import services as evaluation_services
from findings import audits, services
from findings.models import AssuranceAudit, Finding, Theme
from tests import factories as f
from workspace import services as ws


@pytest.fixture
def filled(world):
    """The world's session with an answer, a challenge and reply, a green flag and an action."""
    w = world
    qs = list(w.session.question_set.sections.get(title="Impact").questions.order_by("position"))
    w.answer = ws.save_answer(
        session=w.session,
        area=w.safeguarding,
        question=qs[0],
        by=w.lead,
        expected_revision=0,
        text="Referrals to children's social care rose by a fifth.",
        likelihood=3,
    )
    ws.save_answer(session=w.session, area=w.safeguarding, question=qs[1], by=w.lead, expected_revision=0, scale=4)
    w.thread = ws.post_comment(
        session=w.session,
        area=w.safeguarding,
        question=qs[0],
        author=w.reviewer,
        kind="challenge",
        text="How do you know the rise is not just better recording?",
    )
    ws.reply_to(parent=w.thread, author=w.lead, text="The audit of 200 cases in March says so.")
    w.theme = Theme.objects.create(programme=w.programme, name="Governance")
    w.finding = services.record_finding(
        session=w.session,
        area=w.safeguarding,
        by=w.facilitator,
        kind="green_flag",
        title="Multi-agency referral hub",
        text="Others could learn from it.",
        themes=[w.theme],
        evidence_answers=[w.answer],
        evidence_comments=[w.thread],
    )
    w.action = services.add_action(
        finding=w.finding,
        description="Write up the hub for the Audit Commission",
        owner=w.lead,
        due_date=datetime.date(2009, 5, 1),
    )
    w.se = evaluation_services.current_self_evaluation(programme=w.programme, area=w.safeguarding)
    return w


# --- An assurance audit of the area, with a finding (tests/findings/test_audits.py) ----------


@pytest.fixture
def audit(world):
    return audits.record_audit(
        area=world.safeguarding,
        by=world.facilitator,
        title="Child protection plans",
        audited_on=datetime.date(2021, 10, 12),
        auditor="Quality assurance team",
        sample_size=24,
        sample_description="Plans open for more than a year.",
        grading=AssuranceAudit.Grading.REQUIRES_IMPROVEMENT,
        summary="",
    )


@pytest.fixture
def partnership_facilitator(world):
    return f.person(world.council, "setup", first_name="Sam", last_name="Setup", is_facilitator=True)


@pytest.fixture
def audit_finding(audit, partnership_facilitator):
    return audits.record_audit_finding(
        audit=audit,
        by=partnership_facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="The child's voice is missing",
        text="A third of the plans do not record what the child said.",
    )
