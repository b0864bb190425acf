"""Stretch-and-challenge series: the recurrence with its exceptions, skipping, changing the
series from a date on, the pages, who may do what, and what the pages cost."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from indicators.services import record_value
from sessions import series as series_services
from sessions.models import ChallengeSession, Participant, SeriesOccurrence, SessionSeries
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time


def rule(world, **kw):
    fields = dict(
        title="Referrals and assessments",
        area=world.safeguarding,
        service_lead=world.lead,
        facilitator=world.facilitator,
        frequency=SessionSeries.Frequency.WEEKLY,
        weekday=SessionSeries.Weekday.WEDNESDAY,
        start_time=T(9, 30),
        end_time=T(10, 0),
        starts_on=D(2009, 6, 1),
        until=None,
        count=4,
        venue="Civic Centre, room 2",
        meeting_link="",
    )
    fields.update(kw)
    return fields


@pytest.fixture
def kpis(world):
    referrals = Indicator.objects.create(area=world.safeguarding, code="referrals", name="Referrals", unit="count")
    timely = Indicator.objects.create(area=world.safeguarding, code="timely", name="Assessments in 45 days")
    record_value(indicator=referrals, period_start=D(2008, 1, 1), value=Decimal("310"), national=Decimal("290"))
    record_value(indicator=referrals, period_start=D(2009, 1, 1), value=Decimal("342"), national=Decimal("300"))
    return [referrals, timely]


@pytest.fixture
def series(world, kpis):
    return series_services.create_series(programme=world.programme, indicators=kpis, **rule(world))


def dates(series):
    return [o.session.date for o in series.occurrences.select_related("session").order_by("planned_date")]


def test_the_rule_gives_weekly_or_fortnightly_dates_until_a_date_or_a_count():
    weekly = series_services.occurrence_dates(frequency="weekly", weekday=2, starts_on=D(2009, 6, 1), count=3)
    assert weekly == [D(2009, 6, 3), D(2009, 6, 10), D(2009, 6, 17)]
    fortnightly = series_services.occurrence_dates(
        frequency="fortnightly", weekday=0, starts_on=D(2009, 6, 1), until=D(2009, 7, 13)
    )
    assert fortnightly == [D(2009, 6, 1), D(2009, 6, 15), D(2009, 6, 29), D(2009, 7, 13)]


def test_creating_a_series_schedules_each_occurrence_as_a_stretch_session_without_e_mails(world, series, kpis):
    assert dates(series) == [D(2009, 6, 3), D(2009, 6, 10), D(2009, 6, 17), D(2009, 6, 24)]
    sessions = ChallengeSession.objects.filter(occurrence__series=series)
    assert {s.kind for s in sessions} == {ChallengeSession.Kind.STRETCH}
    assert {s.status for s in sessions} == {ChallengeSession.Status.SCHEDULED}
    assert {(s.start_time, s.end_time) for s in sessions} == {(T(9, 30), T(10, 0))}
    presenters = Participant.objects.filter(session__in=sessions)
    assert {(p.person_id, p.role, p.area_id) for p in presenters} == {
        (world.lead.pk, Participant.Role.PRESENTER, world.safeguarding.pk)
    }
    assert list(series.indicators.order_by("code")) == sorted(kpis, key=lambda i: i.code)
    assert mail.outbox == []


def test_the_series_must_fit_the_programme_and_end_once(world):
    with pytest.raises(ValidationError) as raised:
        series_services.create_series(programme=world.programme, **rule(world, count=None, until=D(2010, 1, 31)))
    assert "Every occurrence must fall within the programme" in raised.value.message_dict["starts_on"][0]
    with pytest.raises(ValidationError) as raised:
        series_services.create_series(programme=world.programme, **rule(world, until=D(2009, 7, 1)))
    assert raised.value.message_dict["until"] == ["End the series either on a date or after a number of occurrences."]
    assert not SessionSeries.objects.exists()


def test_a_clash_names_the_date_and_the_other_session(world):
    f.session(
        world.programme,
        facilitator=world.facilitator,
        title="Budget",
        date=D(2009, 6, 10),
        start_time=T(9, 0),
        end_time=T(11, 0),
    )
    with pytest.raises(ValidationError) as raised:
        series_services.create_series(programme=world.programme, **rule(world))
    assert raised.value.message_dict["start_time"] == [
        "Ruth Mellor is already booked into “Budget” on 10 June 2009 from 09:00 to 11:00."
    ]


def test_skipping_keeps_the_occurrence_cancelled_with_its_reason(world, series):
    occurrence = series.occurrences.order_by("planned_date")[1]
    series_services.skip_occurrence(occurrence=occurrence, by=world.facilitator, reason="Service lead on leave")
    occurrence.refresh_from_db()
    assert occurrence.is_skipped and occurrence.skipped_reason == "Service lead on leave"
    assert occurrence.skipped_by == world.facilitator
    assert occurrence.session.status == ChallengeSession.Status.CANCELLED
    assert series.occurrences.count() == 4
    with pytest.raises(ValidationError):
        series_services.skip_occurrence(occurrence=occurrence, by=world.facilitator, reason="Again")
    with pytest.raises(ValidationError) as raised:
        series_services.skip_occurrence(
            occurrence=series.occurrences.order_by("planned_date")[2], by=world.facilitator, reason=" "
        )
    assert "reason" in raised.value.message_dict


def test_changing_the_series_from_a_date_keeps_the_past_and_the_exceptions(world, series, kpis):
    first, second, third, fourth = series.occurrences.select_related("session").order_by("planned_date")
    series_services.skip_occurrence(occurrence=third, by=world.facilitator, reason="Bank holiday")
    # The fourth is moved to the Thursday: an exception the series keeps.
    ChallengeSession.objects.filter(pk=fourth.session_id).update(date=D(2009, 6, 25))
    counts = series_services.update_series(
        series=series,
        expected_revision=series.revision,
        from_date=D(2009, 6, 8),
        indicators=kpis[:1],
        **rule(world, start_time=T(14, 0), end_time=T(14, 30), count=6, title="Front door"),
    )
    assert counts == {"changed": 1, "removed": 0, "added": 2, "kept": 2}
    rows = {
        o.planned_date: o
        for o in SeriesOccurrence.objects.filter(series=series).select_related("session").order_by("planned_date")
    }
    assert sorted(rows) == [D(2009, 6, d) for d in (3, 10, 17, 24)] + [D(2009, 7, 1), D(2009, 7, 8)]
    assert (rows[D(2009, 6, 3)].session.start_time, rows[D(2009, 6, 3)].session.title) == (
        T(9, 30),
        "Referrals and assessments",
    )
    assert (rows[D(2009, 6, 10)].session.start_time, rows[D(2009, 6, 10)].session.title) == (T(14, 0), "Front door")
    assert rows[D(2009, 6, 17)].is_skipped and rows[D(2009, 6, 17)].session.start_time == T(9, 30)
    assert rows[D(2009, 6, 24)].is_moved and rows[D(2009, 6, 24)].session.start_time == T(9, 30)
    assert rows[D(2009, 7, 8)].session.start_time == T(14, 0)
    assert list(series.indicators.all()) == kpis[:1]


def test_a_new_weekday_removes_the_plain_future_occurrences_and_makes_new_ones(world, series):
    counts = series_services.update_series(
        series=series,
        expected_revision=series.revision,
        from_date=D(2009, 6, 8),
        **rule(world, weekday=SessionSeries.Weekday.FRIDAY, count=None, until=D(2009, 6, 26)),
    )
    assert counts == {"changed": 0, "removed": 3, "added": 3, "kept": 0}
    assert dates(series) == [D(2009, 6, 3), D(2009, 6, 12), D(2009, 6, 19), D(2009, 6, 26)]


def test_a_stale_change_is_refused(world, series):
    from challenge.editing import StaleEdit

    with pytest.raises(StaleEdit):
        series_services.update_series(
            series=series, expected_revision=series.revision - 1, from_date=D(2009, 6, 8), **rule(world)
        )


# --- Pages -----------------------------------------------------------------------------------


def form_data(world, kpis=(), **kw):
    data = {
        "title": "Referrals and assessments",
        "area": world.safeguarding.pk,
        "service_lead": world.lead.pk,
        "facilitator": world.facilitator.pk,
        "indicators": [k.pk for k in kpis],
        "frequency": "weekly",
        "weekday": "2",
        "start_time": "09:30",
        "end_time": "10:00",
        "starts_on": "2009-06-01",
        "until": "",
        "count": "3",
        "venue": "Civic Centre",
        "meeting_link": "",
    }
    data.update(kw)
    return data


def test_a_facilitator_creates_a_series_from_the_form(client, world, kpis):
    client.force_login(world.facilitator)
    response = client.post(reverse("series_create", args=["caa-2009"]), form_data(world, kpis))
    series = SessionSeries.objects.get()
    assert response.status_code == 302 and response["Location"] == series.get_absolute_url()
    assert dates(series) == [D(2009, 6, 3), D(2009, 6, 10), D(2009, 6, 17)]
    page = client.get(series.get_absolute_url())
    assert "Every week on Wednesday, 09:30–10:00" in page.content.decode()


def test_a_refused_series_keeps_what_was_typed_and_says_why_beside_the_field(client, world, kpis):
    client.force_login(world.facilitator)
    data = form_data(world, kpis, title="Kept title", count="", until="")
    response = client.post(reverse("series_create", args=["caa-2009"]), data)
    assert response.status_code == 200 and not SessionSeries.objects.exists()
    form = response.context["form"]
    assert form.errors["until"] == ["End the series either on a date or after a number of occurrences."]
    assert 'value="Kept title"' in response.content.decode()


def test_skipping_from_the_page_asks_for_a_reason_then_marks_it(client, world, series):
    client.force_login(world.facilitator)
    occurrence = series.occurrences.order_by("planned_date")[1]
    url = reverse("occurrence_skip", args=[series.pk, occurrence.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Bank holiday"})
    assert response.status_code == 302
    page = client.get(series.get_absolute_url()).content.decode()
    assert "Skipped" in page and "Bank holiday" in page
    assert ChallengeSession.objects.get(pk=occurrence.session_id).status == "cancelled"


def test_the_series_is_changed_from_the_form(client, world, series, kpis):
    client.force_login(world.facilitator)
    data = form_data(world, kpis, start_time="11:00", end_time="11:30", count="4", from_date="2009-06-08")
    data["revision"] = series.revision
    response = client.post(reverse("series_edit", args=[series.pk]), data)
    assert response.status_code == 302
    assert [o.session.start_time for o in series.occurrences.select_related("session").order_by("planned_date")] == [
        T(9, 30),
        T(11, 0),
        T(11, 0),
        T(11, 0),
    ]


def test_the_occurrence_page_shows_the_kpis_latest_values_first_and_its_notes(client, world, series):
    occurrence = series.occurrences.order_by("planned_date").first()
    client.force_login(world.lead)
    response = client.post(
        reverse("occurrence_notes", args=[series.pk, occurrence.pk]),
        {"meeting_notes": "Re-referrals up: look at the front door.", "revision": occurrence.revision},
    )
    assert response.status_code == 302
    page = client.get(occurrence.session.get_absolute_url()).content.decode()
    kpis_at = page.index("The KPIs, latest values first")
    # First: before the session's work and its people.
    assert kpis_at < page.index("The session's work, area by area") < page.index("Areas and presenters")
    table = page[kpis_at:]
    assert "Referrals" in table and "342" in table and "300" in table and "2009" in table
    assert "Re-referrals up: look at the front door." in page


def test_stale_notes_are_refused_and_kept(client, world, series):
    occurrence = series.occurrences.order_by("planned_date").first()
    series_services.save_meeting_notes(occurrence=occurrence, expected_revision=1, meeting_notes="First")
    client.force_login(world.facilitator)
    response = client.post(
        reverse("occurrence_notes", args=[series.pk, occurrence.pk]), {"meeting_notes": "Mine", "revision": 1}
    )
    assert response.status_code == 409 and response.context["conflict"] is not None
    assert "Mine" in response.content.decode() and "First" in response.content.decode()


# --- Who may do what -------------------------------------------------------------------------


def series_urls(world, series):
    occurrence = series.occurrences.order_by("planned_date").first()
    return {
        "series_create": (reverse("series_create", args=[world.programme.slug]), "manage"),
        "series_edit": (reverse("series_edit", args=[series.pk]), "manage"),
        "occurrence_skip": (reverse("occurrence_skip", args=[series.pk, occurrence.pk]), "manage"),
        "series_detail": (reverse("series_detail", args=[series.pk]), "view"),
        "occurrence_notes": (reverse("occurrence_notes", args=[series.pk, occurrence.pk]), "notes"),
    }


@pytest.mark.parametrize(
    "name", ["series_create", "series_edit", "occurrence_skip", "series_detail", "occurrence_notes"]
)
@pytest.mark.parametrize("who", ["facilitator", "officer", "lead", "reviewer", "outsider"])
def test_permissions(client, world, series, name, who):
    url, level = series_urls(world, series)[name]
    allowed = {
        "manage": {"facilitator"},
        "view": {"facilitator", "officer", "lead"},
        "notes": {"facilitator", "lead"},
    }[level]
    client.force_login(getattr(world, who))
    for method in ("get", "post"):
        if name == "series_detail" and method == "post":
            assert client.post(url).status_code == 405
            continue
        response = getattr(client, method)(url, {})
        if who in allowed:
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == 403
    # An empty form changes nothing, whoever sends it; a refused one neither.
    assert series.occurrences.filter(skipped_at__isnull=False).count() == 0
    assert SessionSeries.objects.count() == 1 and series.occurrences.count() == 4


def test_other_partnership_sees_nothing(client, world, series):
    elsewhere = f.partnership("Southampton", "southampton-test")
    stranger = f.person(f.partner("Southampton City Council", elsewhere), "stranger", is_facilitator=True)
    client.force_login(stranger)
    for url, _ in series_urls(world, series).values():
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world, series):
    for url, _ in series_urls(world, series).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- What the pages cost ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 12])
def test_series_page_queries_do_not_grow_with_occurrences(client, world, kpis, count, django_assert_num_queries):
    series = series_services.create_series(programme=world.programme, indicators=kpis, **rule(world, count=count))
    series_services.skip_occurrence(occurrence=series.occurrences.first(), by=world.facilitator, reason="Leave")
    client.force_login(world.facilitator)
    url = series.get_absolute_url()
    client.get(url)
    # session, user, memberships, series, programme facilitators, occurrences, KPIs
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_occurrence_page_queries(client, world, series, django_assert_num_queries):
    session = series.occurrences.order_by("planned_date").first().session
    plain = f.session(world.programme, facilitator=world.facilitator, date=D(2009, 6, 30))
    f.participant(plain, world.lead, Participant.Role.PRESENTER, plain.areas.get())
    client.force_login(world.facilitator)
    client.get(session.get_absolute_url())
    with CaptureQueriesContext(connection) as plain_queries:
        assert client.get(plain.get_absolute_url()).status_code == 200
    # An occurrence's page costs four queries more than a plain session's with the same
    # people: the occurrence with its series, the KPIs, their latest values, and the
    # programme's facilitators (who may change the series).
    with django_assert_num_queries(len(plain_queries) + 4):
        assert client.get(session.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("name", ["series_create", "series_edit", "occurrence_skip", "occurrence_notes"])
def test_form_pages_queries(client, world, series, name, django_assert_num_queries):
    url, _ = series_urls(world, series)[name]
    client.force_login(world.facilitator)
    client.get(url)
    # session, user, series (or programme), memberships, programme facilitators, then the form's choices
    expected = {"series_create": 9, "series_edit": 11, "occurrence_skip": 6, "occurrence_notes": 6}[name]
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_occurrence_page_states_the_weeks_awaiting_data_since_the_latest_value(client, world):
    weekly = Indicator.objects.create(area=world.safeguarding, code="contacts", name="Contacts", frequency="week")
    record_value(indicator=weekly, period_start=D(2009, 5, 4), value=Decimal(410))
    for day in (D(2009, 5, 11), D(2009, 5, 18)):
        record_value(
            indicator=weekly, period_start=day, value=None, status="awaiting", awaiting_reason="Care Director migration"
        )
    series = series_services.create_series(programme=world.programme, indicators=[weekly], **rule(world))
    client.force_login(world.facilitator)
    page = " ".join(client.get(series.occurrences.first().session.get_absolute_url()).content.decode().split())
    assert "2009-W19" in page and "410" in page
    assert "Awaiting data</span> since 2009-W20 (2 periods): Care Director migration" in page
