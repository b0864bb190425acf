"""Stretch-and-challenge series: the recurrence rule, and the writes that make, skip and
change its occurrences (each a ChallengeSession of kind "stretch").

Exceptions: an occurrence that was skipped (cancelled, kept, with its reason) or moved (its
session is on another day than the rule gave it) is never touched again by a change of the
series; nor is one that has been held, or has anything written in it.
"""

import datetime
from itertools import islice

from dateutil.rrule import WEEKLY, rrule
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from challenge.clock import today as clock_today
from challenge.editing import refuse_stale
from challenge.submission import create_once, submitted_before
from programmes.selectors import partners_in
from sessions.models import ChallengeSession, Participant, SeriesOccurrence, SessionSeries

# A series is materialised in full: a year of weekly sessions at most.
MAX_OCCURRENCES = 53

RULE_FIELDS = ("frequency", "weekday", "start_time", "end_time", "starts_on", "until", "count")
SERIES_FIELDS = RULE_FIELDS + ("title", "area", "service_lead", "facilitator", "venue", "meeting_link")


def _day(d) -> str:
    return date_format(d, "j F Y")


def occurrence_dates(*, frequency, weekday, starts_on, until=None, count=None) -> list[datetime.date]:
    """The dates the rule gives: every week (or every other week) on `weekday` from the first
    such day on or after `starts_on`, until `until` (inclusive) or `count` times."""
    interval = 2 if frequency == SessionSeries.Frequency.FORTNIGHTLY else 1
    start = datetime.datetime.combine(starts_on, datetime.time())
    kwargs = {"count": min(count, MAX_OCCURRENCES + 1)} if count else {}
    if until:
        kwargs["until"] = datetime.datetime.combine(until, datetime.time())
    if not kwargs:
        kwargs["count"] = MAX_OCCURRENCES + 1
    # Never more than one past the limit, whatever `until` says (a typed year 9999 would be
    # 400,000 Mondays): enough for validate_series to refuse the rule with its message.
    dates = islice(rrule(WEEKLY, interval=interval, byweekday=weekday, dtstart=start, **kwargs), MAX_OCCURRENCES + 1)
    return [d.date() for d in dates]


def validate_series(*, programme, area, service_lead, facilitator, indicators, series=None, from_date=None, **rule):
    """Raise a ValidationError keyed by field for what the series breaks: its rule gives at
    least one and at most MAX_OCCURRENCES dates, all within the programme; the area is under
    review in it; the lead and facilitator are members; the KPIs are the area's; and nobody
    is booked elsewhere at one of the times (the dates named). A change applies from today
    on, and its service lead takes no other part in the occurrences it changes."""
    errors: dict[str, list[str]] = {}
    if rule.get("start_time") and rule.get("end_time") and rule["end_time"] <= rule["start_time"]:
        errors.setdefault("end_time", []).append("The session must end after it starts.")
    if bool(rule.get("until")) == bool(rule.get("count")):
        errors.setdefault("until", []).append("End the series either on a date or after a number of occurrences.")
    if area is not None and not programme.areas.filter(pk=area.pk).exists():
        errors.setdefault("area", []).append(f"{area.name} is not under review in this programme.")
    for field, person in (("service_lead", service_lead), ("facilitator", facilitator)):
        if person is not None and partners_in(programme.partnership_id, [person]).get(person.pk) is None:
            errors.setdefault(field, []).append(
                f"{person.display_name} is not an active member of {programme.partnership.name} "
                "with a partner organisation."
            )
    if area is not None and any(i.area_id != area.pk for i in indicators):
        errors.setdefault("indicators", []).append("Choose indicators of the series' area.")
    if errors:
        raise ValidationError(errors)
    dates = occurrence_dates(
        frequency=rule["frequency"],
        weekday=rule["weekday"],
        starts_on=rule["starts_on"],
        until=rule.get("until"),
        count=rule.get("count"),
    )
    if not dates:
        errors.setdefault("until", []).append("The series has no occurrence before it ends: end it later.")
    elif len(dates) > MAX_OCCURRENCES:
        errors.setdefault("until", []).append(
            f"A series has at most {MAX_OCCURRENCES} occurrences: end it earlier, or start another series later."
        )
    outside = [d for d in dates if not programme.contains(d)]
    if outside:
        errors.setdefault("starts_on", []).append(
            f"Every occurrence must fall within the programme, {_day(programme.start_date)} to "
            f"{_day(programme.end_date)}: {_day(outside[0])} does not."
        )
    if series is not None and from_date and from_date < clock_today():
        errors.setdefault("from_date", []).append(
            f"Apply the changes from today ({_day(clock_today())}) or later: the occurrences that have "
            "passed stay as they were."
        )
    if series is not None and service_lead is not None:
        errors.update(_lead_taking_part(series, service_lead, from_date))
    if errors:
        raise ValidationError(errors)
    mine = set()
    if series is not None:
        mine = set(series.occurrences.values_list("session_id", flat=True))
    if from_date:
        dates = [d for d in dates if d >= from_date]
    clashes = series_clashes(
        people=[service_lead, facilitator],
        dates=dates,
        start_time=rule["start_time"],
        end_time=rule["end_time"],
        partnership=programme.partnership_id,
        exclude_ids=mine,
    )
    if clashes:
        errors.setdefault("start_time", []).extend(clashes)
    if errors:
        raise ValidationError(errors)


