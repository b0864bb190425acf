"""A partnership's question sets in the app (issue 13): what the pages read, and the edits
of an unfrozen version.

Every version of a partnership's question set is its own. A version that a session has used
is frozen (QuestionSet.is_frozen): the questions are part of that session's record, so it
never changes again, and changes go into a new version, a copy made by
`make_new_version`. Every edit of a version locks its row, refuses it if the version is
frozen or has moved on since the editor opened it (its `revision`, challenge/editing.py),
applies it and bumps the revision: two facilitators editing the same version at once never
overwrite each other silently, and a form sent twice adds one question, not two."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404

from challenge.editing import refuse_stale
from challenge.submission import create_once
from programmes import kind_methodology
from programmes.models import FROZEN_MESSAGE, Programme, Question, QuestionSet, Section, SessionKind
from programmes.services import new_question_set_version

STANDARD_MESSAGE = (
    "This is one of the installation's standard question sets, which every partnership starts "
    "from, so it cannot be changed here. Make a new version of it for your partnership instead."
)

# --- Reads ------------------------------------------------------------------------------------


@dataclass
class Family:
    """The versions of one question set, newest first."""

    family: str
    name: str
    versions: list = field(default_factory=list)


def _with_usage(queryset, partnership, *, programmes=True):
    """Annotate each version with how many sessions use it (anywhere: that is what freezes
    it) and how many of `partnership`'s sessions do, and fetch `partnership`'s programmes
    that use it (as `partnership_programmes`) unless `programmes` is False."""
    queryset = queryset.annotate(
        session_count=Count("sessions", distinct=True),
        partnership_session_count=Count(
            "sessions", filter=Q(sessions__programme__partnership=partnership), distinct=True
        ),
    )
    if not programmes:
        return queryset
    return queryset.prefetch_related(
        Prefetch(
            "programmes",
            queryset=Programme.objects.filter(partnership=partnership).order_by("name"),
            to_attr="partnership_programmes",
        )
    )


def question_set_families(partnership) -> tuple[list[Family], list[QuestionSet]]:
    """The partnership's own question sets by family with every version and its usage, and
    the installation's standard sets (with the partnership's use of them)."""
    families: dict[str, Family] = {}
    standard = []
    queryset = QuestionSet.objects.filter(Q(partnership=partnership) | Q(partnership__isnull=True)).order_by(
        "family", "-version"
    )
    for question_set in _with_usage(queryset, partnership):
        if question_set.partnership_id is None:
            standard.append(question_set)
            continue
        found = families.setdefault(question_set.family, Family(question_set.family, question_set.name))
        found.versions.append(question_set)
    return sorted(families.values(), key=lambda f: f.name.lower()), standard


def question_set_of(partnership, pk, *, usage=False) -> QuestionSet:
    """One of `partnership`'s versions or a standard set, with its session counts (and the
    partnership's programmes that use it, with `usage`); 404 for another partnership's."""
    queryset = QuestionSet.objects.filter(Q(partnership=partnership) | Q(partnership__isnull=True), pk=pk)
    found = _with_usage(queryset.select_related("based_on"), partnership, programmes=usage).first()
    if found is None:
        raise Http404("No such question set")
    return found


def sections_of(question_set) -> list[Section]:
    """The version's sections in order, each with its questions in order."""
    return list(
        question_set.sections.order_by("position", "id").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )
    )


def section_of(question_set, pk) -> Section:
    try:
        return question_set.sections.get(pk=pk)
    except Section.DoesNotExist:
        raise Http404("No such section") from None


def question_of(question_set, pk) -> Question:
    try:
        return Question.objects.select_related("section").get(section__question_set=question_set, pk=pk)
    except Question.DoesNotExist:
        raise Http404("No such question") from None


def programmes_to_move(partnership, question_set):
    """The partnership's programmes that could start using `question_set` for their new
    sessions: those not using it already."""
    return Programme.objects.filter(partnership=partnership).exclude(question_set=question_set).order_by("name")


def refusal(question_set) -> str | None:
    """Why `question_set` cannot be edited in the app, or None if it can."""
    if question_set.partnership_id is None:
        return STANDARD_MESSAGE
    if question_set.is_frozen:
        return FROZEN_MESSAGE
    return None


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def make_new_version(*, partnership, question_set, submission_token=None) -> QuestionSet:
    """A new, editable version of `question_set` (one of the partnership's or a standard
    set) in `partnership`. Once per `submission_token`."""
    if question_set.partnership_id not in (None, partnership.pk):
        raise ValidationError("This question set belongs to another partnership.")

    def create():
        copy = new_question_set_version(question_set=question_set, partnership=partnership)
        if submission_token is not None:
            copy.submission_token = submission_token
            copy.save(update_fields=["submission_token"])
        return copy

    return create_once(QuestionSet, submission_token, create, partnership_id=partnership.pk)


def _lock_for_edit(question_set, expected_revision) -> QuestionSet:
    """The version, locked, once it is sure the edit may go ahead: refuse a standard or a
    frozen version (ValidationError) and one edited since the form was opened (StaleEdit)."""
    current = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
    refuse_stale(current, expected_revision)
    reason = refusal(current)
    if reason:
        raise ValidationError(reason)
    return current


