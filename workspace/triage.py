"""Challenge triage: the open (or addressed, or unresolved) challenges across a session's areas
in one list, for the facilitator to mark without scrolling the workspace. Reads only."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from workspace.models import Comment
from workspace.selectors import numbered_questions, question_set_sections

PER_PAGE = 25
ALL = "all"
STATUS_FILTERS = [(value, label) for value, label in Comment.Status.choices] + [(ALL, "Any status")]


def threads_to_triage(session):
    """The threads of `session` that ask something and stand: not commendations (they ask
    nothing), not withdrawn."""
    return Comment.objects.filter(session=session, parent__isnull=True, withdrawn_at__isnull=True).exclude(
        kind=Comment.Kind.COMMENDATION
    )


@dataclass
class Filters:
    area: int | None = None
    status: str = Comment.Status.OPEN

    def q(self) -> Q:
        condition = Q() if self.status == ALL else Q(status=self.status)
        if self.area:
            condition &= Q(area=self.area)
        return condition


def status_counts(session, area=None) -> dict:
    """How many threads of each status (of `area`, if given): one query."""
    threads = threads_to_triage(session)
    if area:
        threads = threads.filter(area=area)
    counts = dict.fromkeys(Comment.Status.values, 0)
    for row in threads.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts[ALL] = sum(counts.values())
    return counts


def triage_list(session, filters: Filters):
    """The threads listed (a queryset: the page is cut by the database), by area, then by
    question, oldest first, with what a row shows."""
    return (
        threads_to_triage(session)
        .filter(filters.q())
        .select_related("area", "question__section", "author", "author_partner", "status_by")
        .annotate(reply_count=Count("replies", filter=Q(replies__withdrawn_at__isnull=True)))
        .order_by("area__name", "question__section__position", "question__position", "created_at", "pk")
    )


def prepare(threads, session) -> list:
    """Give each thread of a page its question's number ("2.3") and its latest reply (or None),
    in one query for the replies of the page's threads."""
    threads = list(threads)
    sections = question_set_sections(session.question_set)
    numbers = {question.pk: number for question, number in numbered_questions(sections)}
    latest = defaultdict(lambda: None)
    replies = (
        Comment.objects.filter(parent__in=[thread.pk for thread in threads], withdrawn_at__isnull=True)
        .select_related("author")
        .order_by("parent_id", "created_at", "pk")
    )
    for reply in replies if threads else []:
        latest[reply.parent_id] = reply  # the last one wins
    for thread in threads:
        thread.number = numbers.get(thread.question_id, "")
        thread.latest_reply = latest[thread.pk]
    return threads