def _lead_taking_part(series, service_lead, from_date) -> dict:
    """The occurrences from `from_date` the change would give `service_lead` to present, where
    they already take another part (a challenger, an observer): they cannot do both, and
    nobody challenges their own service."""
    parts = (
        Participant.objects.filter(
            session__occurrence__series=series,
            session__occurrence__skipped_at__isnull=True,
            session__status__in=(ChallengeSession.Status.DRAFT, ChallengeSession.Status.SCHEDULED),
            person=service_lead,
        )
        .exclude(role=Participant.Role.PRESENTER)
        .select_related("session")
        .order_by("session__date")
    )
    if from_date:
        parts = parts.filter(session__occurrence__planned_date__gte=from_date)
    messages = [
        f"{service_lead.display_name} {'challenges' if part.role == Participant.Role.REVIEWER else 'observes'} "
        f"the occurrence of {_day(part.session.date)}: remove them from it first, or apply the change from a "
        "later date."
        for part in parts
    ]
    return {"service_lead": messages} if messages else {}


def series_clashes(*, people, dates, start_time, end_time, partnership, exclude_ids=()) -> list[str]:
    """As services.booking_conflicts, for every date of a series at once (one query): a
    message for each person already booked into another active session at one of the times."""
    people = [p for p in people if p is not None]
    if not (people and dates and start_time and end_time) or end_time <= start_time:
        return []
    ids = {p.pk for p in people}
    clashes = (
        ChallengeSession.objects.active()
        .filter(date__in=dates, start_time__lt=end_time, end_time__gt=start_time)
        .filter(Q(participants__person__in=ids) | Q(facilitator__in=ids))
        .exclude(pk__in=exclude_ids)
        .distinct()
        .select_related("programme")
        .prefetch_related("participants")
        .order_by("date", "start_time")
    )
    by_person = {p.pk: p for p in people}
    messages = []
    for other in clashes:
        booked = {part.person_id for part in other.participants.all()} | {other.facilitator_id}
        for pid in sorted(booked & ids):
            what = f"into “{other.title}”" if other.programme.partnership_id == partnership else "elsewhere"
            messages.append(
                f"{by_person[pid].display_name} is already booked {what} on {_day(other.date)} from "
                f"{other.start_time:%H:%M} to {other.end_time:%H:%M}."
            )
    return messages


def new_occurrence(series, day) -> SeriesOccurrence:
    session = ChallengeSession.objects.create(
        programme=series.programme,
        kind=ChallengeSession.Kind.STRETCH,
        title=series.title,
        date=day,
        start_time=series.start_time,
        end_time=series.end_time,
        venue=series.venue,
        meeting_link=series.meeting_link,
        facilitator=series.facilitator,
        question_set=series.programme.question_set,
        status=ChallengeSession.Status.SCHEDULED,
    )
    session.areas.set([series.area])
    partner = partners_in(series.programme.partnership_id, [series.service_lead]).get(series.service_lead_id)
    Participant.objects.create(
        session=session, person=series.service_lead, role=Participant.Role.PRESENTER, area=series.area, partner=partner
    )
    return SeriesOccurrence.objects.create(series=series, session=session, planned_date=day)


@transaction.atomic
def create_series(
    *, programme, indicators=(), submission_token=None, **fields
) -> SessionSeries:  # fields: SERIES_FIELDS
    """Create a series and every occurrence its rule gives, each a scheduled stretch-and-
    challenge session with the service lead presenting the area. Nobody is e-mailed: the
    series page and each person's calendar feed show them. Once per `submission_token`."""
    earlier = submitted_before(SessionSeries, {"submission_token": submission_token}, programme_id=programme.pk)
    if earlier is not None:
        return earlier
    indicators = list(indicators)
    validate_series(programme=programme, indicators=indicators, **fields)

    def create():
        series = SessionSeries.objects.create(programme=programme, submission_token=submission_token, **fields)
        series.indicators.set(indicators)
        for day in occurrence_dates(
            **{k: fields.get(k) for k in ("frequency", "weekday", "starts_on", "until", "count")}
        ):
            new_occurrence(series, day)
        return series

    return create_once(SessionSeries, submission_token, create, programme_id=programme.pk)


