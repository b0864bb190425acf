"""Reads for a programme's own pages (its timetable and a milestone's form) and the people
a partnership's pickers offer."""

from dataclasses import dataclass

from django.db.models import F, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404

from challenge.clock import today as clock_today
from challenge.listing import Shortlist
from challenge.prepared import PreparedQuery
from programmes.models import FocusTopic, Membership, Milestone, User

MILESTONES_SHOWN = 8  # on the dashboard's timetable, unless asked for all
OVERDUE_NAMED = 3  # overdue milestones named above the timetable; the others are counted


@dataclass
class Timeline:
    milestones: list
    next_milestone: object | None
    overdue: list
    shown: Shortlist | None = None  # what the timetable lists: see `timeline_for`

    @property
    def overdue_summary(self) -> str:
        """The first OVERDUE_NAMED overdue milestones' titles, and how many more."""
        named = "; ".join(milestone.title for milestone in self.overdue[:OVERDUE_NAMED])
        more = len(self.overdue) - OVERDUE_NAMED
        return f"{named}; and {more} more" if more > 0 else named


# What most pages read, the SQL of each built once (challenge/prepared.py).
_MILESTONES = PreparedQuery(lambda programme: Milestone.objects.filter(programme_id=programme), programme=int)
_FOCUS_TOPICS = PreparedQuery(lambda area: FocusTopic.objects.filter(area_id=area), area=int)


def timeline_for(programme, today=None, *, expanded="") -> Timeline:
    """The programme's milestones by due date, each with its state. The timetable lists
    MILESTONES_SHOWN of them from the first one not done (earlier ones, all done, and later
    ones are counted, not listed), or all of them when `expanded` is "milestones"."""
    today = today or clock_today()
    # By when each falls due: "July 2009" comes after "14 July 2009".
    milestones = sorted(_MILESTONES.all(programme=programme.pk), key=_by_due_date)
    overdue = [milestone for milestone in milestones if milestone.is_overdue(today)]
    ahead = [milestone for milestone in milestones if not milestone.done and milestone.due_date >= today]
    next_milestone = min(ahead, key=_by_due_date) if ahead else None
    for milestone in milestones:
        if milestone.done:
            milestone.state = "done"
        elif milestone in overdue:
            milestone.state = "overdue"
        else:
            milestone.state = "next" if milestone is next_milestone else "upcoming"
    if expanded == "milestones":
        shown = milestones
    else:
        first_open = next((i for i, milestone in enumerate(milestones) if not milestone.done), len(milestones))
        start = max(0, min(first_open, len(milestones) - MILESTONES_SHOWN))
        shown = milestones[start : start + MILESTONES_SHOWN]
    return Timeline(
        milestones=milestones,
        next_milestone=next_milestone,
        overdue=overdue,
        shown=Shortlist(key="milestones", items=milestones, shown=shown, more=len(milestones) - len(shown)),
    )


def _by_due_date(milestone):
    return (milestone.due_date, milestone.pk)


def milestone_of(programme, pk) -> Milestone:
    """One of `programme`'s milestones, for its form; 404 if it is another programme's."""
    return get_object_or_404(Milestone, pk=pk, programme=programme)


def members_of(partnership):
    """The people a picker of `partnership` offers (session facilitators, peer reviewers,
    participants, action owners): active people with an active membership of it and an
    organisation there, each with `partner_id`, `partner_name` and `partner_label` (short
    name, or name) of that organisation, in the one query."""
    # One filter() call: its conditions and the annotations are about the same membership.
    return User.objects.filter(
        is_active=True,
        memberships__partnership=partnership,
        memberships__is_active=True,
        memberships__partner__isnull=False,
    ).annotate(
        partner_id=F("memberships__partner_id"),
        partner_name=F("memberships__partner__name"),
        partner_label=Coalesce(
            NullIf(F("memberships__partner__short_name"), Value("")), F("memberships__partner__name")
        ),
    )


def partners_in(partnership, people) -> dict:
    """Each of `people`'s organisation (a Partner) in `partnership`, by person id, for those
    with an active membership of it (None for a member with no organisation): one query."""
    memberships = Membership.objects.filter(
        partnership=partnership, person__in=[person.pk for person in people if person is not None], is_active=True
    ).select_related("partner")
    return {membership.person_id: membership.partner for membership in memberships}


def with_focus_topics(areas):
    """`areas` (a list of ThematicArea) with their focus topics read, in order, in one query
    (none for those read already): what templates/programmes/_focus_topics.html shows."""
    areas = list(areas)
    if len(areas) == 1 and "focus_topics" not in getattr(areas[0], "_prefetched_objects_cache", {}):
        # One area's (the workspace, the area page): as prefetch_related leaves them, SQL built once.
        (area,) = areas
        topics = _FOCUS_TOPICS.all(area=area.pk)
        for topic in topics:
            topic.area = area
        area._prefetched_objects_cache = {**getattr(area, "_prefetched_objects_cache", {})}
        area._prefetched_objects_cache["focus_topics"] = _prefetched(area.focus_topics.all(), topics)
        return areas
    prefetch_related_objects(areas, "focus_topics")
    return areas


def _prefetched(queryset, objects):
    """`queryset` holding `objects` as its result, as prefetch_related leaves a relation."""
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset
