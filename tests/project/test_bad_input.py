"""Bad input gets a message beside the field (or naming the CSV line and column), never a
server error, and nothing typed is lost; e-mails that fail are shown, not reported as sent."""

import datetime
import smtplib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models
from django.test.utils import override_settings
from django.urls import reverse
from icalendar import Calendar

from challenge.validators import NoLineBreaks
from evaluations import services as evaluation_services
from evaluations.models import CirculationEmail
from findings import services as finding_services
from findings.models import Finding, Theme
from indicators import csv_import as indicator_import
from indicators.csv_import import ImportConflict, apply_import, plan_import
from indicators.models import Indicator, IndicatorValue
from programmes.models import Milestone, Programme, ThematicArea
from sessions.models import ChallengeSession, Participant, SessionNotice
from tests import factories as f
from tests.sessions.test_session_pages import form_data

LINE_BREAK_MESSAGE = "Write this on one line: it cannot contain line breaks."
HUGE_ID = "99999999999999999999999"  # beyond any database integer


@pytest.fixture
def fac_client(client, world):
    client.force_login(world.facilitator)
    client.raise_request_exception = False  # a server error shows as a 500, not a raise
    return client


# --- 11. Two identical CSV imports at the same moment ----------------------------------------

CSV = """indicator,period,value,national,comparator
conceptions,2007,55.1,41.2,48
conceptions,2008,52.3,40.4,
smoking,2008-Q1,"1,234",,
"""


@pytest.fixture
def kpis(world):
    world.conceptions = Indicator.objects.create(
        area=world.health_inequalities, code="conceptions", name="Teenage conceptions", polarity="lower"
    )
    world.smoking = Indicator.objects.create(
        area=world.health_inequalities, code="smoking", name="Smoking quitters", frequency="quarter"
    )
    return world


def saved_values():
    return sorted(
        (v.indicator.code, v.period_start, v.value, v.national, v.comparator)
        for v in IndicatorValue.objects.select_related("indicator")
    )


def test_second_identical_import_previewed_before_the_first_saved_changes_nothing(kpis):
    first = plan_import(CSV, partnership=f.default_partnership(), may_change=lambda a: True)
    second = plan_import(CSV, partnership=f.default_partnership(), may_change=lambda a: True)
    assert first.counts == second.counts == {"new": 3, "changed": 0, "unchanged": 0}
    assert apply_import(first) == {"new": 3, "changed": 0, "unchanged": 0}
    after_first = saved_values()
    assert apply_import(second) == {"new": 0, "changed": 0, "unchanged": 3}
    assert saved_values() == after_first and len(after_first) == 3


def test_import_racing_another_updates_what_the_other_saved(kpis):
    first = plan_import(CSV, partnership=f.default_partnership(), may_change=lambda a: True)
    second = plan_import(CSV.replace("52.3", "51.0"), partnership=f.default_partnership(), may_change=lambda a: True)
    apply_import(first)
    assert apply_import(second) == {"new": 0, "changed": 1, "unchanged": 2}
    value = IndicatorValue.objects.get(indicator=kpis.conceptions, period_start=datetime.date(2008, 1, 1))
    assert value.value == Decimal("51.0") and IndicatorValue.objects.count() == 3


def test_import_that_lands_between_preview_and_apply_reports_already_imported(fac_client, kpis, monkeypatch):
    real_plan = indicator_import.plan_import

    def plan_then_someone_else_imports(text, **checks):
        plan = real_plan(text, **checks)
        apply_import(
            real_plan(text, partnership=f.default_partnership(), may_change=lambda a: True)
        )  # the other request commits
        return plan

    monkeypatch.setattr(indicator_import, "plan_import", plan_then_someone_else_imports)
    response = fac_client.post(reverse("indicator_import"), {"step": "apply", "csv": CSV}, follow=True)
    assert response.status_code == 200
    assert "Nothing to import: these values were already imported (3 unchanged)." in response.content.decode()
    assert len(saved_values()) == 3


def test_import_colliding_on_the_database_constraint_is_a_message_not_a_500(fac_client, kpis, monkeypatch):
    apply_import(plan_import(CSV, partnership=f.default_partnership(), may_change=lambda a: True))
    before = saved_values()
    # As if the other import's rows were not visible yet: the unique constraint catches it.
    monkeypatch.setattr(indicator_import.IndicatorValue.objects, "filter", lambda **kw: IndicatorValue.objects.none())
    with pytest.raises(ImportConflict):
        apply_import(
            plan_import(
                "indicator,period,value\nconceptions,2007,1\n",
                partnership=f.default_partnership(),
                may_change=lambda a: True,
            )
        )
    response = fac_client.post(reverse("indicator_import"), {"step": "apply", "csv": CSV})
    monkeypatch.undo()
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else imported values for the same indicators and periods at the same moment." in html
    assert "Nothing from your file has been saved" in html
    assert "smoking,2008-Q1" in html  # the text is still in the form
    assert saved_values() == before


