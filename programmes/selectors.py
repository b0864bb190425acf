"""Reads for a programme's own pages: its timetable."""

from dataclasses import dataclass

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
    milestones = sorted(Milestone.objects.filter(programme=programme), key=lambda m: (m.due_date, m.pk))
    overdue = [m for m in milestones if m.is_overdue(today)]
    ahead = [m for m in milestones if not m.done and m.due_date >= today]
    next_milestone = min(ahead, key=lambda m: (m.due_date, m.pk)) if ahead else None
    for m in milestones:
        m.state = "done" if m.done else "overdue" if m in overdue else "next" if m is next_milestone else "upcoming"
    return Timeline(milestones=milestones, next_milestone=next_milestone, overdue=overdue)
