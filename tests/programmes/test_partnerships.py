"""Partnerships: nobody sees across the boundary between two of them.

Two partnerships, each with its own partners, people, areas, programme, session, answers,
comments, findings, actions, indicators, self-evaluations and area self-evaluation build:
Salford (the `world` of tests/conftest.py) and Southampton. For every address of one
partnership's things (`partnership_urls`, which must name every address of the app that is
not a list of the user's own: see test_every_address_is_covered), every kind of person of the
other partnership gets "not found" and changes nothing; a crawl of every page and download
each of them can reach (the way tests/browser/test_real_date.py crawls) shows nothing of the
other partnership; the pickers offer only the partnership's active members; an officer reads
their partnership, not the installation; and a person in both partnerships, with a different
organisation in each, meets the critical-friend rule of each."""

import datetime
import html
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from evaluations import services as evaluation_services
from evaluations.area_pdf import area_self_evaluation_pdf
from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from findings import audits as audit_services
from findings import resolutions
from findings import services as finding_services
from findings.models import Action, AssuranceAudit, Finding, FindingVersion, Theme
from indicators import pathways as pathway_services
from indicators.models import Indicator, IndicatorValue, PathwayStage
from programmes import partnership_logos
from programmes.models import (
    CabinetPortfolio,
    FocusTopic,
    Invitation,
    Membership,
    Milestone,
    Notice,
    NoticeKind,
    Partner,
    Partnership,
    PartnershipLogo,
    Programme,
    Question,
    QuestionSet,
    ScrutinyPanel,
    Section,
    ThematicArea,
)
from programmes.selectors import members_of
from programmes.services import copy_standard_question_sets, create_partnership, new_question_set_version
from sessions import series as series_services
from sessions import services as session_services
from sessions.models import AgendaItem, ChallengeSession, Participant, SeriesOccurrence, SessionSeries
from tests import factories as f
from tests.evaluations.drafts import download_draft_pdf
from tests.sessions.test_access import urls as session_access_urls
from workspace import services as workspace_services
from workspace.models import Answer, Comment
from workspace.permissions import SessionAccess

pytestmark = pytest.mark.django_db

PEOPLE = ["facilitator", "officer", "lead", "reviewer", "outsider"]


@dataclass
class Side:
    """One partnership and one of each of its things."""

    partnership: object
    programme: object
    session: object
    area: object
    facilitator: object
    officer: object
    lead: object
    reviewer: object
    outsider: object
    # Words that only this partnership's pages, calendars, CSV files and e-mails contain.
    words: list = field(default_factory=list)
    question: object = None
    thread: object = None
    finding: object = None
    action: object = None
    indicator: object = None
    self_evaluation: object = None
    final_self_evaluation: object = None
    build: object = None
    milestone: object = None
    participant: object = None
    reply_notice: object = None
    agenda_item: object = None
    panel: object = None
    portfolio: object = None
    resolution: object = None
    # A stretch-and-challenge series and an assurance audit (_stretch_work).
    series: object = None
    occurrence: object = None
    audit: object = None
    audit_finding: object = None
    stage: object = None


def _work(side, marker):
    """Answers, a challenge and its reply, a finding with an action, an indicator with values,
    a draft and a final self-evaluation, a finished area build and a milestone, each with
    `marker` in its text."""
    session, area = side.session, side.area
    side.question = session.question_set.sections.order_by("position").first().questions.order_by("position").first()
    workspace_services.save_answer(
        session=session, area=area, question=side.question, by=side.lead, expected_revision=0, text=f"{marker} answer"
    )
    side.thread = workspace_services.post_comment(
        session=session,
        area=area,
        question=side.question,
        author=side.reviewer,
        kind=Comment.Kind.CHALLENGE,
        text=f"{marker} challenge",
    )
    workspace_services.reply_to(parent=side.thread, author=side.lead, text=f"{marker} reply")
    side.reply_notice = Notice.objects.get(person=side.reviewer, kind=NoticeKind.REPLY)
    theme = Theme.objects.create(programme=side.programme, name=f"{marker} theme")
    side.finding = finding_services.record_finding(
        session=session,
        area=area,
        by=side.facilitator,
        kind=Finding.Kind.RED_FLAG,
        title=f"{marker} finding",
        text=f"{marker} finding text",
        themes=[theme],
        evidence_answers=list(Answer.objects.filter(session=session)),
        evidence_comments=[side.thread],
    )
    side.action = finding_services.add_action(
        finding=side.finding, description=f"{marker} action", owner=side.lead, due_date=datetime.date(2009, 5, 1)
    )
    side.indicator = Indicator.objects.create(
        area=area, code=f"{marker.lower()}-kpi", name=f"{marker} indicator", target=Decimal(50)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=side.indicator, period_start=datetime.date(year, 1, 1), value=Decimal(year - 1960))
        for year in range(2004, 2009)
    )
    side.self_evaluation = evaluation_services.current_self_evaluation(programme=side.programme, area=area)
    evaluation_services.update_texts(
        self_evaluation=side.self_evaluation,
        expected_revision=side.self_evaluation.revision,
        introduction=f"{marker} introduction",
        conclusion="",
    )
    other_area = side.programme.areas.exclude(pk=area.pk).order_by("name").first()
    side.final_self_evaluation = SelfEvaluation.objects.create(
        programme=side.programme,
        area=other_area,
        status=SelfEvaluation.Status.FINAL,
        introduction=f"{marker} final introduction",
        finalised_at=timezone.now(),
        finalised_by=side.facilitator,
        pdf=b"%PDF-1.7 " + marker.encode(),
        pdf_sha256="0" * 64,
    )
    side.build = AreaSelfEvaluationBuild.objects.create(
        programme=side.programme,
        requested_by=side.facilitator,
        status=AreaSelfEvaluationBuild.Status.READY,
        progress=100,
        finished_at=timezone.now(),
        pdf=b"%PDF-1.7 " + marker.encode(),
        pdf_sha256="1" * 64,
    )
    side.milestone = f.milestone(side.programme, title=f"{marker} milestone")
    side.participant = session.participants.get(person=side.reviewer)
    meeting = f.session(
        side.programme,
        areas=[area],
        facilitator=side.facilitator,
        title=f"{marker} panel",
        kind="scrutiny",
        date=datetime.date(2009, 5, 20),
    )
    f.participant(meeting, side.reviewer)
    side.agenda_item = AgendaItem.objects.create(session=meeting, number="7", title=f"{marker} item", area=area)
    side.resolution = resolutions.record_resolution(
        item=side.agenda_item,
        by=side.facilitator,
        kind="resolution",
        text=f"{marker} resolution",
        owner=side.lead,
        response_due=datetime.date(2009, 6, 30),
    )
    side.panel = ScrutinyPanel.objects.create(partnership=side.partnership, name=f"{marker} panel")
    side.portfolio = CabinetPortfolio.objects.create(
        partnership=side.partnership, title=f"{marker} portfolio", holder=side.lead
    )
    partnership_logos.set_logo(side.partnership, data=f.logo_image())
    side.words.append(marker)
    _stretch_work(side, marker)
    return side


