"""The session workspace's page drawn once per change of what it shows: each question's block
(its question, answer, threads with their replies, and the controls the viewer may use) and
the page's content around them, kept in Django's cache.

A block's HTML is kept under a key that is a hash of everything its partial
(`workspace/workspace.html#question`) reads: the session's state, the area, the question, the
answer's row, every thread's and reply's row, the names shown of the people and the
organisation snapshots (`Comment.author_partner`), what the viewer may do (answer, comment, and
edit, mark or reply to each thread, as `views._prepare` worked it out with SessionAccess),
whether it is shown folded, and the templates' and the workspace tags' source. The content
(heading, progress, the filter and its counts, sections, the area's indicators) is kept under a
hash of its blocks' keys (those the filter shows) and everything else it shows. Any
change gives new keys, so nothing stale can be served: nothing is ever invalidated, and old
entries age out of the cache. Two viewers share a text only when they may do the same things.

A block's forms (withdraw, mark) need the CSRF token, which is the viewer's and masked afresh
for each request: the cache keeps a placeholder in its place, and each request puts its own
token in. A block that shows something of one request only (a form with what was typed, a
conflict, the confirmation of a save) is drawn without the cache, and the content around it
too. No text is shown
relative to today (every date is absolute), so the demo clock is not part of any key.

"""

import hashlib
import re
from pathlib import Path

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from workspace.models import Comment

PAGE = "workspace/workspace.html"
BLOCK_PARTIAL = PAGE + "#question"
CONTENT_PARTIAL = PAGE + "#content"
# What draws a block or the page's content besides their data: these templates and the
# workspace's filters and tags (the indicator cards' own templates are in their keys).
SOURCES = (PAGE, "workspace/_impact_matrix.svg", "indicators/_indicator_panel.html")
# A week: an entry never goes stale (its key is its content); this only bounds a shared cache.
CACHE_SECONDS = 7 * 24 * 3600
BLOCK_PREFIX = "workspace:block:"
CONTENT_PREFIX = "workspace:content:"

# What `{% csrf_token %}` renders when the context's token is the placeholder: the whole tag,
# so that no text a user typed (always escaped, so never containing "<") can match it.
_PLACEHOLDER = "csrf-token-placeholder"
_PLACEHOLDER_TAG = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', _PLACEHOLDER)

_tags_digest = None


def _source_digest(name) -> str:
    """A hash of template `name`'s source, kept on the loaded template (one reloaded after a
    change, as the development server does, gets a new one)."""
    template = get_template(name).template
    digest = getattr(template, "_blocks_digest", None)
    if digest is None:
        digest = template._blocks_digest = hashlib.sha256(template.source.encode()).hexdigest()
    return digest


def _code() -> tuple:
    """What draws the texts besides their data: the templates' source and the workspace's
    template tags' (read once per process: changed Python code restarts it). A cache shared by
    processes never serves what older code drew."""
    global _tags_digest
    if _tags_digest is None:
        from workspace.templatetags import workspace as workspace_tags

        _tags_digest = hashlib.sha256(Path(workspace_tags.__file__).read_bytes()).hexdigest()
    return (_tags_digest, *(_source_digest(name) for name in SOURCES))


def _common() -> tuple:
    """What every block and the content depend on besides their data."""
    return (
        _code(),
        translation.get_language(),
        timezone.get_current_timezone_name(),  # dates are shown in local time
        get_script_prefix(),  # the links
        tuple(Comment.Status.choices),
    )


def _person(user):
    return None if user is None else (user.pk, user.display_name)


def _partner(partner):
    return None if partner is None else (partner.pk, partner.name, partner.label)


def _answer_state(answer):
    if answer is None:
        return None
    return (
        answer.pk,
        answer.revision,
        answer.updated_at,
        answer.text,
        answer.likelihood,
        answer.scale,
        answer.direction,
        answer.confidence,
        answer.evidence,
        _person(answer.updated_by),
    )


def _comment_state(comment):
    return (
        comment.pk,
        comment.parent_id,
        comment.kind,
        comment.text,
        comment.status,
        comment.status_note,
        comment.revision,
        comment.created_at,
        comment.updated_at,
        comment.withdrawn_at,
        comment.status_by_id,
        comment.status_at,
        _person(comment.author),
        _partner(comment.author_partner),  # the author's organisation when they wrote it
        _person(comment.status_by),
        # What the viewer may do to it (views._prepare, from SessionAccess).
        getattr(comment, "can_edit", False),
        getattr(comment, "can_mark", False),
        getattr(comment, "can_reply", False),
        getattr(comment, "replies_to_self", False),
    )


def _session_state(session):
    return (session.pk, session.status, session.is_open_for_work, session.closed_at)