def _is_plain(occurrence) -> bool:
    """Still as the rule made it: not skipped, not moved, not held, nothing written in it."""
    session = occurrence.session
    if occurrence.is_skipped or occurrence.is_moved or occurrence.meeting_notes:
        return False
    if session.status not in (ChallengeSession.Status.SCHEDULED, ChallengeSession.Status.DRAFT) or session.is_closed:
        return False
    return not (
        session.answers.exists()
        or session.comments.exists()
        or session.findings.exists()
        or session.events.exists()  # closed and reopened: its record says so
    )


@transaction.atomic
def update_series(*, series, expected_revision, from_date, indicators=(), **fields) -> dict:
    """Change the series from `from_date` on: the occurrences before it stay as they were;
    from it, the plain ones (see _is_plain) the new rule still gives take its time, place,
    title, lead and facilitator; those it no longer gives are removed; the exceptions
    (skipped, moved, held, written in) stay; and the new rule's other dates get occurrences.
    Refuses (StaleEdit) if the series changed since revision `expected_revision`. Returns
    counts: {"changed", "removed", "added", "kept"}."""
    current = SessionSeries.objects.select_for_update().get(pk=series.pk)
    refuse_stale(current, expected_revision)
    indicators = list(indicators)
    validate_series(programme=current.programme, indicators=indicators, series=current, from_date=from_date, **fields)
    for name, value in fields.items():
        setattr(current, name, value)
    current.revision += 1
    current.save()
    current.indicators.set(indicators)
    dates = [
        d
        for d in occurrence_dates(**{k: fields.get(k) for k in ("frequency", "weekday", "starts_on", "until", "count")})
        if d >= from_date
    ]
    wanted = set(dates)
    counts = {"changed": 0, "removed": 0, "added": 0, "kept": 0}
    taken = set()
    occurrences = current.occurrences.select_related("session").filter(planned_date__gte=from_date)
    partner = partners_in(current.programme.partnership_id, [current.service_lead]).get(current.service_lead_id)
    for occurrence in occurrences:
        taken.add(occurrence.planned_date)
        if not _is_plain(occurrence):
            counts["kept"] += 1
            continue
        session = occurrence.session
        if occurrence.planned_date not in wanted:
            session.participants.all().delete()
            session.notices.all().delete()
            occurrence.delete()
            session.delete()
            taken.discard(occurrence.planned_date)
            counts["removed"] += 1
            continue
        for name in ("title", "start_time", "end_time", "venue", "meeting_link", "facilitator"):
            setattr(session, name, getattr(current, name))
        session.revision += 1
        session.sequence += 1
        session.save()
        session.areas.set([current.area])
        session.participants.filter(role=Participant.Role.PRESENTER).delete()
        Participant.objects.create(
            session=session,
            person=current.service_lead,
            role=Participant.Role.PRESENTER,
            area=current.area,
            partner=partner,
        )
        counts["changed"] += 1
    for day in dates:
        if day not in taken:
            new_occurrence(current, day)
            counts["added"] += 1
    series.__dict__.update(current.__dict__)
    return counts


@transaction.atomic
def skip_occurrence(*, occurrence, by, reason) -> SeriesOccurrence:
    """Skip one occurrence still to come (today or later): its session is cancelled and kept,
    with the reason, who skipped it and when; the series never brings it back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this occurrence is skipped: the series page shows it."})
    current = SeriesOccurrence.objects.select_for_update().select_related("session").get(pk=occurrence.pk)
    if current.is_skipped:
        raise ValidationError("This occurrence has already been skipped.")
    session = current.session
    if not session.is_editable:
        raise ValidationError(f"A {session.get_status_display().lower()} occurrence cannot be skipped.")
    if session.date < clock_today():
        raise ValidationError("This occurrence's day has passed: mark it held, or cancel its session.")
    session.status = ChallengeSession.Status.CANCELLED
    session.revision += 1
    session.sequence += 1
    session.save(update_fields=["status", "revision", "sequence", "updated_at"])
    current.skipped_reason = reason
    current.skipped_at = timezone.now()
    current.skipped_by = by
    current.revision += 1
    current.save(update_fields=["skipped_reason", "skipped_at", "skipped_by", "revision"])
    occurrence.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def save_meeting_notes(*, occurrence, expected_revision, meeting_notes) -> SeriesOccurrence:
    """The occurrence's own notes of what was said. Refuses (StaleEdit) a stale edit."""
    current = SeriesOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    refuse_stale(current, expected_revision)
    current.meeting_notes = meeting_notes
    current.revision += 1
    current.save(update_fields=["meeting_notes", "revision"])
    occurrence.__dict__.update(current.__dict__)
    return current
