"""Writes for the partnership's standing data."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Milestone, Question, QuestionSet, Section

FACILITATORS_GROUP = "Facilitators"

# What a facilitator may manage in the admin: the programme's standing data. Accounts and
# question sets' content stay with administrators, except that facilitators can read them.
FACILITATOR_PERMISSIONS = {
    "challenge": {
        "partner": ("view", "add", "change"),
        "thematicarea": ("view", "add", "change"),
        "focustopic": ("view", "add", "change", "delete"),
        "programme": ("view", "add", "change"),
        "milestone": ("view", "add", "change", "delete"),
        "questionset": ("view", "add", "change"),
        "section": ("view", "add", "change", "delete"),
        "question": ("view", "add", "change", "delete"),
        "user": ("view",),
    },
    "challenge_sessions": {
        "challengesession": ("view", "add", "change"),
        "participant": ("view", "add", "change", "delete"),
    },
}


def ensure_role_groups() -> Group:
    """Create (or bring up to date) the Facilitators group and its admin permissions.
    Idempotent. Needs the permissions that `migrate` creates."""
    group, _ = Group.objects.get_or_create(name=FACILITATORS_GROUP)
    wanted = []
    for app_label, models in FACILITATOR_PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(
                Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    group.permissions.set(wanted)
    return group


@transaction.atomic
def new_question_set_version(*, question_set: QuestionSet) -> QuestionSet:
    """Copy `question_set` with its sections and questions into the next version of its
    family, to be edited. The original is untouched, so sessions that used it keep showing
    exactly the questions they were run with. Programmes are not moved to the new version:
    a facilitator chooses that."""
    latest = (
        QuestionSet.objects.filter(family=question_set.family).order_by("-version").first()
    )
    copy = QuestionSet.objects.create(
        family=question_set.family,
        name=question_set.name,
        version=latest.version + 1,
        description=question_set.description,
        based_on=question_set,
    )
    for section in question_set.sections.prefetch_related("questions"):
        new_section = Section.objects.create(
            question_set=copy,
            title=section.title,
            description=section.description,
            position=section.position,
        )
        Question.objects.bulk_create(
            Question(
                section=new_section,
                text=q.text,
                guidance=q.guidance,
                answer_kind=q.answer_kind,
                position=q.position,
            )
            for q in section.questions.all()
        )
    return copy


def ensure_editable(question_set: QuestionSet) -> None:
    """Refuse a change to a question set that a session has used."""
    if question_set.is_frozen:
        raise ValidationError(
            f"{question_set} has been used by a session and cannot be changed. "
            "Make a new version to edit instead."
        )


def set_milestone_done(*, milestone: Milestone, done: bool) -> Milestone:
    """Mark a timetable milestone done or not done."""
    milestone.done = done
    milestone.save(update_fields=["done"])
    return milestone