def _stretch_work(side, marker):
    """A stretch-and-challenge series of two occurrences with the indicator as its KPI, and an
    assurance audit of the area with a finding and its action, each with `marker` in its text."""
    side.series = series_services.create_series(
        programme=side.programme,
        indicators=[side.indicator],
        title=f"{marker} series",
        area=side.area,
        service_lead=side.lead,
        facilitator=side.facilitator,
        frequency="weekly",
        weekday=0,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(8, 30),
        starts_on=datetime.date(2009, 6, 1),
        until=None,
        count=2,
        venue="",
        meeting_link="",
    )
    side.occurrence = side.series.occurrences.order_by("planned_date").first()
    side.audit = audit_services.record_audit(
        area=side.area,
        by=side.facilitator,
        title=f"{marker} audit",
        audited_on=datetime.date(2009, 5, 1),
        auditor=f"{marker} auditor",
        sample_size=12,
        grading="good",
    )
    side.audit_finding = audit_services.record_audit_finding(
        audit=side.audit, by=side.facilitator, kind="strength", title=f"{marker} audit finding", text="Text"
    )
    finding_services.add_action(
        finding=side.audit_finding,
        description=f"{marker} audit action",
        owner=side.lead,
        due_date=datetime.date(2009, 9, 1),
    )
    side.stage = pathway_services.add_stage(
        area=side.area, name=f"{marker} stage", position=1, volume_indicator=side.indicator, timeliness_indicator=None
    )


@pytest.fixture
def salford(world):
    side = Side(
        partnership=world.programme.partnership,
        programme=world.programme,
        session=world.session,
        area=world.safeguarding,
        facilitator=world.facilitator,
        officer=world.officer,
        lead=world.lead,
        reviewer=world.reviewer,
        outsider=world.outsider,
        words=[
            "Salford",
            "Greater Manchester",
            "Safeguarding children",
            "CAA 2009",
            "Mellor",
            "Kenyon",
            "Hargreaves",
            "Dunn",
            "Ashworth",
        ],
    )
    return _work(side, "Irwell")


@pytest.fixture
def southampton(db):
    """The second partnership: the council leads care leavers, the police youth justice."""
    partnership = create_partnership(name="Southampton Partnership", slug="southampton")
    council = f.partner("Southampton City Council", partnership, short_name="SotCC")
    police = f.partner("Hampshire Constabulary", partnership, short_name="HantsPol")
    health = f.partner("Solent NHS Trust", partnership, short_name="Solent")
    lead = f.person(council, "s-lead", first_name="Marcus", last_name="Bitterne")
    care_leavers = f.area(council, "Care leavers", slug="care-leavers", lead_officer=lead)
    youth_justice = f.area(police, "Youth justice", slug="youth-justice")
    facilitator = f.person(council, "s-facilitator", first_name="Hannah", last_name="Weston")
    programme = f.programme(
        areas=[care_leavers, youth_justice],
        facilitators=[facilitator],
        partnership_=partnership,
        name="Stretch and challenge 2009",
        slug="stretch-2009",
        question_set=QuestionSet.objects.get(partnership=partnership),
    )
    reviewer = f.person(police, "s-reviewer", first_name="Priya", last_name="Sholing")
    session = f.session(programme, areas=[care_leavers], facilitator=facilitator, title="Care leavers stretch session")
    f.participant(session, lead, Participant.Role.PRESENTER, care_leavers)
    f.participant(session, reviewer, Participant.Role.REVIEWER)
    side = Side(
        partnership=partnership,
        programme=programme,
        session=session,
        area=care_leavers,
        facilitator=facilitator,
        officer=f.person(council, "s-officer", first_name="Owen", last_name="Portswood", is_officer=True),
        lead=lead,
        reviewer=reviewer,
        outsider=f.person(health, "s-outsider", first_name="Tessa", last_name="Woolston"),
        words=[
            "Southampton",
            "Hampshire",
            "Solent",
            "Care leavers",
            "Youth justice",
            "Stretch and challenge 2009",  # "Stretch and challenge" alone is a kind of session
            "Weston",
            "Bitterne",
            "Sholing",
            "Portswood",
            "Woolston",
        ],
    )
    return _work(side, "Itchen")


@pytest.fixture
def sides(salford, southampton):
    return {"salford": salford, "southampton": southampton}


# --- Every address of a partnership's things ------------------------------------------------

# Not about one partnership's things: each lists or takes the user's own (tested for what they
# list below), or has nothing to do with partnerships.
NOT_PARTNERSHIP_ADDRESSES = {
    "home",
    "search",  # what the person may read, of every partnership of theirs (tests/dashboard/test_search.py)
    "invitation_accept",  # the link's secret token is the access (tests/programmes/test_people.py)
    # The person's own notices, of every partnership of theirs (tests/programmes/test_notices.py);
    # following one is in partnership_urls below.
    "notice_list",
    "notice_read_all",
    "notice_settings",
    "notice_unsubscribe",  # the link's signed token is the access
    "indicator_import",
    "indicator_export",
    "indicator_template",
    "healthz",
    "healthz_web",
    "login",
    "logout",
    # Single sign-on (tests/programmes/test_sign_on.py): before anyone is signed in.
    "sign_on_discover",
    "openid_connect_login",
    "openid_connect_callback",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_complete",
    "password_reset_confirm",
    "password_reset_done",
}


