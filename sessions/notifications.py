"""E-mails to participants when a session is scheduled, moved or cancelled. Each carries the
calendar event, so a mail program can add, move or remove it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.formats import date_format

from challenge.mail import send_batch
from challenge.validators import single_line
from programmes.models import User
from sessions.ical import session_calendar
from sessions.models import ChallengeSession, SessionNotice

SUBJECTS = {
    "invitation": "Invitation: {title}, {date}",
    "update": "Moved: {title}, now {date}",
    "cancellation": "Cancelled: {title}, {date}",
}


def send_notice(*, session_id: int, kind: str, person_ids: list[int], notice_id=None) -> int:
    """E-mail `person_ids` the `kind` of notice with the calendar event. Records on
    SessionNotice `notice_id` whether each e-mail went; raises EmailBatchFailed (after
    recording) if any did not."""
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown notice kind {kind!r}")
    return send_batch(SessionNotice, notice_id, lambda: _messages(session_id, kind, person_ids))


def _messages(session_id, kind, person_ids):
    session = (
        ChallengeSession.objects.select_related("programme", "facilitator").prefetch_related("areas").get(pk=session_id)
    )
    participants = list(session.participants.select_related("person", "area"))
    by_person = {participant.person_id: participant for participant in participants}
    method = "CANCEL" if kind == "cancellation" or session.is_cancelled else "REQUEST"
    ics = session_calendar(session, participants, method=method)
    url = settings.SITE_URL + session.get_absolute_url()
    # One line whatever was saved: a line break in a subject makes the mail library refuse it.
    subject = single_line(
        SUBJECTS[kind].format(
            title=session.title,
            date=f"{date_format(session.date, 'l j F Y')} {session.start_time:%H:%M}",
        )
    )
    messages = []
    for person in User.objects.filter(pk__in=person_ids, is_active=True).exclude(email=""):
        context = {
            "session": session,
            "facilitator": session.facilitator,
            "person": person,
            "opening": _opening(kind, session, by_person.get(person.pk)),
            "kind": kind,
            "url": url,
            "areas": list(session.areas.all()),
        }
        body = render_to_string("sessions/email/notice.txt", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
        message.attach("invite.ics", ics.decode("utf-8"), f"text/calendar; method={method}")
        messages.append((f"{person.display_name} <{person.email}>", message))
    return messages


def _opening(kind, session, part) -> str:
    """The e-mail's first sentence: what has happened, and the person's part in it."""
    if kind == "invitation":
        role = f" as {part.describe_role().lower()}" if part else ""
        return f"You are invited to a challenge session{role}."
    if kind == "update":
        return "A challenge session you take part in has been moved. Please note the new details."
    if session.is_cancelled:
        return "This challenge session has been cancelled."
    return "You no longer take part in this challenge session."
