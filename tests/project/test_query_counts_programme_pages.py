"""Exact query counts for every page and download of the programmes, indicators, sessions
and dashboard apps, and for the sign-in, password and error pages. Each is counted twice for
the person who sees the most (a facilitator of the programme; nobody for the sign-in pages):
with a little data, and with a lot more (areas, sessions, participants, milestones,
indicators and their values, self-evaluation versions, e-mail batches, closings and
reopenings, other programmes). The count is pinned, and must be the same both times.

A count that changes means a query moved into a loop (or a join was lost): fix the selector,
do not raise the number.

What every signed-in page costs before its own queries: the session (1), the user (1) and the
user's memberships of partnerships (1), read once per request for every permission check and
for the page header, which names the user's organisation. A download or an htmx fragment has
no header, but reads them for its checks all the same (one query more than before partnerships,
when it had none to read). The sign-in pages, for nobody signed in, have no session to read."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from indicators.models import Indicator, IndicatorValue
from indicators.services import reassess, record_value
from sessions.models import ChallengeSession, Participant, SessionNotice
from tests import factories as f
from workspace.models import SessionEvent

_serial = itertools.count(1)


def _indicator(area, years=5):
    n = next(_serial)
    indicator = Indicator.objects.create(
        area=area, code=f"kpi-{n}", name=f"Indicator {n}", target=Decimal(50), target_date=datetime.date(2010, 3, 1)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            period_start=datetime.date(year, 1, 1),
            value=Decimal(40 + year - 2000),
            national=Decimal(45),
            comparator=Decimal(44),
        )
        for year in range(2009 - years, 2009)
    )
    reassess([indicator])  # as the import does after saving values
    return indicator


def _self_evaluations(world, area, versions):
    """`versions` versions of `area`'s self-evaluation: final ones, then a circulated one."""
    now = timezone.now()
    for version in range(1, versions + 1):
        last = version == versions
        SelfEvaluation.objects.create(
            programme=world.programme,
            area=area,
            version=version,
            status=SelfEvaluation.Status.CIRCULATED if last else SelfEvaluation.Status.FINAL,
            circulated_at=now,
            circulated_by=world.facilitator,
            finalised_at=None if last else now,
            finalised_by=None if last else world.facilitator,
            pdf=None if last else b"%PDF-1.7",
            pdf_sha256="" if last else "0" * 64,
        )


def _add_rows(world, rounds):
    """`rounds` times: an area more under review (with its indicators and self-evaluation
    versions), a session covering it with its people, people more in the world's session,
    a milestone, e-mail batches and closings of the world's session, and another programme
    the facilitator runs."""
    for _ in range(rounds):
        n = next(_serial)
        partner = f.partner(f"Partner {n}", short_name=f"P{n}")
        lead = f.person(partner, first_name="Lead", last_name=str(n))
        area = f.area(partner, f"Area {n}", slug=f"area-{n}", lead_officer=lead)
        world.programme.areas.add(area)
        session = f.session(
            world.programme,
            areas=[area, world.safeguarding],
            facilitator=world.facilitator,
            title=f"Session {n}",
            date=datetime.date(2009, 6, 1) + datetime.timedelta(days=n % 100),
        )
        f.participant(session, lead, Participant.Role.PRESENTER, area)
        f.participant(session, world.lead, Participant.Role.PRESENTER, world.safeguarding)
        f.participant(session, f.person(world.fire), Participant.Role.REVIEWER)
        f.participant(session, f.person(partner), Participant.Role.OBSERVER)
        f.participant(world.session, f.person(world.health), Participant.Role.OBSERVER)
        f.participant(world.session, f.person(world.fire), Participant.Role.REVIEWER)
        f.milestone(world.programme, title=f"Milestone {n}", date=datetime.date(2009, 4, 1) + datetime.timedelta(n))
        _indicator(world.safeguarding)
        _indicator(area)
        _self_evaluations(world, area, 3)
        SessionNotice.objects.create(
            session=world.session,
            kind=SessionNotice.Kind.UPDATE,
            status=SessionNotice.Status.FAILED,
            recipients=3,
            sent=2,
            error=f"Person {n} <person{n}@example.org>: refused",
        )
        SessionEvent.objects.create(session=world.session, action=SessionEvent.Action.CLOSED, by=world.facilitator)
        SessionEvent.objects.create(
            session=world.session, action=SessionEvent.Action.REOPENED, by=world.facilitator, note=f"Reopened {n}"
        )
        year = next(world.earlier_years)
        record_value(indicator=world.indicator, period_start=datetime.date(year, 1, 1), value=n)
        other = f.programme(areas=[area, world.safer_city], facilitators=[world.facilitator], name=f"Programme {n}")
        f.session(other, areas=[area], facilitator=world.facilitator, date=datetime.date(2009, 7, 1))


