"""The action tracker's reads: every improvement action of a programme in one table (those of
its own findings, and the open ones it carries from earlier cycles of its areas), filtered by
area, owner, status and overdue, by due date; what a person may see of it; one action with its
history."""

from dataclasses import dataclass

from django.db.models import Q

from challenge.clock import today as clock_today
from findings.models import Action, ActionChange
from findings.selectors import carried_over_q, mark_overdue
from programmes.permissions import is_programme_facilitator
from sessions.permissions import reads_whole_programme
from sessions.selectors import sessions_for_user

PER_PAGE = 25

# The status filter: each status, and the two a tracker is mostly read by.
OPEN, CLOSED_FILTER, ALL = "open", "closed", ""
STATUS_FILTERS = [
    (ALL, "Any status"),
    (OPEN, "Open (not started or in progress)"),
    (CLOSED_FILTER, "Closed (done or dropped)"),
    *Action.Status.choices,
]


def programme_actions_q(programme):
    """The actions the programme's tracker lists: its own findings', and the open actions of
    earlier cycles it carries (see findings.selectors.carried_over_q)."""
    return Q(finding__session__programme=programme) | carried_over_q(programme)


def visible_actions_q(user, programme):
    """What of the tracker `user` may see: everything, for those who read the whole
    programme; otherwise the actions of the areas of the sessions they may open, and the
    actions they own."""
    if reads_whole_programme(user, programme):
        return Q()
    areas = sessions_for_user(user, programme).filter(areas__isnull=False).values("areas")
    return Q(finding__area__in=areas) | Q(owner=user)


def owns_actions_in(user, programme) -> bool:
    """Whether `user` owns an action the programme's tracker lists (who may open the
    tracker, to follow their own actions up, without taking part in a session)."""
    return Action.objects.filter(programme_actions_q(programme), owner=user).exists()


@dataclass
class Filters:
    area: int | None = None
    owner: int | None = None
    status: str = ALL
    overdue: bool = False

    def q(self, today) -> Q:
        condition = Q()
        if self.area:
            condition &= Q(finding__area=self.area)
        if self.owner:
            condition &= Q(owner=self.owner)
        if self.status == OPEN:
            condition &= ~Q(status__in=Action.CLOSED)
        elif self.status == CLOSED_FILTER:
            condition &= Q(status__in=Action.CLOSED)
        elif self.status:
            condition &= Q(status=self.status)
        if self.overdue:
            condition &= Q(due_date__lt=today) & ~Q(status__in=Action.CLOSED)
        return condition


def tracker_actions(user, programme, filters: Filters, today=None):
    """The actions listed (a queryset, by due date: the page is cut by the database), each
    with what its row shows."""
    today = today or clock_today()
    return (
        Action.objects.filter(programme_actions_q(programme))
        .filter(visible_actions_q(user, programme))
        .filter(filters.q(today))
        .select_related("owner", "owner_partner", "finding__area", "finding__session__programme")
        .defer("finding__text", "finding__session__notes", "finding__session__programme__description")
        .order_by("due_date", "pk")
    )


def prepare_rows(actions, *, user, programme, today=None):
    """Mark each action listed as overdue or not, whether it comes from an earlier cycle, and
    whether `user` may update its progress (its owner) or edit it (the facilitators)."""
    actions = mark_overdue(list(actions), today)
    manages = is_programme_facilitator(user, programme)
    for action in actions:
        action.carried = action.finding.session.programme_id != programme.pk
        action.can_edit = manages
        action.can_update = manages or action.owner_id == user.pk
    return actions


def action_for_page(pk):
    """One action with everything its page shows and its permission check needs."""
    return Action.objects.select_related(
        "owner", "owner_partner", "finding__area", "finding__session__programme__partnership"
    ).get(pk=pk)


def history_of(action):
    """The action's changes, newest first, with who made them."""
    return list(ActionChange.objects.filter(action=action).select_related("by", "owner"))
