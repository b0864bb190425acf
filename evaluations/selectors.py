"""Reads for self-evaluations: an area's compiled record (answers, challenges, findings,
actions, indicators) for the PDF, a summary of it for the page, and the state of the area
build."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, When, Window, prefetch_related_objects
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from challenge.prepared import PreparedQuery
from evaluations.models import AreaSelfEvaluationBuild, CirculationEmail, DraftComment, DraftPdf, SelfEvaluation
from findings.history import since_last_cycle
from findings.models import KIND_ORDER, Action, Finding
from findings.selectors import findings_queryset, mark_overdue, sort_findings
from indicators.kpis import assess
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicators_for_area
from programmes.models import AnswerKind, Question
from programmes.permissions import is_programme_facilitator
from programmes.selectors import with_focus_topics
from sessions.models import ChallengeSession
from workspace.models import Answer, Comment
from workspace.selectors import ANSWERED, ThreadCounts, impact_position, workspaces


@dataclass
class Compiled:
    """Everything a mini self-evaluation shows, for one area across the programme's sessions."""

    programme: object
    area: object
    sessions: list  # Workspace objects, one per session that covered the area
    findings: list
    actions: list
    impact: dict
    flags: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    since: object = None  # findings.history.SinceLastCycle, when the area has a previous cycle


def compile_area(programme, area) -> Compiled:
    """`area`'s record across the programme's sessions, and what changed since its previous
    cycle (findings.history.since_last_cycle), in a fixed number of queries however many
    sessions, answers, challenges, findings, actions and cycles there are."""
    with_focus_topics([area])  # its heading lists them (none read if they are already)
    sessions = (
        ChallengeSession.objects.filter(programme=programme, areas=area)
        .exclude(status=ChallengeSession.Status.CANCELLED)
        .select_related("question_set", "facilitator", "programme")
        .order_by("date", "start_time")
    )
    session_workspaces = workspaces(sessions, area)
    findings = sort_findings(findings_queryset().filter(session__programme=programme, area=area).standing())
    actions = mark_overdue([action for finding in findings for action in finding.actions.all()])
    answers = [
        block.answer
        for session_workspace in session_workspaces
        for section_block in session_workspace.sections
        for block in section_block.questions
        if block.answer
    ]
    return Compiled(
        programme=programme,
        area=area,
        sessions=session_workspaces,
        findings=findings,
        actions=sorted(actions, key=lambda action: (action.due_date, action.pk)),
        impact=impact_position(answers),
        flags=[finding for finding in findings if finding.is_flag],
        indicators=indicators_for_area(area),
        since=since_last_cycle(programme, area, findings),
    )


# --- The self-evaluation page and the area's record -----------------------------------------
#
# The page does not compile the area: it shows the version, its versions and the partners'
# comments, and the area's record in short when asked (`area_summary`): how far each session got,
# the impact, and the first few indicators, findings and actions, each list saying how many more
# there are (and showing them all when asked). Every answer, challenge and finding is in the PDF,
# from `compile_area`. Each list is one query that reads its first few rows and how many rows
# there are in all (a window count), so neither costs more as the record grows.

SESSIONS_SHOWN = 5
INDICATORS_SHOWN = 4
FINDINGS_SHOWN = 5
ACTIONS_SHOWN = 8
VERSIONS_SHOWN = 5
DRAFT_COMMENTS_SHOWN = 10


@dataclass
class Excerpt:
    """The first few rows of a list (all of them when the page asks for the list by its `key`)
    and how many rows the list has in all."""

    key: str  # what `?all=` names to show this list in full
    shown: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    def __iter__(self):
        return iter(self.shown)

    def __len__(self):  # as many as it iterates: `total` says how many there are in all
        return len(self.shown)


def excerpt(queryset, *, key, limit, expanded="") -> Excerpt:
    """The first `limit` rows of `queryset`, or all of them when `expanded` is `key`, and the
    number of rows in all: one query."""
    queryset = queryset.annotate(rows_in_all=Window(Count("pk")))
    shown = list(queryset if expanded == key else queryset[:limit])
    return Excerpt(key=key, shown=shown, total=shown[0].rows_in_all if shown else 0)


