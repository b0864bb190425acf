"""Notices of improvement actions falling due: to each open action's owner, once when it is
due within DUE_SOON_DAYS days and once when it is overdue (again if its due date changes).
Run daily by `manage.py send_daily_notices`."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from findings.models import Action
from programmes.models import NoticeKind
from programmes.notices import excerpt, notify

DUE_SOON_DAYS = 7


@transaction.atomic
def notify_due_actions(today) -> int:
    """Notify the owners of open actions due by `today` + DUE_SOON_DAYS days (overdue ones
    included) that have not been told of this due date yet: a notice key per action, due
    date and state keeps each one to once. Returns how many notices were made."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    actions = (
        Action.objects.filter(due_date__lte=soon)
        .exclude(status__in=Action.CLOSED)
        .select_related("finding__area", "finding__session__programme")
        .order_by("due_date", "pk")
    )
    made = 0
    for action in actions:
        overdue = action.due_date < today
        state = "overdue" if overdue else "due"
        when = date_format(action.due_date, "j F Y")
        what = excerpt(action.description, 100)
        area = action.finding.area.name
        text = (
            f"Your improvement action on {area} is overdue (due {when}): {what}"
            if overdue
            else f"Your improvement action on {area} is due on {when}: {what}"
        )
        made += len(
            notify(
                people=[action.owner_id],
                kind=NoticeKind.ACTION_DUE,
                text=text,
                url=reverse("action_page", args=[action.pk]),
                partnership=action.finding.partnership_id,
                key=f"action-{state}:{action.pk}:{action.due_date.isoformat()}",
            )
        )
    return made
