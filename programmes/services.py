"""Writes for partnerships and their standing data."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from challenge.submission import create_once
from programmes.models import Milestone, Partnership, Question, QuestionSet, Section


def unique_slug(model, text, *, field="slug", max_length=None) -> str:
    """A slug of `text` that no `model` row has yet in `field`: "safer-city", or
    "safer-city-2", "safer-city-3"... on a clash (areas' slugs are their pages' addresses, so
    unique across the installation, while their names are unique per partnership)."""
    max_length = max_length or model._meta.get_field(field).max_length
    base = slugify(text)[: max_length - 4] or model._meta.model_name
    slug, n = base, 1
    while model.objects.filter(**{field: slug}).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_partnership(*, name, slug="", description="") -> Partnership:
    """Make a partnership, with its own copy of the newest version of each of the
    installation's standard question sets (which stay as they are for the next partnership)."""
    partnership = Partnership.objects.create(
        name=name, slug=slug or unique_slug(Partnership, name), description=description
    )
    copy_standard_question_sets(partnership)
    return partnership


@transaction.atomic
def copy_standard_question_sets(partnership) -> list[QuestionSet]:
    """Give `partnership` its own copy of the newest version of each standard question set
    (one of no partnership) whose family it has none of yet."""
    have = set(QuestionSet.objects.filter(partnership=partnership).values_list("family", flat=True))
    copies = []
    for question_set in QuestionSet.objects.filter(partnership__isnull=True).order_by("family", "-version"):
        if question_set.family not in have:
            have.add(question_set.family)
            copies.append(_copy_question_set(question_set, partnership=partnership, version=question_set.version))
    return copies


def _copy_question_set(question_set, *, partnership, version, based_on=None) -> QuestionSet:
    copy = QuestionSet.objects.create(
        partnership=partnership,
        family=question_set.family,
        name=question_set.name,
        kind=question_set.kind,
        version=version,
        description=question_set.description,
        based_on=based_on,
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


@transaction.atomic
def new_question_set_version(*, question_set: QuestionSet, partnership=None) -> QuestionSet:
    """Copy `question_set` with its sections and questions into the next version of its
    family in `partnership` (by default its own partnership, or the standard sets), to be
    edited. The original is untouched, so sessions that used it keep showing exactly the
    questions they were run with. Programmes are not moved to the new version: a facilitator
    chooses that."""
    partnership = partnership if partnership is not None else question_set.partnership
    latest = (
        QuestionSet.objects.filter(family=question_set.family, partnership=getattr(partnership, "pk", None))
        .order_by("-version")
        .first()
    )
    version = max(latest.version if latest is not None else 0, question_set.version) + 1
    return _copy_question_set(question_set, partnership=partnership, version=version, based_on=question_set)


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
