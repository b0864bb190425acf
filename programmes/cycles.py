"""Programmes and their cycles: making a programme without the admin, changing it, and
rolling it forward into the next cycle (issue 13, B4).

Rolling forward makes the next programme as a draft, seen only by the partnership's
facilitators until one of them makes it active: the same areas (and so their leads) and
facilitators, the newest version of its question set's family, and its timetable moved on by
the cycle length, the difference between the two programmes' starts."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from challenge.editing import refuse_stale
from challenge.submission import create_once
from programmes.models import Membership, Milestone, Programme, QuestionSet
from programmes.services import unique_slug


def validate_programme(
    *, partnership, start_date, end_date, areas=(), question_set=None, facilitators=(), kept_area_ids=()
) -> None:
    """Raise a ValidationError keyed by field for what a programme must respect: it ends on or
    after its start, its areas and question set are its partnership's (or a standard set), its
    areas are in use (a retired one only if the programme has it already: `kept_area_ids`), and
    its facilitators are the partnership's active members."""
    errors: dict[str, list[str]] = {}
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = ["The programme must end on or after its start."]
    if any(area.partnership_id != partnership.pk for area in areas):
        errors["areas"] = ["The areas must be the partnership's own."]
    else:
        retired = [area for area in areas if area.is_retired]
        if retired:
            kept = set(kept_area_ids)
            refused = sorted(area.name for area in retired if area.pk not in kept)
            if refused:
                errors["areas"] = [f"Retired, so no longer offered to programmes: {', '.join(refused)}."]
    if question_set is not None and question_set.partnership_id not in (None, partnership.pk):
        errors["question_set"] = ["The question set must be the partnership's own or a standard one."]
    people = [person.pk for person in facilitators]
    if people:
        members = set(
            Membership.objects.filter(partnership=partnership, person__in=people, is_active=True).values_list(
                "person_id", flat=True
            )
        )
        if set(people) - members:
            errors["facilitators"] = ["The facilitators must be active members of the partnership."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_programme(
    *,
    partnership,
    name,
    start_date,
    end_date,
    question_set,
    self_evaluation_deadline=None,
    description="",
    areas=(),
    facilitators=(),
    status=Programme.Status.DRAFT,
    submission_token=None,
) -> Programme:
    """Make a programme of `partnership`, with a slug of its name no programme has yet. Once
    per `submission_token`: the same form sent twice makes one programme."""
    validate_programme(
        partnership=partnership,
        start_date=start_date,
        end_date=end_date,
        areas=areas,
        question_set=question_set,
        facilitators=facilitators,
    )

    def create():
        programme = Programme.objects.create(
            partnership=partnership,
            name=name,
            slug=unique_slug(Programme, name),
            description=description,
            start_date=start_date,
            end_date=end_date,
            self_evaluation_deadline=self_evaluation_deadline,
            question_set=question_set,
            status=status,
            submission_token=submission_token,
        )
        programme.areas.set(areas)
        programme.facilitators.set(facilitators)
        return programme

    return create_once(Programme, submission_token, create, partnership_id=partnership.pk)


@transaction.atomic
def update_programme(*, programme, expected_revision, areas=(), facilitators=(), **fields) -> Programme:
    """Change a programme (`fields`: name, description, dates, question set, status), its
    areas and facilitators. Refuses (StaleEdit) a change made against an older revision."""
    current = Programme.objects.select_for_update().select_related("partnership").get(pk=programme.pk)
    refuse_stale(current, expected_revision)
    validate_programme(
        partnership=current.partnership,
        start_date=fields.get("start_date", current.start_date),
        end_date=fields.get("end_date", current.end_date),
        areas=areas,
        question_set=fields.get("question_set"),
        facilitators=facilitators,
        kept_area_ids=current.areas.values_list("pk", flat=True),
    )
    for name, value in fields.items():
        setattr(current, name, value)
    current.revision += 1
    current.save()
    current.areas.set(areas)
    current.facilitators.set(facilitators)
    return current


# --- Rolling forward -------------------------------------------------------------------


def newest_version(question_set) -> QuestionSet:
    """The newest version of `question_set`'s family, among its partnership's sets (or the
    standard sets, for a standard one)."""
    return (
        QuestionSet.objects.filter(family=question_set.family, partnership=question_set.partnership_id)
        .order_by("-version")
        .first()
    ) or question_set


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day`, `years` later; 29 February becomes the 28th in a year without one."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def shifter(old_start: datetime.date, new_start: datetime.date):
    """How a date of the old cycle moves into the new one: by whole years when the new start
    is the same day of the year (so 14 October stays 14 October across a leap year), by the
    number of days between the starts otherwise."""
    if (old_start.month, old_start.day) == (new_start.month, new_start.day) and new_start.year != old_start.year:
        years = new_start.year - old_start.year
        return lambda day: add_years(day, years)
    delta = new_start - old_start
    return lambda day: day + delta


def next_cycle_name(name: str, years: int) -> str:
    """The programme's name with each year in it moved on ("CAA 2009 challenge sessions" →
    "CAA 2010 challenge sessions"), or "(next cycle)" added when it names no year."""
    if years and re.search(r"\b(19|20)\d\d\b", name):
        return re.sub(r"\b(?:19|20)\d\d\b", lambda m: str(int(m.group()) + years), name)
    return f"{name} (next cycle)"


@dataclass
class RollForwardPlan:
    """What rolling `programme` forward would make, for the confirmation page and the service."""

    programme: Programme
    name: str
    start_date: datetime.date
    end_date: datetime.date
    self_evaluation_deadline: datetime.date | None
    question_set: QuestionSet
    areas: list
    facilitators: list
    milestones: list  # (old milestone, its new date)
    existing: Programme | None  # the next cycle already made, if any

    @property
    def cycle_days(self) -> int:
        return (self.start_date - self.programme.start_date).days


def default_next_start(programme) -> datetime.date:
    return add_years(programme.start_date, 1)


def plan_roll_forward(programme, *, start_date=None, name="") -> RollForwardPlan:
    """What the next cycle of `programme` starting on `start_date` (by default a year after
    it) would be."""
    start_date = start_date or default_next_start(programme)
    shift = shifter(programme.start_date, start_date)
    years = start_date.year - programme.start_date.year
    facilitators = list(
        programme.facilitators.filter(
            memberships__partnership=programme.partnership_id, memberships__is_active=True, is_active=True
        ).order_by("first_name", "last_name", "username")
    )
    return RollForwardPlan(
        programme=programme,
        name=name or next_cycle_name(programme.name, years),
        start_date=start_date,
        end_date=shift(programme.end_date),
        self_evaluation_deadline=shift(programme.self_evaluation_deadline)
        if programme.self_evaluation_deadline
        else None,
        question_set=newest_version(programme.question_set),
        # A retired area stays with this cycle's history, and is left out of the next.
        areas=list(
            programme.areas.filter(retired_on__isnull=True)
            .select_related("lead_partner", "lead_officer")
            .order_by("name")
        ),
        facilitators=facilitators,
        milestones=[(m, shift(m.date)) for m in Milestone.objects.filter(programme=programme).order_by("date", "pk")],
        existing=Programme.objects.filter(previous=programme).first(),
    )


class AlreadyRolledForward(ValidationError):
    def __init__(self, existing):
        self.existing = existing
        super().__init__(f"This programme has already been rolled forward, into “{existing.name}”.", code="rolled")


@transaction.atomic
def roll_forward(programme, *, start_date=None, name="") -> Programme:
    """Make the next cycle of `programme` as a draft (see RollForwardPlan). A programme rolls
    forward once: a second time raises AlreadyRolledForward, naming the cycle already made."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # one roll at a time
    plan = plan_roll_forward(programme, start_date=start_date, name=name)
    if plan.existing is not None:
        raise AlreadyRolledForward(plan.existing)
    if plan.end_date < plan.start_date:
        raise ValidationError({"start_date": "The next cycle must end on or after its start."})
    try:
        with transaction.atomic():
            new = Programme.objects.create(
                partnership_id=programme.partnership_id,
                name=plan.name,
                slug=unique_slug(Programme, plan.name),
                description=programme.description,
                start_date=plan.start_date,
                end_date=plan.end_date,
                self_evaluation_deadline=plan.self_evaluation_deadline,
                question_set=plan.question_set,
                status=Programme.Status.DRAFT,
                previous=programme,
            )
    except IntegrityError:
        raise AlreadyRolledForward(Programme.objects.get(previous=programme)) from None
    new.areas.set(plan.areas)
    new.facilitators.set(plan.facilitators)
    Milestone.objects.bulk_create(
        Milestone(programme=new, title=m.title, date=date, precision=m.precision, owner=m.owner, done=False)
        for m, date in plan.milestones
    )
    return new


def earlier_cycles(programme):
    """The programmes of `programme`'s partnership that started before it: its earlier cycles."""
    return Programme.objects.filter(partnership=programme.partnership_id, start_date__lt=programme.start_date)
