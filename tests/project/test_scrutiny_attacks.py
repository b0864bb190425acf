"""A hostile but signed-in user against the scrutiny features (issue 15): another
partnership's objects posted into one's own forms, other roles posting to the facilitators'
forms, writes in a state that forbids them, the independence rule by every path, double
submits and stale edits. Each is refused with a message beside the field (or 403/404) and
nothing is saved."""

import datetime

import pytest
from django.urls import reverse

from dashboard.my_work import my_resolutions
from findings import resolutions
from findings.models import AssuranceAudit, Resolution
from indicators.models import Indicator, PathwayStage
from programmes.models import CabinetPortfolio, Membership, ScrutinyPanel
from sessions import agenda
from sessions import series as series_services
from sessions import services as session_services
from sessions.independence import rule_for
from sessions.models import AgendaItem, ChallengeSession, Participant, SessionNotice, SessionSeries
from tests import factories as f
from tests.scrutiny_world import councillor, southampton

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time


@pytest.fixture
def sides(db, settings):
    settings.CHALLENGE_TODAY = D(2021, 10, 1)
    soton = southampton()
    Membership.objects.filter(person=soton.scrutiny_officer).update(is_facilitator=True)
    soton.scrutiny_officer.forget_memberships()
    soton.meeting = session_services.create_session(
        programme=soton.programme,
        title="Children and Families Scrutiny Panel",
        date=D(2021, 11, 4),
        start_time=T(18),
        end_time=T(20),
        areas=[soton.area],
        facilitator=soton.scrutiny_officer,
        kind=ChallengeSession.Kind.SCRUTINY,
        panel=soton.panel,
        schedule=True,
    )
    soton.item = agenda.add_agenda_item(
        session=soton.meeting, number="26", title="Improvement plan", area=soton.area, presenting_officers=[]
    )
    soton.indicator = Indicator.objects.create(area=soton.area, code="soton-kpi", name="Referrals")
    soton.officer = f.person(soton.council, "sotonofficer", is_officer=True)
    # Salford: its own facilitator, programme, panel and scrutiny meeting.
    council = f.partner("Salford City Council")
    salford = f.person(council, "salfordfac", is_facilitator=True)
    salford_area = f.area(council, "Salford children")
    salford_cllr = councillor(council, username="salfordcllr")
    salford_programme = f.programme(
        [salford_area], [salford], start_date=D(2021, 6, 1), end_date=D(2022, 5, 31), name="Salford 2021"
    )
    salford_panel = ScrutinyPanel.objects.create(partnership=council.partnership, name="Salford panel")
    salford_panel.members.set([salford_cllr])
    meeting = session_services.create_session(
        programme=salford_programme,
        title="Salford scrutiny",
        date=D(2021, 11, 5),
        start_time=T(18),
        end_time=T(20),
        areas=[salford_area],
        facilitator=salford,
        kind=ChallengeSession.Kind.SCRUTINY,
        panel=salford_panel,
    )
    item = agenda.add_agenda_item(session=meeting, number="1", title="Item", area=salford_area)
    return {
        "soton": soton,
        "salford": salford,
        "council": council,
        "area": salford_area,
        "programme": salford_programme,
        "panel": salford_panel,
        "meeting": meeting,
        "item": item,
        "cllr": salford_cllr,
    }


# --- 1. Another partnership's objects in one's own forms ------------------------------------------


