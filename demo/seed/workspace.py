"""A session's workspace: the presenters' answers (answers.toml) and the critical friends'
threads with the replies and the facilitator's statuses (comments.toml).

Everything is written through the workspace services, as the app would write it, and checked
against the same rules (SessionAccess): a presenter answers only for their area, and a peer
reviewer never comments on an area their own organisation leads. Re-running changes nothing:
an answer already saved (revision > 0, perhaps edited in the app) is left alone, and a thread
or reply whose text is already there is not posted again.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from demo.seed.files import load
from programmes import methodology
from programmes.models import Question, User
from sessions.models import Participant
from workspace.forms import RATING_FIELDS
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion
from workspace.permissions import SessionAccess
from workspace.services import post_comment, reply_to, save_answer, set_comment_status

# Question codes, in the methodology's order: Impact I1–I4, Trajectory T1–T5, Improvement plan
# P1–P6. Answers and comments are matched to the session's questions by the question's text.
CODES = {
    question[0]: f"{letter}{number}"
    for letter, section in zip("ITP", methodology.SECTIONS, strict=True)
    for number, question in enumerate(section["questions"], start=1)
}


@dataclass
class Result:
    day: str = ""
    answers: int = 0  # answered questions in the session (revision > 0)
    threads: int = 0
    replies: int = 0
    new_answers: int = 0
    new_comments: int = 0
    notes: list = field(default_factory=list)  # what was not seeded, and why

    def summary(self):
        return (
            f"{self.day}: {self.answers} answers, {self.threads + self.replies} comments "
            f"({self.threads} threads, {self.replies} replies); new: {self.new_answers} "
            f"answers, {self.new_comments} comments"
        )


def seed_workspace(sessions) -> Result:
    """Fill the workspace of the session the files name (`sessions` by date), skipping what
    is already there."""
    answers, comments = load("answers.toml"), load("comments.toml")
    date = answers.pop("session")
    if comments["session"] != date:
        raise ValueError("answers.toml and comments.toml must be for the same session.")
    result = Result(day=f"{date.day} {date:%B}")
    session = sessions.get(date)
    if session is None:
        result.notes.append(f"No session on {result.day}: its workspace not seeded.")
        return result
    if not session.is_open_for_work:
        result.notes.append(f"{session} is closed or cancelled: its workspace was left as it is.")
    else:
        areas = {area.slug: area for area in session.areas.all()}
        questions = {CODES.get(q.text): q for q in Question.objects.filter(section__question_set=session.question_set)}
        questions.pop(None, None)  # questions from a later version, which have no demo answer
        threads = comments["thread"]
        people = {u.username: u for u in User.objects.filter(username__in=_usernames(threads))}
        started = timezone.now()
        _seed_answers(session, areas, questions, answers, result)
        _seed_threads(session, areas, questions, people, threads, result)
        _backdate(session, started)
    answered = Answer.objects.filter(session=session, revision__gt=0)
    posted = Comment.objects.filter(session=session)
    result.answers = answered.count()
    result.threads = posted.filter(parent__isnull=True).count()
    result.replies = posted.filter(parent__isnull=False).count()
    return result


def _backdate(session, since):
    """Date what this run seeded as it would have happened: answers written over the two
    days before the session, challenges and replies during it, decisions at its close."""

    def local(day, time):
        return timezone.make_aware(datetime.datetime.combine(day, time))

    first = local(session.date - datetime.timedelta(days=2), datetime.time(9))
    answers = Answer.objects.filter(session=session, updated_at__gte=since).order_by("pk")
    for i, answer in enumerate(answers):
        when = first + datetime.timedelta(minutes=25 * i)
        Answer.objects.filter(pk=answer.pk).update(updated_at=when)
        AnswerVersion.objects.filter(answer=answer, edited_at__gte=since).update(edited_at=when)
    start, end = local(session.date, session.start_time), local(session.date, session.end_time)
    decided = end - datetime.timedelta(minutes=10)
    comments = list(Comment.objects.filter(session=session, created_at__gte=since).order_by("pk"))
    step = datetime.timedelta(seconds=int((decided - start).total_seconds()) // max(len(comments), 1))
    for i, comment in enumerate(comments):
        when = start + step * i
        Comment.objects.filter(pk=comment.pk).update(
            created_at=when, updated_at=when, status_at=decided if comment.status_at else None
        )
        versions = CommentVersion.objects.filter(comment=comment)
        versions.exclude(action=CommentVersion.Action.STATUS).update(at=when)
        versions.filter(action=CommentVersion.Action.STATUS).update(at=decided)


def _usernames(threads):
    names = set()
    for thread in threads:
        names.add(thread["author"])
        names.update(reply["author"] for reply in thread.get("reply", []))
    return names


def _presenter(session, area):
    """Who writes the area's answers: its lead officer if they present it, else a presenter."""
    presenters = [
        p.person
        for p in session.participants.filter(role=Participant.Role.PRESENTER, area=area)
        .select_related("person")
        .order_by("id")
    ]
    for person in presenters:
        if person.pk == area.lead_officer_id:
            return person
    return presenters[0] if presenters else None