# --- 12. Numbers too large, too precise, or not numbers --------------------------------------


def test_numbers_the_database_cannot_hold_are_refused_by_line_and_column(kpis):
    text = (
        "indicator,period,value,national,comparator\n"
        f"conceptions,2001,{'1' + '0' * 29},1e20,99999999999\n"
        "conceptions,2002,NaN,Infinity,-inf\n"
        "conceptions,2003,9999999999.99999,,\n"
        "conceptions,2004,9999999999.9999,-9999999999.9999,0.0001\n"
    )
    plan = plan_import(text, partnership=f.default_partnership(), may_change=lambda a: True)
    too_large = "is too large: this column takes at most 10 digits before the decimal point."
    assert plan.errors == [
        (2, "value", f"“{'1' + '0' * 29}” {too_large}"),
        (2, "national", f"“1e20” {too_large}"),
        (2, "comparator", f"“99999999999” {too_large}"),
        (3, "value", "“NaN” is not a number."),
        (3, "national", "“Infinity” is not a number."),
        (3, "comparator", "“-inf” is not a number."),
        (4, "value", f"“9999999999.99999” {too_large}"),
    ]
    assert [r.line for r in plan.rows] == [5]


def test_the_limits_come_from_the_model_field(kpis, monkeypatch):
    field = IndicatorValue._meta.get_field("value")
    monkeypatch.setattr(field, "max_digits", 6)
    monkeypatch.setattr(field, "decimal_places", 2)
    plan = plan_import(
        "indicator,period,value\nconceptions,2001,12345\nconceptions,2002,1.234\n",
        partnership=f.default_partnership(),
        may_change=lambda a: True,
    )
    assert plan.errors == [
        (2, "value", "“12345” is too large: this column takes at most 4 digits before the decimal point.")
    ]
    assert plan.warnings == [(3, "value", "“1.234” has more than 2 decimal places: it will be saved rounded, as 1.23.")]


def test_extra_decimals_are_rounded_with_a_warning_per_line_in_the_preview(fac_client, kpis):
    text = "indicator,period,value,national\nconceptions,2007,52.34567,41.2\nconceptions,2008,50,40.00005\n"
    response = fac_client.post(reverse("indicator_import"), {"step": "preview", "csv": text})
    html = response.content.decode()
    assert "Check these: they will be saved, but not exactly as written." in html
    assert (
        "Line 2, column “value”: “52.34567” has more than 4 decimal places: it will be saved rounded, as 52.3457."
        in html
    )
    assert (
        "Line 3, column “national”: “40.00005” has more than 4 decimal places: it will be saved rounded, as 40.0001."
        in html
    )
    assert "2 new, 0 changed, 0 unchanged" in html and not IndicatorValue.objects.exists()
    assert fac_client.post(reverse("indicator_import"), {"step": "apply", "csv": text}).status_code == 302
    assert [(v.value, v.national) for v in IndicatorValue.objects.order_by("period_start")] == [
        (Decimal("52.3457"), Decimal("41.2")),
        (Decimal("50"), Decimal("40.0001")),
    ]


def test_too_large_value_in_the_browser_names_line_and_column_and_saves_nothing(fac_client, kpis):
    text = f"indicator,period,value\nconceptions,2007,{'9' * 30}\n"
    response = fac_client.post(reverse("indicator_import"), {"step": "apply", "csv": text})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line 2, column “value”: “999999999999999999999999999999” is too large" in html
    assert not IndicatorValue.objects.exists()


def test_the_largest_storable_values_show_on_every_page(fac_client, kpis):
    text = (
        "indicator,period,value,national\n"
        "conceptions,2007,9999999999.9999,-9999999999.9999\n"
        "conceptions,2008,0.0001,1\n"
    )
    apply_import(plan_import(text, partnership=f.default_partnership(), may_change=lambda a: True))
    for url in [
        reverse("indicator_detail", args=[kpis.conceptions.pk]),
        reverse("area_page", args=[kpis.health_inequalities.slug]),
        reverse("infographic", args=["caa-2009"]),
        reverse("indicator_export"),
    ]:
        assert fac_client.get(url).status_code == 200, url
    assert (
        "conceptions,2007,9999999999.9999,-9999999999.9999"
        in fac_client.get(reverse("indicator_export")).content.decode()
    )


