"""Reads for the session workspace, each in a fixed number of queries whatever the number of
answers, comments or replies."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from programmes.models import AnswerKind, Question
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion, SessionEvent

ANSWERED = ~Q(text="") | Q(likelihood__isnull=False) | Q(scale__isnull=False) | ~Q(direction="") | ~Q(confidence="")


@dataclass
class QuestionBlock:
    question: object
    answer: object | None
    threads: list = field(default_factory=list)
    number: str = ""
    answer_form: object = None
    comment_form: object = None
    conflict: object = None

    @property
    def answered(self):
        return self.answer is not None and self.answer.is_answered


@dataclass
class SectionBlock:
    section: object
    questions: list

    @property
    def answered(self):
        return sum(1 for q in self.questions if q.answered)

    @property
    def total(self):
        return len(self.questions)

    @property
    def is_trajectory(self):
        """Asks about direction of travel or confidence: where the indicators belong."""
        kinds = {AnswerKind.DIRECTION, AnswerKind.CONFIDENCE}
        return any(b.question.answer_kind in kinds for b in self.questions)


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

    @property
    def answered(self):
        return sum(s.answered for s in self.sections)

    @property
    def total(self):
        return sum(s.total for s in self.sections)

    def block(self, question_id):
        for s in self.sections:
            for b in s.questions:
                if b.question.pk == question_id:
                    return b
        raise KeyError(question_id)


def _threads(comments):
    """Group comments into threads (with their replies, oldest first) by question id."""
    threads = defaultdict(list)
    replies = defaultdict(list)
    for c in comments:
        (replies[c.parent_id] if c.parent_id else threads[c.question_id]).append(c)
    for thread_list in threads.values():
        for t in thread_list:
            t.thread_replies = replies.get(t.pk, [])
    return threads


def _counts(threads) -> ThreadCounts:
    counts = ThreadCounts()
    for c in threads:
        if not c.is_withdrawn and c.kind != Comment.Kind.COMMENDATION:
            setattr(counts, c.status, getattr(counts, c.status) + 1)
    return counts


def impact_position(answers):
    """The area's place on the 5×5 impact matrix, from its likelihood and scale answers."""
    likelihood = scale = None
    for a in answers:
        if a.question.answer_kind == AnswerKind.LIKELIHOOD and a.likelihood:
            likelihood = a.likelihood
        elif a.question.answer_kind == AnswerKind.SCALE and a.scale:
            scale = a.scale
    return {"likelihood": likelihood, "scale": scale}


def workspace(session, area) -> Workspace:
    sections = list(session.question_set.sections.prefetch_related("questions").order_by("position", "pk"))
    answers = list(Answer.objects.filter(session=session, area=area).select_related("updated_by", "question"))
    by_question = {a.question_id: a for a in answers}
    comments = list(
        Comment.objects.filter(session=session, area=area).select_related("author", "author__partner", "status_by")
    )
    threads = _threads(comments)
    section_blocks = []
    for s_index, section in enumerate(sections, start=1):
        blocks = [
            QuestionBlock(
                question=q,
                answer=by_question.get(q.pk),
                threads=threads.get(q.pk, []),
                number=f"{s_index}.{q_index}",
            )
            for q_index, q in enumerate(section.questions.all(), start=1)
        ]
        section_blocks.append(SectionBlock(section=section, questions=blocks))
    all_threads = [t for ts in threads.values() for t in ts]
    return Workspace(
        session=session,
        area=area,
        sections=section_blocks,
        counts=_counts(all_threads),
        impact=impact_position(answers),
    )


def session_progress(session, areas):
    """For the session page: per area, answered questions by section and thread counts."""
    sections = list(session.question_set.sections.annotate(n=Count("questions")).order_by("position", "pk"))
    answered = defaultdict(int)
    for row in (
        Answer.objects.filter(session=session)
        .filter(ANSWERED)
        .values("area_id", "question__section_id")
        .annotate(n=Count("pk"))
    ):
        answered[(row["area_id"], row["question__section_id"])] = row["n"]
    counts = defaultdict(ThreadCounts)
    for row in (
        Comment.objects.filter(session=session, parent__isnull=True, withdrawn_at__isnull=True)
        .exclude(kind=Comment.Kind.COMMENDATION)
        .values("area_id", "status")
        .annotate(n=Count("pk"))
    ):
        setattr(counts[row["area_id"]], row["status"], row["n"])
    result = []
    for area in areas:
        per_section = [{"section": s, "answered": answered[(area.pk, s.pk)], "total": s.n} for s in sections]
        result.append(
            {
                "area": area,
                "sections": per_section,
                "answered": sum(p["answered"] for p in per_section),
                "total": sum(p["total"] for p in per_section),
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


def session_events(session):
    return list(SessionEvent.objects.filter(session=session).select_related("by"))


def question_in_session(session, question_id):
    return Question.objects.select_related("section").get(
        pk=question_id, section__question_set_id=session.question_set_id
    )