def block_key(block, *, session, area, can_answer, can_comment, common=None, options=("", False)) -> str:
    """The cache key of `block` as shown to a viewer who may (or may not) answer and comment:
    a hash of everything it shows and of every control it offers. `options`: the page's (show,
    fold), which the controls' links carry (so that without JavaScript a save comes back to
    the page as it was)."""
    question = block.question
    state = (
        common or _common(),
        _session_state(session),
        area.pk,
        (question.pk, question.section_id, question.text, question.guidance, question.answer_kind, block.number),
        _answer_state(block.answer),
        (bool(can_answer), bool(can_comment)),
        (options[0], bool(options[1])),
        bool(block.expanded),
        tuple(
            (_comment_state(thread), tuple(_comment_state(reply) for reply in thread.thread_replies))
            for thread in block.threads
        ),
    )
    return BLOCK_PREFIX + hashlib.sha256(repr(state).encode()).hexdigest()


def content_key(context, block_keys, common=None) -> str:
    """The cache key of the page's content (heading, progress, sections and their blocks, the
    area's indicators): its blocks' keys and everything else it shows."""
    from indicators.templatetags.indicators import card_key

    session, area, page, access = context["session"], context["area"], context["workspace"], context["access"]
    state = (
        common or _common(),
        _session_state(session),
        (session.title, session.date, session.start_time, session.end_time, str(session.question_set)),
        _person(session.closed_by if session.closed_at else None),
        (area.pk, area.name, area.slug, _partner(area.lead_partner), _person(area.lead_officer)),
        (page.answered, page.total, page.counts.open, page.counts.addressed, page.counts.unresolved),
        # The filter and the fold control: which is chosen, and how many questions each shows.
        (context["show"], context["show_description"], context["fold"], context["shown"], tuple(context["filters"])),
        tuple(
            (
                section_block.section.pk,
                section_block.section.title,
                section_block.section.description,
                section_block.answered,
                section_block.total,
                section_block.is_trajectory,
                len(section_block.shown),
            )
            for section_block in page.sections
        ),
        (page.impact["likelihood"], page.impact["scale"]),
        (context["comment_refusal"], access.is_reviewer, context["can_answer"], context["can_comment"]),
        tuple(
            card_key(indicator, indicator.series, panel_id="ws", panel_col=None) for indicator in context["indicators"]
        ),
        page.indicators_more,
        tuple(block_keys),
    )
    return CONTENT_PREFIX + hashlib.sha256(repr(state).encode()).hexdigest()


def _drawing_context(context, **more):
    return {**context, "csrf_token": _PLACEHOLDER, **more}


_INDENT = re.compile(r"\n\s+")


def _compact(html: str) -> str:
    """`html` without the templates' indentation and blank lines (a sixth of the page). Only
    where whitespace means nothing: never in a textarea or preformatted text."""
    if "<textarea" in html or "<pre" in html:
        return html
    return _INDENT.sub("\n", html)


def draw_block(block, context) -> str:
    """The block's HTML with the CSRF placeholder, as the cache keeps it. `context`: the page's
    (session, area, can_answer, can_comment, statuses...), without the request."""
    return _compact(get_template(BLOCK_PARTIAL).render(_drawing_context(context, block=block)))


def draw_content(context) -> str:
    """The page's content, its blocks' `html` already set (with the CSRF placeholder)."""
    return _compact(get_template(CONTENT_PARTIAL).render(_drawing_context(context)))


def _one_request_only(block) -> bool:
    """Whether the block shows a form being filled in (or a conflict), which no other request
    may see: drawn without the cache."""
    return bool(
        block.answer_form
        or block.comment_form
        or block.conflict
        or block.notices
        or any(getattr(thread, "reply_form", None) for thread in block.threads)
    )


def _with_token(request, html: str) -> str:
    if _PLACEHOLDER_TAG in html:
        token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        html = html.replace(_PLACEHOLDER_TAG, token)
    return mark_safe(html)  # noqa: S308 (drawn by the templates, which escape what users typed)


def content(request, context):
    """The workspace page's content (`context`: the view's, `workspace` the page prepared for
    this viewer), with this request's CSRF token in it: from the cache in one `get` when
    nothing it shows has changed; otherwise its blocks from the cache in one `get_many`, the
    missing ones drawn and stored with the content in one `set_many`."""
    page = context["workspace"]
    session, area = context["session"], context["area"]
    common = _common()
    blocks = [block for section_block in page.sections for block in section_block.shown]
    keys = []
    for block in blocks:
        if _one_request_only(block):
            keys.append(None)
        else:
            keys.append(
                block_key(
                    block,
                    session=session,
                    area=area,
                    can_answer=context["can_answer"],
                    can_comment=context["can_comment"],
                    common=common,
                    options=(context["show"], context["fold"]),
                )
            )
    page_key = None if None in keys else content_key(context, keys, common)
    html = cache.get(page_key) if page_key else None
    if html is None:
        cached = cache.get_many([key for key in keys if key])
        missing = {}
        for block, key in zip(blocks, keys, strict=True):
            block.html = cached.get(key) if key else None
            if block.html is None:
                block.html = draw_block(block, context)
                if key:
                    missing[key] = block.html
            block.html = mark_safe(block.html)  # noqa: S308 (drawn by the template, which escapes)
        html = draw_content(context)
        if page_key:
            missing[page_key] = html
        if missing:
            cache.set_many(missing, CACHE_SECONDS)
    return _with_token(request, html)
