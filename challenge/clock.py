"""Today's date, as the app sees it.

`CHALLENGE_TODAY` (YYYY-MM-DD) pins it, so a demonstration of a past programme (Salford 2009)
shows its upcoming sessions and next deadline as they stood on that day. Unset, it is today."""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    pinned = getattr(settings, "CHALLENGE_TODAY", None)
    if pinned:
        return pinned
    return timezone.localdate()