def _covering_sessions(programme, area):
    """The programme's sessions that cover `area`, as `compile_area` reads them."""
    return ChallengeSession.objects.filter(programme=programme, areas=area).exclude(
        status=ChallengeSession.Status.CANCELLED
    )


@dataclass
class SessionSummary:
    """How far one session got with the area: questions answered, challenges by status."""

    session: object
    answered: int
    total: int
    counts: ThreadCounts


def session_summaries(programme, area, *, expanded="") -> Excerpt:
    """The sessions that covered `area`, oldest first, each with its questions answered and its
    challenges (not withdrawn, not commendations) by status, counted by the database: four
    queries (one if there are none)."""
    found = excerpt(
        _covering_sessions(programme, area)
        .only("title", "date", "start_time", "question_set")
        .order_by("date", "start_time", "pk"),
        key="sessions",
        limit=SESSIONS_SHOWN,
        expanded=expanded,
    )
    sessions = found.shown
    if not sessions:
        return found
    answered = dict(
        Answer.objects.filter(session__in=sessions, area=area)
        .filter(ANSWERED)
        .values_list("session")
        .annotate(Count("pk"))
        .order_by()
    )
    questions = dict(
        Question.objects.filter(section__question_set__in={session.question_set_id for session in sessions})
        .values_list("section__question_set")
        .annotate(Count("pk"))
        .order_by()
    )
    counts = defaultdict(ThreadCounts)
    for session_id, status, number in (
        Comment.objects.filter(session__in=sessions, area=area, parent__isnull=True, withdrawn_at__isnull=True)
        .exclude(kind=Comment.Kind.COMMENDATION)
        .values_list("session", "status")
        .annotate(Count("pk"))
        .order_by()
    ):
        setattr(counts[session_id], status, number)
    found.shown = [
        SessionSummary(
            session=session,
            answered=answered.get(session.pk, 0),
            total=questions.get(session.question_set_id, 0),
            counts=counts[session.pk],
        )
        for session in sessions
    ]
    return found


def area_impact(programme, area) -> dict:
    """The area's place on the impact matrix, as `compile_area` finds it: the last likelihood
    and the last scale answered, sessions oldest first and questions in order. One query."""
    answers = (
        Answer.objects.filter(session__in=_covering_sessions(programme, area), area=area)
        .filter(
            Q(question__answer_kind=AnswerKind.LIKELIHOOD, likelihood__gt=0)
            | Q(question__answer_kind=AnswerKind.SCALE, scale__gt=0)
        )
        .order_by(
            "session__date",
            "session__start_time",
            "session_id",
            "question__section__position",
            "question__section_id",
            "question__position",
            "question_id",
        )
        .values_list("question__answer_kind", "likelihood", "scale")
    )
    impact = {"likelihood": None, "scale": None}
    for kind, likelihood, scale in answers:
        if kind == AnswerKind.LIKELIHOOD:
            impact["likelihood"] = likelihood
        else:
            impact["scale"] = scale
    return impact


