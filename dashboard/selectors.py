"""Reads for programme pages: each function builds the whole of a page's data in a fixed
number of queries, whatever the number of rows."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Prefetch, Q, Value

from challenge.clock import today as clock_today
from challenge.listing import counted, shortlist
from challenge.prepared import PreparedQuery
from dashboard.my_work import my_work
from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from findings.models import Action
from findings.selectors import carried_over_q
from programmes.models import Programme, ThematicArea
from programmes.permissions import can_manage_partnership, is_programme_facilitator
from programmes.selectors import Timeline, timeline_for
from sessions import selectors as session_selectors
from sessions.models import ChallengeSession, Participant
from sessions.permissions import can_manage_session, readable_area_ids, reads_whole_programme
from sessions.selectors import sessions_for_user
from workspace import selectors as workspace_selectors


def home(user) -> dict:
    """The home page, My work: what is waiting for `user` (dashboard.my_work), the programmes
    they may open and what they take part in next."""
    return {
        "work": my_work(user),
        "programmes": list(programmes_for_home(user)),
        "my_sessions": list(my_upcoming_sessions(user)),
    }


def programmes_for_home(user):
    return (
        Programme.objects.visible_to(user)
        .select_related("question_set", "partnership")
        .prefetch_related("areas")
        .order_by("-start_date", "name")
    )


def my_upcoming_sessions(user, limit=10):
    """What a person takes part in or facilitates, from today on, in the partnerships they
    are still an active member of."""
    sessions = ChallengeSession.objects.upcoming()
    if not user.is_superuser:
        sessions = sessions.filter(programme__partnership__in=user.active_partnership_ids()).exclude(
            # A draft programme's (a cycle being prepared): only for those who set it up, and
            # the session's facilitator.
            Q(programme__status=Programme.Status.DRAFT)
            & ~Q(programme__partnership__in=user.facilitating_partnership_ids())
            & ~Q(facilitator=user)
        )
    return (
        sessions.filter(Q(participants__person=user) | Q(facilitator=user))
        .select_related("programme")
        .prefetch_related(
            "areas",
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(person=user).select_related("area"),
                to_attr="my_parts",
            ),
        )
        .distinct()[:limit]
    )


UPCOMING_SHOWN = 3  # upcoming sessions listed on the dashboard, unless asked for all
AREA_SESSIONS_SHOWN = 2  # sessions listed on each area's card, unless asked for all


@dataclass
class AreaRow:
    area: object
    sessions: list = field(default_factory=list)


@dataclass
class Dashboard:
    programme: Programme
    areas: list
    upcoming: list
    timeline: Timeline
    counts: dict
    deadline_days: int | None
    deadline_passed_days: int | None
    today: object
    is_facilitator: bool
    overdue_actions: int = 0
    carried_actions: int = 0
    manages_partnership: bool = False  # open actions of earlier cycles of its areas
    # Sees every session of the programme; if not, the counts and the areas' sessions are
    # only those they take part in, and the page says so.
    sees_all: bool = True


# What the dashboard shows of a person (User.display_name).
_NAME_FIELDS = ["first_name", "last_name", "username"]
# What the dashboard shows of a session: not its notes, facilitator or question set.
_LISTED_SESSION_FIELDS = ["title", "date", "start_time", "end_time", "venue", "meeting_link", "status"]


def _listed(sessions):
    return sessions.only(*_LISTED_SESSION_FIELDS).order_by("date", "start_time", "pk")


# What the dashboard reads of a programme, the SQL of each built once (challenge/prepared.py).
_ALL_SESSIONS_LISTED = PreparedQuery(
    lambda programme: _listed(ChallengeSession.objects.filter(programme_id=programme)), programme=int
)
_AREAS_LISTED = PreparedQuery(
    lambda programme: (
        ThematicArea.objects.filter(programmes=programme)
        .select_related("lead_partner", "lead_officer")
        .only("name", "slug", "lead_partner__name", *(f"lead_officer__{name}" for name in _NAME_FIELDS))
    ),
    programme=int,
)
_SESSION_AREA_LINKS = PreparedQuery(
    lambda programme: ChallengeSession.areas.through.objects.filter(challengesession__programme=programme).values(
        "challengesession_id", "thematicarea_id"
    ),
    programme=int,
)


def _counted_actions(actions, carried, today):
    """`actions` counted in one row, without grouping: the overdue ones and those `carried`."""
    return (
        actions.order_by()
        .values(whole=Value(1, output_field=IntegerField()))
        .annotate(
            overdue=Count("pk", filter=Q(due_date__lt=today) & ~Q(status__in=Action.CLOSED)),
            carried=Count("pk", filter=carried),
        )
        .values("overdue", "carried")
    )


def _programme_actions(programme, partnership, start, today):
    programme = Programme(pk=programme, partnership_id=partnership, start_date=start)  # what carried_over_q reads
    carried = carried_over_q(programme)
    actions = Action.objects.filter(Q(finding__session__programme=programme.pk) | carried)
    return _counted_actions(actions, carried, today)


# The action counts of the whole programme (every session's, and those carried over into any of
# its areas), for those who see every session: SQL built once.
_PROGRAMME_ACTION_COUNTS = PreparedQuery(
    _programme_actions, programme=int, partnership=int, start=datetime.date, today=datetime.date
)


def programme_dashboard(user, programme, *, expanded="") -> Dashboard:
    """The dashboard's data. Its lists are collapsed (the upcoming sessions, each area's
    sessions, the timetable), each in full when `expanded` names it (see challenge.listing)."""
    today = clock_today()
    every_session = is_programme_facilitator(user, programme)
    if every_session:  # every session (sessions_for_user): SQL built once
        sessions = _ALL_SESSIONS_LISTED.all(programme=programme.pk)
    else:
        sessions = list(_listed(sessions_for_user(user, programme)))
    areas = _AREAS_LISTED.all(programme=programme.pk)
    rows = {area.pk: AreaRow(area=area) for area in areas}
    # Each session's areas, from the through table (of all the programme's sessions: those
    # this user may not see are left out below): the areas themselves are the programme's,
    # read above (an area taken out of the programme since the session was made is read here).
    area_ids = defaultdict(list)
    for link in _SESSION_AREA_LINKS.all(programme=programme.pk):
        area_ids[link["challengesession_id"]].append(link["thematicarea_id"])
    by_pk = {area.pk: area for area in areas}
    others = {pk for session in sessions for pk in area_ids[session.pk]} - by_pk.keys()
    if others:
        by_pk.update((area.pk, area) for area in ThematicArea.objects.filter(pk__in=others))
    counts = dict.fromkeys(ChallengeSession.Status.values, 0)
    for session in sessions:
        counts[session.status] += 1
        session.area_list = sorted((by_pk[pk] for pk in area_ids[session.pk]), key=lambda area: area.name)
        for area in session.area_list:
            if area.pk in rows:
                rows[area.pk].sessions.append(session)
    upcoming = [session for session in sessions if session.date >= today and not session.is_cancelled]
    for row in rows.values():
        row.sessions = shortlist(row.sessions, key=f"area-{row.area.pk}", limit=AREA_SESSIONS_SHOWN, expanded=expanded)
    deadline_days = (programme.self_evaluation_deadline - today).days if programme.self_evaluation_deadline else None
    whole = reads_whole_programme(user, programme)
    return Dashboard(
        programme=programme,
        areas=list(rows.values()),
        upcoming=shortlist(upcoming, key="upcoming", limit=UPCOMING_SHOWN, expanded=expanded),
        timeline=timeline_for(programme, today, expanded=expanded),
        counts=counts,
        deadline_days=deadline_days,
        deadline_passed_days=-deadline_days if deadline_days is not None else None,
        today=today,
        is_facilitator=every_session,
        manages_partnership=can_manage_partnership(user, programme.partnership_id),
        sees_all=whole,
        **_action_counts(programme, sessions, today, whole=whole, every_session=every_session),
    )


def _action_counts(programme, sessions, today, *, whole, every_session=False) -> dict:
    """The overdue improvement actions of the sessions this user may see (the others' findings
    are not theirs to count), and the open ones carried over from earlier cycles of the areas
    they see (counted as overdue too when they are), in one query. `every_session`: `sessions`
    are all the programme's (its facilitators'), `whole` too: a query of one shape, prepared."""
    if every_session and whole:
        (counts,) = _PROGRAMME_ACTION_COUNTS.all(
            programme=programme.pk, partnership=programme.partnership_id, start=programme.start_date, today=today
        )
    else:
        area_ids = None if whole else {a.pk for s in sessions for a in s.area_list}
        carried = carried_over_q(programme, area_ids=area_ids)
        actions = Action.objects.filter(Q(finding__session__in=[session.pk for session in sessions]) | carried)
        (counts,) = _counted_actions(actions, carried, today)
    return {"overdue_actions": counts["overdue"], "carried_actions": counts["carried"]}


OLDER_VERSIONS_SHOWN = 1  # earlier versions listed under each area's latest, unless asked for all


def documents_page(user, programme, *, expanded="") -> dict:
    """The documents page: each area's self-evaluations (see `documents`; the earlier versions
    of each collapsed to OLDER_VERSIONS_SHOWN unless `expanded` names the area) and, for those
    who read every area, the programme's latest area self-evaluation build (it holds every area)."""
    reads_build = reads_whole_programme(user, programme)
    build = AreaSelfEvaluationBuild.objects.filter(programme=programme).defer("pdf").first() if reads_build else None
    rows = documents(programme, user, reads_all=reads_build, expanded=expanded)
    return {"rows": rows, "reads_build": reads_build, "build": build, "today": clock_today()}


