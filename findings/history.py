"""An area's record across cycles: what each programme that reviewed it rated, flagged, found
and agreed to do, and its indicators' whole series, each value placed in the cycle it falls in
(the area's history page); and what changed since the previous cycle (the mini
self-evaluation's "Since the last cycle").

A cycle's ratings are read as the self-evaluation reads its impact (evaluations.selectors
`area_impact`): the last answer of each rating kind, sessions oldest first and questions in
their order."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from findings.models import Action, Finding
from findings.selectors import mark_overdue, sort_findings
from indicators.models import Indicator
from indicators.selectors import indicators_with_history, target_applying
from programmes.models import AnswerKind, Programme
from sessions.models import ChallengeSession
from workspace.models import Answer, Confidence, Direction
from workspace.templatetags.workspace import band

RATING_KINDS = (AnswerKind.LIKELIHOOD, AnswerKind.SCALE, AnswerKind.DIRECTION, AnswerKind.CONFIDENCE)


@dataclass
class Ratings:
    """An area's ratings in one cycle (empty where nobody answered)."""

    likelihood: int | None = None
    scale: int | None = None
    direction: str = ""
    confidence: str = ""

    @property
    def impact(self) -> dict | None:
        """The impact score (likelihood × scale, of 25) and its band, or None if not rated."""
        if self.likelihood and self.scale:
            return band(self.likelihood, self.scale)
        return None

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label if self.direction else ""

    @property
    def confidence_label(self) -> str:
        return Confidence(self.confidence).label if self.confidence else ""

    @property
    def is_rated(self) -> bool:
        return bool(self.likelihood or self.scale or self.direction or self.confidence)


def _covering(sessions):
    return sessions.exclude(status=ChallengeSession.Status.CANCELLED)


def ratings_by_programme(area, sessions) -> dict:
    """`area`'s Ratings in each programme (by id) of `sessions` (ids, or a queryset of
    sessions): one query."""
    answers = (
        Answer.objects.filter(session__in=sessions, area=area, question__answer_kind__in=RATING_KINDS)
        .order_by(
            "session__date",
            "session__start_time",
            "session_id",
            "question__section__position",
            "question__section_id",
            "question__position",
            "question_id",
        )
        .values_list("session__programme_id", "question__answer_kind", "likelihood", "scale", "direction", "confidence")
    )
    found = {}
    for programme_id, kind, likelihood, scale, direction, confidence in answers:
        ratings = found.setdefault(programme_id, Ratings())
        if kind == AnswerKind.LIKELIHOOD and likelihood:
            ratings.likelihood = likelihood
        elif kind == AnswerKind.SCALE and scale:
            ratings.scale = scale
        elif kind == AnswerKind.DIRECTION and direction:
            ratings.direction = direction
        elif kind == AnswerKind.CONFIDENCE and confidence:
            ratings.confidence = confidence
    return found


def target_applied(indicator, on_date):
    """The target `indicator` was measured against on `on_date` (the end of a value's period):
    the last one set on or before it, from its target history (`target_history`, read with
    it); None if none had been set by then. The one place that says so."""
    applying = target_applying(indicator.target_history, on_date)
    return None if applying is None else applying.target


# --- The area's history page --------------------------------------------------------------------


@dataclass
class Cycle:
    """One programme that reviewed the area, as the reader may see it: the sessions of it they
    may open that covered the area, and what those sessions rated, found and agreed."""

    programme: object
    sessions: list = field(default_factory=list)
    ratings: Ratings = field(default_factory=Ratings)
    findings: list = field(default_factory=list)  # flags first (findings.selectors.sort_findings)
    actions: list = field(default_factory=list)  # on its findings, soonest due first
    carried_in: list = field(default_factory=list)  # open actions of earlier cycles it carries
    later: list = field(default_factory=list)  # the later cycles shown, oldest first

    @property
    def anchor(self) -> str:
        return f"cycle-{self.programme.pk}"

    @property
    def flags(self) -> list:
        return [finding for finding in self.findings if finding.is_flag]

    @property
    def other_findings(self) -> list:
        return [finding for finding in self.findings if not finding.is_flag]

    def count(self, kind) -> int:
        return sum(1 for finding in self.findings if finding.kind == kind)

    @property
    def green_flags(self) -> int:
        return self.count(Finding.Kind.GREEN_FLAG)

    @property
    def red_flags(self) -> int:
        return self.count(Finding.Kind.RED_FLAG)

    @property
    def open_actions(self) -> int:
        return sum(1 for action in self.actions if action.status not in Action.CLOSED)


@dataclass
class IndicatorRow:
    reading: object  # an IndicatorValue
    cycle: object | None  # the programme whose period it falls in (None: in none shown)
    target: object


@dataclass
class IndicatorHistory:
    indicator: Indicator
    rows: list


@dataclass
class AreaHistory:
    area: object
    cycles: list  # newest first
    indicators: list  # of IndicatorHistory


def period_end(start: datetime.date, frequency: str) -> datetime.date:
    """The last day of the period an indicator's value that starts on `start` covers."""
    if frequency == Indicator.Frequency.YEAR:
        return start.replace(month=12, day=31)
    if frequency == Indicator.Frequency.QUARTER:
        month = start.month + 2
    else:
        month = start.month
    return start.replace(month=month, day=calendar.monthrange(start.year, month)[1])


def cycle_of(start, end, programmes):
    """The newest of `programmes` (newest first) whose dates overlap [start, end], or None."""
    return next((p for p in programmes if p.start_date <= end and p.end_date >= start), None)