def partnership_urls(side) -> dict:
    """name: (address, method) of every page, download and form of one partnership's
    things: those of the sessions access matrix (tests/sessions/test_access.py), and the
    workspace, findings, self-evaluations, builds, areas and indicators."""
    found = {name: (url, method) for name, (url, _, method) in session_access_urls(side).items()}
    s, a, q, p = side.session.pk, side.area.pk, side.question.pk, side.programme.slug
    se, final = side.self_evaluation.pk, side.final_self_evaluation.pk
    found.update(
        {
            "milestone_done": (reverse("milestone_done", args=[p, side.milestone.pk]), "POST"),
            "workspace": (reverse("workspace", args=[s, a]), "GET"),
            "answer_edit": (reverse("answer_edit", args=[s, a, q]), "GET"),
            "answer_save": (reverse("answer_save", args=[s, a, q]), "POST"),
            "answer_history": (reverse("answer_history", args=[s, a, q]), "GET"),
            "comment_new": (reverse("comment_new", args=[s, a, q]), "GET"),
            "comment_post": (reverse("comment_post", args=[s, a, q]), "POST"),
            "comment_reply": (reverse("comment_reply", args=[side.thread.pk]), "GET"),
            "comment_edit": (reverse("comment_edit", args=[side.thread.pk]), "GET"),
            "comment_withdraw": (reverse("comment_withdraw", args=[side.thread.pk]), "GET"),
            "comment_withdraw (post)": (reverse("comment_withdraw", args=[side.thread.pk]), "POST"),
            "comment_status": (reverse("comment_status", args=[side.thread.pk]), "POST"),
            "challenge_triage": (reverse("challenge_triage", args=[s]), "GET"),
            "challenge_mark": (reverse("challenge_mark", args=[s, side.thread.pk]), "GET"),
            "challenge_mark (post)": (reverse("challenge_mark", args=[s, side.thread.pk]), "POST"),
            "session_close": (reverse("session_freeze", args=[s, "close"]), "GET"),
            "session_close (post)": (reverse("session_freeze", args=[s, "close"]), "POST"),
            "session_findings": (reverse("session_findings", args=[s, a]), "GET"),
            "session_findings (post)": (reverse("session_findings", args=[s, a]), "POST"),
            "action_add": (reverse("action_add", args=[side.finding.pk]), "POST"),
            "finding_edit": (reverse("finding_edit", args=[side.finding.pk]), "GET"),
            "finding_edit (post)": (reverse("finding_edit", args=[side.finding.pk]), "POST"),
            "finding_withdraw": (reverse("finding_withdraw", args=[side.finding.pk]), "GET"),
            "finding_withdraw (post)": (reverse("finding_withdraw", args=[side.finding.pk]), "POST"),
            "finding_restore": (reverse("finding_restore", args=[side.finding.pk]), "POST"),
            "finding_history": (reverse("finding_history", args=[side.finding.pk]), "GET"),
            "action_status": (reverse("action_status", args=[side.action.pk]), "POST"),
            "action_tracker": (reverse("action_tracker", args=[p]), "GET"),
            "action_tracker_csv": (reverse("action_tracker_csv", args=[p]), "GET"),
            "action_page": (reverse("action_page", args=[side.action.pk]), "GET"),
            "action_page (post)": (reverse("action_page", args=[side.action.pk]), "POST"),
            "emerging_findings": (reverse("emerging_findings", args=[p]), "GET"),
            "documents": (reverse("documents", args=[p]), "GET"),
            "self_evaluation_start": (reverse("self_evaluation_start", args=[p, a]), "POST"),
            "self_evaluation": (reverse("self_evaluation", args=[se]), "GET"),
            "self_evaluation (final)": (reverse("self_evaluation", args=[final]), "GET"),
            "self_evaluation_record": (reverse("self_evaluation_record", args=[se]), "GET"),
            "self_evaluation_texts": (reverse("self_evaluation_texts", args=[se]), "POST"),
            "self_evaluation_comment": (reverse("self_evaluation_comment", args=[se]), "POST"),
            "self_evaluation_pdf": (reverse("self_evaluation_pdf", args=[se]), "GET"),
            "self_evaluation_pdf (final)": (reverse("self_evaluation_pdf", args=[final]), "GET"),
            "self_evaluation_docx": (reverse("self_evaluation_docx", args=[se]), "GET"),
            "self_evaluation_docx (final)": (reverse("self_evaluation_docx", args=[final]), "GET"),
            "self_evaluation_published": (reverse("self_evaluation_published", args=[se]), "GET"),
            "self_evaluation_published (final)": (reverse("self_evaluation_published", args=[final]), "GET"),
            "self_evaluation_action": (reverse("self_evaluation_action", args=[se, "circulate"]), "POST"),
            "self_evaluation_action (finalise)": (reverse("self_evaluation_action", args=[se, "finalise"]), "GET"),
            "self_evaluation_action (finalise, post)": (
                reverse("self_evaluation_action", args=[se, "finalise"]),
                "POST",
            ),
            "area_build_start": (reverse("area_build_start", args=[p]), "POST"),
            "area_build_status": (reverse("area_build_status", args=[side.build.pk]), "GET"),
            "area_build_pdf": (reverse("area_build_pdf", args=[side.build.pk]), "GET"),
            "area_page": (reverse("area_page", args=[side.area.slug]), "GET"),
            "area_history": (reverse("area_history", args=[side.area.slug]), "GET"),
            "indicator_detail": (reverse("indicator_detail", args=[side.indicator.pk]), "GET"),
            "infographic": (reverse("infographic", args=[p]), "GET"),
            "agenda_item": (reverse("agenda_item", args=[side.agenda_item.pk]), "GET"),
            "agenda_item (post)": (reverse("agenda_item", args=[side.agenda_item.pk]), "POST"),
            "agenda_item_add": (reverse("agenda_item_add", args=[side.agenda_item.session_id]), "GET"),
            "agenda_item_edit": (reverse("agenda_item_edit", args=[side.agenda_item.pk]), "GET"),
            "agenda_item_edit (post)": (reverse("agenda_item_edit", args=[side.agenda_item.pk]), "POST"),
            "scrutiny_report_pdf": (reverse("scrutiny_report_pdf", args=[side.agenda_item.pk]), "GET"),
            "resolution": (reverse("resolution", args=[side.resolution.pk]), "GET"),
            "resolution (post)": (reverse("resolution", args=[side.resolution.pk]), "POST"),
            "partnership_resolutions": (reverse("partnership_resolutions", args=[side.partnership.slug]), "GET"),
            # The reviewer's notice of the lead's reply: nobody else's to open.
            "notice_open": (reverse("notice_open", args=[side.reply_notice.pk]), "GET"),
        }
    )
    found.update(_question_set_urls(side))
    found.update(_indicator_urls(side))
    found.update(_people_urls(side))
    found.update(_programme_setup_urls(side))
    found.update(_area_urls(side))
    found.update(_stretch_urls(side))
    return found


