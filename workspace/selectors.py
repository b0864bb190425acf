"""Reads for the session workspace, each in a fixed number of queries whatever the number of
answers, comments or replies."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q

from challenge.prepared import PreparedQuery
from indicators.selectors import indicators_at_a_glance
from programmes.models import AnswerKind, Question, Section
from programmes.selectors import with_focus_topics
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion, SessionEvent

# A question set is frozen once a session uses it (QuestionSet.is_frozen; the admin refuses to
# change it then), and every set the workspace shows is a session's: its structure is cached
# for good. A day, so that a cache shared by processes does not keep it for ever.
STRUCTURE_CACHE_SECONDS = 24 * 3600

ANSWERED = ~Q(text="") | Q(likelihood__isnull=False) | Q(scale__isnull=False) | ~Q(direction="") | ~Q(confidence="")


def is_open_challenge(thread) -> bool:
    """A thread that still asks something of the area: open, standing, not a commendation."""
    return thread.status == Comment.Status.OPEN and not thread.is_withdrawn and thread.kind != Comment.Kind.COMMENDATION


@dataclass
class QuestionBlock:
    question: object
    answer: object | None
    threads: list = field(default_factory=list)
    number: str = ""
    answer_form: object = None
    comment_form: object = None
    conflict: object = None
    # Whether the question is shown unfolded (its <details> open): the view decides.
    expanded: bool = True
    # Messages of this request only, shown in the question: [(level tag, text)].
    notices: list = field(default_factory=list)

    @property
    def answered(self):
        return self.answer is not None and self.answer.is_answered

    @property
    def open_challenges(self) -> int:
        return sum(1 for thread in self.threads if is_open_challenge(thread))


@dataclass
class SectionBlock:
    section: object
    questions: list
    # The questions the page shows under its filter (all of them unless filtered).
    shown: list = None

    def __post_init__(self):
        if self.shown is None:
            self.shown = list(self.questions)

    @property
    def answered(self):
        return sum(1 for block in self.questions if block.answered)

    @property
    def total(self):
        return len(self.questions)

    @property
    def is_trajectory(self):
        """Asks about direction of travel or confidence: where the indicators belong."""
        kinds = {AnswerKind.DIRECTION, AnswerKind.CONFIDENCE}
        return any(block.question.answer_kind in kinds for block in self.questions)


@dataclass
class ThreadCounts:
    open: int = 0
    addressed: int = 0
    unresolved: int = 0

    @property
    def total(self):
        return self.open + self.addressed + self.unresolved


@dataclass
class Workspace:
    session: object
    area: object
    sections: list
    counts: ThreadCounts
    impact: dict
    indicators: list = field(default_factory=list)
    indicators_more: int = 0  # the area's current indicators not among `indicators`

    @property
    def answered(self):
        return sum(section_block.answered for section_block in self.sections)

    @property
    def total(self):
        return sum(section_block.total for section_block in self.sections)

    def block(self, question_id):
        for section_block in self.sections:
            for block in section_block.questions:
                if block.question.pk == question_id:
                    return block
        raise KeyError(question_id)


def _threads(comments):
    """Group comments into threads (with their replies, oldest first) by question id. Each
    thread gets its `latest_reply` and the `earlier_replies` (the page folds them), and
    `reply_to`: its last message that stands (its latest reply not withdrawn, or itself),
    which the next reply answers."""
    threads = defaultdict(list)
    replies = defaultdict(list)
    for comment in comments:
        (replies[comment.parent_id] if comment.parent_id else threads[comment.question_id]).append(comment)
    for thread_list in threads.values():
        for thread in thread_list:
            thread.thread_replies = replies.get(thread.pk, [])
            thread.earlier_replies = thread.thread_replies[:-1]
            thread.latest_reply = thread.thread_replies[-1] if thread.thread_replies else None
            standing = [reply for reply in thread.thread_replies if not reply.is_withdrawn]
            thread.reply_to = standing[-1] if standing else thread
    return threads


def _counts(threads) -> ThreadCounts:
    counts = ThreadCounts()
    for thread in threads:
        if not thread.is_withdrawn and thread.kind != Comment.Kind.COMMENDATION:
            setattr(counts, thread.status, getattr(counts, thread.status) + 1)
    return counts


# The workspace's filters: what each shows, in the order the page offers them.
FILTERS = {
    "open": "Open challenges",
    "unanswered": "Unanswered",
    "mine": "Mine",
}


def _awaits_presenters(thread, presenter_ids) -> bool:
    """An open challenge whose last message that stands is not from someone who presents the
    area (as dashboard.my_work.awaiting_reply, from the rows already read)."""
    return is_open_challenge(thread) and thread.reply_to.author_id not in presenter_ids


def _is_mine(block, user_id, presenter_ids) -> bool:
    if block.answer is not None and block.answer.updated_by_id == user_id:
        return True
    for thread in block.threads:
        if thread.author_id == user_id or any(reply.author_id == user_id for reply in thread.thread_replies):
            return True
    if presenter_ids is not None:  # the viewer presents the area: what waits for them
        return not block.answered or any(_awaits_presenters(thread, presenter_ids) for thread in block.threads)
    return False


def question_filters(page, *, user_id, presenter_ids=None) -> dict:
    """The ids of the questions under each of FILTERS, from what `page` has read (no query):
    "open", with an open challenge; "unanswered"; "mine", those the viewer answered (saved
    the answer as it stands), commented on or replied in, and, when the viewer presents the
    area (`presenter_ids`: who presents it), those with something waiting for its presenters:
    no answer yet, or an open challenge whose last word is not theirs."""
    blocks = [block for section_block in page.sections for block in section_block.questions]
    return {
        "open": {block.question.pk for block in blocks if block.open_challenges},
        "unanswered": {block.question.pk for block in blocks if not block.answered},
        "mine": {block.question.pk for block in blocks if _is_mine(block, user_id, presenter_ids)},
    }


def show_only(page, question_ids) -> None:
    """Show only the questions with these ids (each section's `shown`)."""
    for section_block in page.sections:
        section_block.shown = [block for block in section_block.questions if block.question.pk in question_ids]


def impact_position(answers):
    """The area's place on the 5×5 impact matrix, from its likelihood and scale answers."""
    likelihood = scale = None
    for answer in answers:
        if answer.question.answer_kind == AnswerKind.LIKELIHOOD and answer.likelihood:
            likelihood = answer.likelihood
        elif answer.question.answer_kind == AnswerKind.SCALE and answer.scale:
            scale = answer.scale
    return {"likelihood": likelihood, "scale": scale}


def _build_workspace(session, area, sections, answers, comments) -> Workspace:
    """The workspace from its rows. The answers are read without their questions and in no
    order: each gets its question from the structure, in the structure's order."""
    by_question = {answer.question_id: answer for answer in answers}
    threads = _threads(comments)
    section_blocks = []
    in_order = []
    for section_number, section in enumerate(sections, start=1):
        blocks = []
        for question_number, question in enumerate(section.questions.all(), start=1):
            answer = by_question.get(question.pk)
            if answer is not None:
                answer.question = question
                in_order.append(answer)
            blocks.append(
                QuestionBlock(
                    question=question,
                    answer=answer,
                    threads=threads.get(question.pk, []),
                    number=f"{section_number}.{question_number}",
                )
            )
        section_blocks.append(SectionBlock(section=section, questions=blocks))
    return Workspace(
        session=session,
        area=area,
        sections=section_blocks,
        counts=_counts([thread for thread_list in threads.values() for thread in thread_list]),
        impact=impact_position(in_order),
    )


def _sections(question_set_ids) -> dict:
    """The sections of each question set, in order, with their questions: two queries."""
    sections = defaultdict(list)
    for section in (
        Section.objects.filter(question_set__in=question_set_ids)
        .prefetch_related("questions")
        .order_by("position", "pk")
    ):
        sections[section.question_set_id].append(section)
    return sections


def question_set_sections(question_set) -> list:
    """The sections of a session's (so frozen) question set, in order, with their questions:
    from the cache, or two queries that fill it. Each call returns objects of its own (the
    cache stores them pickled), so a request may annotate them.

    The key has the set's creation time as well as its id: a database rebuilt with the same
    ids (the demo seeded again) does not meet the old set's structure."""
    key = f"workspace:question-set:{question_set.pk}:{question_set.created_at.timestamp()}"
    sections = cache.get(key)
    if sections is None:
        sections = _sections([question_set.pk])[question_set.pk]
        cache.set(key, sections, STRUCTURE_CACHE_SECONDS)
    return sections


def numbered_questions(sections):
    """Each question of `sections` with its number ("2.3": section, then question)."""
    for section_number, section in enumerate(sections, start=1):
        for question_number, question in enumerate(section.questions.all(), start=1):
            yield question, f"{section_number}.{question_number}"


def _answers(sessions, area):
    return Answer.objects.filter(session__in=sessions, area=area).select_related("updated_by").order_by()


def _comments(sessions, area):
    return (
        Comment.objects.filter(session__in=sessions, area=area)
        .select_related("author", "author_partner", "status_by")
        .order_by()
    )


_ANSWERS = PreparedQuery(lambda session, area: _answers([session], area), session=int, area=int)
_COMMENTS = PreparedQuery(lambda session, area: _comments([session], area), session=int, area=int)


def workspaces(sessions, area, *, sections=None) -> list[Workspace]:
    """`area`'s workspace in each of `sessions`, in four queries however many sessions,
    questions, answers, comments and replies there are (two when `sections`, the sections of
    each question set by its id, are given)."""
    sessions = list(sessions)
    if not sessions:
        return []
    if sections is None:
        sections = _sections({session.question_set_id for session in sessions})
    # Neither query joins or sorts for the default ordering (the answers' joins the question
    # and its section): the answers go in the structure's order, the comments are sorted here.
    if len(sessions) == 1:  # one session's workspace, the page: SQL built once
        found_answers = _ANSWERS.all(session=sessions[0].pk, area=area.pk)
        found_comments = _COMMENTS.all(session=sessions[0].pk, area=area.pk)
    else:
        found_answers = _answers(sessions, area)
        found_comments = _comments(sessions, area)
    answers = defaultdict(list)
    for answer in found_answers:
        answers[answer.session_id].append(answer)
    comments = defaultdict(list)
    for comment in sorted(found_comments, key=lambda comment: (comment.created_at, comment.pk)):  # Comment's ordering
        comment.area = area  # every one is this area's: reading it (SessionAccess) costs no query
        comments[comment.session_id].append(comment)
    return [
        _build_workspace(session, area, sections[session.question_set_id], answers[session.pk], comments[session.pk])
        for session in sessions
    ]


def workspace(session, area) -> Workspace:
    """`area`'s workspace in `session`, its question set's structure from the cache."""
    sections = {session.question_set_id: question_set_sections(session.question_set)}
    return workspaces([session], area, sections=sections)[0]


def workspace_page(session, area) -> Workspace:
    """Everything the workspace page shows: the questions, answers and threads, the area's
    first few indicators (`indicators`; `indicators_more`: how many others it has) and its
    focus topics."""
    page = workspace(session, area)
    page.indicators, total = indicators_at_a_glance(area)
    page.indicators_more = total - len(page.indicators)
    with_focus_topics([area])
    return page


# What the session page counts, the SQL of each built once (challenge/prepared.py).
_SECTIONS_WITH_COUNTS = PreparedQuery(
    lambda question_set: (
        Section.objects.filter(question_set_id=question_set)
        .annotate(question_count=Count("questions"))
        .order_by("position", "pk")
    ),
    question_set=int,
)
_ANSWERED_BY_AREA_AND_SECTION = PreparedQuery(
    lambda session: (
        Answer.objects.filter(session_id=session)
        .filter(ANSWERED)
        .values("area_id", "question__section_id")
        .annotate(count=Count("pk"))
        .order_by()
    ),
    session=int,
)
_THREADS_BY_AREA_AND_STATUS = PreparedQuery(
    lambda session: (
        Comment.objects.filter(session_id=session, parent__isnull=True, withdrawn_at__isnull=True)
        .exclude(kind=Comment.Kind.COMMENDATION)
        .values("area_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ),
    session=int,
)


def session_progress(session, areas):
    """For the session page: per area, answered questions by section and thread counts."""
    sections = _SECTIONS_WITH_COUNTS.all(question_set=session.question_set_id)
    answered = defaultdict(int)
    for row in _ANSWERED_BY_AREA_AND_SECTION.all(session=session.pk):
        answered[(row["area_id"], row["question__section_id"])] = row["count"]
    counts = defaultdict(ThreadCounts)
    for row in _THREADS_BY_AREA_AND_STATUS.all(session=session.pk):
        setattr(counts[row["area_id"]], row["status"], row["count"])
    result = []
    for area in areas:
        per_section = [
            {"section": section, "answered": answered[(area.pk, section.pk)], "total": section.question_count}
            for section in sections
        ]
        result.append(
            {
                "area": area,
                "sections": per_section,
                "answered": sum(row["answered"] for row in per_section),
                "total": sum(row["total"] for row in per_section),
                "counts": counts[area.pk],
            }
        )
    return result


def answer_history(session, area, question):
    versions = list(
        AnswerVersion.objects.filter(
            answer__session=session, answer__area=area, answer__question=question
        ).select_related("edited_by")
    )
    comment_versions = list(
        CommentVersion.objects.filter(
            comment__session=session, comment__area=area, comment__question=question
        ).select_related("by", "comment", "comment__author")
    )
    return versions, comment_versions


_EVENTS = PreparedQuery(
    lambda session: SessionEvent.objects.filter(session_id=session).select_related("by"), session=int
)


def session_events(session):
    return _EVENTS.all(session=session.pk)


def session_areas(session):
    """The areas `session` covers, with what the workspace's heading shows of them."""
    return session.areas.select_related("lead_partner", "lead_officer")


def comments_with_context():
    """Comments with the session, area, question and thread they belong to (the comment
    pages' headings and links)."""
    return Comment.objects.select_related(
        "session", "area", "question", "parent", "author", "author_partner", "parent__author", "parent__author_partner"
    )


def question_in_session(session, question_id):
    """The question of `session`'s question set with this id (its `section` and `number`
    set), from the cached structure; Question.DoesNotExist if the set has no such question."""
    for question, number in numbered_questions(question_set_sections(session.question_set)):
        if question.pk == question_id:
            question.number = number
            return question
    raise Question.DoesNotExist(f"Question {question_id} is not in {session.question_set}.")


def saved_answer(session, area, question):
    """The answer saved to `question` for `area` in `session`, or None."""
    return Answer.objects.filter(session=session, area=area, question=question).first()


def thread_replies(thread):
    """The replies in `thread`, oldest first, with their authors (what the reply page shows)."""
    return list(thread.replies.select_related("author", "author_partner").order_by("created_at", "pk"))
