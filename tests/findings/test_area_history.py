"""An area's history across cycles (issue 13): each programme of the partnership that reviewed
the area and that the reader may open, newest first, with its ratings, flags, findings ("raised
again" linked) and actions with their outcome, and each indicator's whole series with the cycle
each value falls in; in a fixed number of queries however many cycles there are."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from findings import history
from findings import services as finding_services
from findings.models import Action
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from programmes import cycles
from programmes.models import AnswerKind, Programme
from sessions.models import ChallengeSession, Participant
from tests import factories as f
from workspace import services as workspace_services

pytestmark = pytest.mark.django_db

D = datetime.date

RATINGS = [
    # likelihood, scale, direction, confidence of each cycle, oldest first
    (4, 5, "declining", "low"),
    (3, 4, "no_change", "medium"),
    (2, 4, "improving", "medium"),
    (2, 2, "improving", "high"),
]


def _rate(session, area, by, likelihood, scale, direction, confidence):
    values = {
        AnswerKind.LIKELIHOOD: {"likelihood": likelihood},
        AnswerKind.SCALE: {"scale": scale},
        AnswerKind.DIRECTION: {"direction": direction},
        AnswerKind.CONFIDENCE: {"confidence": confidence},
    }
    for section in session.question_set.sections.all():
        for question in section.questions.all():
            if question.answer_kind in values:
                workspace_services.save_answer(
                    session=session,
                    area=area,
                    question=question,
                    by=by,
                    expected_revision=0,
                    text="Rated.",
                    **values[question.answer_kind],
                )


def _work_on(world, programme, session, number, earlier_finding):
    """Ratings, a red and a green flag (the red one raising `earlier_finding` again), a strength,
    and two actions on the red flag: one done, one open."""
    likelihood, scale, direction, confidence = RATINGS[(number - 1) % len(RATINGS)]
    _rate(session, world.safeguarding, world.lead, likelihood, scale, direction, confidence)

    def record(kind, title, **more):
        return finding_services.record_finding(
            session=session,
            area=world.safeguarding,
            by=world.facilitator,
            kind=kind,
            title=title,
            text=f"What cycle {number} found: <b>{title}</b>.",
            **more,
        )

    red = record("red_flag", f"Too few foster carers {number}", raised_again_from=earlier_finding)
    record("green_flag", f"Early help hubs {number}")
    record("strength", f"Strong multi-agency panel {number}")
    done = finding_services.add_action(
        finding=red, description=f"Review the fees {number}", owner=world.lead, due_date=programme.start_date
    )
    finding_services.set_action_status(action=done, status=Action.Status.DONE)
    finding_services.add_action(
        finding=red, description=f"Recruit carers {number}", owner=world.lead, due_date=programme.end_date
    )
    return red


def _cycles(world, count):
    """`count` cycles of the world's programme (the first is its own), each active, with a
    session covering safeguarding and work recorded in it. Returns them oldest first."""
    programmes = [world.programme]
    red = _work_on(world, world.programme, world.session, 1, None)
    for number in range(2, count + 1):
        programme = cycles.roll_forward(programmes[-1])
        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.ACTIVE)
        programme.refresh_from_db()
        session = f.session(
            programme,
            areas=[world.safeguarding],
            facilitator=world.facilitator,
            title=f"Safeguarding children, cycle {number}",
            date=programme.start_date + datetime.timedelta(days=30),
        )
        f.participant(session, world.lead, Participant.Role.PRESENTER, world.safeguarding)
        f.participant(session, world.reviewer, Participant.Role.REVIEWER)
        red = _work_on(world, programme, session, number, red)
        programmes.append(programme)
    return programmes


@pytest.fixture
def indicator(world):
    kpi = Indicator.objects.create(
        area=world.safeguarding, code="ni59", name="Initial assessments within 7 days", target=Decimal(80)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=kpi, period_start=D(year, 1, 1), value=Decimal(60 + year - 2007))
        for year in range(2007, 2012)
    )
    # Its target history: 80 from 2009, raised to 85 in the 2010 cycle.
    IndicatorTarget.objects.create(indicator=kpi, applies_from=D(2009, 1, 1), target=Decimal(80))
    IndicatorTarget.objects.create(indicator=kpi, applies_from=D(2010, 6, 1), target=Decimal(85))
    return kpi


def _url(world):
    return reverse("area_history", args=[world.safeguarding.slug])


def _cycle_section(body, programme):
    return body.split(f'id="cycle-{programme.pk}-heading"')[1].split("</section>")[0]


def test_the_history_shows_each_cycle_newest_first(client, world, indicator):
    first, second = _cycles(world, 2)
    client.force_login(world.officer)
    response = client.get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(f'id="cycle-{second.pk}-heading"') < body.index(f'id="cycle-{first.pk}-heading"')
    assert [cycle.programme for cycle in response.context["history"].cycles] == [second, first]

    newer, older = _cycle_section(body, second), _cycle_section(body, first)
    # The ratings of each cycle: likelihood, scale, impact score, direction, confidence.
    assert "4</dd>" in older and "20 of 25: very high impact" in older
    assert "Declining" in older and "Low" in older
    assert "12 of 25: high impact" in newer and "No change" in newer and "Medium" in newer
    # Flags and findings, user text escaped.
    assert "Too few foster carers 1" in older and "Early help hubs 1" in older
    assert "Strong multi-agency panel 2" in newer
    assert "<b>Too few" not in body and "&lt;b&gt;Too few foster carers 1&lt;/b&gt;" in body
    # Raised again, linked both ways within the page.
    red_1 = world.safeguarding.findings.get(title="Too few foster carers 1")
    red_2 = world.safeguarding.findings.get(title="Too few foster carers 2")
    assert f'Raised again from <a href="#finding-{red_1.pk}">Too few foster carers 1</a>' in newer
    assert f'<a href="#finding-{red_2.pk}">Too few foster carers 2</a>' in older.split("Raised again in")[1]
    # The actions and their outcome: the open one of the first cycle carried into the second.
    assert "Review the fees 1" in older and "Done" in older
    carried = " ".join(older.split("Recruit carers 1")[1].split("</tr>")[0].split())
    assert "Not started" in carried and f"carried over to {second.name}" in carried
    open_1 = Action.objects.get(description="Recruit carers 1")
    assert f'href="#action-{open_1.pk}"' in newer.split("carried over from earlier cycles")[1]

    # Each indicator's whole series, each value with the cycle it falls in and its target.
    table = body.split('id="series-heading"')[1]
    assert "Initial assessments within 7 days" in table
    rows = {row.split("</th>")[0].split(">")[-1]: row for row in table.split('<th scope="row">')[1:] if "</th>" in row}
    assert set(rows) == {"2007", "2008", "2009", "2010", "2011"}
    assert first.name in rows["2009"] and second.name in rows["2010"]
    assert "—" in rows["2007"] and first.name not in rows["2007"] and second.name not in rows["2007"]
    # The target that applied in each period, from the indicator's target history.
    assert ">80<" in rows["2009"] and ">85<" in rows["2010"] and ">85<" in rows["2011"]
    assert ">80<" not in rows["2008"] and ">85<" not in rows["2008"]


def test_the_area_page_links_to_its_history(client, world):
    client.force_login(world.officer)
    body = client.get(reverse("area_page", args=[world.safeguarding.slug])).content.decode()
    assert f'href="{_url(world)}"' in body


@pytest.mark.parametrize("count", [1, 2, 4])
def test_the_history_costs_the_same_queries_however_many_cycles(
    client, world, indicator, django_assert_num_queries, count
):
    programmes = _cycles(world, count)
    client.force_login(world.officer)
    # The session and the user, the area and the memberships, then the history's eight: the
    # cycles, their sessions, the ratings, the findings, their actions, the indicators, their
    # values and their target history.
    with django_assert_num_queries(12):
        response = client.get(_url(world))
    assert len(response.context["history"].cycles) == count
    assert response.content.decode().count('class="card mb-2 finding') == 3 * len(programmes)


@pytest.mark.parametrize("count", [1, 2, 4])
def test_a_participant_costs_the_same_queries_however_many_cycles(
    client, world, indicator, django_assert_num_queries, count
):
    _cycles(world, count)
    client.force_login(world.reviewer)
    # One more than an officer: whether a programme they may open reviews the area.
    with django_assert_num_queries(13):
        response = client.get(_url(world))
    assert len(response.context["history"].cycles) == count


# --- Who sees what -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_someone_of_another_partnership_finds_nothing(client, world):
    elsewhere = f.partner("Southampton City Council", f.partnership("Southampton", "southampton"))
    client.force_login(f.person(elsewhere, "stranger"))
    assert client.get(_url(world)).status_code == 404


def test_a_member_who_takes_part_in_nothing_of_the_area_is_refused(client, world):
    client.force_login(world.outsider)
    response = client.get(_url(world))
    assert response.status_code == 403


def test_someone_who_left_finds_nothing(client, world):
    membership = world.officer.memberships.get()
    membership.is_active = False
    membership.save()
    client.force_login(world.officer)
    assert client.get(_url(world)).status_code == 404


def test_only_get_is_allowed(client, world):
    client.force_login(world.officer)
    assert client.post(_url(world)).status_code == 405


def test_a_draft_cycle_is_shown_only_to_the_partnerships_facilitators(client, world):
    draft = cycles.roll_forward(world.programme)
    f.session(draft, areas=[world.safeguarding], facilitator=world.facilitator, date=D(2010, 5, 1))
    setter = f.person(world.council, "setter", is_facilitator=True)
    client.force_login(setter)
    assert [c.programme for c in client.get(_url(world)).context["history"].cycles] == [draft, world.programme]
    client.force_login(world.officer)
    body = client.get(_url(world)).content.decode()
    assert draft.name not in body and world.programme.name in body


def test_a_participant_sees_only_their_sessions_record(client, world):
    """As on the emerging findings page: a reviewer of one session does not read the findings
    or ratings of another session on the same area that they take no part in."""
    _cycles(world, 1)
    other = f.session(world.programme, areas=[world.safeguarding], facilitator=world.facilitator, date=D(2009, 6, 1))
    finding_services.record_finding(
        session=other,
        area=world.safeguarding,
        by=world.facilitator,
        kind="risk",
        title="Not for the reviewer",
        text="Another session's record.",
    )
    client.force_login(world.reviewer)
    body = client.get(_url(world)).content.decode()
    assert "Too few foster carers 1" in body and "Not for the reviewer" not in body
    client.force_login(world.officer)
    assert "Not for the reviewer" in client.get(_url(world)).content.decode()


def test_cancelled_sessions_and_other_areas_are_left_out(world):
    _cycles(world, 1)
    cancelled = f.session(
        world.programme, areas=[world.safeguarding], status=ChallengeSession.Status.CANCELLED, date=D(2009, 6, 2)
    )
    found = history.area_history(world.officer, world.safeguarding)
    assert cancelled not in found.cycles[0].sessions
    assert history.area_history(world.officer, world.safer_city).cycles[0].findings == []


def test_the_value_periods_fall_in_the_cycle_they_overlap(world):
    assert history.period_end(D(2009, 4, 1), Indicator.Frequency.QUARTER) == D(2009, 6, 30)
    assert history.period_end(D(2009, 2, 1), Indicator.Frequency.MONTH) == D(2009, 2, 28)
    assert history.period_end(D(2009, 1, 1), Indicator.Frequency.YEAR) == D(2009, 12, 31)
    programme = world.programme  # 1 April to 30 November 2009
    assert history.cycle_of(D(2009, 1, 1), D(2009, 3, 31), [programme]) is None
    assert history.cycle_of(D(2009, 10, 1), D(2009, 12, 31), [programme]) == programme
