"""Reads for findings pages, the documents page and the self-evaluation write-up."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from challenge.clock import today as clock_today
from challenge.listing import counted
from challenge.prepared import PreparedQuery
from findings.models import KIND_ORDER, Action, Finding, FindingVersion, Theme
from programmes.models import Programme
from programmes.selectors import members_of
from workspace.models import Answer, Comment

_ACTIONS = Prefetch("actions", queryset=Action.objects.select_related("owner", "owner_partner"))


def findings_queryset():
    return Finding.objects.select_related(
        "session", "area", "created_by", "withdrawn_by", "raised_again_from__session__programme"
    ).prefetch_related(
        "themes",
        _ACTIONS,
        "evidence_answers__question",
        "evidence_comments__author",
    )


def findings_with_context():
    """Findings with the programme (or the assurance audit) and area their page and
    permission check need."""
    return Finding.objects.select_related("session__programme", "audit", "area")


def actions_with_context():
    """Actions with their finding's programme and area (the same)."""
    return Action.objects.select_related("finding__session__programme", "finding__area")


def finding_order(kind, created_at, pk):
    """Where a finding comes in lists: flags first, then the other kinds in their order;
    oldest first within a kind."""
    return (KIND_ORDER.index(kind), created_at, pk)


def sort_findings(findings):
    """Findings in their order (finding_order)."""
    return sorted(findings, key=lambda finding: finding_order(finding.kind, finding.created_at, finding.pk))


def findings_for(session, area, *, withdrawn=False):
    """The findings of `area` in `session`, in their order; the withdrawn ones too if asked
    (the facilitators' view of the page)."""
    found = findings_queryset().filter(session=session, area=area)
    return sort_findings(found if withdrawn else found.standing())


def mark_overdue(actions, today=None):
    today = today or clock_today()
    for action in actions:
        action.overdue = action.is_overdue(today)
    return actions


def _mark_findings_overdue(findings):
    today = clock_today()
    for finding in findings:
        mark_overdue(finding.actions.all(), today)


def evidence_sources(session, area, *, keep=None):
    """What a finding for `area` in `session` may rest on: the answered questions (in the
    question set's order) and the challenges still standing (oldest first); and, for the
    finding being edited (`keep`), what it rests on already, even if blanked or withdrawn
    since, so that saving its edit does not drop it unasked."""
    cited = set(keep.evidence_answers.values_list("pk", flat=True)) if keep is not None else set()
    answers = [
        answer
        for answer in Answer.objects.filter(session=session, area=area)
        .select_related("question")
        .order_by("question__section__position", "question__position")
        if answer.is_answered or answer.pk in cited
    ]
    standing = Q(withdrawn_at__isnull=True)
    if keep is not None:
        standing |= Q(pk__in=keep.evidence_comments.values("pk"))
    threads = list(
        Comment.objects.filter(standing, session=session, area=area, parent__isnull=True)
        .select_related("author")
        .order_by("created_at")
    )
    return answers, threads


def finding_url(finding) -> str:
    """Where the finding is shown with its actions: its place on its session's findings page
    for the area, or on its assurance audit's page."""
    if finding.audit_id is not None:
        return reverse("audit_detail", args=[finding.audit_id]) + f"#finding-{finding.pk}"
    return reverse("session_findings", args=[finding.session_id, finding.area_id]) + f"#finding-{finding.pk}"


def finding_history(finding) -> list:
    """The finding's history, newest first, with who did each step."""
    return list(FindingVersion.objects.filter(finding=finding).select_related("by"))


def action_owners(partnership):
    """Who may own an improvement action of `partnership`'s programmes: its active members
    with a partner organisation (`partner_name` annotated, see members_of)."""
    return members_of(partnership)


@dataclass
class FindingsPage:
    findings: list
    # The people an action may be given to, read once for every finding's "Add an action" form.
    action_owners: list = field(default_factory=list)


def findings_page(session, area, *, manage) -> FindingsPage:
    """The findings page of one area in one session: its findings (flags first) with their
    themes, evidence and actions (overdue ones marked) and, for those who manage it, the
    withdrawn findings too and the possible owners of a new action, in a fixed number of
    queries however many there are."""
    findings = findings_for(session, area, withdrawn=manage)
    _mark_findings_overdue(findings)
    owners = list(action_owners(session.programme.partnership_id)) if manage else []
    return FindingsPage(findings=findings, action_owners=owners)


# --- Improvement actions carried over from earlier cycles -------------------------------
#
# An action belongs to the finding it follows from, in its own cycle; while it is open it is
# also listed, and counted, in every later cycle of its partnership that reviews the same area,
# so nothing is copied and its owner, due date and history stay the one record.


