"""Reads for a programme's own pages: its timetable and a milestone's form."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from challenge.clock import today as clock_today
from programmes.models import Milestone


@dataclass
class Timeline:
    milestones: list
    next_milestone: object | None
    overdue: list


def timeline_for(programme, today=None) -> Timeline:
    today = today or clock_today()
    # By when each falls due: "July 2009" comes after "14 July 2009".
    milestones = sorted(Milestone.objects.filter(programme=programme), key=_by_due_date)
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
    return Timeline(milestones=milestones, next_milestone=next_milestone, overdue=overdue)


def _by_due_date(milestone):
    return (milestone.due_date, milestone.pk)


def milestone_of(programme, pk) -> Milestone:
    """One of `programme`'s milestones, for its form; 404 if it is another programme's."""
    return get_object_or_404(Milestone, pk=pk, programme=programme)
