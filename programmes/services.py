"""Writes for the partnership's standing data."""

from django.core.exceptions import ValidationError
from django.db import transaction

from challenge.submission import create_once
from programmes.models import Milestone, Question, QuestionSet, Section


@transaction.atomic
def new_question_set_version(*, question_set: QuestionSet) -> QuestionSet:
    """Copy `question_set` with its sections and questions into the next version of its
    family, to be edited. The original is untouched, so sessions that used it keep showing
    exactly the questions they were run with. Programmes are not moved to the new version:
    a facilitator chooses that."""
    latest = QuestionSet.objects.filter(family=question_set.family).order_by("-version").first()
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
            f"{question_set} has been used by a session and cannot be changed. Make a new version to edit instead."
        )


@transaction.atomic
def add_milestone(*, programme, title, date, precision, owner="", done=False, submission_token=None) -> Milestone:
    """Add a dated step to the programme's timetable. Once per `submission_token`: the same
    form sent twice adds one milestone."""
    return create_once(
        Milestone,
        submission_token,
        lambda: Milestone.objects.create(
            programme=programme,
            title=title,
            date=date,
            precision=precision,
            owner=owner,
            done=done,
            submission_token=submission_token,
        ),
        programme_id=programme.pk,
    )


def set_milestone_done(*, milestone: Milestone, done: bool) -> Milestone:
    """Mark a timetable milestone done or not done."""
    milestone.done = done
    milestone.save(update_fields=["done"])
    return milestone
