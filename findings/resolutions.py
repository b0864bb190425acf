"""A scrutiny meeting's resolutions and recommendations: recording them on an agenda item,
the executive's response, progress to completion; and the reads of their pages (one
partnership's open resolutions across meetings, one resolution with its history).

Every change carries the revision its form was opened at (challenge/editing.py) and writes
a ResolutionChange, so the history shows who responded or reported progress, and when."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from challenge.editing import refuse_stale
from challenge.submission import create_once
from findings.models import Resolution, ResolutionChange
from programmes.permissions import belongs_to, is_officer_of
from programmes.selectors import partners_in
from sessions.models import ChallengeSession
from sessions.permissions import can_manage_session, can_view_session

# --- Who may do what ------------------------------------------------------------------------


def can_view_resolution(user, resolution) -> bool:
    """Those who may see its meeting, and its owner (who answers for it) while a member."""
    session = resolution.agenda_item.session
    if can_view_session(user, session):
        return True
    return resolution.owner_id == user.pk and belongs_to(user, session.programme.partnership_id)


def can_record_resolution(user, item) -> bool:
    """The meeting's managers (the scrutiny officer who clerks it), while it is not cancelled."""
    return can_manage_session(user, item.session) and item.session.status != ChallengeSession.Status.CANCELLED


def can_update_resolution(user, resolution) -> bool:
    """Record the executive's response and progress: the meeting's managers and the owner,
    unless the meeting was cancelled (what it resolved stands for nothing; its workspace
    being closed after the meeting changes nothing here: responses come later)."""
    session = resolution.agenda_item.session
    if session.status == ChallengeSession.Status.CANCELLED:
        return False
    if can_manage_session(user, session):
        return True
    return resolution.owner_id == user.pk and belongs_to(user, session.programme.partnership_id)


# --- Writes -------------------------------------------------------------------------------------


def _record(resolution, what, by, at):
    ResolutionChange.objects.create(
        resolution=resolution,
        what=what,
        by=by,
        at=at,
        response=resolution.response,
        response_text=resolution.response_text,
        status=resolution.status,
        progress_note=resolution.progress_note,
    )


@transaction.atomic
def record_resolution(*, item, by, kind, text, owner, response_due, submission_token=None) -> Resolution:
    """Record what the panel resolved or recommended on `item`, open and awaiting the
    executive's response from `owner` by `response_due` (not before the meeting); writes its
    first history step. Once per `submission_token`."""
    if item.session.kind != ChallengeSession.Kind.SCRUTINY:
        raise ValidationError("Only a scrutiny meeting's items have resolutions.")
    errors = {}
    if partners_in(item.session.programme.partnership_id, [owner]).get(owner.pk) is None:
        errors["owner"] = [f"{owner.display_name} is not an active member of the partnership."]
    if response_due < item.session.date:
        errors["response_due"] = [
            f"The response is due after the meeting: on or after {date_format(item.session.date, 'j F Y')}."
        ]
    if errors:
        raise ValidationError(errors)

    def create():
        resolution = Resolution.objects.create(
            agenda_item=item,
            kind=kind,
            text=text,
            owner=owner,
            response_due=response_due,
            created_by=by,
            submission_token=submission_token,
        )
        _record(resolution, ResolutionChange.What.RECORDED, by, timezone.now())
        return resolution

    return create_once(Resolution, submission_token, create, agenda_item_id=item.pk)


def _change(resolution, expected_revision, by, what, **values) -> Resolution:
    current = Resolution.objects.select_for_update().get(pk=resolution.pk)
    refuse_stale(current, expected_revision)
    if all(getattr(current, field) == value for field, value in values.items()):
        return current  # nothing changed: no new revision, no history
    now = timezone.now()
    for field, value in values.items():
        setattr(current, field, value)
    if what == ResolutionChange.What.RESPONSE:
        current.responded_at = now
    current.closed_at = (current.closed_at or now) if current.closes() else None
    current.revision += 1
    current.save()
    _record(current, what, by, now)
    return current


@transaction.atomic
def record_response(*, resolution, by, expected_revision, response, response_text) -> Resolution:
    """Record the executive's response (accepted, partly accepted, rejected) and its reasons.
    A rejection closes the resolution; refuses (StaleEdit) an edit made against an older
    revision. Writes a history step."""
    if response == Resolution.Response.AWAITED:
        raise ValidationError({"response": "Choose the executive's response."})
    if not response_text.strip():
        raise ValidationError({"response_text": "Give the executive's response in words: its reasons, its plan."})
    return _change(
        resolution,
        expected_revision,
        by,
        ResolutionChange.What.RESPONSE,
        response=response,
        response_text=response_text,
    )


@transaction.atomic
def update_progress(*, resolution, by, expected_revision, status, progress_note) -> Resolution:
    """Report progress to completion (open, in progress, done); done closes it, and moving
    it back from done reopens it. Refuses (StaleEdit) a stale edit. Writes a history step."""
    return _change(
        resolution, expected_revision, by, ResolutionChange.What.PROGRESS, status=status, progress_note=progress_note
    )


# --- Reads ---------------------------------------------------------------------------------------

RELATED = ("owner", "agenda_item__area", "agenda_item__session__programme__partnership", "agenda_item__session__panel")


def resolution_for_page(pk) -> Resolution:
    return Resolution.objects.select_related(*RELATED).get(pk=pk)


def history_of(resolution) -> list:
    return list(resolution.changes.select_related("by"))


def visible_resolutions_q(user, partnership) -> Q:
    """The resolutions `user` may see in `partnership`: those of the meetings they may see,
    and those they own."""
    sessions = ChallengeSession.objects.visible_to(user).filter(programme__partnership=partnership)
    return Q(agenda_item__session__in=sessions.values("pk")) | Q(owner=user)


@dataclass
class ResolutionList:
    resolutions: list
    closed: bool  # listing the closed ones rather than the open ones


def partnership_resolutions(user, partnership, *, closed=False) -> ResolutionList:
    """One partnership's open (or closed) resolutions across all its meetings, by response
    due date: for the partnership's members who may see the meetings, and the owners. Those of
    a cancelled meeting are with the closed ones."""
    if not (belongs_to(user, partnership.pk) or is_officer_of(user, partnership.pk)):
        return ResolutionList([], closed)
    found = Resolution.objects.filter(agenda_item__session__programme__partnership=partnership).filter(
        visible_resolutions_q(user, partnership)
    )
    # A cancelled meeting's resolutions stand for nothing (nobody may respond to them or record
    # progress): listed with the closed ones, marked so, not left open for ever.
    cancelled = Q(agenda_item__session__status=ChallengeSession.Status.CANCELLED)
    found = (
        found.filter(Q(closed_at__isnull=False) | cancelled)
        if closed
        else found.filter(closed_at=None).exclude(cancelled)
    )
    return ResolutionList(list(found.select_related(*RELATED).order_by("response_due", "pk")), closed)


def resolutions_of(item) -> list:
    return list(item.resolutions.select_related("owner").order_by("pk"))