def test_salford_cannot_hold_a_meeting_of_a_southampton_panel(client, sides):
    soton = sides["soton"]
    client.force_login(sides["salford"])
    before = ChallengeSession.objects.count()
    response = client.post(
        reverse("session_create", args=[sides["programme"].slug]),
        {
            "kind": "scrutiny",
            "panel": soton.panel.pk,
            "title": "Borrowed panel",
            "date": "2021-11-12",
            "start_time": "18:00",
            "end_time": "19:00",
            "areas": [sides["area"].pk],
            "facilitator": sides["salford"].pk,
            "reviewers": [soton.councillor.pk],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "panel" in form.errors and "reviewers" in form.errors
    assert ChallengeSession.objects.count() == before


def test_salford_agenda_item_cannot_name_southampton_officers_or_areas(client, sides):
    soton = sides["soton"]
    client.force_login(sides["salford"])
    url = reverse("agenda_item_add", args=[sides["meeting"].pk])
    response = client.post(
        url, {"number": "2", "title": "X", "area": soton.area.pk, "presenting_officers": [soton.director.pk]}
    )
    form = response.context["form"]
    assert "area" in form.errors and "presenting_officers" in form.errors
    edit = client.post(
        reverse("agenda_item_edit", args=[sides["item"].pk]),
        {
            "number": "1",
            "title": "X",
            "area": sides["area"].pk,
            "presenting_officers": [soton.director.pk],
            "revision": sides["item"].revision,
        },
    )
    assert "presenting_officers" in edit.context["form"].errors
    assert AgendaItem.objects.filter(session=sides["meeting"]).count() == 1
    assert not sides["meeting"].participants.filter(person=soton.director).exists()


def test_salford_resolution_cannot_be_owned_by_a_southampton_officer(client, sides):
    client.force_login(sides["salford"])
    response = client.post(
        reverse("agenda_item", args=[sides["item"].pk]),
        {"kind": "resolution", "text": "Do it", "owner": sides["soton"].director.pk, "response_due": "2021-12-01"},
    )
    assert "owner" in response.context["form"].errors
    assert not Resolution.objects.exists()


def test_salford_series_cannot_use_southampton_people_areas_or_kpis(client, sides):
    soton = sides["soton"]
    client.force_login(sides["salford"])
    response = client.post(
        reverse("series_create", args=[sides["programme"].slug]),
        {
            "title": "Weekly",
            "area": soton.area.pk,
            "service_lead": soton.service_lead.pk,
            "facilitator": soton.scrutiny_officer.pk,
            "indicators": [soton.indicator.pk],
            "frequency": "weekly",
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "11:00",
            "starts_on": "2021-10-04",
            "count": 3,
        },
    )
    errors = response.context["form"].errors
    assert {"area", "service_lead", "facilitator", "indicators"} <= set(errors)
    assert not SessionSeries.objects.exists()


def test_salford_pathway_cannot_use_a_southampton_kpi(client, sides):
    client.force_login(sides["salford"])
    response = client.post(
        reverse("pathway_manage", args=[sides["area"].slug]),
        {"name": "Referral", "position": 1, "volume_indicator": sides["soton"].indicator.pk},
    )
    assert "volume_indicator" in response.context["form"].errors
    assert not PathwayStage.objects.exists()


def test_salford_panel_and_portfolio_cannot_take_southampton_councillors_or_areas(client, sides):
    soton = sides["soton"]
    client.force_login(sides["salford"])
    slug = sides["panel"].partnership.slug
    panel = client.post(
        reverse("panel_edit", args=[slug, sides["panel"].pk]),
        {"name": "Salford panel", "members": [soton.chair.pk], "chair": soton.chair.pk, "revision": 1},
    )
    assert {"members", "chair"} <= set(panel.context["form"].errors)
    portfolio = client.post(
        reverse("portfolio_add", args=[slug]),
        {"title": "Cabinet", "holder": soton.cabinet_member.pk, "areas": [soton.area.pk]},
    )
    assert {"holder", "areas"} <= set(portfolio.context["form"].errors)
    assert list(sides["panel"].members.all()) == [sides["cllr"]]
    assert not CabinetPortfolio.objects.filter(partnership=sides["panel"].partnership).exists()


def test_salford_cannot_reach_southampton_forms(client, sides):
    soton = sides["soton"]
    client.force_login(sides["salford"])
    slug = soton.partnership.slug
    for url in (
        reverse("agenda_item_add", args=[soton.meeting.pk]),
        reverse("agenda_item_edit", args=[soton.item.pk]),
        reverse("agenda_item", args=[soton.item.pk]),
        reverse("panel_edit", args=[slug, soton.panel.pk]),
        reverse("portfolio_edit", args=[slug, soton.portfolio.pk]),
        reverse("pathway_manage", args=[soton.area.slug]),
        reverse("audit_create", args=[soton.area.slug]),
    ):
        assert client.post(url, {}).status_code == 404, url
    # Another partnership's panel id under one's own partnership's address.
    own = sides["panel"].partnership.slug
    assert client.post(reverse("panel_edit", args=[own, soton.panel.pk]), {}).status_code == 404
    assert client.post(reverse("portfolio_edit", args=[own, soton.portfolio.pk]), {}).status_code == 404


# --- 2. Other roles posting to the facilitators' forms -------------------------------------------


def test_no_other_role_may_post_to_the_facilitators_forms(client, sides):
    soton = sides["soton"]
    resolution = resolutions.record_resolution(
        item=soton.item,
        by=soton.scrutiny_officer,
        kind="resolution",
        text="Do it",
        owner=soton.director,
        response_due=D(2021, 12, 1),
    )
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    occurrence = series.occurrences.first()
    audit = AssuranceAudit.objects.create(
        area=soton.area,
        title="Case audit",
        audited_on=D(2021, 9, 1),
        sample_size=10,
        grading="good",
        created_by=soton.scrutiny_officer,
    )
    slug = soton.partnership.slug
    posts = [
        (reverse("agenda_item_add", args=[soton.meeting.pk]), {"number": "27", "title": "X", "area": soton.area.pk}),
        (reverse("agenda_item_edit", args=[soton.item.pk]), {"number": "27", "title": "X", "area": soton.area.pk}),
        (
            reverse("agenda_item", args=[soton.item.pk]),
            {"kind": "resolution", "text": "X", "owner": soton.director.pk, "response_due": "2021-12-01"},
        ),
        (
            reverse("resolution", args=[resolution.pk]),
            {
                "part": "response",
                "response-response": "accepted",
                "response-response_text": "X",
                "response-revision": 1,
            },
        ),
        (reverse("series_edit", args=[series.pk]), {"title": "X"}),
        (reverse("occurrence_skip", args=[series.pk, occurrence.pk]), {"reason": "No"}),
        (reverse("audit_edit", args=[audit.pk]), {"title": "X"}),
        (reverse("panel_edit", args=[slug, soton.panel.pk]), {"name": "X", "members": [soton.cabinet_member.pk]}),
        (reverse("portfolio_edit", args=[slug, soton.portfolio.pk]), {"title": "X", "holder": soton.chair.pk}),
        (reverse("pathway_manage", args=[soton.area.slug]), {"name": "X", "position": 1}),
    ]
    for who in (soton.councillor, soton.chair, soton.service_lead, soton.officer, soton.cabinet_member):
        client.force_login(who)
        for url, data in posts:
            assert client.post(url, data).status_code in (403, 404), (who.username, url)
    assert AgendaItem.objects.filter(session=soton.meeting).count() == 1
    resolution.refresh_from_db()
    assert resolution.response == Resolution.Response.AWAITED and resolution.agenda_item.number == "26"
    assert not occurrence.session.__class__.objects.filter(pk=occurrence.session_id, status="cancelled").exists()
    assert ScrutinyPanel.objects.get(pk=soton.panel.pk).name == "Children and Families Scrutiny Panel"
    assert CabinetPortfolio.objects.get(pk=soton.portfolio.pk).holder == soton.cabinet_member
    assert AssuranceAudit.objects.get(pk=audit.pk).title == "Case audit"
    assert not PathwayStage.objects.exists()


# --- 3. State abuse ---------------------------------------------------------------------------------


def test_no_agenda_item_is_added_to_a_cancelled_meeting(client, sides):
    soton = sides["soton"]
    ChallengeSession.objects.filter(pk=soton.meeting.pk).update(status=ChallengeSession.Status.CANCELLED)
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("agenda_item_add", args=[soton.meeting.pk]),
        {"number": "27", "title": "Late item", "area": soton.area.pk},
    )
    assert response.status_code == 200
    assert "The meeting was cancelled" in response.content.decode()
    assert response.context["form"]["title"].value() == "Late item"
    assert AgendaItem.objects.filter(session=soton.meeting).count() == 1


def test_a_series_ending_in_the_far_future_is_refused_quickly_with_a_message(sides):
    soton = sides["soton"]
    dates = series_services.occurrence_dates(
        frequency="weekly", weekday=0, starts_on=D(2021, 10, 4), until=D(9999, 1, 1)
    )
    assert len(dates) == series_services.MAX_OCCURRENCES + 1  # not every Monday to 9999
    with pytest.raises(Exception) as exc:
        series_services.validate_series(
            programme=soton.programme,
            area=soton.area,
            service_lead=soton.service_lead,
            facilitator=soton.scrutiny_officer,
            indicators=[],
            frequency="weekly",
            weekday=0,
            start_time=T(10),
            end_time=T(11),
            starts_on=D(2021, 10, 4),
            until=D(9999, 1, 1),
        )
    assert "at most 53 occurrences" in str(exc.value)


def test_an_occurrence_is_skipped_once_and_not_after_its_day(client, sides, settings):
    soton = sides["soton"]
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    first, second = list(series.occurrences.order_by("planned_date"))[:2]
    client.force_login(soton.scrutiny_officer)
    url = reverse("occurrence_skip", args=[series.pk, first.pk])
    assert client.post(url, {"reason": "Bank holiday"}).status_code == 302
    client.post(url, {"reason": "Again"})
    first.refresh_from_db()
    assert first.skipped_reason == "Bank holiday"
    settings.CHALLENGE_TODAY = D(2021, 10, 20)  # the second (11 October) is past
    response = client.post(reverse("occurrence_skip", args=[series.pk, second.pk]), {"reason": "Forgot"})
    second.refresh_from_db()
    assert not second.is_skipped, response.status_code


# --- 4. The independence rule, by every path ------------------------------------------------------


def test_a_cabinet_member_cannot_be_added_as_a_challenger_of_their_portfolio(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    client.post(
        reverse("participant_add", args=[soton.meeting.pk]),
        {"person": soton.cabinet_member.pk, "role": "reviewer"},
    )
    assert not soton.meeting.participants.filter(person=soton.cabinet_member).exists()


def test_a_panel_member_given_the_portfolio_of_a_coming_meeting_is_refused(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    other = councillor(soton.council, username="cllrother")
    response = client.post(
        reverse("portfolio_add", args=[soton.partnership.slug]),
        {"title": "Another cabinet member", "holder": soton.councillor.pk, "areas": [soton.area.pk]},
    )
    assert response.status_code == 200 and "areas" in response.context["form"].errors
    assert not CabinetPortfolio.objects.filter(holder=soton.councillor).exists()
    assert (
        client.post(
            reverse("portfolio_add", args=[soton.partnership.slug]),
            {"title": "Another cabinet member", "holder": other.pk, "areas": [soton.area.pk]},
        ).status_code
        == 302
    )


def test_a_cabinet_member_joining_the_panel_does_not_sit_on_its_meeting_about_their_portfolio(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk]),
        {
            "name": soton.panel.name,
            "members": [soton.chair.pk, soton.councillor.pk, soton.cabinet_member.pk],
            "chair": soton.chair.pk,
            "revision": soton.panel.revision,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == [
        "Children and Families Scrutiny Panel on 4 November 2021: Cara Cabinet cannot sit on the panel for "
        "Children's social care: as Cabinet Member for Children's Social Care they hold that portfolio. "
        + rule_for("scrutiny").principle
    ]
    assert not soton.meeting.participants.filter(person=soton.cabinet_member).exists()
    assert soton.cabinet_member not in soton.panel.members.all()


def test_a_councillor_joining_the_panel_sits_on_its_coming_meetings(client, sides):
    soton = sides["soton"]
    newcomer = councillor(soton.council, username="cllrnew", first_name="Nia", last_name="New")
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk]),
        {
            "name": soton.panel.name,
            "members": [soton.chair.pk, soton.councillor.pk, newcomer.pk],
            "chair": soton.chair.pk,
            "revision": soton.panel.revision,
        },
    )
    assert response.status_code == 302
    part = soton.meeting.participants.get(person=newcomer)
    assert part.role == Participant.Role.REVIEWER
    assert SessionNotice.objects.filter(session=soton.meeting, kind="invitation", recipients=1).exists()
    client.force_login(newcomer)
    assert client.get(soton.meeting.get_absolute_url()).status_code == 200