def _stretch_urls(side) -> dict:
    """A stretch-and-challenge series and its occurrence, and an assurance audit of the area."""
    series, occurrence, audit = side.series.pk, side.occurrence.pk, side.audit.pk
    return {
        "series_create": (reverse("series_create", args=[side.programme.slug]), "GET"),
        "series_create (post)": (reverse("series_create", args=[side.programme.slug]), "POST"),
        "series_detail": (reverse("series_detail", args=[series]), "GET"),
        "series_edit": (reverse("series_edit", args=[series]), "GET"),
        "series_edit (post)": (reverse("series_edit", args=[series]), "POST"),
        "occurrence_skip": (reverse("occurrence_skip", args=[series, occurrence]), "GET"),
        "occurrence_skip (post)": (reverse("occurrence_skip", args=[series, occurrence]), "POST"),
        "occurrence_notes": (reverse("occurrence_notes", args=[series, occurrence]), "GET"),
        "occurrence_notes (post)": (reverse("occurrence_notes", args=[series, occurrence]), "POST"),
        "audit_list": (reverse("audit_list", args=[side.area.slug]), "GET"),
        "audit_create": (reverse("audit_create", args=[side.area.slug]), "GET"),
        "audit_create (post)": (reverse("audit_create", args=[side.area.slug]), "POST"),
        "audit_detail": (reverse("audit_detail", args=[audit]), "GET"),
        "audit_edit": (reverse("audit_edit", args=[audit]), "GET"),
        "audit_edit (post)": (reverse("audit_edit", args=[audit]), "POST"),
        "audit_finding_add": (reverse("audit_finding_add", args=[audit]), "GET"),
        "audit_finding_add (post)": (reverse("audit_finding_add", args=[audit]), "POST"),
        "action_add (audit)": (reverse("action_add", args=[side.audit_finding.pk]), "POST"),
        "finding_edit (audit)": (reverse("finding_edit", args=[side.audit_finding.pk]), "GET"),
        "finding_edit (audit, post)": (reverse("finding_edit", args=[side.audit_finding.pk]), "POST"),
        "finding_withdraw (audit)": (reverse("finding_withdraw", args=[side.audit_finding.pk]), "GET"),
        "finding_withdraw (audit, post)": (reverse("finding_withdraw", args=[side.audit_finding.pk]), "POST"),
        "finding_restore (audit)": (reverse("finding_restore", args=[side.audit_finding.pk]), "POST"),
        "finding_history (audit)": (reverse("finding_history", args=[side.audit_finding.pk]), "GET"),
        "pathway_page": (reverse("pathway_page", args=[side.area.slug]), "GET"),
        "pathway_manage": (reverse("pathway_manage", args=[side.area.slug]), "GET"),
        "pathway_manage (post)": (reverse("pathway_manage", args=[side.area.slug]), "POST"),
        "pathway_stage_edit": (reverse("pathway_stage_edit", args=[side.area.slug, side.stage.pk]), "GET"),
        "pathway_stage_edit (post)": (reverse("pathway_stage_edit", args=[side.area.slug, side.stage.pk]), "POST"),
        "pathway_stage_remove": (reverse("pathway_stage_remove", args=[side.area.slug, side.stage.pk]), "POST"),
    }


def _people_urls(side) -> dict:
    """The partnership's set-up pages of its organisations and people (programmes/people_urls.py),
    with one of its organisations and one of its members."""
    slug, partner = side.partnership.slug, side.area.lead_partner
    member = Membership.objects.get(partnership=side.partnership, person=side.lead).pk
    return {
        "partnership_home": (reverse("partnership_home", args=[slug]), "GET"),
        "partner_list": (reverse("partner_list", args=[slug]), "GET"),
        "partner_add": (reverse("partner_add", args=[slug]), "POST"),
        "partner_edit": (reverse("partner_edit", args=[slug, partner.pk]), "GET"),
        "partner_edit (post)": (reverse("partner_edit", args=[slug, partner.pk]), "POST"),
        "partner_sign_on": (reverse("partner_sign_on", args=[slug, partner.pk]), "GET"),
        "partner_sign_on (post)": (reverse("partner_sign_on", args=[slug, partner.pk]), "POST"),
        "people_list": (reverse("people_list", args=[slug]), "GET"),
        "person_add": (reverse("person_add", args=[slug]), "POST"),
        "people_import": (reverse("people_import", args=[slug]), "POST"),
        "person_edit": (reverse("person_edit", args=[slug, member]), "GET"),
        "person_edit (post)": (reverse("person_edit", args=[slug, member]), "POST"),
        "person_leave": (reverse("person_leave", args=[slug, member]), "GET"),
        "person_leave (post)": (reverse("person_leave", args=[slug, member]), "POST"),
        "person_rejoin": (reverse("person_rejoin", args=[slug, member]), "POST"),
        "person_invite": (reverse("person_invite", args=[slug, member]), "POST"),
        "partnership_logo": (reverse("partnership_logo", args=[slug]), "GET"),
        "partnership_logo (post)": (reverse("partnership_logo", args=[slug]), "POST"),
        "partnership_logo_remove": (reverse("partnership_logo_remove", args=[slug]), "POST"),
        "councillor_list": (reverse("councillor_list", args=[slug]), "GET"),
        "panel_add": (reverse("panel_add", args=[slug]), "POST"),
        "panel_edit": (reverse("panel_edit", args=[slug, side.panel.pk]), "GET"),
        "panel_edit (post)": (reverse("panel_edit", args=[slug, side.panel.pk]), "POST"),
        "portfolio_add": (reverse("portfolio_add", args=[slug]), "POST"),
        "portfolio_edit": (reverse("portfolio_edit", args=[slug, side.portfolio.pk]), "GET"),
        "portfolio_edit (post)": (reverse("portfolio_edit", args=[slug, side.portfolio.pk]), "POST"),
    }


def _indicator_urls(side) -> dict:
    """The partnership's indicator set-up pages (indicators/setup_views.py) and the value forms
    of one of its indicators, with one of its values."""
    slug, pk = side.partnership.slug, side.indicator.pk
    value = side.indicator.values.order_by("period_start").first().pk
    return {
        "partnership_indicators": (reverse("partnership_indicators", args=[slug]), "GET"),
        "indicator_create": (reverse("indicator_create", args=[slug]), "GET"),
        "indicator_create (post)": (reverse("indicator_create", args=[slug]), "POST"),
        "indicator_edit": (reverse("indicator_edit", args=[slug, pk]), "GET"),
        "indicator_edit (post)": (reverse("indicator_edit", args=[slug, pk]), "POST"),
        "indicator_retire": (reverse("indicator_retire", args=[slug, pk]), "POST"),
        "indicator_restore": (reverse("indicator_restore", args=[slug, pk]), "POST"),
        "indicator_value_add": (reverse("indicator_value_add", args=[pk]), "GET"),
        "indicator_value_add (post)": (reverse("indicator_value_add", args=[pk]), "POST"),
        "indicator_value_edit": (reverse("indicator_value_edit", args=[pk, value]), "GET"),
        "indicator_value_edit (post)": (reverse("indicator_value_edit", args=[pk, value]), "POST"),
        "indicator_value_delete": (reverse("indicator_value_delete", args=[pk, value]), "POST"),
    }