@pytest.mark.parametrize("target", ["1e20", "NaN", "Infinity", "12345678901", "1.23456"])
def test_admin_refuses_a_target_it_cannot_store(admin_client, kpis, target):
    url = reverse("admin:indicators_indicator_change", args=[kpis.conceptions.pk])
    data = {
        "area": kpis.health_inequalities.pk,
        "code": "conceptions",
        "name": "Teenage conceptions",
        "definition": "",
        "unit": "percent",
        "polarity": "lower",
        "frequency": "year",
        "target": target,
        "target_date": "",
        "source": "",
        "position": 0,
        "values-TOTAL_FORMS": 1,
        "values-INITIAL_FORMS": 0,
        "values-0-period_start": "2008-01-01",
        "values-0-value": "1" + "0" * 29,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "target" in errors
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["value"]
    assert Indicator.objects.get(pk=kpis.conceptions.pk).target is None
    assert not IndicatorValue.objects.exists()


# --- 13. Line breaks in single-line fields; e-mails that fail ---------------------------------

OURS = {"programmes", "indicators", "challenge_sessions", "workspace", "findings", "evaluations"}
# Single-line text that people never type: codes, choices, digests, and the auth fields Django
# validates itself (user names, hashed passwords).
NOT_TYPED = {
    ("programmes.User", "username"),
    ("programmes.User", "password"),
    ("evaluations.SelfEvaluation", "pdf_sha256"),
    ("evaluations.AreaSelfEvaluationBuild", "pdf_sha256"),
    ("evaluations.AreaSelfEvaluationBuild", "step"),
    ("evaluations.AreaSelfEvaluationBuild", "task_id"),
}


def typed_single_line_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField)
                and not isinstance(field, (models.SlugField, models.EmailField, models.URLField))
                and not field.choices
                and field.editable
                and (model._meta.label, field.name) not in NOT_TYPED
            ):
                yield model, field


def test_every_typed_single_line_field_refuses_line_breaks():
    fields = list(typed_single_line_fields())
    assert len(fields) >= 20
    missing = [
        f"{m._meta.label}.{fl.name}" for m, fl in fields if not any(isinstance(v, NoLineBreaks) for v in fl.validators)
    ]
    assert missing == []
    for _model, field in fields:
        for value in ["Safeguarding\r\nchildren", "Safeguarding\nchildren", "Safe\u2028guarding"]:
            with pytest.raises(ValidationError) as exc:
                field.run_validators(value)
            assert exc.value.messages == [LINE_BREAK_MESSAGE]
        field.run_validators("Safeguarding children — 2009")