def area_history(user, area) -> AreaHistory:
    """`area`'s history for `user`: every programme of its partnership that reviews it and that
    `user` may open, newest first, each with the ratings, flags, findings and actions of the
    sessions of it that covered the area and that `user` may open (as the emerging findings
    page shows a participant only their sessions' record); and each indicator's values with
    the cycle each falls in. Seven queries however many cycles, sessions, findings, actions,
    indicators and values there are."""
    programmes = list(
        Programme.objects.visible_to(user)
        .filter(partnership=area.partnership_id, areas=area)
        .only("name", "slug", "start_date", "end_date", "status", "partnership_id")
        .order_by("-start_date", "-pk")
    )
    sessions = list(
        _covering(ChallengeSession.objects.visible_to(user))
        .filter(programme__in=[programme.pk for programme in programmes], areas=area)
        .only("title", "date", "start_time", "status", "programme_id")
        .order_by("date", "start_time", "pk")
    )
    session_ids = [session.pk for session in sessions]
    ratings = ratings_by_programme(area, session_ids)
    findings = sort_findings(
        Finding.objects.standing()
        .filter(session__in=session_ids, area=area)
        .select_related("session__programme", "raised_again_from__session__programme")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "owner_partner").order_by("due_date"))
        )
    )
    by_pk = {finding.pk: finding for finding in findings}
    for finding in findings:
        finding.shown_later = []
    for finding in findings:
        # Shown as a link only when the earlier finding is on the page too.
        finding.shown_earlier = by_pk.get(finding.raised_again_from_id)
        if finding.shown_earlier is not None:
            finding.shown_earlier.shown_later.append(finding)
    cycles = {programme.pk: Cycle(programme=programme) for programme in programmes}
    for session in sessions:
        cycles[session.programme_id].sessions.append(session)
    for programme_id, found in ratings.items():
        cycles[programme_id].ratings = found
    for finding in findings:
        cycle = cycles[finding.session.programme_id]
        cycle.findings.append(finding)
        for action in finding.actions.all():
            action.finding = finding
            cycle.actions.append(action)
    ordered = [cycles[programme.pk] for programme in programmes]
    for index, cycle in enumerate(ordered):
        mark_overdue(cycle.actions)
        cycle.actions.sort(key=lambda action: (action.due_date, action.pk))
        cycle.later = [
            later for later in reversed(ordered[:index]) if later.programme.start_date > cycle.programme.start_date
        ]
        for action in cycle.actions:
            action.carried_to = cycle.later if action.status not in Action.CLOSED else []
        for later in cycle.later:
            later.carried_in.extend(action for action in cycle.actions if action.carried_to)
    indicators = [
        IndicatorHistory(
            indicator=indicator,
            rows=[_indicator_row(indicator, value, programmes) for value in indicator.series],
        )
        for indicator in indicators_with_history(area)
    ]
    return AreaHistory(area=area, cycles=ordered, indicators=indicators)


def _indicator_row(indicator, value, programmes) -> IndicatorRow:
    end = period_end(value.period_start, indicator.frequency)
    return IndicatorRow(
        reading=value, cycle=cycle_of(value.period_start, end, programmes), target=target_applied(indicator, end)
    )


# --- Since the last cycle (the mini self-evaluation) -----------------------------------------


@dataclass
class SinceLastCycle:
    """What changed for an area since its previous cycle: the ratings then and now, what became
    of the previous cycle's actions, and this cycle's findings raised again from earlier ones."""

    previous: object  # the previous programme
    before: Ratings
    now: Ratings
    actions: list  # the previous cycle's actions on the area, soonest due first
    raised_again: list  # this cycle's findings that raise an earlier one again

    @property
    def rows(self) -> list:
        """(label, then, now) of each rating compared."""
        before, now = self.before, self.now

        def impact(ratings):
            found = ratings.impact
            return f"{found['score']} of 25 ({found['label'].lower()})" if found else ""

        return [
            ("Impact score", impact(before), impact(now)),
            ("Direction of travel", before.direction_label, now.direction_label),
            ("Confidence", before.confidence_label, now.confidence_label),
        ]


def previous_cycle(programme, area):
    """The newest programme of `programme`'s partnership that started before it and reviews
    `area` (a draft is not a cycle yet): one query."""
    return (
        Programme.objects.filter(partnership=programme.partnership_id, areas=area, start_date__lt=programme.start_date)
        .exclude(status=Programme.Status.DRAFT)
        .only("name", "slug", "start_date", "end_date")
        .order_by("-start_date", "-pk")
        .first()
    )


def since_last_cycle(programme, area, findings) -> SinceLastCycle | None:
    """What changed for `area` since its previous cycle (None if it has none), with `findings`
    this cycle's findings of the area as evaluations.selectors.compile_area reads them (each
    with its `raised_again_from` and that finding's programme). One query without a previous
    cycle, three with one."""
    previous = previous_cycle(programme, area)
    if previous is None:
        return None
    sessions = _covering(ChallengeSession.objects.filter(programme__in=[previous.pk, programme.pk], areas=area))
    ratings = ratings_by_programme(area, sessions.values("pk"))
    actions = list(
        Action.objects.filter(
            finding__session__programme=previous, finding__area=area, finding__withdrawn_at__isnull=True
        )
        .select_related("owner", "owner_partner", "finding")
        .order_by("due_date", "pk")
    )
    return SinceLastCycle(
        previous=previous,
        before=ratings.get(previous.pk, Ratings()),
        now=ratings.get(programme.pk, Ratings()),
        actions=mark_overdue(actions),
        raised_again=[finding for finding in findings if finding.raised_again_from_id],
    )