def _question_set_urls(side) -> dict:
    """The question set pages of the partnership's own set (a copy of the standard set made
    here if it has none yet), with one of its sections and questions."""
    own = QuestionSet.objects.filter(partnership=side.partnership).order_by("version").first()
    if own is None:
        own = copy_standard_question_sets(side.partnership)[0]
    section = own.sections.order_by("position").first()
    question = section.questions.order_by("position").first()
    args, slug = [side.partnership.slug, own.pk], side.partnership.slug
    return {
        "question_set_list": (reverse("question_set_list", args=[slug]), "GET"),
        "question_set_detail": (reverse("question_set_detail", args=args), "GET"),
        "question_set_new_version": (reverse("question_set_new_version", args=args), "POST"),
        "question_set_use": (reverse("question_set_use", args=args), "POST"),
        "question_set_section_create": (reverse("question_set_section_create", args=args), "GET"),
        "question_set_section_create (post)": (reverse("question_set_section_create", args=args), "POST"),
        "question_set_section_edit": (reverse("question_set_section_edit", args=[*args, section.pk]), "GET"),
        "question_set_section_move": (reverse("question_set_section_move", args=[*args, section.pk]), "POST"),
        "question_set_question_create": (
            reverse("question_set_question_create", args=[*args, section.pk]),
            "POST",
        ),
        "question_set_question_edit": (reverse("question_set_question_edit", args=[*args, question.pk]), "GET"),
        "question_set_question_edit (post)": (reverse("question_set_question_edit", args=[*args, question.pk]), "POST"),
        "question_set_question_move": (reverse("question_set_question_move", args=[*args, question.pk]), "POST"),
        "question_set_question_retire": (reverse("question_set_question_retire", args=[*args, question.pk]), "POST"),
    }


def test_every_address_is_covered(sides):
    """A page added to the app is added to `partnership_urls` (or, if it is about no one
    partnership's things, to NOT_PARTNERSHIP_ADDRESSES)."""
    named = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    covered = {resolve(url.split("?")[0]).url_name for url, _ in partnership_urls(sides["salford"]).values()}
    assert covered == named - NOT_PARTNERSHIP_ADDRESSES


def _state():
    """What a refused request must not have changed."""
    return (
        list(ChallengeSession.objects.order_by("pk").values_list("status", "revision", "closed_at")),
        Participant.objects.count(),
        list(Answer.objects.order_by("pk").values_list("revision", flat=True)),
        list(Comment.objects.order_by("pk").values_list("revision", "status", "status_note", "withdrawn_at")),
        list(Finding.objects.order_by("pk").values_list("revision", "title", "withdrawn_at")),
        FindingVersion.objects.count(),
        list(Action.objects.order_by("pk").values_list("status", "revision", "progress_note")),
        list(SelfEvaluation.objects.order_by("pk").values_list("status", "revision")),
        AreaSelfEvaluationBuild.objects.count(),
        list(Programme.objects.order_by("pk").values_list("pk", flat=True)),
        list(Milestone.objects.order_by("pk").values_list("done", flat=True)),
        list(Partner.objects.order_by("pk").values_list("pk", "name", "revision")),
        list(Membership.objects.order_by("pk").values_list("pk", "is_active", "revision")),
        Invitation.objects.count(),
        list(QuestionSet.objects.order_by("pk").values_list("revision", flat=True)),
        list(Question.objects.order_by("pk").values_list("pk", "text", "position")),
        list(Section.objects.order_by("pk").values_list("pk", "title", "position")),
        list(
            ThematicArea.objects.order_by("pk").values_list("pk", "name", "revision", "topics_revision", "retired_on")
        ),
        list(FocusTopic.objects.order_by("pk").values_list("pk", "name", "position")),
        list(Indicator.objects.order_by("pk").values_list("pk", "revision", "retired_on")),
        list(IndicatorValue.objects.order_by("pk").values_list("pk", "revision")),
        list(SessionSeries.objects.order_by("pk").values_list("pk", "revision")),
        list(SeriesOccurrence.objects.order_by("pk").values_list("pk", "revision", "skipped_at")),
        list(AssuranceAudit.objects.order_by("pk").values_list("pk", "revision")),
        list(PathwayStage.objects.order_by("pk").values_list("pk", "name", "revision")),
        list(PartnershipLogo.objects.order_by("pk").values_list("pk", "uploaded_at")),
    )


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("mine", "theirs"), [("salford", "southampton"), ("southampton", "salford")])
def test_nobody_reaches_the_other_partnerships_things(client, sides, who, mine, theirs):
    client.force_login(getattr(sides[mine], who))
    urls = partnership_urls(sides[theirs])
    before = _state()
    for name, (url, method) in urls.items():
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 404, (name, url, response.status_code)
        body = response.content.decode(errors="replace")
        assert not [word for word in sides[theirs].words if word in body], name
    assert _state() == before
    assert not mail.outbox


def test_an_administrator_reaches_both(client, sides, admin_user):
    client.force_login(admin_user)
    for side in sides.values():
        assert client.get(reverse("programme_dashboard", args=[side.programme.slug])).status_code == 200
        assert client.get(reverse("workspace", args=[side.session.pk, side.area.pk])).status_code == 200


# --- Every page and download each person can reach -----------------------------------------

HREF = re.compile(r'href="([^"#]*)')
NOT_FOLLOWED = re.compile(r"^/(admin|accounts|static)/|^/healthz")
NOTICE_OPEN = re.compile(r"^/notices/\d+/open/$")


def crawl(client, start="/", limit=400):
    """Every address reachable by following links from `start`, with its response: pages,
    their expanded lists and every download (calendars, CSV files, PDFs)."""
    seen, queue, found = set(), [start], {}
    while queue and len(found) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        found[url] = response
        if NOTICE_OPEN.search(url) and response.status_code == 302:
            # Following a notice marks it read and goes to its page: crawl that page too.
            queue.append(response["Location"].split("#")[0])
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = html.unescape(href)
            if href.startswith("?"):
                href = url.split("?")[0] + href
            if href.startswith("/") and not NOT_FOLLOWED.search(href) and href not in seen:
                queue.append(href)
    return found