def test_line_break_in_a_session_title_is_refused_beside_it_and_everything_typed_stays(fac_client, world):
    data = form_data(world, title="Health and\r\nsafety", venue="Salford Civic Centre, room 2")
    response = fac_client.post(reverse("session_create", args=["caa-2009"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [LINE_BREAK_MESSAGE]
    assert not ChallengeSession.objects.filter(title__startswith="Health and").exists()
    html = response.content.decode()
    title_block = html[html.index('id="div_id_title"') :]
    title_block = title_block[: title_block.index('id="div_id_date"')]
    assert LINE_BREAK_MESSAGE in title_block
    assert "Health and\r\nsafety" in html or "Health and\nsafety" in html
    assert 'value="Salford Civic Centre, room 2"' in html and "Bring the latest figures." in html


def test_line_break_in_a_venue_is_refused_when_editing(fac_client, world):
    session = world.session
    data = form_data(
        world, title=session.title, areas=[world.safeguarding.pk], venue="Civic\nCentre", revision=session.revision
    )
    response = fac_client.post(reverse("session_edit", args=[session.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["venue"] == [LINE_BREAK_MESSAGE]
    session.refresh_from_db()
    assert session.venue == "Civic Centre" and session.date == datetime.date(2009, 5, 8)


def test_line_break_in_a_finding_title_is_refused_and_pasted_themes_split(fac_client, world):
    url = reverse("session_findings", args=[world.session.pk, world.safeguarding.pk])
    response = fac_client.post(url, {"kind": "risk", "title": "Pace\nof delivery", "text": "Slipping."})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [LINE_BREAK_MESSAGE]
    assert "Slipping." in response.content.decode() and not Finding.objects.exists()
    response = fac_client.post(
        url,
        {
            "kind": "risk",
            "title": "Pace of delivery",
            "text": "Slipping.",
            "new_themes": "Governance\r\nPace  of delivery, Partnership",
        },
    )
    assert response.status_code == 302
    names = sorted(Theme.objects.values_list("name", flat=True))
    assert names == ["Governance", "Pace of delivery", "Partnership"]


def test_line_break_in_a_milestone_title_is_refused(fac_client, world):
    response = fac_client.post(
        reverse("milestone_create", args=["caa-2009"]),
        {"title": "Cabinet\r\nbriefing", "date": "2009-06-01", "precision": "day", "owner": "Leader's office"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [LINE_BREAK_MESSAGE]
    assert "Leader&#x27;s office" in response.content.decode() or "Leader's office" in response.content.decode()
    assert not Milestone.objects.filter(date=datetime.date(2009, 6, 1)).exists()


def legacy_line_breaks(world):
    """Data saved before line breaks were refused."""
    ChallengeSession.objects.filter(pk=world.session.pk).update(
        title="Safeguarding\r\nchildren", venue="Civic\r\nCentre"
    )
    ThematicArea.objects.filter(pk=world.safeguarding.pk).update(name="Safeguarding\r\nchildren")
    Programme.objects.filter(pk=world.programme.pk).update(name="CAA 2009\r\nchallenge sessions")
    type(world.lead).objects.filter(pk=world.lead.pk).update(first_name="Andrew\r\n")


def test_calendar_of_legacy_data_with_line_breaks_is_valid_with_one_line_summary(client, world):
    legacy_line_breaks(world)
    client.force_login(world.reviewer)
    response = client.get(reverse("session_ics", args=[world.session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "SUMMARY:Safeguarding children\r\n" in body
    assert "LOCATION:Civic Centre\r\n" in body
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Safeguarding children"
    response = client.get(reverse("programme_calendar", args=["caa-2009"]))
    assert response.status_code == 200
    assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "CAA 2009 challenge sessions"


def test_invitation_for_legacy_title_with_line_breaks_is_sent_with_one_line_subject(
    fac_client, world, django_capture_on_commit_callbacks
):
    legacy_line_breaks(world)
    ChallengeSession.objects.filter(pk=world.session.pk).update(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("session_status", args=[world.session.pk, "schedule"]))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "facilitator@example.org",
        "lead@example.org",
        "reviewer@example.org",
    ]
    assert {m.subject for m in mail.outbox} == {"Invitation: Safeguarding children, Friday 8 May 2009 10:00"}
    notice = SessionNotice.objects.get()
    assert (notice.kind, notice.status, notice.recipients, notice.sent, notice.error) == (
        "invitation",
        "sent",
        3,
        3,
        "",
    )


def test_circulation_for_legacy_area_name_with_line_breaks_is_sent_with_one_line_subject(
    fac_client, world, django_capture_on_commit_callbacks
):
    legacy_line_breaks(world)
    type(world.police).objects.filter(pk=world.police.pk).update(contact_email="partnership@gmp.example")
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("self_evaluation_action", args=[se.pk, "circulate"]))
    # To the partners (the people it is circulated to are sent notices too: tests/programmes/test_notices.py).
    assert [m.subject for m in mail.outbox if not m.subject.startswith("Challenge: ")] == [
        "For comment: Safeguarding children mini self-evaluation (draft, version 1)"
    ]
    assert all("\n" not in m.subject for m in mail.outbox)
    batch = CirculationEmail.objects.get()
    assert (batch.status, batch.sent) == ("sent", 1)
    html = fac_client.get(reverse("self_evaluation", args=[se.pk])).content.decode()
    assert "E-mails to partners&#x27; contacts: sent to 1 person" in html


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"Mailbox unavailable") for m in messages})


@override_settings(EMAIL_BACKEND="tests.project.test_bad_input.RefusingBackend")
def test_failed_invitations_are_shown_to_the_facilitator_not_reported_sent(
    fac_client, client, world, django_capture_on_commit_callbacks
):
    ChallengeSession.objects.filter(pk=world.session.pk).update(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("session_status", args=[world.session.pk, "schedule"]))
    html = fac_client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
    assert "The invitations are queued to be e-mailed: this page shows whether they went." in html
    assert "on their way" not in html
    notice = SessionNotice.objects.get()
    assert (notice.status, notice.recipients, notice.sent) == ("failed", 3, 0)
    assert "Invitations failed" in html and "0 of 3 e-mails sent" in html
    assert "Paul Hargreaves &lt;reviewer@example.org&gt;" in html
    assert "Mailbox unavailable" in html
    # A participant is not shown the facilitator's delivery problems.
    client.force_login(world.reviewer)
    assert "Invitations failed" not in client.get(reverse("session_detail", args=[world.session.pk])).content.decode()


@override_settings(EMAIL_BACKEND="tests.project.test_bad_input.RefusingBackend")
def test_failed_circulation_is_shown_to_the_facilitator(fac_client, world, django_capture_on_commit_callbacks):
    type(world.police).objects.filter(pk=world.police.pk).update(contact_email="partnership@gmp.example")
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    with django_capture_on_commit_callbacks(execute=True):
        fac_client.post(reverse("self_evaluation_action", args=[se.pk, "circulate"]))
    html = fac_client.get(reverse("self_evaluation", args=[se.pk])).content.decode()
    assert "The e-mails to their contacts are queued: this page shows whether they went." in html
    assert "have been e-mailed" not in html
    assert "E-mails to partners&#x27; contacts failed" in html
    assert "Greater Manchester Police &lt;partnership@gmp.example&gt;" in html and "Mailbox unavailable" in html
    assert CirculationEmail.objects.get().status == "failed"


def test_emails_that_cannot_even_be_prepared_are_recorded_as_failed(fac_client, world):
    from sessions.notifications import send_notice

    notice = SessionNotice.objects.create(session=world.session, kind="invitation", recipients=1)
    with pytest.raises(ChallengeSession.DoesNotExist):
        send_notice(session_id=999999, kind="invitation", person_ids=[world.reviewer.pk], notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.finished_at is not None
    assert notice.error == "No e-mail could be prepared: ChallengeSession matching query does not exist."
    html = fac_client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
    assert "Invitations failed" in html and "No e-mail could be prepared" in html


def test_queued_emails_say_queued_until_the_worker_sends_them(fac_client, world, django_capture_on_commit_callbacks):
    ChallengeSession.objects.filter(pk=world.session.pk).update(status="draft")
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        fac_client.post(reverse("session_status", args=[world.session.pk, "schedule"]))
    html = fac_client.get(reverse("session_detail", args=[world.session.pk])).content.decode()
    assert "Invitations: queued" in html and "not sent yet" in html
    assert mail.outbox == []


# --- 14. Unknown, malformed and foreign ids in forms ------------------------------------------


@pytest.fixture
def elsewhere(world):
    """Things of another programme, which this programme's forms must not accept."""
    area = f.area(world.fire, "Fire prevention", slug="fire-prevention")
    programme = f.programme(areas=[area], facilitators=[world.facilitator], name="Other", slug="other")
    session = f.session(programme, areas=[area], facilitator=world.facilitator, date=datetime.date(2009, 9, 1))
    theme = Theme.objects.create(programme=programme, name="Foreign theme")
    admin = type(world.facilitator).objects.create_superuser("root", "root@example.org", "a-long-test-password")
    return type(
        "Elsewhere", (), {"area": area, "programme": programme, "session": session, "theme": theme, "admin": admin}
    )


BAD_IDS = ["999999", "abc", HUGE_ID, "-1", "1.5", ""]


def _bad(world, elsewhere, field, bad):
    """`bad` as the id to post: "elsewhere" is an area of another programme, or for people
    (who belong to the partnership, not to a programme) an administrator who belongs to no
    partner organisation and so is never offered."""
    if bad != "elsewhere":
        return bad
    if field in ("areas", "area"):
        return elsewhere.area.pk
    return elsewhere.admin.pk


@pytest.mark.parametrize("view", ["create", "edit"])
@pytest.mark.parametrize("field", ["areas", "reviewers", "facilitator"])
@pytest.mark.parametrize("bad", BAD_IDS + ["elsewhere"])
def test_session_form_with_a_bad_id_is_a_form_error(fac_client, world, elsewhere, view, field, bad):
    session = world.session
    before = (session.title, session.revision, sorted(session.participants.values_list("person_id", flat=True)))
    bad = _bad(world, elsewhere, field, bad)
    data = form_data(world, title="Changed title", areas=[world.safeguarding.pk], revision=session.revision)
    data[field] = [bad] if field != "facilitator" else bad
    url = reverse("session_edit", args=[session.pk]) if view == "edit" else reverse("session_create", args=["caa-2009"])
    response = fac_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors and all("valid" in e or "required" in e for e in errors), errors
    html = response.content.decode()
    field_block = html[html.index(f'id="div_id_{field}"') :]
    assert errors[0] in field_block  # beside the field
    assert 'value="Changed title"' in html
    session.refresh_from_db()
    assert (session.title, session.revision, sorted(session.participants.values_list("person_id", flat=True))) == before
    assert not ChallengeSession.objects.filter(title="Changed title").exists()


@pytest.mark.parametrize("field", ["person", "area"])
@pytest.mark.parametrize("bad", BAD_IDS[:-1] + ["elsewhere"])
def test_participant_form_with_a_bad_id_is_a_form_error(fac_client, world, elsewhere, field, bad):
    count = Participant.objects.count()
    data = {"person": world.fire_reviewer.pk, "role": "presenter", "area": world.safeguarding.pk}
    data[field] = _bad(world, elsewhere, field, bad)
    response = fac_client.post(reverse("participant_add", args=[world.session.pk]), data)
    assert response.status_code == 200
    assert response.context["participant_form"].errors[field]
    assert Participant.objects.count() == count


@pytest.mark.parametrize("field", ["themes", "evidence_answers", "evidence_comments"])
@pytest.mark.parametrize("bad", BAD_IDS[:-1] + ["elsewhere"])
def test_finding_form_with_a_bad_id_is_a_form_error(fac_client, world, elsewhere, field, bad):
    if bad == "elsewhere":
        if field == "themes":
            bad = elsewhere.theme.pk
        else:
            from workspace import services as ws

            question = elsewhere.session.question_set.sections.first().questions.first()
            answer = ws.save_answer(
                session=elsewhere.session,
                area=elsewhere.area,
                question=question,
                by=world.facilitator,
                expected_revision=0,
                text="Elsewhere",
            )
            bad = answer.pk
    url = reverse("session_findings", args=[world.session.pk, world.safeguarding.pk])
    response = fac_client.post(url, {"kind": "risk", "title": "Pace of delivery", "text": "Kept text", field: [bad]})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "Kept text" in response.content.decode()
    assert not Finding.objects.exists()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_action_form_with_a_bad_owner_is_a_message(fac_client, world, bad):
    finding = finding_services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind="risk",
        title="Pace",
        text="Slipping.",
    )
    prefix = f"a{finding.pk}"
    response = fac_client.post(
        reverse("action_add", args=[finding.pk]),
        {f"{prefix}-description": "Do it", f"{prefix}-owner": bad, f"{prefix}-due_date": "2009-07-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Owner:" in response.content.decode()
    assert not finding.actions.exists()


@pytest.mark.parametrize(
    "url_name,args",
    [
        ("session_detail", [HUGE_ID]),
        ("session_edit", [HUGE_ID]),
        ("session_ics", [HUGE_ID]),
        ("workspace", [1, HUGE_ID]),
        ("session_findings", [1, HUGE_ID]),
        ("self_evaluation", [HUGE_ID]),
        ("area_build_status", [HUGE_ID]),
        ("milestone_edit", ["caa-2009", HUGE_ID]),
    ],
)
def test_ids_too_large_for_the_database_in_addresses_are_not_found(fac_client, world, url_name, args):
    args = [world.session.pk if a == 1 else a for a in args]
    assert fac_client.get(reverse(url_name, args=args)).status_code == 404


def test_ids_too_large_for_the_database_match_nothing_in_a_list(world):
    assert list(ThematicArea.objects.filter(pk__in=[HUGE_ID, world.safeguarding.pk])) == [world.safeguarding]
    assert list(ThematicArea.objects.filter(pk__in=[int(HUGE_ID), -int(HUGE_ID)])) == []
    assert ThematicArea.objects.exclude(pk__in=[int(HUGE_ID)]).count() == 3


def test_admin_form_with_an_id_too_large_is_a_form_error(admin_client, world):
    url = reverse("admin:programmes_programme_change", args=[world.programme.pk])
    response = admin_client.post(
        url,
        {
            "name": "Renamed",
            "slug": "caa-2009",
            "start_date": "2009-04-01",
            "end_date": "2009-11-30",
            "question_set": world.programme.question_set_id,
            "areas": [HUGE_ID],
            "facilitators": [world.facilitator.pk],
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["areas"] == [
        f"Select a valid choice. {HUGE_ID} is not one of the available choices."
    ]
    assert Programme.objects.get(pk=world.programme.pk).name == "CAA 2009 challenge sessions"