def _evidence(item):
    return {"title": item["title"], "link": item.get("link", ""), "reference": item.get("reference", "")}


def _seed_answers(session, areas, questions, answers, result):
    for slug, by_code in answers.items():
        area = areas.get(slug)
        presenter = area and _presenter(session, area)
        if presenter is None or not SessionAccess(presenter, session).can_answer(area):
            result.notes.append(f"No presenter for {slug} in {session}: answers not seeded.")
            continue
        saved = dict(Answer.objects.filter(session=session, area=area).values_list("question_id", "revision"))
        for code, question in questions.items():
            if saved.get(question.pk, 0) > 0:
                continue  # already answered, perhaps edited in the app: keep it
            spec = by_code[code]
            content = {"text": spec["text"], "evidence": [_evidence(item) for item in spec.get("evidence", [])]}
            rating_field = RATING_FIELDS.get(question.answer_kind)
            if rating_field and "rating" in spec:
                content[rating_field] = spec["rating"]
            save_answer(
                session=session,
                area=area,
                question=question,
                by=presenter,
                expected_revision=saved.get(question.pk, 0),
                **content,
            )
            result.new_answers += 1


def _seed_threads(session, areas, questions, people, threads, result):
    facilitator = session.facilitator
    for spec in threads:
        slug, code, username = spec["area"], spec["question"], spec["author"]
        area, question, author = areas.get(slug), questions.get(code), people.get(username)
        if area is None or question is None or author is None:
            result.notes.append(f"Thread by {username} on {slug} {code}: not in this session.")
            continue
        refusal = SessionAccess(author, session).comment_refusal(area)
        if refusal:  # e.g. the reviewer's organisation leads the area
            result.notes.append(f"Thread by {username} on {slug} {code} not posted: {refusal}")
            continue
        thread = Comment.objects.filter(
            session=session, area=area, question=question, author=author, parent__isnull=True, text=spec["text"]
        ).first()
        if thread is None:
            thread = post_comment(
                session=session,
                area=area,
                question=question,
                author=author,
                kind=spec["kind"],
                text=spec["text"],
                notify=False,
            )
            result.new_comments += 1
            # The status only when first posted: a facilitator's later decision stands.
            status = spec["status"]
            if status != Comment.Status.OPEN and SessionAccess(facilitator, session).can_moderate():
                set_comment_status(
                    comment=thread, by=facilitator, status=status, note=spec.get("status_note", ""), notify=False
                )
        for reply in spec.get("reply", []):
            replier = people.get(reply["author"])
            if replier is None or not SessionAccess(replier, session).can_reply(area):
                result.notes.append(f"Reply by {reply['author']} on {slug} {code} not posted.")
                continue
            if not thread.replies.filter(author=replier, text=reply["text"]).exists():
                reply_to(parent=thread, author=replier, text=reply["text"], notify=False)
                result.new_comments += 1