@pytest.fixture
def pages(world):
    """The world with one round of everything, and `more()` to add many more rounds."""
    world.indicator = _indicator(world.safeguarding)  # 2004 to 2008; each round adds a year before
    world.earlier_years = itertools.count(2003, -1)
    _self_evaluations(world, world.safeguarding, 1)
    _add_rows(world, 1)
    AreaSelfEvaluationBuild.objects.create(
        programme=world.programme,
        requested_by=world.facilitator,
        status=AreaSelfEvaluationBuild.Status.READY,
        progress=100,
        finished_at=timezone.now(),
        pdf=b"%PDF-1.7",
        pdf_sha256="1" * 64,
    )
    # Closed: the session page names who closed it.
    ChallengeSession.objects.filter(pk=world.session.pk).update(closed_at=timezone.now(), closed_by=world.facilitator)
    world.milestone = world.programme.milestones.first()
    # A programme the facilitator has no part in: opening it is refused.
    world.elsewhere = f.programme(name="Elsewhere", slug="elsewhere")
    world.grown = False

    def more():
        _add_rows(world, 12)
        world.grown = True

    world.more = more
    return world


def _csv(world, rows):
    """An import file of `rows` new values for the safeguarding indicators, and one changed."""
    indicators = list(Indicator.objects.filter(area=world.safeguarding).order_by("pk"))
    lines = ["indicator,period,value,national,comparator", f"{world.indicator.code},2008,61,45,44"]
    for number in range(rows):
        lines.append(f"{indicators[number % len(indicators)].code},{1950 + number // len(indicators)},{number},40,41")
    return "\n".join(lines)


def _get(url_name, *args, query="", **headers):
    """GET the page named `url_name`; an argument may be a function of the world."""

    def request(client, world):
        resolved = [arg(world) if callable(arg) else arg for arg in args]
        return client.get(reverse(url_name, args=resolved) + query, **headers)

    return request


def _session(world):
    return world.session.pk


def _filtered_session_list(client, world):
    """The list's results as htmx asks for them when a filter changes."""
    url = reverse("session_list", args=["caa-2009"]) + f"?area={world.safeguarding.pk}&status=scheduled"
    return client.get(url, HTTP_HX_REQUEST="true")


def _reviewer_picker(client, world):
    """The session form's reviewer picker alone, as htmx asks for it when the areas change."""
    query = f"?picker=reviewers&areas={world.safeguarding.pk}&areas={world.safer_city.pk}&reviewers={world.reviewer.pk}"
    return client.get(reverse("session_create", args=["caa-2009"]) + query, HTTP_HX_REQUEST="true")


def _participant_form_page(client, world):
    """Adding someone with nobody chosen, without JavaScript: the form comes back on a page."""
    return client.post(reverse("participant_add", args=[world.session.pk]), {"role": "observer"})


def _import_preview(client, world):
    """A file of 3 rows, or of 40 once the world has grown."""
    rows = 40 if world.grown else 3
    return client.post(reverse("indicator_import"), {"step": "preview", "csv": _csv(world, rows)})


def _refused(client, world):
    return client.get(reverse("programme_dashboard", args=[world.elsewhere.slug]))


def _url(url_name):
    return lambda client, world: reverse(url_name)


def _password_reset_form(client, world):
    """The link in the e-mail stores its token in the session and redirects to the form,
    whose address is returned (that request is not counted)."""
    user = world.facilitator
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    link = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert link.status_code == 302
    return link["Location"]