def area_indicators(area, *, expanded="") -> Excerpt:
    """The area's first indicators in their order, each with its values and what they say."""
    found = excerpt(
        Indicator.objects.current().filter(area=area).order_by("position", "name", "pk"),
        key="indicators",
        limit=INDICATORS_SHOWN,
        expanded=expanded,
    )
    prefetch_related_objects(found.shown, Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start")))
    for indicator in found.shown:
        indicator.assessment = assess(indicator, indicator.values.all())
    return found


def area_findings(programme, area, *, expanded="") -> Excerpt:
    """The area's findings across the programme's sessions in `sort_findings`' order: flags
    first, then the other kinds in their order, oldest first within a kind."""
    ranks = [When(kind=kind, then=rank) for rank, kind in enumerate(KIND_ORDER)]
    kind_order = Case(*ranks, output_field=IntegerField())
    findings = (
        Finding.objects.standing()
        .filter(session__programme=programme, area=area)
        .only("kind", "title", "text", "created_at")
        .annotate(kind_order=kind_order)
        .order_by("kind_order", "created_at", "pk")
    )
    return excerpt(findings, key="findings", limit=FINDINGS_SHOWN, expanded=expanded)


def area_actions(programme, area, *, expanded="") -> Excerpt:
    """The actions on the area's findings, soonest due first, the overdue marked."""
    actions = (
        Action.objects.filter(
            finding__session__programme=programme, finding__area=area, finding__withdrawn_at__isnull=True
        )
        .select_related("owner", "owner_partner")
        .order_by("due_date", "pk")
    )
    found = excerpt(actions, key="actions", limit=ACTIONS_SHOWN, expanded=expanded)
    mark_overdue(found.shown)
    return found


@dataclass
class AreaSummary:
    """The area's record in short, which the self-evaluation's page shows when asked."""

    sessions: Excerpt  # of SessionSummary
    impact: dict
    indicators: Excerpt
    findings: Excerpt
    actions: Excerpt


def area_summary(programme, area, *, expanded="") -> AreaSummary:
    """The area's record in short, in nine queries however much it holds (six if no session
    has covered the area)."""
    return AreaSummary(
        sessions=session_summaries(programme, area, expanded=expanded),
        impact=area_impact(programme, area),
        indicators=area_indicators(area, expanded=expanded),
        findings=area_findings(programme, area, expanded=expanded),
        actions=area_actions(programme, area, expanded=expanded),
    )


@dataclass
class SelfEvaluationPage:
    """What a self-evaluation's page shows besides the version itself (the area's record is
    shown when asked for: `area_summary`)."""

    versions: Excerpt  # the versions the reader may open, newest first
    draft_comments: Excerpt
    circulation_emails: list  # the latest e-mails that circulated it, for its facilitators

    def is_latest(self, self_evaluation):
        return self.versions.shown[0].pk == self_evaluation.pk


def self_evaluation_page(self_evaluation, user, *, manage, expanded="") -> SelfEvaluationPage:
    """What the self-evaluation page shows: the versions `user` may read (a partner it was
    circulated to sees that one only), the partners' comments and, for those who `manage` it,
    its circulation e-mails. Long lists show their first few, and all when `expanded` (the
    request's `?all=`) names them."""
    se = self_evaluation
    if manage and expanded != "versions":  # the programme's facilitators read every version
        versions = _excerpt_of(_VERSIONS_SHOWN.all(programme=se.programme_id, area=se.area_id), key="versions")
    else:
        queryset = _versions(se.programme_id, se.area_id)
        if not manage:
            queryset = queryset.readable_by(user)
        versions = excerpt(queryset, key="versions", limit=VERSIONS_SHOWN, expanded=expanded)
    if expanded != "comments":
        comments = _excerpt_of(_DRAFT_COMMENTS_SHOWN.all(self_evaluation=se.pk), key="comments")
    else:
        comments = excerpt(_draft_comments(se.pk), key="comments", limit=DRAFT_COMMENTS_SHOWN, expanded=expanded)
    for comment in comments.shown:
        comment.self_evaluation = se  # as the related manager would
    emails = _CIRCULATION_EMAILS_SHOWN.all(self_evaluation=se.pk) if manage else []
    for email in emails:
        email.self_evaluation = se
    return SelfEvaluationPage(versions=versions, draft_comments=comments, circulation_emails=emails)


def _versions(programme, area):
    return (
        SelfEvaluation.objects.filter(programme_id=programme, area_id=area)
        .only("version", "status", "finalised_at", "finalised_by")
        .select_related("finalised_by")
        .order_by("-version")
    )


def _draft_comments(self_evaluation):
    return (
        DraftComment.objects.filter(self_evaluation_id=self_evaluation)
        .select_related("author", "author_partner")
        .order_by("created_at", "pk")
    )


def _counted(queryset):
    return queryset.annotate(rows_in_all=Window(Count("pk")))


def _excerpt_of(shown, *, key) -> Excerpt:
    """An Excerpt of rows read with `_counted` (as `excerpt` reads them)."""
    return Excerpt(key=key, shown=shown, total=shown[0].rows_in_all if shown else 0)


# The self-evaluation page's lists as most visits show them (their first few), SQL built once.
_VERSIONS_SHOWN = PreparedQuery(
    lambda programme, area: _counted(_versions(programme, area))[:VERSIONS_SHOWN], programme=int, area=int
)
_DRAFT_COMMENTS_SHOWN = PreparedQuery(
    lambda self_evaluation: _counted(_draft_comments(self_evaluation))[:DRAFT_COMMENTS_SHOWN], self_evaluation=int
)
_CIRCULATION_EMAILS_SHOWN = PreparedQuery(
    lambda self_evaluation: CirculationEmail.objects.filter(self_evaluation_id=self_evaluation)[:5],
    self_evaluation=int,
)


def stored_pdf(document) -> bytes:
    """The PDF stored with a final self-evaluation or a finished build (the pages load them
    without it: it can be large)."""
    return bytes(type(document).objects.values_list("pdf", flat=True).get(pk=document.pk))


def stored_draft_pdf(self_evaluation, key) -> bytes | None:
    """The PDF the worker rendered of `self_evaluation`'s draft from the HTML whose SHA-256 is
    `key`, or None if it has not (yet, or since the draft changed)."""
    data = DraftPdf.objects.filter(pk=self_evaluation.pk, inputs_sha256=key).values_list("pdf", flat=True).first()
    return None if data is None else bytes(data)


def worker_seen(build, now) -> bool:
    """Whether a background worker has shown signs of life since `build` was asked for: it
    started or finished a task since, or is busy with one it started recently. (An idle
    worker would have taken up the build within seconds.)"""
    recent = now - datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT)
    return DBTaskResult.objects.filter(
        Q(started_at__gte=build.requested_at)
        | Q(finished_at__gte=build.requested_at)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=recent)
    ).exists()


