"""A change of a scrutiny panel or a cabinet portfolio, and the panel's meetings still to come.

A panel's members sit on its meetings as their challengers (services.with_panel_members, when
a meeting is created). A councillor who joins the panel later sits on its coming meetings too,
so that they see them and question the officers there, and one who leaves it no longer does;
neither a new member nor a new portfolio may make a cabinet member scrutinise their own
portfolio (independence.ScrutinyRule) in one of those meetings. The partnership's own rules for
panels and portfolios are in programmes/councillors.py, which these writes call."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format

from challenge.clock import today
from challenge.editing import refuse_stale
from programmes import councillors
from programmes.models import ScrutinyPanel
from sessions import services
from sessions.models import ChallengeSession, Participant


def coming_meetings(panel) -> list[ChallengeSession]:
    """The panel's meetings from today on that are still to be held (draft or scheduled, their
    workspace open), by date."""
    return list(
        ChallengeSession.objects.filter(
            panel=panel,
            kind=ChallengeSession.Kind.SCRUTINY,
            status__in=(ChallengeSession.Status.DRAFT, ChallengeSession.Status.SCHEDULED),
            closed_at__isnull=True,
            date__gte=today(),
        )
        .select_related("programme__partnership")
        .order_by("date", "start_time", "pk")
    )


def _meeting(session) -> str:
    return f"{session.title} on {date_format(session.date, 'j F Y')}"


def seating_errors(meetings, people) -> list[str]:
    """Why each of `people` (new members of the meetings' panel) cannot sit on each of the
    meetings they do not already take part in: the scrutiny independence rule, membership
    of the partnership, and double bookings (services.validate_participant)."""
    messages = []
    for session in meetings:
        taking_part = set(session.participants.values_list("person_id", flat=True))
        for person in people:
            if person.pk in taking_part:
                continue
            try:
                services.validate_participant(session=session, person=person, role=Participant.Role.REVIEWER)
            except ValidationError as error:
                messages += [f"{_meeting(session)}: {message}" for message in error.messages]
    return messages


@transaction.atomic
def save_panel(*, partnership, panel=None, members, expected_revision=None, **values) -> ScrutinyPanel:
    """programmes.councillors.save_panel, then each councillor who joins the panel becomes a
    challenger (peer reviewer part) of its coming meetings, invited by e-mail to the scheduled
    ones (services.add_participant); and each who leaves it stops being one (told so by e-mail
    if the meeting is scheduled; what they wrote stays). Refused (ValidationError on `members`,
    nothing saved) if a new member may not sit on one of those meetings."""
    members = list(members)
    added, left, meetings = [], set(), []
    if panel is not None:
        current = ScrutinyPanel.objects.select_for_update().get(pk=panel.pk)
        refuse_stale(current, expected_revision)  # a stale form is told so before anything else
        errors = councillors.panel_errors(
            partnership=partnership, name=values.get("name"), chair=values.get("chair"), members=members, panel=panel
        )
        if errors:
            raise ValidationError(errors)
        before = set(current.members.values_list("pk", flat=True))
        added = [person for person in members if person.pk not in before]
        left = before - {person.pk for person in members}
        meetings = coming_meetings(panel) if added or left else []
        errors = seating_errors(meetings, added)
        if errors:
            raise ValidationError({"members": errors})
    saved = councillors.save_panel(
        partnership=partnership, panel=panel, members=members, expected_revision=expected_revision, **values
    )
    for session in meetings:
        for part in session.participants.filter(person__in=left, role=Participant.Role.REVIEWER):
            part.session = session
            services.remove_participant(participant=part)
        taking_part = set(session.participants.values_list("person_id", flat=True))
        for person in added:
            if person.pk not in taking_part:
                services.add_participant(session=session, person=person, role=Participant.Role.REVIEWER)
    return saved


def portfolio_errors(*, holder, areas) -> list[str]:
    """Why `holder` may not hold `areas`: they sit on a coming scrutiny meeting about one of
    them, as one of its challengers."""
    area_ids = [area.pk for area in areas]
    if holder is None or not area_ids:
        return []
    sitting = (
        ChallengeSession.objects.filter(
            kind=ChallengeSession.Kind.SCRUTINY,
            status__in=(ChallengeSession.Status.DRAFT, ChallengeSession.Status.SCHEDULED),
            closed_at__isnull=True,
            date__gte=today(),
            participants__person=holder,
            participants__role=Participant.Role.REVIEWER,
            areas__in=area_ids,
        )
        .distinct()
        .order_by("date", "pk")
    )
    return [
        f"{holder.display_name} sits on the panel of {_meeting(session)}, about an area of this portfolio: "
        "remove them from that meeting first, or choose another holder. A cabinet member may not "
        "scrutinise their own portfolio."
        for session in sitting
    ]


@transaction.atomic
def save_portfolio(*, partnership, holder, areas, portfolio=None, expected_revision=None, **values):
    """programmes.councillors.save_portfolio, refused (ValidationError on `areas`, nothing
    saved) if its holder sits on a coming scrutiny meeting about one of its areas."""
    areas = list(areas)
    errors = portfolio_errors(holder=holder, areas=areas)
    if errors:
        raise ValidationError({"areas": errors})
    return councillors.save_portfolio(
        partnership=partnership,
        holder=holder,
        areas=areas,
        portfolio=portfolio,
        expected_revision=expected_revision,
        **values,
    )
