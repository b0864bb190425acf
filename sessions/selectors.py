"""Reads for session pages, each in a fixed number of queries."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from challenge.clock import today as clock_today
from challenge.listing import page_of
from challenge.prepared import PreparedQuery
from indicators.models import IndicatorValue
from programmes.models import ThematicArea
from programmes.permissions import is_programme_facilitator
from sessions.models import ChallengeSession, Participant, SeriesOccurrence, SessionSeries

SESSION_LIST_PAGE_SIZE = 10


_AREAS_OF_PROGRAMME = PreparedQuery(
    lambda programme: ThematicArea.objects.filter(programmes=programme).order_by("name"), programme=int
)


def session_list_page(user, programme, *, area_id=None, status="", page_number=None):
    """The sessions page: the programme's sessions that `user` may see, those covering the
    area `area_id` only and in `status` only when given (an unknown area is ignored), a page
    of SESSION_LIST_PAGE_SIZE at a time (`page_obj`; `sessions` are its sessions), with the
    areas to filter by."""
    areas = _AREAS_OF_PROGRAMME.all(programme=programme.pk)
    selected_area = next((area for area in areas if area.pk == area_id), None)
    page = page_of(
        session_list(user, programme, area=selected_area, status=status), SESSION_LIST_PAGE_SIZE, page_number
    )
    return {
        "page_obj": page,
        "sessions": list(page),
        "areas": areas,
        "selected_area": selected_area,
        "selected_status": status,
        "is_facilitator": is_programme_facilitator(user, programme),
    }


def session_list(user, programme, *, area=None, status=None):
    qs = (
        sessions_for_user(user, programme)
        .select_related("facilitator")
        .prefetch_related("areas")
        .order_by("date", "start_time", "pk")
    )
    if area is not None:
        qs = qs.filter(areas=area)
    if status:
        qs = qs.filter(status=status)
    return qs


_PARTICIPANTS = PreparedQuery(
    lambda session: (
        Participant.objects.filter(session_id=session)
        .select_related("person", "partner", "area")
        .order_by("role", "area__name", "person__first_name", "person__last_name")
    ),
    session=int,
)


def participants_of(session):
    participants = _PARTICIPANTS.all(session=session.pk)
    for participant in participants:
        participant.session = session  # as the related manager would
    return participants


def participant_of(session, pk) -> Participant:
    """One of `session`'s participants, with what the removal names; 404 if not one of its."""
    return get_object_or_404(Participant.objects.select_related("person", "area", "session"), pk=pk, session=session)


_AREAS_OF_SESSION = PreparedQuery(
    lambda session: ThematicArea.objects.filter(sessions=session).select_related("lead_partner", "lead_officer"),
    session=int,
)


def session_detail(session):
    """The session's areas and participants, grouped the way the page shows them."""
    participants = participants_of(session)
    areas = _AREAS_OF_SESSION.all(session=session.pk)
    presenters = {area.pk: [] for area in areas}
    reviewers, observers = [], []
    for participant in participants:
        if participant.role == Participant.Role.PRESENTER:
            presenters.setdefault(participant.area_id, []).append(participant)
        elif participant.role == Participant.Role.REVIEWER:
            reviewers.append(participant)
        else:
            observers.append(participant)
    return {
        "areas": [(area, presenters.get(area.pk, [])) for area in areas],
        "reviewers": reviewers,
        "observers": observers,
        "participants": participants,
    }


def sessions_for_calendar(user, programme):
    return (
        sessions_for_user(user, programme)
        .select_related("facilitator", "programme")
        .prefetch_related(
            "areas",
            Prefetch("participants", queryset=Participant.objects.select_related("person")),
        )
        .order_by("date", "start_time")
    )


def session_notices(session, limit=10):
    """The latest batches of e-mails about the session, newest first, for the facilitator."""
    return list(session.notices.order_by("-queued_at", "-id")[:limit])


def sessions_for_user(user, programme=None):
    """The sessions `user` may see (all of a programme for its facilitators and officers)."""
    qs = ChallengeSession.objects.all()
    if programme is not None:
        qs = qs.filter(programme=programme)
        if is_programme_facilitator(user, programme):
            return qs
    return qs.visible_to(user)


# --- Stretch-and-challenge series --------------------------------------------------------


def series_page(series) -> dict:
    """The series page: its KPIs and every occurrence with its session, in date order."""
    occurrences = list(
        SeriesOccurrence.objects.filter(series=series)
        .select_related("session", "skipped_by")
        .order_by("session__date", "session__start_time", "pk")
    )
    today = clock_today()
    for occurrence in occurrences:
        occurrence.series = series
        # What series.skip_occurrence allows: one still to come, not skipped, not held.
        session = occurrence.session
        occurrence.may_skip = not occurrence.is_skipped and session.is_editable and session.date >= today
    return {"occurrences": occurrences, "indicators": list(series.indicators.order_by("position", "name"))}


def series_of_programme(programme):
    """The programme's series, with their area and service lead, for its sessions page."""
    return list(
        SessionSeries.objects.filter(programme=programme).select_related("area", "service_lead").order_by("title")
    )


def occurrence_of(series, pk):
    """One of `series`' occurrences (its session too); 404 if not one of its."""
    occurrence = get_object_or_404(SeriesOccurrence.objects.select_related("session"), pk=pk, series=series)
    occurrence.series = series
    return occurrence


def occurrence_page(session) -> dict:
    """What a stretch-and-challenge occurrence's page shows first: its series, its own notes
    and the series' KPIs with their latest value and that period's benchmarks (two queries
    more; nothing for a session that is no occurrence)."""
    occurrence = (
        SeriesOccurrence.objects.select_related("series__service_lead", "series__area").filter(session=session).first()
    )
    if occurrence is None:
        return {}
    occurrence.session = session
    occurrence.series.programme = session.programme
    indicators = list(occurrence.series.indicators.order_by("position", "name"))
    # The latest reported value of each, and the periods awaiting data since (stated, as the
    # Care Director migration left them, never a silent gap).
    wanted = Q(pk__in=[])
    for indicator in indicators:
        if indicator.latest_period_start is not None:
            wanted |= Q(indicator=indicator, period_start__gte=indicator.latest_period_start)
        else:
            wanted |= Q(indicator=indicator, status=IndicatorValue.Status.AWAITING)
        indicator.latest_reading, indicator.awaited_since = None, []
    by_pk = {indicator.pk: indicator for indicator in indicators}
    readings = IndicatorValue.objects.filter(wanted).order_by("period_start") if indicators else []
    for reading in readings:
        indicator = by_pk[reading.indicator_id]
        reading.indicator = indicator
        if reading.is_reported:
            indicator.latest_reading = reading
        else:
            indicator.awaited_since.append(reading)
    return {"occurrence": occurrence, "series_kpis": indicators}