# --- 5. Double submits and stale edits ---------------------------------------------------------------


def test_a_portfolio_form_sent_twice_makes_one_portfolio(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    url = reverse("portfolio_add", args=[soton.partnership.slug])
    page = client.get(url)
    token = page.context["form"]["submission_token"].value()
    data = {"title": "Cabinet Member for Health", "holder": soton.chair.pk, "submission_token": token}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert CabinetPortfolio.objects.filter(title="Cabinet Member for Health").count() == 1


def test_a_stale_panel_edit_is_refused(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    url = reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk])
    data = {"name": "Renamed", "members": [soton.chair.pk], "chair": soton.chair.pk, "revision": 1}
    assert client.post(url, data).status_code == 302
    data["name"] = "Renamed again"
    assert client.post(url, data).status_code == 409
    assert ScrutinyPanel.objects.get(pk=soton.panel.pk).name == "Renamed"


def test_a_stale_series_edit_is_refused_and_said(client, sides):
    soton = sides["soton"]
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    SessionSeries.objects.filter(pk=series.pk).update(revision=5, title="Changed by another")
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("series_edit", args=[series.pk]),
        {
            "title": "Mine",
            "area": soton.area.pk,
            "service_lead": soton.service_lead.pk,
            "facilitator": soton.scrutiny_officer.pk,
            "frequency": "weekly",
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "11:00",
            "starts_on": "2021-10-04",
            "count": 3,
            "from_date": "2021-10-04",
            "revision": 1,
        },
    )
    assert response.status_code == 409 and response.context["conflict"] is not None
    assert "Changed by another" in response.content.decode()
    assert SessionSeries.objects.get(pk=series.pk).title == "Changed by another"


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999999", "-1", "1.5"])
def test_bad_ids_in_the_scrutiny_forms_are_form_errors(client, sides, bad):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    client.raise_request_exception = False
    slug = soton.partnership.slug
    posts = [
        (reverse("panel_edit", args=[slug, soton.panel.pk]), {"name": "P", "members": [bad], "revision": 1}, "members"),
        (reverse("portfolio_add", args=[slug]), {"title": "P", "holder": bad}, "holder"),
        (reverse("portfolio_add", args=[slug]), {"title": "P", "holder": soton.chair.pk, "areas": [bad]}, "areas"),
        (
            reverse("agenda_item_add", args=[soton.meeting.pk]),
            {"number": "27", "title": "X", "area": soton.area.pk, "presenting_officers": [bad]},
            "presenting_officers",
        ),
        (
            reverse("agenda_item", args=[soton.item.pk]),
            {"kind": "resolution", "text": "X", "owner": bad, "response_due": "2021-12-01"},
            "owner",
        ),
        (
            reverse("pathway_manage", args=[soton.area.slug]),
            {"name": "S", "position": 1, "volume_indicator": bad},
            "volume_indicator",
        ),
    ]
    for url, data, field in posts:
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert response.context["form"].errors[field], url
    assert not CabinetPortfolio.objects.filter(title="P").exists()
    assert AgendaItem.objects.filter(session=soton.meeting).count() == 1