def carried_over_q(programme, *, prefix="", area_ids=None):
    """The condition (on Action, or on a relation to it named by `prefix`, e.g. "actions__")
    for an open action of an earlier cycle of `programme`'s partnership about one of
    `programme`'s areas (of `area_ids` only, when given: ids, or a subquery of them)."""
    p = prefix
    condition = Q(
        **{
            f"{p}finding__session__programme__partnership": programme.partnership_id,
            f"{p}finding__session__programme__start_date__lt": programme.start_date,
        }
    ) & ~Q(**{f"{p}status__in": Action.CLOSED})
    if area_ids is None:
        condition &= Q(
            **{
                f"{p}finding__area__in": programme.areas.through.objects.filter(programme_id=programme.pk).values(
                    "thematicarea_id"
                )
            }
        )
    else:
        condition &= Q(**{f"{p}finding__area__in": area_ids})
    return condition


def _carried_over(programme, area_ids):
    return (
        Action.objects.filter(carried_over_q(programme, area_ids=area_ids))
        .select_related("owner", "owner_partner", "finding__area", "finding__session__programme")
        .order_by("due_date", "pk")
    )


# Those of all the programme's areas (the findings page, the tracker): SQL built once.
_CARRIED_OVER_ALL_AREAS = PreparedQuery(
    lambda programme, partnership, start_date: _carried_over(
        Programme(pk=programme, partnership_id=partnership, start_date=start_date), None
    ),
    programme=int,
    partnership=int,
    start_date=datetime.date,
)


def carried_over_actions(programme, *, area_ids=None) -> list:
    """The open actions of earlier cycles `programme` carries (see carried_over_q), overdue
    ones marked, by due date, with their owner and the finding, area and cycle they come from."""
    if area_ids is None:
        actions = _CARRIED_OVER_ALL_AREAS.all(
            programme=programme.pk, partnership=programme.partnership_id, start_date=programme.start_date
        )
    else:
        actions = list(_carried_over(programme, area_ids))
    return mark_overdue(actions)


def programmes_carrying(action):
    """The later cycles of the action's partnership that review its area, and so list it
    while it is open (see carried_over_q): their facilitators follow it up too."""
    programme = action.finding.session.programme
    return Programme.objects.filter(
        partnership_id=programme.partnership_id,
        start_date__gt=programme.start_date,
        areas=action.finding.area_id,
    )


def earlier_findings_for(programme, area):
    """The findings of `area` in earlier cycles of `programme`'s partnership: what a finding
    can be "raised again" from, newest cycle first."""
    return (
        Finding.objects.standing()
        .filter(
            area=area,
            session__programme__partnership=programme.partnership_id,
            session__programme__start_date__lt=programme.start_date,
        )
        .select_related("session__programme")
        .defer("text")
        .order_by("-session__programme__start_date", "created_at", "pk")
    )


FINDINGS_SHOWN = 3  # findings listed under each heading of the emerging findings page, unless asked for all


@dataclass
class Emerging:
    programme: object
    by_area: list
    by_kind: list
    by_theme: list
    counts: dict
    flags: list
    action_counts: dict


def emerging_findings(programme, *, sessions=None) -> Emerging:
    """The programme's findings so far; only those of `sessions` (a queryset) if given."""
    # Only what the page and the area self-evaluation's summary show: not the findings' text,
    # session, author or evidence, nor their actions' owners.
    found = (
        Finding.objects.select_related("area")
        .defer("text")
        .prefetch_related("themes", "actions")
        .filter(session__programme=programme)
        .standing()
    )
    if sessions is not None:
        found = found.filter(session__in=sessions.values("pk"))
    findings = sort_findings(found)
    _mark_findings_overdue(findings)
    areas = defaultdict(list)
    kinds = defaultdict(list)
    themes = defaultdict(list)
    for finding in findings:
        areas[finding.area].append(finding)
        kinds[finding.kind].append(finding)
        for theme in finding.themes.all():
            themes[theme].append(finding)
    all_themes = list(Theme.objects.filter(programme=programme))
    actions = [action for finding in findings for action in finding.actions.all()]
    action_counts = Counter(action.status for action in actions)
    action_counts["overdue"] = sum(1 for action in actions if action.overdue)
    action_counts["total"] = len(actions)
    return Emerging(
        programme=programme,
        by_area=sorted(areas.items(), key=lambda item: item[0].name),
        by_kind=[(Finding.Kind(kind), kinds[kind]) for kind in KIND_ORDER if kinds.get(kind)],
        by_theme=[(theme, themes.get(theme, [])) for theme in all_themes],
        counts={Finding.Kind(kind).label: len(kinds.get(kind, [])) for kind in KIND_ORDER},
        flags=[finding for finding in findings if finding.is_flag],
        action_counts=dict(action_counts),
    )


