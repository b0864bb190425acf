"""Search across what a person may read of their partnerships: sessions, answers, comments,
findings, improvement actions and indicators.

On PostgreSQL it is full-text search (`django.contrib.postgres.search`): the words are matched
by their stem in English ("carers" finds "carer"), the phrase syntax of a web search box is
understood ("foster carers", -adoption, or), results come best first, and the matching words are
highlighted. On SQLite (the embedded default) every word must appear, in any letter case, and
results come newest first. Either way, each kind is one query, cut to a few results with how
many there are in all, and only what the person may read is searched at all: the visibility
rules are the pages' own (the sessions they may open, their own actions, the areas they may
see)."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Q, TextField, Value, Window
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from findings.models import Action, Finding
from indicators.models import Indicator
from programmes.models import Programme
from sessions.models import ChallengeSession
from workspace.models import Answer, Comment

SHOWN = 5  # results of each kind on the page, unless that kind is shown in full
ALL_SHOWN = 50  # results of a kind shown in full
MAX_QUERY = 200
START, STOP = "\x02", "\x03"  # around a matching word, before the text is escaped
SNIPPET = 90  # characters either side of the first match (SQLite)


@dataclass
class Hit:
    title: str
    url: str
    context: str  # where it is: programme, session, area
    snippet: str = ""  # HTML: escaped text with <mark>s


@dataclass
class Group:
    key: str
    label: str
    hits: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def _visible_sessions(user):
    return ChallengeSession.objects.visible_to(user).values("pk")


def _visible_areas(user):
    """The areas `user` may see (indicators.permissions' rule, as a subquery): all of the
    partnerships they read or set up, and those of the programmes they may open."""
    if user.is_superuser:
        return None
    programmes = Programme.objects.visible_to(user)
    return Q(area__partnership__in=user.reading_partnership_ids()) | Q(
        area__in=programmes.filter(areas__isnull=False).values("areas")
    )


def _kinds(user):
    """(key, label, queryset of what `user` may read, text fields searched, how a hit reads)."""
    sessions = _visible_sessions(user)
    areas = _visible_areas(user)
    return [
        (
            "sessions",
            "Sessions",
            ChallengeSession.objects.filter(pk__in=sessions).select_related("programme"),
            ["title", "venue", "notes"],
            lambda s: Hit(s.title, s.get_absolute_url(), f"{s.programme.name} · {s.date:%-d %B %Y}"),
        ),
        (
            "answers",
            "Answers",
            Answer.objects.filter(session__in=sessions).exclude(text="").select_related("session", "area", "question"),
            ["text"],
            lambda a: Hit(
                f"Answer to “{a.question.text}”",
                reverse("workspace", args=[a.session_id, a.area_id]) + f"#question-{a.question_id}",
                f"{a.session.title} · {a.area.name}",
            ),
        ),
        (
            "comments",
            "Challenges and replies",
            Comment.objects.filter(session__in=sessions, withdrawn_at__isnull=True).select_related(
                "session", "area", "question", "author"
            ),
            ["text"],
            lambda c: Hit(
                f"{c.get_kind_display()} by {c.author.display_name} on “{c.question.text}”",
                reverse("workspace", args=[c.session_id, c.area_id]) + f"#question-{c.question_id}",
                f"{c.session.title} · {c.area.name}",
            ),
        ),
        (
            "findings",
            "Findings",
            Finding.objects.standing().filter(session__in=sessions).select_related("session", "area"),
            ["title", "text"],
            lambda f: Hit(
                f"{f.get_kind_display()}: {f.title}",
                reverse("session_findings", args=[f.session_id, f.area_id]) + f"#finding-{f.pk}",
                f"{f.session.title} · {f.area.name}",
            ),
        ),
        (
            "actions",
            "Improvement actions",
            Action.objects.filter(Q(finding__session__in=sessions) | Q(owner=user)).select_related(
                "finding__area", "owner"
            ),
            ["description", "progress_note"],
            lambda a: Hit(
                a.description[:120],
                reverse("action_page", args=[a.pk]),
                f"{a.finding.area.name} · {a.owner.display_name} · due {a.due_date:%-d %B %Y} · "
                f"{a.get_status_display().lower()}",
            ),
        ),
        (
            "indicators",
            "Indicators",
            (Indicator.objects.all() if areas is None else Indicator.objects.filter(areas)).select_related("area"),
            ["code", "name", "definition"],
            lambda i: Hit(f"{i.name} ({i.code})", i.get_absolute_url(), i.area.name),
        ),
    ]


def clean_query(text: str) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def search(user, text: str, *, expanded: str = "") -> list[Group]:
    """What `user` may read that matches `text`, by kind (only kinds with results), each cut
    to SHOWN results (ALL_SHOWN for the kind named by `expanded`), with its total."""
    text = clean_query(text)
    if not text or not user.is_authenticated:
        return []
    postgres = connection.vendor == "postgresql"
    words = _words(text)
    if not words:
        return []
    groups = []
    for key, label, queryset, fields, hit in _kinds(user):
        limit = ALL_SHOWN if expanded == key else SHOWN
        rows = (_postgres if postgres else _plain)(queryset, fields, text, words)
        rows = list(rows.annotate(total=Window(Count("pk")))[:limit])
        if not rows:
            continue
        group = Group(key=key, label=label, total=rows[0].total)
        for row in rows:
            result = hit(row)
            result.snippet = _snippet_html(row.snippet_text if postgres else _plain_snippet(row, fields, words))
            group.hits.append(result)
        groups.append(group)
    return groups


def _words(text):
    """The words of a query, for the plain match (and its highlighting): quotes and the
    web-search operators dropped."""
    return [word for word in re.findall(r"\w[\w'-]*", text) if word.lower() != "or"][:10]


def _document(fields):
    parts = []
    for name in fields:
        parts += [Coalesce(F(name), Value(""), output_field=TextField()), Value(" · ")]
    parts = parts[:-1]
    return Concat(*parts, output_field=TextField()) if len(parts) > 1 else parts[0]


def _postgres(queryset, fields, text, words):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    vector = SearchVector(*fields, config="english")
    query = SearchQuery(text, search_type="websearch", config="english")
    return (
        queryset.annotate(document=vector)
        .filter(document=query)
        .annotate(
            rank=SearchRank(vector, query),
            snippet_text=SearchHeadline(
                _document(fields),
                query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-pk")
    )


def _plain(queryset, fields, text, words):
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return queryset.filter(condition).order_by("-pk")


def _plain_snippet(row, fields, words) -> str:
    """A stretch of the row's text around the first word matched, the words marked."""
    text = " · ".join(str(getattr(row, name) or "") for name in fields if getattr(row, name, ""))
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - SNIPPET)
    end = len(text) if first is None else min(len(text), first.end() + SNIPPET)
    cut = ("… " if start else "") + text[start:end].strip() + (" …" if end < len(text) else "")
    return pattern.sub(lambda match: START + match.group(0) + STOP, cut)


def _snippet_html(text: str) -> str:
    """Escape the text people typed, then turn the match markers into <mark>s: the only HTML
    in a snippet is ours."""
    text = " ".join((text or "").split())
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 — escaped just above; only our <mark> tags added
