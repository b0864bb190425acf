"""Edits that carry the revision the user started from (optimistic locking).

A record that people edit through a form has a `revision`. The form carries the revision it
was opened at; the service locks the row, refuses the save with `StaleEdit` if the revision
has moved on since (someone else saved in between), and otherwise bumps it. The view then
shows the user's text back in the form beside what is saved now (`ConflictBox`, rendered by
templates/includes/conflict.html), so nothing typed is lost and nothing is overwritten.

Imports no app: every app's services raise the same exception and every view catches it."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

STALE_MESSAGE = (
    "Someone else saved this while you were editing it. Your changes have not been saved: they "
    "are still in the form, beside what is saved now. Check them and save again."
)


class StaleEdit(ValidationError):
    """The record changed after the user opened it; their edit was not applied.

    `current` is the record as it is saved now (read under the row lock). A ValidationError,
    so a caller that does not show a conflict still shows the message beside the form."""

    def __init__(self, current, message=STALE_MESSAGE):
        self.current = current
        super().__init__(message, code="stale")


def refuse_stale(current, expected_revision) -> None:
    """Raise StaleEdit unless `current` (read under a row lock) is still at the revision the
    user's form was opened at. The caller bumps `current.revision` when it saves."""
    if current.revision != expected_revision:
        raise StaleEdit(current)


@dataclass(frozen=True)
class ConflictBox:
    """What templates/includes/conflict.html shows beside a form whose save was refused as
    stale: what was saved (`noun`, e.g. "this answer"), by whom (`saved_by`, a name, or None
    when the record does not say), when, and what it says now as (label, text) pairs."""

    noun: str
    saved_at: datetime.datetime | None
    saved: Sequence[tuple[str, str]]
    saved_by: str | None = None


def saved_by_name(by, viewer) -> str | None:
    """How the conflict box names who saved: the viewer themselves (another tab or window),
    or the person's display name."""
    if by is None:
        return None
    if viewer is not None and by.pk == viewer.pk:
        return "you, in another tab or window,"
    return by.display_name


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields of `form` it names, and what names no
    field of the form (or no field at all) above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def reopen_at(form, revision) -> None:
    """Show a form refused as stale again at the revision saved now, with what the user typed
    kept, so that saving it again (after checking the conflict box) applies it on top of the
    other person's change."""
    data = form.data.copy()
    data[form.add_prefix("revision")] = revision
    form.data = data