def emerging_page(programme, *, sessions, expanded="") -> Emerging:
    """The emerging findings page: the findings of `sessions` (a queryset of `programme`'s)
    grouped as emerging_findings groups them, every heading (flags, each theme, area and
    kind) cut to its first FINDINGS_SHOWN, all of them under the heading `expanded` names
    (see challenge.listing). Only the findings listed are read; of the others, the columns
    that place and count them (kind, area, date, themes) and their actions counted by the
    database. 5 queries however many findings there are."""
    found = Finding.objects.standing().filter(session__in=sessions.filter(programme=programme).values("pk"))
    places = sorted(
        (finding_order(kind, created_at, pk), pk, kind, area_id)
        for kind, created_at, pk, area_id in found.order_by().values_list("kind", "created_at", "pk", "area_id")
    )
    position = {pk: index for index, (_order, pk, _kind, _area) in enumerate(places)}
    by_area, by_kind = defaultdict(list), defaultdict(list)
    for _order, pk, kind, area_id in places:
        by_area[area_id].append(pk)
        by_kind[kind].append(pk)
    flags = [pk for _order, pk, kind, _area in places if kind in FLAG_KINDS]
    themes = list(Theme.objects.filter(programme=programme).order_by("name"))
    by_theme = defaultdict(list)
    tagged = Finding.themes.through.objects.filter(finding__in=found, theme__in=[theme.pk for theme in themes])
    for finding_id, theme_id in tagged.values_list("finding_id", "theme_id"):
        by_theme[theme_id].append(finding_id)
    for pks in by_theme.values():
        pks.sort(key=position.__getitem__)

    def cut(pks, key):
        return pks if expanded == key else pks[:FINDINGS_SHOWN]

    lists = {"flags": cut(flags, "flags")}
    lists.update((f"theme-{theme.pk}", cut(by_theme[theme.pk], f"theme-{theme.pk}")) for theme in themes)
    lists.update((f"area-{area_id}", cut(pks, f"area-{area_id}")) for area_id, pks in by_area.items())
    lists.update((f"kind-{kind}", cut(pks, f"kind-{kind}")) for kind, pks in by_kind.items())
    listed = {
        finding.pk: finding
        for finding in found.filter(pk__in={pk for pks in lists.values() for pk in pks})
        .order_by()
        .select_related("area")
        .only("session_id", "area__name", "area__slug", "kind", "title", "created_at")
    }

    # The actions of all the findings, counted by status, and which of those listed are overdue.
    today = clock_today()
    action_counts = Counter()
    overdue = Counter()
    for finding_id, status, count, late in (
        Action.objects.filter(finding__in=found)
        .order_by()
        .values_list("finding_id", "status")
        .annotate(count=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
    ):
        action_counts[status] += count
        action_counts["total"] += count
        if status not in Action.CLOSED:  # overdue: late and open, as Action.is_overdue
            overdue[finding_id] += late
    action_counts["overdue"] = overdue.total()
    for finding in listed.values():
        finding.overdue_actions = range(overdue[finding.pk])  # one mark each on the page

    # Where each is on its session's findings page (one address per session and area).
    pages = {}
    for finding in listed.values():
        where = (finding.session_id, finding.area_id)
        if where not in pages:
            pages[where] = reverse("session_findings", args=where)
        finding.page_url = f"{pages[where]}#finding-{finding.pk}"

    def shortlist_of(key, total):
        return counted((listed[pk] for pk in lists[key]), key=key, total=total)

    areas = sorted({finding.area for finding in listed.values()}, key=lambda area: area.name)
    return Emerging(
        programme=programme,
        by_area=[(area, shortlist_of(f"area-{area.pk}", len(by_area[area.pk]))) for area in areas],
        by_kind=[
            (Finding.Kind(kind), shortlist_of(f"kind-{kind}", len(by_kind[kind])))
            for kind in KIND_ORDER
            if by_kind[kind]
        ],
        by_theme=[(theme, shortlist_of(f"theme-{theme.pk}", len(by_theme[theme.pk]))) for theme in themes],
        counts={Finding.Kind(kind).label: len(by_kind[kind]) for kind in KIND_ORDER},
        flags=shortlist_of("flags", len(flags)),
        action_counts=dict(action_counts),
    )


FLAG_KINDS = (Finding.Kind.RED_FLAG, Finding.Kind.GREEN_FLAG)