# name: (request, expected status, what grows on the page with the data: counted in the
# response, it must be higher the second time; None where the page shows none of it).
FACILITATOR_PAGES = {
    "home": (_get("home"), 200, 'class="card mb-3"'),
    "programme dashboard": (_get("programme_dashboard", "caa-2009"), 200, "area-card"),
    "documents page": (_get("documents", "caa-2009"), 200, "Version "),
    "session page": (_get("session_detail", _session), 200, '<li class="d-flex'),
    "session list": (_get("session_list", "caa-2009"), 200, "border-bottom"),
    "session list results, filtered (htmx)": (_filtered_session_list, 200, "border-bottom"),
    "session form (new)": (_get("session_create", "caa-2009"), 200, 'name="areas"'),
    "session form (edit)": (_get("session_edit", _session), 200, 'name="reviewers"'),
    "session form's reviewer picker (htmx)": (_reviewer_picker, 200, 'name="reviewers"'),
    "participant form page": (_participant_form_page, 200, "<option"),
    "session status page (held)": (_get("session_status", _session, "held"), 200, None),
    "session status page (cancel)": (_get("session_status", _session, "cancel"), 200, None),
    "programme .ics": (_get("programme_calendar", "caa-2009"), 200, "BEGIN:VEVENT"),
    "session .ics": (_get("session_ics", _session), 200, "ATTENDEE"),
    "milestone form (new)": (_get("milestone_create", "caa-2009"), 200, None),
    "milestone form (edit)": (_get("milestone_edit", "caa-2009", lambda world: world.milestone.pk), 200, None),
    "area page": (_get("area_page", "safeguarding"), 200, "indicator-card"),
    "indicator page": (_get("indicator_detail", lambda world: world.indicator.pk), 200, '<th scope="row">'),
    "infographic": (_get("infographic", "caa-2009"), 200, "indicator-card"),
    "indicator import page": (_get("indicator_import"), 200, "Area "),
    "indicator import preview": (_import_preview, 200, "<tr>"),
    "CSV export": (_get("indicator_export"), 200, "\n"),
    "CSV export of one area": (_get("indicator_export", query="?area=safeguarding"), 200, "\n"),
    "CSV template": (_get("indicator_template"), 200, "\n"),
    "password change page": (_get("password_change"), 200, None),
    "password changed page": (_get("password_change_done"), 200, None),
    "403 page": (_refused, 403, None),
    "404 page": (_get("session_detail", 999999), 404, None),
}

# Nobody signed in, so no session to read: the only queries are the password reset form's,
# which reads the session its link started and checks the token against the user.
# name: function of the client and the world giving the page's address.
ANONYMOUS_PAGES = {
    "sign-in page": _url("login"),
    "password reset page": _url("password_reset"),
    "password reset sent page": _url("password_reset_done"),
    "password reset form": _password_reset_form,
    "password reset done page": _url("password_reset_complete"),
}

QUERIES = {
    "home": 14,  # My work: awaiting reply, unread replies, blank answers, actions, resolutions, drafts (one each)
    "programme dashboard": 10,
    "documents page": 9,  # the versions counted (only those listed are read); the areas read once
    "session page": 13,
    "session list": 9,  # the count of its sessions, for the page links
    "session list results, filtered (htmx)": 9,  # the same, and the memberships
    "session form (new)": 9,  # the partnership's scrutiny panels, for a scrutiny meeting
    "session form (edit)": 9,
    "session form's reviewer picker (htmx)": 7,
    "participant form page": 6,
    "session status page (held)": 4,
    "session status page (cancel)": 4,
    "programme .ics": 8,
    "session .ics": 6,
    "milestone form (new)": 5,
    "milestone form (edit)": 6,
    "area page": 13,  # the count of its indicators, for the page links; its focus topics; its retired ones; its pathway
    "indicator page": 8,  # its target history
    "infographic": 9,  # each indicator's stored rank, to pick the worst; then only those shown, with values
    "indicator import page": 4,
    "indicator import preview": 7,
    "CSV export": 6,
    "CSV export of one area": 6,
    "CSV template": 6,
    "password change page": 3,
    "password changed page": 3,
    "403 page": 6,
    "404 page": 4,
    "sign-in page": 1,  # the partner organisations with single sign-on, for their buttons
    "password reset page": 0,
    "password reset sent page": 0,
    "password reset form": 2,
    "password reset done page": 0,
}


def _count(client, world, request, status, expected, django_assert_num_queries):
    with django_assert_num_queries(expected):
        response = request(client, world)
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize("page_name", FACILITATOR_PAGES)
def test_facilitator_page_costs_the_same_queries_with_more_data(client, pages, page_name, django_assert_num_queries):
    request, status, grows = FACILITATOR_PAGES[page_name]
    client.force_login(pages.facilitator)
    small = _count(client, pages, request, status, QUERIES[page_name], django_assert_num_queries)
    pages.more()
    large = _count(client, pages, request, status, QUERIES[page_name], django_assert_num_queries)
    if grows:
        assert large.count(grows) > small.count(grows), f"the page does not show more with more data: {grows!r}"


@pytest.mark.parametrize("page_name", ANONYMOUS_PAGES)
def test_sign_in_page_costs_the_same_queries_with_more_data(client, pages, page_name, django_assert_num_queries):
    for _ in range(2):
        url = ANONYMOUS_PAGES[page_name](client, pages)
        with django_assert_num_queries(QUERIES[page_name]):
            response = client.get(url)
        assert response.status_code == 200
        assert "Signed in as" not in response.content.decode()
        pages.more()


def test_every_page_has_its_count():
    assert set(QUERIES) == set(FACILITATOR_PAGES) | set(ANONYMOUS_PAGES)