def test_a_response_due_before_the_meeting_is_refused_beside_the_field(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("agenda_item", args=[soton.item.pk]),
        {"kind": "resolution", "text": "Five years of data", "owner": soton.director.pk, "response_due": "2021-01-01"},
    )
    assert response.status_code == 200
    assert (
        "The response is due after the meeting: on or after 4 November 2021."
        in response.context["form"].errors["response_due"]
    )
    assert "Five years of data" in response.content.decode()
    assert not Resolution.objects.exists()


def test_a_series_lead_who_challenges_one_of_its_occurrences_is_refused_not_a_server_error(client, sides):
    soton = sides["soton"]
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    first = series.occurrences.order_by("planned_date").first()
    session_services.add_participant(session=first.session, person=soton.colleague, role="reviewer")
    client.force_login(soton.scrutiny_officer)
    client.raise_request_exception = False
    response = client.post(
        reverse("series_edit", args=[series.pk]),
        {
            "title": "Weekly",
            "area": soton.area.pk,
            "service_lead": soton.colleague.pk,
            "facilitator": soton.scrutiny_officer.pk,
            "frequency": "weekly",
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "11:00",
            "starts_on": "2021-10-04",
            "count": 3,
            "from_date": "2021-10-04",
            "revision": series.revision,
        },
    )
    assert response.status_code == 200
    assert "Steph Murray challenges" in " ".join(response.context["form"].errors["service_lead"])
    assert SessionSeries.objects.get(pk=series.pk).service_lead == soton.service_lead
    assert first.session.participants.get(person=soton.colleague).role == Participant.Role.REVIEWER


