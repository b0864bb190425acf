"""iCalendar (RFC 5545) output: one session as an event, or a programme as a calendar.

Invitations e-mailed to participants carry METHOD:REQUEST (or CANCEL) so mail programs offer
to add, move or remove the event; the downloads carry METHOD:PUBLISH."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from challenge.validators import single_line
from sessions.models import ChallengeSession, Participant

PRODID = "-//Challenge//Challenge sessions//EN"

_ROLE = {
    Participant.Role.PRESENTER: "REQ-PARTICIPANT",
    Participant.Role.REVIEWER: "REQ-PARTICIPANT",
    Participant.Role.OBSERVER: "OPT-PARTICIPANT",
}
_STATUS = {
    ChallengeSession.Status.DRAFT: "TENTATIVE",
    ChallengeSession.Status.SCHEDULED: "CONFIRMED",
    ChallengeSession.Status.HELD: "CONFIRMED",
    ChallengeSession.Status.CANCELLED: "CANCELLED",
}


def _address(person, role=None):
    address = vCalAddress(f"mailto:{person.email or person.username + '@invalid'}")
    address.params["CN"] = vText(single_line(person.display_name))
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def session_event(session: ChallengeSession, participants) -> Event:
    """The session as a VEVENT. `participants` must have person and area loaded."""
    event = Event()
    event.add("uid", f"{session.uid}@challenge")
    event.add("dtstamp", timezone.now())
    event.add("sequence", session.sequence)
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    # Titles and places are one line; data saved before line breaks were refused is
    # collapsed here rather than breaking the calendar.
    event.add("summary", single_line(session.title))
    if session.where:
        event.add("location", single_line(session.where))
    url = settings.SITE_URL + session.get_absolute_url()
    event.add("url", url)
    areas = ", ".join(single_line(area.name) for area in session.areas.all())
    lines = [f"Challenge session: {areas}." if areas else "Challenge session."]
    if session.meeting_link:
        lines.append(f"Join online: {session.meeting_link}")
    if session.notes:
        lines.append(session.notes)
    lines.append(f"Details: {url}")
    event.add("description", "\n\n".join(lines))
    event.add("status", _STATUS[session.status])
    organizer = _address(session.facilitator)
    event.add("organizer", organizer)
    chair = _address(session.facilitator, "CHAIR")
    event.add("attendee", chair)
    for part in participants:
        if part.person_id == session.facilitator_id:
            continue
        event.add("attendee", _address(part.person, _ROLE[part.role]))
    return event


def _calendar(name, method):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", single_line(name))
    return cal


def session_calendar(session, participants, *, method="PUBLISH") -> bytes:
    cal = _calendar(session.title, method)
    cal.add_component(session_event(session, participants))
    cal.add_missing_timezones()
    return cal.to_ical()


def programme_calendar(programme, sessions) -> bytes:
    """Every session of `sessions` (with participants, persons and areas prefetched)."""
    cal = _calendar(programme.name, "PUBLISH")
    for session in sessions:
        cal.add_component(session_event(session, session.participants.all()))
    cal.add_missing_timezones()
    return cal.to_ical()
