"""A scrutiny meeting's agenda: its numbered items, each an area's report presented by
officers. Writes and reads; the item's page (with its resolutions) is findings'."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from challenge.editing import refuse_stale
from challenge.submission import create_once
from programmes.selectors import partners_in
from sessions.models import AgendaItem, ChallengeSession, Participant


def agenda_item_errors(*, session, number, area, presenting_officers, item=None) -> dict[str, list[str]]:
    """Messages by field: an item of a scrutiny meeting that was not cancelled, numbered once,
    on one of the meeting's areas, presented by members of the partnership."""
    errors: dict[str, list[str]] = {}
    if session.kind != ChallengeSession.Kind.SCRUTINY:
        errors.setdefault("__all__", []).append("Only a scrutiny meeting has an agenda.")
    elif session.status == ChallengeSession.Status.CANCELLED:
        errors.setdefault("__all__", []).append("The meeting was cancelled: its agenda cannot be changed.")
    if area is not None and not session.areas.filter(pk=area.pk).exists():
        errors.setdefault("area", []).append(f"{area.name} is not covered by this meeting.")
    taken = AgendaItem.objects.filter(session=session, number=number)
    if item is not None:
        taken = taken.exclude(pk=item.pk)
    if number and taken.exists():
        errors.setdefault("number", []).append(f"The meeting already has an item {number}.")
    partners = partners_in(session.programme.partnership_id, presenting_officers)
    for person in presenting_officers:
        if partners.get(person.pk) is None:
            errors.setdefault("presenting_officers", []).append(
                f"{person.display_name} is not an active member of the partnership with an organisation."
            )
    return errors


def _present(session, area, officers) -> None:
    """Make each presenting officer a presenter of the item's area, so that they answer the
    panel's questions in the meeting's workspace (those already taking part keep their part)."""
    taking_part = set(session.participants.values_list("person_id", flat=True))
    new = [person for person in officers if person.pk not in taking_part]
    partners = partners_in(session.programme.partnership_id, new)
    Participant.objects.bulk_create(
        Participant(session=session, person=p, role=Participant.Role.PRESENTER, area=area, partner=partners.get(p.pk))
        for p in new
    )
    if new:
        ChallengeSession.objects.filter(pk=session.pk).update(revision=F("revision") + 1)


@transaction.atomic
def add_agenda_item(
    *, session, number, title, area, report="", presenting_officers=(), submission_token=None
) -> AgendaItem:
    """Add an item to a scrutiny meeting's agenda; its presenting officers become presenters
    of its area in the meeting (no e-mail: the agenda is published by the council). Once per
    `submission_token`."""
    presenting_officers = list(presenting_officers)
    errors = agenda_item_errors(session=session, number=number, area=area, presenting_officers=presenting_officers)
    if errors:
        raise ValidationError(errors)

    def create():
        item = AgendaItem.objects.create(
            session=session, number=number, title=title, area=area, report=report, submission_token=submission_token
        )
        item.presenting_officers.set(presenting_officers)
        _present(session, area, presenting_officers)
        return item

    return create_once(AgendaItem, submission_token, create, session_id=session.pk)


@transaction.atomic
def edit_agenda_item(*, item, expected_revision, number, title, area, report="", presenting_officers=()) -> AgendaItem:
    """Change an item; refuses (StaleEdit) if it changed since the form was opened at
    `expected_revision`. New presenting officers become presenters of its area."""
    current = AgendaItem.objects.select_for_update().select_related("session__programme").get(pk=item.pk)
    refuse_stale(current, expected_revision)
    presenting_officers = list(presenting_officers)
    errors = agenda_item_errors(
        session=current.session, number=number, area=area, presenting_officers=presenting_officers, item=current
    )
    if errors:
        raise ValidationError(errors)
    current.number, current.title, current.area, current.report = number, title, area, report
    current.revision += 1
    current.save()
    current.presenting_officers.set(presenting_officers)
    _present(current.session, area, presenting_officers)
    return current


def agenda_of(session) -> list[AgendaItem]:
    """The meeting's items in agenda order (by number as a number where it is one), with
    their area and presenting officers."""
    items = list(
        AgendaItem.objects.filter(session=session).select_related("area").prefetch_related("presenting_officers")
    )
    return sorted(items, key=lambda item: (int(item.number) if item.number.isdigit() else 10**9, item.number, item.pk))
