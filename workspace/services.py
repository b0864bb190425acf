"""Writes in a session's workspace: answers, critical-friend comments, closing and reopening.

Every change keeps history (AnswerVersion, CommentVersion, SessionEvent). Edits carry the
revision the user started from; a save made against an older revision is refused with
StaleEdit (challenge.editing), which holds what is saved now, so the view can show both texts:
nothing typed is lost and nothing is overwritten.

Every write locks the session's row and checks that it is open on the locked row, as closing
and reopening do: a close waits for writes already under way, and a write that comes after
it is refused, whatever the caller's copy of the session says. (PostgreSQL takes the row
lock; SQLite, which ignores it, runs one writing transaction at a time, begun IMMEDIATE.)

Creates (comments, replies) happen once per form submission token (challenge.submission).

Notices (programmes.notices) tell the people concerned, within the same transaction: a new
thread, its area's presenters in the session and the area's lead officer; a reply, the
thread's author (or, when the author replies, the area's presenters); a thread marked
unresolved, its author and the area's presenters. Never the person who acted. With
`notify=False` (the demonstration seed, which e-mails nobody) no notice is made."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from challenge.editing import refuse_stale
from challenge.submission import create_once
from programmes import notices
from programmes.models import NoticeKind
from sessions.models import ChallengeSession, Participant
from workspace.models import ANSWER_CONTENT_FIELDS, Answer, AnswerVersion, Comment, CommentVersion, SessionEvent


def _ensure_open(session):
    if session.is_closed:
        raise ValidationError("The session is closed: answers and comments are frozen.")
    if session.status == ChallengeSession.Status.CANCELLED:
        raise ValidationError("The session was cancelled.")


def _lock_open_session(session_id) -> ChallengeSession:
    """Lock the session's row (until the transaction ends) and refuse if it is not open for
    work. Always taken before any answer or comment row, so locks come in one order."""
    current = ChallengeSession.objects.select_for_update().get(pk=session_id)
    _ensure_open(current)
    return current


def _lock_answer(session, area, question) -> Answer:
    lookup = dict(session=session, area=area, question=question)
    try:
        return Answer.objects.select_for_update().get(**lookup)
    except Answer.DoesNotExist:
        try:
            with transaction.atomic():
                return Answer.objects.create(**lookup)
        except IntegrityError:  # created by someone else a moment ago
            return Answer.objects.select_for_update().get(**lookup)


@transaction.atomic
def save_answer(*, session, area, question, by, expected_revision, **content) -> Answer:
    """Save a presenter's answer (text, ratings, evidence) to `question` for `area`.

    Refuses with StaleEdit if the answer was saved by anyone since `expected_revision`.
    A save that changes nothing is not recorded. Otherwise bumps the revision and records
    the new version (who, when, what) in the answer's history."""
    _lock_open_session(session.pk)
    unknown = set(content) - set(ANSWER_CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown answer fields: {sorted(unknown)}")
    answer = _lock_answer(session, area, question)
    refuse_stale(answer, expected_revision)
    new = {**answer.content(), **content}
    new["evidence"] = list(new.get("evidence") or [])
    if new == answer.content() and answer.revision:
        return answer
    for field, value in new.items():
        setattr(answer, field, value)
    answer.revision += 1
    answer.updated_by = by
    answer.updated_at = timezone.now()
    answer.save()
    AnswerVersion.objects.create(
        answer=answer,
        revision=answer.revision,
        edited_by=by,
        edited_at=answer.updated_at,
        **answer.content(),
    )
    return answer


def _area_leads(session_id, area) -> set:
    """The people who answer for `area` in the session: its presenters there and the area's
    lead officer (the area lead rule of ThematicArea.objects.led_by)."""
    ids = set(
        Participant.objects.filter(session_id=session_id, area_id=area.pk, role=Participant.Role.PRESENTER).values_list(
            "person_id", flat=True
        )
    )
    if area.lead_officer_id:
        ids.add(area.lead_officer_id)
    return ids


def _place(comment) -> str:
    """The comment's question in the workspace."""
    return reverse("workspace", args=[comment.session_id, comment.area_id]) + f"#question-{comment.question_id}"


def _notify(comment, *, session, people, kind, text, actor):
    notices.notify(
        people=people,
        kind=kind,
        text=f"{text}: “{notices.excerpt(comment.text)}”",
        url=_place(comment),
        partnership=session.programme.partnership_id,
        actor=actor,
    )


def _record(comment, action, by):
    CommentVersion.objects.create(
        comment=comment,
        revision=comment.revision,
        action=action,
        kind=comment.kind,
        text=comment.text,
        status=comment.status,
        by=by,
        at=comment.updated_at,
    )


@transaction.atomic
def post_comment(*, session, area, question, author, kind, text, submission_token=None, notify=True) -> Comment:
    """Start a thread on a question: a challenge, question, suggestion or commendation,
    recorded with the author's organisation in the session's partnership. Records it in the
    comment's history. Permission (peer reviewer, not from the lead
    organisation) is the caller's to check with SessionAccess. Notifies the area's presenters
    in the session and its lead officer. Once per `submission_token`: the same form sent
    twice posts one comment (and one notice)."""
    if kind == Comment.Kind.REPLY:
        raise ValidationError("A reply needs a comment to reply to.")

    def create():
        _lock_open_session(session.pk)
        now = timezone.now()
        comment = Comment.objects.create(
            session=session,
            area=area,
            question=question,
            author=author,
            author_partner=author.partner_in(session.programme.partnership_id),
            kind=kind,
            text=text,
            created_at=now,
            updated_at=now,
            submission_token=submission_token,
        )
        _record(comment, CommentVersion.Action.POSTED, author)
        if not notify:
            return comment
        _notify(
            comment,
            session=session,
            people=_area_leads(session.pk, area),
            kind=NoticeKind.CHALLENGE,
            text=f"{author.display_name} posted a {comment.get_kind_display().lower()} on {area.name} "
            f"in {session.title}",
            actor=author,
        )
        return comment

    return create_once(Comment, submission_token, create, author_id=author.pk)


@transaction.atomic
def reply_to(*, parent, author, text, submission_token=None, notify=True) -> Comment:
    """Reply in a thread (presenters and facilitators), unless it was withdrawn, recorded with
    the author's organisation in the session's partnership. Records it in history. Notifies
    the thread's author (when they reply themselves, the area's presenters and lead officer).
    Once per `submission_token`: the same form sent twice posts one reply."""
    if not parent.is_thread:
        parent = parent.parent

    def create():
        session = _lock_open_session(parent.session_id)
        if Comment.objects.select_for_update().get(pk=parent.pk).is_withdrawn:
            raise ValidationError("This comment was withdrawn, so it takes no more replies.")
        now = timezone.now()
        reply = Comment.objects.create(
            session_id=parent.session_id,
            area=parent.area,
            question=parent.question,
            parent=parent,
            author=author,
            author_partner=author.partner_in(session.programme.partnership_id),
            kind=Comment.Kind.REPLY,
            text=text,
            created_at=now,
            updated_at=now,
            submission_token=submission_token,
        )
        _record(reply, CommentVersion.Action.POSTED, author)
        if not notify:
            return reply
        thread_kind = parent.get_kind_display().lower()
        if parent.author_id != author.pk:
            people, kind = [parent.author_id], NoticeKind.REPLY
            what = f"{author.display_name} replied to your {thread_kind} on {parent.area.name}"
        else:  # the author answers back: those who answer for the area should know
            people, kind = _area_leads(session.pk, parent.area), NoticeKind.CHALLENGE
            what = f"{author.display_name} replied in their {thread_kind} on {parent.area.name}"
        _notify(reply, session=session, people=people, kind=kind, text=f"{what} in {session.title}", actor=author)
        return reply

    return create_once(Comment, submission_token, create, author_id=author.pk)


def _lock_comment(comment, by, expected_revision=None) -> Comment:
    _lock_open_session(comment.session_id)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if current.author_id != by.pk:
        raise PermissionDenied("Only the author can change a comment.")
    if current.is_withdrawn:
        raise ValidationError("This comment was withdrawn.")
    if expected_revision is not None:
        refuse_stale(current, expected_revision)
    return current


@transaction.atomic
def edit_comment(*, comment, by, expected_revision, text, kind=None) -> Comment:
    """The author changes their comment's text (and, for a thread, its kind). Refuses with
    StaleEdit if it changed since `expected_revision`. Records the new version."""
    current = _lock_comment(comment, by, expected_revision)
    if current.is_thread and kind and kind != Comment.Kind.REPLY:
        current.kind = kind
    current.text = text
    current.revision += 1
    current.updated_at = timezone.now()
    current.save()
    _record(current, CommentVersion.Action.EDITED, by)
    return current


@transaction.atomic
def withdraw_comment(*, comment, by) -> Comment:
    """The author withdraws their comment. It stays in the record, marked withdrawn."""
    current = _lock_comment(comment, by)
    current.withdrawn_at = current.updated_at = timezone.now()
    current.revision += 1
    current.save()
    _record(current, CommentVersion.Action.WITHDRAWN, by)
    return current


UNRESOLVED_NEEDS_A_REASON = "Say briefly why it stays unresolved: the self-evaluation shows it with the challenge."


@transaction.atomic
def set_comment_status(*, comment, by, status, note="", notify=True) -> Comment:
    """The facilitator marks a thread open, addressed or unresolved (with a short reason,
    `note`, which the self-evaluation shows). Records who and when. Marked unresolved (from
    another status), notifies the thread's author and the area's presenters and lead officer."""
    session = _lock_open_session(comment.session_id)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if not current.is_thread:
        raise ValidationError("Only a challenge, not a reply, has a status.")
    if current.kind == Comment.Kind.COMMENDATION:
        raise ValidationError("A commendation asks nothing, so it has no status to mark.")
    if current.is_withdrawn:
        raise ValidationError("A withdrawn comment has no status to mark.")
    if status not in Comment.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    note = " ".join((note or "").split())
    if status == Comment.Status.UNRESOLVED and not note:
        raise ValidationError({"note": UNRESOLVED_NEEDS_A_REASON})
    if len(note) > 500:
        raise ValidationError({"note": "Keep the reason short: at most 500 characters."})
    was = current.status
    current.status = status
    current.status_note = note if status == Comment.Status.UNRESOLVED else ""
    current.status_by = by
    current.status_at = current.updated_at = timezone.now()
    # No revision bump: the revision guards the author's text, which this does not touch.
    current.save(update_fields=["status", "status_note", "status_by", "status_at", "updated_at"])
    _record(current, CommentVersion.Action.STATUS, by)
    if notify and status == Comment.Status.UNRESOLVED and was != status:
        area = current.area
        _notify(
            current,
            session=session,
            people={current.author_id} | _area_leads(session.pk, area),
            kind=NoticeKind.UNRESOLVED,
            text=f"{by.display_name} marked the {current.get_kind_display().lower()} on {area.name} unresolved "
            f"in {session.title}: {note}",
            actor=by,
        )
    return current


@transaction.atomic
def close_session(*, session, by) -> ChallengeSession:
    """Freeze the session's answers and comments. Records who closed it and when."""
    current = ChallengeSession.objects.select_for_update().get(pk=session.pk)
    if current.is_closed:
        raise ValidationError("The session is already closed.")
    if current.status == ChallengeSession.Status.CANCELLED:
        raise ValidationError("A cancelled session cannot be closed.")
    current.closed_at = timezone.now()
    current.closed_by = by
    current.save(update_fields=["closed_at", "closed_by", "updated_at"])
    SessionEvent.objects.create(session=current, action=SessionEvent.Action.CLOSED, by=by, at=current.closed_at)
    session.closed_at, session.closed_by = current.closed_at, by
    return current


@transaction.atomic
def reopen_session(*, session, by, note="") -> ChallengeSession:
    """Let answers and comments change again. Records who reopened it, when and why."""
    current = ChallengeSession.objects.select_for_update().get(pk=session.pk)
    if not current.is_closed:
        raise ValidationError("The session is not closed.")
    current.closed_at = None
    current.closed_by = None
    current.save(update_fields=["closed_at", "closed_by", "updated_at"])
    SessionEvent.objects.create(session=current, action=SessionEvent.Action.REOPENED, by=by, note=note)
    session.closed_at = session.closed_by = None
    return current