def _bump(current) -> None:
    current.revision += 1
    current.save(update_fields=["revision"])


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _add_once(model, *, question_set, expected_revision, submission_token, build, **owner):
    """Add the row `build(current)` makes (a section or a question) to the version, once per
    submitted form: a resent form (a double click) gets the row the first one added, not a
    "changed since you opened it" refusal caused by its own first submission."""

    @transaction.atomic
    def create():
        current = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
        if submission_token is not None:
            earlier = model._default_manager.filter(submission_token=submission_token, **owner).first()
            if earlier is not None:  # the first submission won the lock and committed
                return earlier
        current = _lock_for_edit(current, expected_revision)
        row = build(current)
        row.submission_token = submission_token
        row.full_clean()
        row.save()
        _bump(current)
        return row

    return create_once(model, submission_token, create, **owner)


def add_section(*, question_set, expected_revision, title, description="", submission_token=None) -> Section:
    return _add_once(
        Section,
        question_set=question_set,
        expected_revision=expected_revision,
        submission_token=submission_token,
        build=lambda current: Section(
            question_set=current,
            title=title,
            description=description,
            position=_next_position(current.sections.all()),
        ),
        question_set_id=question_set.pk,
    )


@transaction.atomic
def edit_section(*, section, expected_revision, title, description="") -> Section:
    current = _lock_for_edit(section.question_set, expected_revision)
    section.question_set = current
    section.title, section.description = title, description
    section.full_clean()
    section.save(update_fields=["title", "description"])
    _bump(current)
    return section


def add_question(*, section, expected_revision, text, guidance="", answer_kind, submission_token=None) -> Question:
    def build(current):
        section.question_set = current
        return Question(
            section=section,
            text=text,
            guidance=guidance,
            answer_kind=answer_kind,
            position=_next_position(section.questions.all()),
        )

    return _add_once(
        Question,
        question_set=section.question_set,
        expected_revision=expected_revision,
        submission_token=submission_token,
        build=build,
        section_id=section.pk,
    )


@transaction.atomic
def edit_question(*, question, expected_revision, text, guidance="", answer_kind) -> Question:
    """Reword a question of an unfrozen version. The frozen version it was copied from has
    its own Question rows, so they stay as they were."""
    current = _lock_for_edit(question.section.question_set, expected_revision)
    question.section.question_set = current
    question.text, question.guidance, question.answer_kind = text, guidance, answer_kind
    question.full_clean()
    question.save(update_fields=["text", "guidance", "answer_kind"])
    _bump(current)
    return question


@transaction.atomic
def retire_question(*, question, expected_revision) -> None:
    """Leave a question out of this (unfrozen, so unanswered) version. Earlier versions keep
    their own copy of it."""
    current = _lock_for_edit(question.section.question_set, expected_revision)
    question.delete()
    _bump(current)


def _swap(items, item, direction) -> None:
    """Move `item` one place up (direction -1) or down (+1) among `items` (in order), then
    number them all 0, 1, 2... so positions stay distinct."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + direction
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    type(item).objects.bulk_update(items, ["position"])


@transaction.atomic
def move_section(*, section, expected_revision, direction: int) -> None:
    current = _lock_for_edit(section.question_set, expected_revision)
    _swap(list(current.sections.order_by("position", "id")), section, direction)
    _bump(current)


@transaction.atomic
def move_question(*, question, expected_revision, direction: int) -> None:
    current = _lock_for_edit(question.section.question_set, expected_revision)
    _swap(list(question.section.questions.order_by("position", "id")), question, direction)
    _bump(current)


@transaction.atomic
def use_for_programme(*, partnership, question_set, programme) -> Programme:
    """New sessions of `programme` use `question_set`; sessions it already has keep theirs."""
    if programme.partnership_id != partnership.pk or question_set.partnership_id not in (None, partnership.pk):
        raise ValidationError("The programme and the question set must belong to this partnership.")
    programme.question_set = question_set
    programme.save(update_fields=["question_set"])
    return programme


# --- The question set of each kind of session ----------------------------------------------


def question_set_for_kind(programme, kind) -> QuestionSet:
    """The question set a new session of `kind` in `programme` is run with: the programme's
    own for a peer challenge (or when the programme's set is of that kind), else the
    partnership's newest set of that kind, made from the standard questions of the kind
    (programmes/kind_methodology.py) the first time it is needed."""
    kind = SessionKind(kind or SessionKind.PEER)
    if kind == SessionKind.PEER or programme.question_set.kind == kind:
        return programme.question_set
    found = (
        QuestionSet.objects.filter(partnership=programme.partnership_id, kind=kind)
        .order_by("-created_at", "-version", "-pk")
        .first()
    )
    return found or _install_kind_set(programme.partnership_id, kind)


def _install_kind_set(partnership_id, kind) -> QuestionSet:
    spec = kind_methodology.BY_KIND[kind]
    question_set = QuestionSet.objects.create(
        partnership_id=partnership_id,
        family=spec["family"],
        name=spec["name"],
        kind=kind,
        description=spec["description"],
    )
    for position, section_spec in enumerate(spec["sections"]):
        section = Section.objects.create(
            question_set=question_set,
            title=section_spec["title"],
            description=section_spec["description"],
            position=position,
        )
        Question.objects.bulk_create(
            Question(section=section, text=text, guidance=guidance, answer_kind=answer_kind, position=n)
            for n, (text, guidance, answer_kind) in enumerate(section_spec["questions"])
        )
    return question_set