def test_a_cancelled_meetings_resolution_takes_no_response(client, sides):
    soton = sides["soton"]
    resolution = resolutions.record_resolution(
        item=soton.item,
        by=soton.scrutiny_officer,
        kind="resolution",
        text="Do it",
        owner=soton.director,
        response_due=D(2021, 12, 1),
    )
    session_services.cancel_session(session=soton.meeting)
    data = {"part": "response", "response-response": "accepted", "response-response_text": "X", "response-revision": 1}
    for who in (soton.scrutiny_officer, soton.director):
        client.force_login(who)
        page = client.get(reverse("resolution", args=[resolution.pk]))
        assert page.status_code == 200 and page.context["response_form"] is None
        assert client.post(reverse("resolution", args=[resolution.pk]), data).status_code == 403
    resolution.refresh_from_db()
    assert resolution.response == Resolution.Response.AWAITED and resolution.revision == 1
    assert my_resolutions(soton.director, D(2021, 12, 2)) == []  # nothing to answer for


def test_a_series_change_cannot_rewrite_occurrences_that_have_passed(client, sides, settings):
    soton = sides["soton"]
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    settings.CHALLENGE_TODAY = D(2021, 10, 20)  # 4 and 11 October have passed
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("series_edit", args=[series.pk]),
        {
            "title": "Weekly",
            "area": soton.area.pk,
            "service_lead": soton.service_lead.pk,
            "facilitator": soton.scrutiny_officer.pk,
            "frequency": "weekly",
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "11:00",
            "starts_on": "2021-10-04",
            "count": 1,
            "from_date": "2021-10-04",
            "revision": series.revision,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["from_date"] == [
        "Apply the changes from today (20 October 2021) or later: the occurrences that have passed stay as they were."
    ]
    assert series.occurrences.count() == 3


def test_a_line_break_in_an_agenda_items_number_or_title_is_refused_beside_it(client, sides):
    soton = sides["soton"]
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("agenda_item_add", args=[soton.meeting.pk]),
        {"number": "27\n28", "title": "Fostering\nsufficiency", "area": soton.area.pk},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["number"] == errors["title"] == ["Write this on one line: it cannot contain line breaks."]
    assert AgendaItem.objects.filter(session=soton.meeting).count() == 1


def test_a_line_break_in_a_pathway_stage_or_series_title_is_refused_beside_it(client, sides):
    soton = sides["soton"]
    Membership.objects.filter(person=soton.scrutiny_officer).update(is_facilitator=True)
    client.force_login(soton.scrutiny_officer)
    stage = client.post(reverse("pathway_manage", args=[soton.area.slug]), {"name": "Contact\nReferral", "position": 1})
    assert stage.status_code == 200
    assert stage.context["form"].errors["name"] == ["Write this on one line: it cannot contain line breaks."]
    series = client.post(
        reverse("series_create", args=[soton.programme.slug]),
        {
            "title": "Weekly\nstretch",
            "venue": "Room 1\nCivic Centre",
            "area": soton.area.pk,
            "service_lead": soton.service_lead.pk,
            "facilitator": soton.scrutiny_officer.pk,
            "frequency": "weekly",
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "11:00",
            "starts_on": "2021-10-04",
            "count": 3,
        },
    )
    assert series.status_code == 200
    errors = series.context["form"].errors
    assert errors["title"] == errors["venue"] == ["Write this on one line: it cannot contain line breaks."]
    assert not PathwayStage.objects.exists() and not SessionSeries.objects.exists()


def test_a_line_break_in_a_skip_reason_is_refused_beside_it(client, sides):
    soton = sides["soton"]
    series = series_services.create_series(
        programme=soton.programme,
        title="Weekly",
        area=soton.area,
        service_lead=soton.service_lead,
        facilitator=soton.scrutiny_officer,
        frequency="weekly",
        weekday=0,
        start_time=T(10),
        end_time=T(11),
        starts_on=D(2021, 10, 4),
        count=3,
    )
    occurrence = series.occurrences.first()
    client.force_login(soton.scrutiny_officer)
    response = client.post(reverse("occurrence_skip", args=[series.pk, occurrence.pk]), {"reason": "Bank\nholiday"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Write this on one line: it cannot contain line breaks."]
    occurrence.refresh_from_db()
    assert not occurrence.is_skipped


def test_a_councillor_leaving_the_panel_no_longer_sits_on_its_coming_meetings(client, sides):
    soton = sides["soton"]
    assert soton.meeting.participants.filter(person=soton.councillor, role="reviewer").exists()
    client.force_login(soton.scrutiny_officer)
    response = client.post(
        reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk]),
        {"name": soton.panel.name, "members": [soton.chair.pk], "chair": soton.chair.pk, "revision": 1},
    )
    assert response.status_code == 302
    assert not soton.meeting.participants.filter(person=soton.councillor).exists()
    assert SessionNotice.objects.filter(session=soton.meeting, kind="cancellation", recipients=1).exists()
    client.force_login(soton.councillor)
    assert client.get(soton.meeting.get_absolute_url()).status_code == 403