def builders(programme) -> list:
    """Who may build the programme's area self-evaluation, to name to those who may not: its
    own facilitators still active in the partnership (its partnership's facilitators may too,
    but the programme's are the ones to ask), by name."""
    return list(
        programme.facilitators.filter(
            is_active=True, memberships__partnership=programme.partnership_id, memberships__is_active=True
        )
        .only(*_NAME_FIELDS, "email")
        .order_by("last_name", "first_name", "pk")
    )


# What the documents page shows of a version: not its texts, PDF or people.
_LISTED_VERSION_FIELDS = ["area_id", "version", "status", "finalised_at", "updated_at", "pdf_sha256"]


def documents(programme, user, *, reads_all=None, expanded=""):
    """Each area's versions of its self-evaluation that `user` may read, latest first, without
    their texts or PDF bytes: a row for each area they may read, or whose version was
    circulated to their organisation. Each row's `older` versions are the OLDER_VERSIONS_SHOWN
    before the latest (all of them if `expanded` is the row's key, `versions-<area pk>`), and
    how many more: the versions not listed are counted, not read. `reads_all`: whether `user`
    reads the whole programme (reads_whole_programme), if the caller knows."""
    if reads_all is None:
        reads_all = reads_whole_programme(user, programme)
    versions = SelfEvaluation.objects.filter(programme=programme)
    if not reads_all:  # those who read the whole programme read every version of it
        versions = versions.readable_by(user)
    numbers = defaultdict(list)  # area pk -> its versions' pks, latest first
    for area_id, pk in versions.order_by("area_id", "-version").values_list("area_id", "pk"):
        numbers[area_id].append(pk)
    listed = {
        pk
        for area_id, pks in numbers.items()
        for pk in (pks if expanded == f"versions-{area_id}" else pks[: 1 + OLDER_VERSIONS_SHOWN])
    }
    by_area = defaultdict(list)
    for version in SelfEvaluation.objects.filter(pk__in=listed).only(*_LISTED_VERSION_FIELDS).order_by("-version"):
        by_area[version.area_id].append(version)
    today = clock_today()
    deadline = programme.self_evaluation_deadline
    past_deadline = bool(deadline and today > deadline)
    areas = list(programme.areas.order_by("name"))
    readable = {area.pk for area in areas} if reads_all else readable_area_ids(user, programme)
    rows = []
    for area in areas:
        area_versions = by_area.get(area.pk, [])
        if area.pk not in readable and not area_versions:
            continue
        latest = area_versions[0] if area_versions else None
        rows.append(
            {
                "area": area,
                "latest": latest,
                "older": counted(area_versions[1:], key=f"versions-{area.pk}", total=max(len(numbers[area.pk]) - 1, 0)),
                "late": past_deadline and not (latest and latest.is_final),
            }
        )
    return rows


def session_page(user, session) -> dict:
    """The session page: its areas and participants (grouped as sessions.selectors.session_detail
    groups them), how far its work has got area by area, when it was closed and reopened, and,
    for those who manage it, the e-mails sent about it."""
    detail = session_selectors.session_detail(session)
    can_manage = can_manage_session(user, session)
    page = {
        **detail,
        "can_manage": can_manage,
        "progress": workspace_selectors.session_progress(session, [area for area, _ in detail["areas"]]),
        "events": workspace_selectors.session_events(session),
    }
    if can_manage:
        page["notices"] = session_selectors.session_notices(session)
    return page