def waiting_without_worker(build, now) -> bool:
    """Queued for longer than BUILD_PICKUP_TIMEOUT with no worker seen meanwhile."""
    return build.is_unclaimed(now) and not worker_seen(build, now)


STALLED = (
    "The build stopped reporting progress: the background worker building it was probably "
    "stopped or restarted. Nothing was lost; try again."
)


def build_panel(user, programme, build, *, now=None) -> dict:
    """What the panel of the programme's latest area build shows (the documents page, the
    build's page): `build` (None if there is none) as it stands, and whether `user` may build
    (`manage`). Reads only: a build whose worker is gone (`is_stalled`) is shown failed, with
    why, in this copy only (the database keeps it running until someone asks for a build
    again: services.request_area_build marks it failed then); a queued build says whether any
    worker has been seen since (`no_worker`)."""
    if build is not None:
        now = now or timezone.now()
        if build.is_stalled(now):
            build.status, build.error = AreaSelfEvaluationBuild.Status.FAILED, STALLED
        build.no_worker = waiting_without_worker(build, now)
    return {"build": build, "programme": programme, "manage": is_programme_facilitator(user, programme)}


def latest_self_evaluations(programme, areas) -> dict:
    """Each area's latest self-evaluation version, by area id, in one query. An area with none
    yet gets an unsaved version 1 (a draft with no texts): reading never creates one."""
    latest = {}
    for self_evaluation in (
        SelfEvaluation.objects.filter(programme=programme, area__in=areas)
        .defer("pdf")
        .select_related("finalised_by", "circulated_by")
        .order_by("area_id", "-version")
    ):
        latest.setdefault(self_evaluation.area_id, self_evaluation)
    for area in areas:
        latest.setdefault(area.pk, SelfEvaluation(programme=programme, area=area, version=1))
    return latest


@dataclass
class CommentsReceived:
    """The partners' comments on a draft since it was circulated: how many, and from whom."""

    count: int
    partners: list  # the organisations (or, for someone with none, the person) they came from


def comments_since_circulation(self_evaluation) -> CommentsReceived:
    """The comments on `self_evaluation` made since it was circulated by people other than
    the programme's facilitators (the partners' say on the draft), what finalising asks the
    facilitator to have taken into account: nothing records a reply to them. One query."""
    if self_evaluation.circulated_at is None:
        return CommentsReceived(count=0, partners=[])
    comments = list(
        self_evaluation.draft_comments.filter(created_at__gte=self_evaluation.circulated_at)
        .exclude(author__in=self_evaluation.programme.facilitators.values("pk"))
        .select_related("author", "author_partner")
        .order_by("created_at", "pk")
    )
    partners = []
    for comment in comments:
        name = comment.author_partner.label if comment.author_partner else comment.author.display_name
        if name not in partners:
            partners.append(name)
    return CommentsReceived(count=len(comments), partners=partners)