def _text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("mine", "theirs"), [("salford", "southampton"), ("southampton", "salford")])
def test_no_page_or_download_shows_the_other_partnership(client, sides, who, mine, theirs):
    client.force_login(getattr(sides[mine], who))
    found = crawl(client)
    # The lists and downloads of one's own, whatever links there are to them.
    for url in [
        reverse("indicator_export"),
        reverse("indicator_template"),
        reverse("indicator_import"),
        reverse("programme_calendar", args=[sides[mine].programme.slug]),
    ]:
        found.setdefault(url, client.get(url))
    assert len(found) > 3
    leaks = {}
    for url, response in found.items():
        assert response.status_code in (200, 202, 403) or NOTICE_OPEN.search(url), (url, response.status_code)
        shown = [word for word in sides[theirs].words if word in _text(response)]
        if shown:
            leaks[url] = shown
    assert leaks == {}
    if who == "facilitator":  # they reach every kind of page and download of their programme
        kinds = {re.sub(r"\d+", "N", url.split("?")[0]) for url in found}
        assert {"/sessions/N/calendar.ics", "/self-evaluations/N/pdf/", "/builds/N/area-self-evaluation.pdf"} <= kinds
        assert any(word in _text(found["/"]) for word in sides[mine].words)


def test_an_import_does_not_know_the_other_partnerships_indicators(client, sides):
    salford, southampton = sides["salford"], sides["southampton"]
    client.force_login(salford.facilitator)
    csv = f"indicator,period,value\n{southampton.indicator.code},2008,1\n{salford.indicator.code},2008,2\n"
    page = client.post(reverse("indicator_import"), {"step": "apply", "csv": csv}).content.decode()
    assert f"No indicator has the code “{southampton.indicator.code}”." in page
    assert "Care leavers" not in page
    assert not IndicatorValue.objects.filter(indicator=southampton.indicator, value=1).exists()


# --- Pickers ----------------------------------------------------------------------------------


