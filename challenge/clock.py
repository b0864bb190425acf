"""Today's date, as the app sees it.

`CHALLENGE_TODAY` (YYYY-MM-DD) pins it, so a demonstration of a past programme (Salford 2009)
shows its upcoming sessions and next deadline as they stood on that day; `pinned(day)` does
the same for a block of code (the demo seed renders its final PDF as of the demo day).
Unset, it is today."""

import contextvars
import datetime
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_pinned: contextvars.ContextVar = contextvars.ContextVar("challenge_today", default=None)


def today() -> datetime.date:
    return _pinned.get() or getattr(settings, "CHALLENGE_TODAY", None) or timezone.localdate()


@contextmanager
def pinned(day: datetime.date):
    token = _pinned.set(day)
    try:
        yield day
    finally:
        _pinned.reset(token)
