"""Writes for challenge sessions, and the scheduling rules they enforce.

The rules are also called by the forms, so that a user sees each problem beside the field
that caused it; the services check them again because they are the last word.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.formats import date_format

from challenge.editing import refuse_stale
from challenge.submission import create_once, submitted_before
from programmes.models import ThematicArea
from programmes.question_sets import question_set_for_kind
from programmes.selectors import partners_in
from sessions.independence import rule_for
from sessions.models import ChallengeSession, Participant, SessionNotice
from sessions.tasks import send_session_notice

MOVE_FIELDS = ("date", "start_time", "end_time", "venue", "meeting_link")
EVENT_FIELDS = MOVE_FIELDS + ("title", "notes")
SESSION_FIELDS = EVENT_FIELDS + ("facilitator",)


def _day(d) -> str:
    return date_format(d, "j F Y")


# --- Rules -------------------------------------------------------------------------------


def critical_friend_conflicts(*, areas: Iterable[ThematicArea], people: Iterable, partners: dict) -> list[str]:
    """Messages for each peer reviewer whose organisation leads one of the areas: a critical
    friend comes from another organisation (the peer rule of sessions.independence).
    `partners` maps their id to their organisation (programmes.selectors.partners_in)."""
    return rule_for(ChallengeSession.Kind.PEER).conflicts(
        areas=list(areas), people=people, partners=partners, partnership_id=None
    )


def booking_conflicts(*, people: Iterable, date, start_time, end_time, partnership, exclude=None) -> list[str]:
    """Messages for each person already booked (as participant or facilitator) into another
    active session that overlaps this time. A person in two partnerships is one person, so a
    session of another partnership clashes too, but is not named: only those of `partnership`
    (an id) are."""
    people = [p for p in people if p is not None]
    if not (people and date and start_time and end_time) or end_time <= start_time:
        return []
    ids = {p.pk for p in people}
    clashes = ChallengeSession.objects.overlapping(date=date, start_time=start_time, end_time=end_time).filter(
        Q(participants__person__in=ids) | Q(facilitator__in=ids)
    )
    if exclude is not None and exclude.pk:
        clashes = clashes.exclude(pk=exclude.pk)
    clashes = clashes.distinct().select_related("programme").prefetch_related("participants")
    by_person = {p.pk: p for p in people}
    messages = []
    seen = set()
    for other in clashes:
        booked = {part.person_id for part in other.participants.all()} | {other.facilitator_id}
        for pid in sorted(booked & ids):
            if (pid, other.pk) in seen:
                continue
            seen.add((pid, other.pk))
            what = f"into “{other.title}”" if other.programme.partnership_id == partnership else "elsewhere"
            messages.append(
                f"{by_person[pid].display_name} is already booked {what} on "
                f"{_day(other.date)} from {other.start_time:%H:%M} to "
                f"{other.end_time:%H:%M}."
            )
    return messages


def session_record_errors(*, programme, date, areas=None) -> dict[str, list[str]]:
    """Messages by field for what the session's record itself must respect, whoever changes
    it (the admin too, which skips the scheduling rules): its date lies within the
    programme, and its areas, at least one, are under review in the programme."""
    errors: dict[str, list[str]] = {}
    if date and not programme.contains(date):
        errors.setdefault("date", []).append(
            f"The date must fall within the programme, {_day(programme.start_date)} to {_day(programme.end_date)}."
        )
    if areas is not None:
        if not areas:
            errors.setdefault("areas", []).append("Choose at least one thematic area.")
        allowed = set(programme.areas.values_list("pk", flat=True))
        outside = [a.name for a in areas if a.pk not in allowed]
        if outside:
            errors.setdefault("areas", []).append(f"{', '.join(outside)} is not under review in this programme.")
    return errors


def validate_session(
    *,
    programme,
    date,
    start_time,
    end_time,
    areas,
    facilitator,
    reviewers=(),
    others=(),
    session=None,
    kind=None,
    panel=None,
) -> None:
    """Raise a ValidationError keyed by field for every rule the proposed session breaks.
    `others` are the participants who stay as they are (presenters, observers). `kind` (the
    session's own when it is edited) decides the independence rule the reviewers must keep;
    a scrutiny meeting is of one of the partnership's panels."""
    kind = kind or (session.kind if session is not None else ChallengeSession.Kind.PEER)
    if areas is not None:
        areas = list(areas)
    errors = session_record_errors(programme=programme, date=date, areas=areas)
    partners = partners_in(programme.partnership_id, [facilitator, *reviewers])
    for field, people in (("facilitator", [facilitator]), ("reviewers", reviewers)):
        for person in people:
            if person is not None and partners.get(person.pk) is None:
                errors.setdefault(field, []).append(_not_a_member(person, programme))
    if start_time and end_time and end_time <= start_time:
        errors.setdefault("end_time", []).append("The session must end after it starts.")
    if areas is not None:
        if session is not None and session.pk:
            kept = {a.pk for a in areas}
            orphaned = [
                p
                for p in session.participants.select_related("person", "area")
                if p.role == Participant.Role.PRESENTER and p.area_id not in kept
            ]
            if orphaned:
                errors.setdefault("areas", []).append(
                    "Remove these presenters before removing their area: "
                    + "; ".join(f"{p.person.display_name} ({p.area.name})" for p in orphaned)
                    + "."
                )
        presenters = []
        if session is not None and session.pk:
            presenters = list(session.participants.filter(role=Participant.Role.PRESENTER).select_related("area"))
        conflicts = rule_for(kind).conflicts(
            areas=areas,
            people=reviewers,
            partners=partners,
            partnership_id=programme.partnership_id,
            presenters=presenters,
        )
        if conflicts:
            errors.setdefault("reviewers", []).extend(conflicts)
    if kind == ChallengeSession.Kind.SCRUTINY and session is None:
        if panel is None:
            errors.setdefault("panel", []).append("Choose the scrutiny panel that meets.")
        elif panel.partnership_id != programme.partnership_id:
            errors.setdefault("panel", []).append("Choose one of this partnership's panels.")
    elif panel is not None and kind != ChallengeSession.Kind.SCRUTINY:
        errors.setdefault("panel", []).append("Only a scrutiny meeting has a panel.")
    clashes = booking_conflicts(
        people=[facilitator, *reviewers, *others],
        date=date,
        start_time=start_time,
        end_time=end_time,
        partnership=programme.partnership_id,
        exclude=session,
    )
    if clashes:
        errors.setdefault("date", []).extend(clashes)
    if errors:
        raise ValidationError(errors)


def participant_record_errors(*, session_areas, role, area=None) -> dict[str, list[str]]:
    """Messages by field for what a part itself must respect, whoever records it (the admin
    too): a presenter presents one of the session's areas, and nobody else presents one."""
    errors: dict[str, list[str]] = {}
    if role == Participant.Role.PRESENTER:
        if area is None:
            errors.setdefault("area", []).append("Choose the area this presenter presents.")
        elif area.pk not in {a.pk for a in session_areas}:
            errors.setdefault("area", []).append(f"{area.name} is not covered by this session.")
    elif area is not None:
        errors.setdefault("area", []).append("Only presenters present an area.")
    return errors


def with_panel_members(reviewers, panel) -> list:
    """The reviewers chosen, and the members of a scrutiny meeting's `panel` (its challengers)."""
    reviewers = list(reviewers or [])
    if panel is not None:
        chosen = {p.pk for p in reviewers}
        reviewers += [p for p in panel.members.order_by("last_name", "first_name") if p.pk not in chosen]
    return reviewers


def _not_a_member(person, programme) -> str:
    return f"{person.display_name} is not an active member of {programme.partnership.name} with a partner organisation."


def validate_participant(*, session, person, role, area=None) -> None:
    """Raise a ValidationError keyed by field if `person` cannot take this part: they must
    be an active member of the programme's partnership with an organisation there."""
    areas = list(session.areas.select_related("lead_partner"))
    errors = participant_record_errors(session_areas=areas, role=role, area=area)
    partners = partners_in(session.programme.partnership_id, [person])
    if partners.get(person.pk) is None:
        errors.setdefault("person", []).append(_not_a_member(person, session.programme))
    if session.participants.filter(person=person).exists():
        errors.setdefault("person", []).append(f"{person.display_name} already takes part in this session.")
    if role == Participant.Role.REVIEWER:
        conflicts = rule_for(session.kind).conflicts(
            areas=areas,
            people=[person],
            partners=partners,
            partnership_id=session.programme.partnership_id,
            presenters=list(session.participants.filter(role=Participant.Role.PRESENTER).select_related("area")),
        )
        if conflicts:
            errors.setdefault("person", []).extend(conflicts)
    clashes = booking_conflicts(
        people=[person],
        date=session.date,
        start_time=session.start_time,
        end_time=session.end_time,
        partnership=session.programme.partnership_id,
        exclude=session,
    )
    if clashes:
        errors.setdefault("person", []).extend(clashes)
    if errors:
        raise ValidationError(errors)


# --- Notifications -----------------------------------------------------------------------


def _notify(session, kind, people) -> None:
    ids = sorted({p.pk if hasattr(p, "pk") else p for p in people})
    if not ids or session.status == ChallengeSession.Status.DRAFT:
        return
    # Recorded as queued now; the task records whether the e-mails went (the session page
    # shows a failure to the facilitator).
    notice = SessionNotice.objects.create(session=session, kind=kind, recipients=len(ids))
    transaction.on_commit(
        lambda: send_session_notice.enqueue(session_id=session.pk, kind=kind, person_ids=ids, notice_id=notice.pk)
    )


def _everyone(session) -> list[int]:
    ids = set(session.participants.values_list("person_id", flat=True))
    ids.add(session.facilitator_id)
    return sorted(ids)


# --- Writes ------------------------------------------------------------------------------


@dataclass
class SessionChange:
    session: ChallengeSession
    moved: bool = False
    added: tuple = ()
    removed: tuple = ()


@transaction.atomic
def create_session(
    *,
    programme,
    title,
    date,
    start_time,
    end_time,
    areas,
    facilitator,
    venue="",
    meeting_link="",
    notes="",
    reviewers=(),
    schedule=False,
    notify=True,
    submission_token=None,
    kind=ChallengeSession.Kind.PEER,
    panel=None,
) -> ChallengeSession:
    """Create a session in `programme`, using the programme's current question set, with its
    areas and peer reviewers. With `schedule`, it is scheduled at once and every participant
    and the facilitator are e-mailed an invitation (after the transaction commits), unless
    `notify` is false (the demonstration seed). `kind` picks the question set (the
    programme's for a peer challenge, else the partnership's set for that kind, made from the
    standard one the first time) and the independence rule; a scrutiny meeting's `panel`
    members all take part as its challengers. Once per `submission_token`: the same form
    sent twice creates one session and sends one set of invitations."""
    # Before the rules: the session made by the first submission would clash with itself.
    earlier = submitted_before(ChallengeSession, {"submission_token": submission_token}, programme_id=programme.pk)
    if earlier is not None:
        return earlier
    reviewers = with_panel_members(reviewers, panel)
    validate_session(
        programme=programme,
        date=date,
        start_time=start_time,
        end_time=end_time,
        areas=areas,
        facilitator=facilitator,
        reviewers=reviewers,
        kind=kind,
        panel=panel,
    )

    def create():
        session = ChallengeSession.objects.create(
            programme=programme,
            title=title,
            date=date,
            start_time=start_time,
            end_time=end_time,
            venue=venue,
            meeting_link=meeting_link,
            notes=notes,
            facilitator=facilitator,
            kind=kind,
            panel=panel,
            question_set=question_set_for_kind(programme, kind),
            status=ChallengeSession.Status.SCHEDULED if schedule else ChallengeSession.Status.DRAFT,
            submission_token=submission_token,
        )
        session.areas.set(areas)
        partners = partners_in(programme.partnership_id, reviewers)
        Participant.objects.bulk_create(
            Participant(session=session, person=p, role=Participant.Role.REVIEWER, partner=partners.get(p.pk))
            for p in reviewers
        )
        if notify:
            _notify(session, "invitation", _everyone(session))
        return session

    return create_once(ChallengeSession, submission_token, create, programme_id=programme.pk)


@transaction.atomic
def update_session(
    *,
    session,
    expected_revision,
    title,
    date,
    start_time,
    end_time,
    areas,
    facilitator,
    venue="",
    meeting_link="",
    notes="",
    reviewers=(),
) -> SessionChange:
    """Change a session's details, areas and peer reviewers.

    Refuses (StaleEdit) if the session changed since the user loaded revision
    `expected_revision`. Bumps the revision, and the calendar SEQUENCE when the event itself
    changes. If the session is scheduled: a move (date, time, place) e-mails everyone an
    update; added reviewers get an invitation, removed ones a cancellation."""
    current = ChallengeSession.objects.select_for_update().get(pk=session.pk)
    refuse_stale(current, expected_revision)
    if not current.is_editable:
        raise ValidationError(f"A {current.get_status_display().lower()} session cannot be edited.")
    reviewers = list(reviewers)
    existing = {
        p.person_id: p for p in current.participants.select_related("person").filter(role=Participant.Role.REVIEWER)
    }
    others = [p.person for p in current.participants.select_related("person").exclude(role=Participant.Role.REVIEWER)]
    validate_session(
        programme=current.programme,
        date=date,
        start_time=start_time,
        end_time=end_time,
        areas=areas,
        facilitator=facilitator,
        reviewers=reviewers,
        others=others,
        session=current,
    )
    new_values = dict(
        title=title,
        date=date,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
        meeting_link=meeting_link,
        notes=notes,
        facilitator=facilitator,
    )
    moved = any(getattr(current, f) != new_values[f] for f in MOVE_FIELDS)
    event_changed = any(getattr(current, f) != new_values[f] for f in EVENT_FIELDS)
    for field, value in new_values.items():
        setattr(current, field, value)
    current.revision += 1
    if event_changed:
        current.sequence += 1
    current.save()
    current.areas.set(areas)

    wanted = {p.pk: p for p in reviewers}
    removed = [existing[pid] for pid in existing if pid not in wanted]
    added = [wanted[pid] for pid in wanted if pid not in existing]
    Participant.objects.filter(pk__in=[p.pk for p in removed]).delete()
    partners = partners_in(current.programme.partnership_id, added)
    Participant.objects.bulk_create(
        Participant(session=current, person=p, role=Participant.Role.REVIEWER, partner=partners.get(p.pk))
        for p in added
    )
    if current.status == ChallengeSession.Status.SCHEDULED:
        if moved:
            unchanged = [pid for pid in _everyone(current) if pid not in wanted or pid in existing]
            _notify(current, "update", unchanged)
        _notify(current, "invitation", added)
        _notify(current, "cancellation", [p.person_id for p in removed])
    session.__dict__.update(current.__dict__)
    return SessionChange(session=current, moved=moved, added=tuple(added), removed=tuple(removed))


def _set_status(session, status, *, allowed_from) -> ChallengeSession:
    current = ChallengeSession.objects.select_for_update().get(pk=session.pk)
    if current.status not in allowed_from:
        raise ValidationError(
            f"A {current.get_status_display().lower()} session cannot be made "
            f"{ChallengeSession.Status(status).label.lower()}."
        )
    current.status = status
    current.revision += 1
    current.sequence += 1
    current.save(update_fields=["status", "revision", "sequence", "updated_at"])
    session.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def schedule_session(*, session) -> ChallengeSession:
    """Draft → scheduled. Re-checks the booking rules, then e-mails every participant and the
    facilitator an invitation with the calendar event."""
    current = ChallengeSession.objects.select_related("programme").get(pk=session.pk)
    people = [p.person for p in current.participants.select_related("person")]
    clashes = booking_conflicts(
        people=[current.facilitator, *people],
        date=current.date,
        start_time=current.start_time,
        end_time=current.end_time,
        partnership=current.programme.partnership_id,
        exclude=current,
    )
    if clashes:
        raise ValidationError(clashes)
    current = _set_status(session, ChallengeSession.Status.SCHEDULED, allowed_from={ChallengeSession.Status.DRAFT})
    _notify(current, "invitation", _everyone(current))
    return current


@transaction.atomic
def cancel_session(*, session) -> ChallengeSession:
    """Draft or scheduled → cancelled. Frees everyone's time; if it was scheduled, e-mails
    everyone a cancellation that removes the event from their calendars."""
    was_scheduled = session.status == ChallengeSession.Status.SCHEDULED
    current = _set_status(
        session,
        ChallengeSession.Status.CANCELLED,
        allowed_from={ChallengeSession.Status.DRAFT, ChallengeSession.Status.SCHEDULED},
    )
    if was_scheduled:
        _notify(current, "cancellation", _everyone(current))
    return current


@transaction.atomic
def mark_session_held(*, session) -> ChallengeSession:
    """Scheduled → held. Sends nothing."""
    return _set_status(session, ChallengeSession.Status.HELD, allowed_from={ChallengeSession.Status.SCHEDULED})


@transaction.atomic
def add_participant(*, session, person, role, area=None, notify=True) -> Participant:
    """Add `person` to the session in `role` (a presenter presents `area`), recording their
    organisation in the programme's partnership with the part. Enforces membership of the
    partnership and the critical-friend and double-booking rules. If the session is
    scheduled, e-mails them an invitation, unless `notify` is false (the demonstration seed)."""
    if not session.is_editable:
        raise ValidationError("Participants can only be changed before the session is held.")
    validate_participant(session=session, person=person, role=role, area=area)
    partner = partners_in(session.programme.partnership_id, [person]).get(person.pk)
    participant = Participant.objects.create(session=session, person=person, role=role, area=area, partner=partner)
    ChallengeSession.objects.filter(pk=session.pk).update(revision=F("revision") + 1)
    session.revision += 1
    if notify:
        _notify(session, "invitation", [person])
    return participant


@transaction.atomic
def remove_participant(*, participant) -> None:
    """Take a person out of a session. If it is scheduled, e-mails them a cancellation."""
    session = participant.session
    if not session.is_editable:
        raise ValidationError("Participants can only be changed before the session is held.")
    person_id = participant.person_id
    participant.delete()
    ChallengeSession.objects.filter(pk=session.pk).update(revision=F("revision") + 1)
    session.revision += 1
    _notify(session, "cancellation", [person_id])