def _options(page, name):
    """The people offered by the form field `name` (a select, or checkboxes)."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if select:
        return {int(value) for value in re.findall(r'<option value="(\d+)"', select.group(1))}
    values = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="(\d+)"', page)
    assert values, name
    return {int(value) for value in values}


def test_pickers_offer_only_the_partnerships_active_members(client, sides):
    salford, southampton = sides["salford"], sides["southampton"]
    # Someone who left, and someone with no organisation: neither is offered.
    council = Partner.objects.get(name="Salford City Council")
    gone = f.person(council, "gone", first_name="Gwen", last_name="Gone")
    Membership.objects.filter(person=gone).update(is_active=False)
    nobody = f.person(council, "nobody", last_name="Nobody")
    Membership.objects.filter(person=nobody).update(partner=None)
    members = set(members_of(salford.partnership).values_list("pk", flat=True))
    assert salford.reviewer.pk in members and gone.pk not in members and nobody.pk not in members
    assert not members & set(members_of(southampton.partnership).values_list("pk", flat=True))

    client.force_login(salford.facilitator)
    ChallengeSession.objects.filter(pk=salford.session.pk).update(status="draft")
    form = client.get(reverse("session_create", args=[salford.programme.slug])).content.decode()
    assert _options(form, "facilitator") == members
    assert _options(form, "reviewers") == members
    detail = client.get(reverse("session_detail", args=[salford.session.pk])).content.decode()
    assert _options(detail, "person") == members
    findings = client.get(reverse("session_findings", args=[salford.session.pk, salford.area.pk])).content.decode()
    assert _options(findings, f"a{salford.finding.pk}-owner") == members
    for word in southampton.words + ["Gwen Gone", "Nobody"]:
        assert word not in form + detail + findings

    # Nor are they accepted when sent.
    response = client.post(
        reverse("participant_add", args=[salford.session.pk]), {"person": southampton.reviewer.pk, "role": "observer"}
    )
    assert "Select a valid choice" in response.content.decode()
    prefix = f"a{salford.finding.pk}"
    client.post(
        reverse("action_add", args=[salford.finding.pk]),
        {f"{prefix}-description": "Theirs", f"{prefix}-owner": southampton.lead.pk, f"{prefix}-due_date": "2009-07-01"},
    )
    assert not Action.objects.filter(description="Theirs").exists()


def test_the_services_refuse_people_of_another_partnership(sides):
    salford, southampton = sides["salford"], sides["southampton"]
    ChallengeSession.objects.filter(pk=salford.session.pk).update(status="draft")
    salford.session.refresh_from_db()
    with pytest.raises(ValidationError, match="not an active member of Salford City Partnership"):
        session_services.add_participant(
            session=salford.session, person=southampton.reviewer, role="observer", notify=False
        )
    with pytest.raises(ValidationError) as refused:
        session_services.create_session(
            programme=salford.programme,
            title="Joint session",
            date=datetime.date(2009, 6, 9),
            start_time=datetime.time(10),
            end_time=datetime.time(11),
            areas=[salford.area],
            facilitator=southampton.facilitator,
            reviewers=[southampton.reviewer],
        )
    assert set(refused.value.message_dict) == {"facilitator", "reviewers"}
    with pytest.raises(ValidationError, match="active member of the partnership"):
        finding_services.add_action(
            finding=salford.finding, description="Theirs", owner=southampton.lead, due_date=datetime.date(2009, 7, 1)
        )


def test_circulating_a_draft_goes_to_the_partnerships_own_partners(sides, django_capture_on_commit_callbacks):
    salford, southampton = sides["salford"], sides["southampton"]
    Partner.objects.update(contact_email="contact@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        circulated = evaluation_services.circulate(self_evaluation=salford.self_evaluation, by=salford.facilitator)
    assert set(circulated.circulated_to.all()) == set(salford.partnership.partners.all())
    to_partners = [message for message in mail.outbox if message.subject.startswith("For comment:")]
    assert len(to_partners) == salford.partnership.partners.count()
    assert not any(southampton.partnership.name in message.body for message in mail.outbox)
    # The notices of the draft go to the partnership's own people only.
    noticed = {address for message in mail.outbox if message not in to_partners for address in message.to}
    assert noticed
    assert noticed <= set(members_of(salford.partnership).values_list("email", flat=True))
    # Their people may read it; the other partnership's may not.
    assert SelfEvaluation.objects.readable_by(salford.outsider).filter(pk=circulated.pk).exists()
    assert not SelfEvaluation.objects.readable_by(southampton.outsider).filter(pk=circulated.pk).exists()


# --- Officers ---------------------------------------------------------------------------------


def test_an_officer_reads_their_partnership_not_the_installation(client, sides):
    salford, southampton = sides["salford"], sides["southampton"]
    hidden = f.session(salford.programme, areas=[f.area(f.partner(), "Hidden area")], title="Nobody's session")
    client.force_login(salford.officer)
    assert list(Programme.objects.visible_to(salford.officer)) == [salford.programme]
    home = client.get(reverse("home")).content.decode()
    assert salford.programme.name in home and southampton.programme.name not in home
    sessions = client.get(reverse("session_list", args=[salford.programme.slug])).content.decode()
    assert "Nobody&#x27;s session" in sessions
    assert client.get(reverse("session_detail", args=[hidden.pk])).status_code == 200
    assert client.get(reverse("self_evaluation", args=[salford.self_evaluation.pk])).status_code == 200
    assert client.get(reverse("area_build_pdf", args=[salford.build.pk])).status_code == 200
    assert client.get(reverse("programme_dashboard", args=[southampton.programme.slug])).status_code == 404

    # A plain member of Southampton as well: there they read only what they take part in.
    f.member(salford.officer, Partner.objects.get(name="Hampshire Constabulary"))
    client.force_login(salford.officer)
    assert client.get(reverse("programme_dashboard", args=[southampton.programme.slug])).status_code == 403
    assert client.get(reverse("session_detail", args=[southampton.session.pk])).status_code == 403
    f.participant(southampton.session, salford.officer, Participant.Role.OBSERVER)
    assert client.get(reverse("session_detail", args=[southampton.session.pk])).status_code == 200
    assert client.get(reverse("area_build_pdf", args=[southampton.build.pk])).status_code == 403


def test_partnerships_for_a_user(sides, admin_user):
    salford, southampton = sides["salford"], sides["southampton"]
    assert list(Partnership.objects.for_user(salford.reviewer)) == [salford.partnership]
    assert set(Partnership.objects.for_user(admin_user)) == {salford.partnership, southampton.partnership}
    Membership.objects.filter(person=salford.reviewer).update(is_active=False)
    salford.reviewer.forget_memberships()
    assert list(Partnership.objects.for_user(salford.reviewer)) == []


def test_someone_who_left_sees_nothing_and_history_keeps_their_name(client, sides):
    salford = sides["salford"]
    Membership.objects.filter(person=salford.reviewer).update(is_active=False)
    client.force_login(salford.reviewer)
    assert client.get(reverse("session_detail", args=[salford.session.pk])).status_code == 404
    assert client.get(reverse("workspace", args=[salford.session.pk, salford.area.pk])).status_code == 404
    assert "CAA 2009" not in client.get(reverse("home")).content.decode()
    client.force_login(salford.facilitator)
    page = client.get(reverse("session_detail", args=[salford.session.pk])).content.decode()
    assert "Paul Hargreaves" in page and "(Greater Manchester Police)" in page
    workspace = client.get(reverse("workspace", args=[salford.session.pk, salford.area.pk])).content.decode()
    assert "Paul Hargreaves</strong>" in workspace and "(GMP)" in workspace


# --- One person in both partnerships ----------------------------------------------------------


@pytest.fixture
def dual(sides):
    """Dana works for the police in Salford and for the council in Southampton; she reviews
    in a session of each."""
    dana = f.person(Partner.objects.get(name="Greater Manchester Police"), "dana", first_name="Dana", last_name="Dual")
    f.member(dana, Partner.objects.get(name="Southampton City Council"))
    return dana


def test_a_person_in_both_partnerships_meets_each_ones_critical_friend_rule(client, sides, dual):
    salford, southampton = sides["salford"], sides["southampton"]
    world_safer_city = ThematicArea.objects.get(slug="safer-city")  # led by the police
    youth_justice = ThematicArea.objects.get(slug="youth-justice")  # led by the police
    for side in sides.values():
        ChallengeSession.objects.filter(pk=side.session.pk).update(status="draft")
        side.session.refresh_from_db()

    # Salford: from the police, so a critical friend of safeguarding (the council's), not of
    # safer city (the police's).
    salford_part = session_services.add_participant(
        session=salford.session, person=dual, role=Participant.Role.REVIEWER, notify=False
    )
    assert salford_part.partner.name == "Greater Manchester Police"
    assert (
        session_services.critical_friend_conflicts(
            areas=[world_safer_city], people=[dual], partners={dual.pk: salford_part.partner}
        )
        != []
    )
    with pytest.raises(ValidationError, match="Greater Manchester Police, leads Safer city"):
        session_services.create_session(
            programme=salford.programme,
            title="Safer city",
            date=datetime.date(2009, 6, 10),
            start_time=datetime.time(10),
            end_time=datetime.time(11),
            areas=[world_safer_city],
            facilitator=salford.facilitator,
            reviewers=[dual],
        )

    # Southampton: from the council, so not a critical friend of care leavers (the council's),
    # but of youth justice (the police's).
    with pytest.raises(ValidationError, match="Southampton City Council, leads Care leavers"):
        session_services.add_participant(
            session=southampton.session, person=dual, role=Participant.Role.REVIEWER, notify=False
        )
    # One person, so Salford's session at the same time clashes: without saying what it is.
    with pytest.raises(ValidationError) as clash:
        session_services.add_participant(session=southampton.session, person=dual, role=Participant.Role.OBSERVER)
    assert clash.value.message_dict["person"] == [
        "Dana Dual is already booked elsewhere on 8 May 2009 from 10:00 to 12:00."
    ]
    youth_session = session_services.create_session(
        programme=southampton.programme,
        title="Youth justice",
        date=datetime.date(2009, 6, 11),
        start_time=datetime.time(10),
        end_time=datetime.time(11),
        areas=[youth_justice],
        facilitator=southampton.facilitator,
        reviewers=[dual],
    )
    assert youth_session.participants.get(person=dual).partner.name == "Southampton City Council"

    # In each workspace, the rule of that partnership, and comments record the organisation.
    ChallengeSession.objects.filter(pk__in=[salford.session.pk, youth_session.pk]).update(status="scheduled")
    client.force_login(dual)
    access = SessionAccess(type(dual).objects.get(pk=dual.pk), ChallengeSession.objects.get(pk=salford.session.pk))
    assert access.comment_refusal(salford.area) is None
    assert "Your organisation leads" in access.comment_refusal(world_safer_city)
    session = ChallengeSession.objects.select_related("programme").get(pk=youth_session.pk)
    assert SessionAccess(dual, session).comment_refusal(youth_justice) is None
    assert "Your organisation leads" in SessionAccess(dual, session).comment_refusal(southampton.area)
    comment = workspace_services.post_comment(
        session=session,
        area=youth_justice,
        question=southampton.question,
        author=dual,
        kind=Comment.Kind.QUESTION,
        text="How many reoffend?",
    )
    assert comment.author_partner.name == "Southampton City Council"
    page = client.get(reverse("workspace", args=[salford.session.pk, salford.area.pk])).content.decode()
    assert "Signed in as <strong>Dana Dual</strong>" in page
    assert "GMP (Salford City Partnership); SotCC (Southampton Partnership)" in page
    home = client.get(reverse("home")).content.decode()
    assert salford.programme.name in home and southampton.programme.name in home


# --- The partnership's own data ----------------------------------------------------------


def test_names_are_unique_within_a_partnership_not_across(sides):
    salford, southampton = sides["salford"], sides["southampton"]
    f.partner("Salford City Council", southampton.partnership)  # the same name elsewhere is fine
    f.area(Partner.objects.get(name="Hampshire Constabulary"), "Safeguarding children", slug="safeguarding-2")
    with pytest.raises(ValidationError):
        Partner(partnership=salford.partnership, name="Salford City Council").validate_constraints()
    with pytest.raises(ValidationError):
        ThematicArea(
            partnership=salford.partnership,
            name="Safeguarding children",
            slug="x",
            lead_partner=salford.area.lead_partner,
        ).validate_constraints()


def test_records_stay_inside_their_partnership(sides):
    salford, southampton = sides["salford"], sides["southampton"]
    theirs = Partner.objects.get(name="Hampshire Constabulary")
    with pytest.raises(ValidationError, match="one of this partnership's partners"):
        Membership(partnership=salford.partnership, person=salford.reviewer, partner=theirs).clean()
    with pytest.raises(ValidationError, match="the partnership's partners"):
        ThematicArea(partnership=salford.partnership, name="X", slug="x", lead_partner=theirs).clean()
    with pytest.raises(ValidationError, match="must work for the lead organisation"):
        ThematicArea(
            partnership=southampton.partnership,
            name="X",
            slug="x",
            lead_partner=theirs,
            lead_officer=salford.reviewer,  # the police, but Salford's
        ).clean()
    programme = Programme(
        partnership=salford.partnership,
        name="X",
        slug="x",
        start_date=datetime.date(2009, 1, 1),
        end_date=datetime.date(2009, 2, 1),
        question_set=southampton.programme.question_set,
    )
    with pytest.raises(ValidationError, match="partnership's own or a standard one"):
        programme.clean()


def test_a_new_partnership_starts_with_its_own_question_set(db):
    standard = f.default_question_set()
    partnership = create_partnership(name="Wigan Borough Partnership")
    assert partnership.slug == "wigan-borough-partnership"
    assert create_partnership(name="Wigan Borough Partnership!").slug == "wigan-borough-partnership-2"
    own = QuestionSet.objects.get(partnership=partnership)
    assert (own.family, own.version, own.name) == (standard.family, standard.version, standard.name)
    assert [s.title for s in own.sections.all()] == [s.title for s in standard.sections.all()]
    later = new_question_set_version(question_set=own)
    assert (later.partnership, later.version) == (partnership, 2)
    # Another partnership's versions and the standard one are untouched.
    assert QuestionSet.objects.filter(partnership__isnull=True).count() == 1
    assert new_question_set_version(question_set=standard).version == 2
    assert QuestionSet.objects.get(partnership=partnership, version=2) == later


def test_the_admin_keeps_a_programme_inside_its_partnership(admin_client, sides):
    salford, southampton = sides["salford"], sides["southampton"]
    url = reverse("admin:programmes_programme_change", args=[salford.programme.pk])
    response = admin_client.post(
        url,
        {
            "name": salford.programme.name,
            "slug": salford.programme.slug,
            "partnership": salford.partnership.pk,
            "start_date": "2009-04-01",
            "end_date": "2009-11-30",
            "question_set": salford.programme.question_set_id,
            "areas": [salford.area.pk, southampton.area.pk],
            "facilitators": [salford.facilitator.pk, southampton.facilitator.pk],
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["areas"] == ["Not areas of Salford City Partnership: Care leavers."]
    assert errors["facilitators"] == ["Not active members of Salford City Partnership: Hannah Weston."]
    assert list(salford.programme.areas.all()) != [] and southampton.area not in salford.programme.areas.all()


def _pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdfs_hold_only_their_partnerships_record(client, sides):
    """The draft mini self-evaluation and the area self-evaluation, rendered as the worker
    renders them, name the partnership and hold nothing of the other."""
    salford, southampton = sides["salford"], sides["southampton"]
    client.force_login(salford.facilitator)
    draft = download_draft_pdf(client, reverse("self_evaluation_pdf", args=[salford.self_evaluation.pk]))
    text = _pdf_text(b"".join(draft.streaming_content) if draft.streaming else draft.content)
    assert "Salford City Partnership" in text and "Irwell answer" in text and "Irwell challenge" in text
    assert not [word for word in southampton.words if word in text]
    whole = _pdf_text(area_self_evaluation_pdf(southampton.programme))
    assert "Southampton Partnership" in whole and "Itchen finding" in whole
    assert not [word for word in salford.words if word in whole]


def _programme_setup_urls(side) -> dict:
    """The partnership's programme set-up pages (programmes/programme_setup_urls.py): a new
    programme, and the partnership's programme's edit and roll-forward pages."""
    slug, p = side.partnership.slug, side.programme.slug
    return {
        "programme_create": (reverse("programme_create", args=[slug]), "GET"),
        "programme_create (post)": (reverse("programme_create", args=[slug]), "POST"),
        "programme_edit": (reverse("programme_edit", args=[p]), "GET"),
        "programme_edit (post)": (reverse("programme_edit", args=[p]), "POST"),
        "programme_roll_forward": (reverse("programme_roll_forward", args=[p]), "GET"),
        "programme_roll_forward (post)": (reverse("programme_roll_forward", args=[p]), "POST"),
    }


def _area_urls(side) -> dict:
    """The partnership's areas and focus topics pages (programmes/area_urls.py), with its area
    and a focus topic of it (made here if it has none)."""
    slug, area = side.partnership.slug, side.area
    topic = area.focus_topics.order_by("position").first() or FocusTopic.objects.create(area=area, name="Topic")
    args = [slug, area.pk]
    return {
        "area_list": (reverse("area_list", args=[slug]), "GET"),
        "area_create": (reverse("area_create", args=[slug]), "GET"),
        "area_create (post)": (reverse("area_create", args=[slug]), "POST"),
        "area_edit": (reverse("area_edit", args=args), "GET"),
        "area_edit (post)": (reverse("area_edit", args=args), "POST"),
        "area_retire": (reverse("area_retire", args=args), "POST"),
        "area_unretire": (reverse("area_unretire", args=args), "POST"),
        "focus_topic_add": (reverse("focus_topic_add", args=args), "POST"),
        "focus_topic_edit": (reverse("focus_topic_edit", args=[*args, topic.pk]), "GET"),
        "focus_topic_edit (post)": (reverse("focus_topic_edit", args=[*args, topic.pk]), "POST"),
        "focus_topic_move": (reverse("focus_topic_move", args=[*args, topic.pk]), "POST"),
        "focus_topic_delete": (reverse("focus_topic_delete", args=[*args, topic.pk]), "POST"),
    }
