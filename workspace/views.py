"""The session workspace: one page per session and area where presenters answer, peer
reviewers challenge, presenters reply and the facilitator keeps track.

The page shows answers and threads read-only: its "Answer", "Comment" and "Reply" controls
fetch one form when asked (htmx swaps it in; without JavaScript they are links to a page with
that one form), so the page renders no form it does not need. Each write answers an htmx
request with the question's block re-rendered in place, and a plain form post with a redirect
back to the question (or, on an error or a conflict, the form's page again with everything the
user typed). The page's text is drawn once per change of what it shows and kept in the cache
(workspace/blocks.py).

The page's options are plain GET parameters, so they work without JavaScript: `show` filters
the questions (open challenges, unanswered, mine), `fold=1` folds every question that has no
open challenge down to its heading and status (by default every question is unfolded: the
page cannot know the fragment a link points to, and a link from My work, a notice or a search
must land on a question that shows its answer and threads). An htmx write answers with the
question's block and, out of band, the progress box (answers, challenge counts, impact
matrix) and the filter's counts; a plain form post redirects back with `saved=<question>`, and
the confirmation is shown inside that question."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from challenge.editing import ConflictBox, StaleEdit, saved_by_name
from challenge.validators import single_line
from programmes.models import Question
from workspace import blocks, selectors, services
from workspace.forms import AnswerForm, CommentEditForm, CommentForm, ReplyForm
from workspace.models import Comment
from workspace.permissions import get_session_access, get_session_area_access

CLOSED = "The session is closed: answers and comments are frozen."
WITHDRAWN = "This comment was withdrawn, so it takes no more replies."


def _question(access, question_pk):
    """The session's question with this id, with its `number` ("2.3"); 404 if the session's
    question set has none."""
    try:
        return selectors.question_in_session(access.session, question_pk)
    except Question.DoesNotExist as exc:
        raise Http404("No such question in this session") from exc


def _url(session, area, question=None, *, saved=False, options=("", False)):
    """The workspace, at `question`; `saved`: with the confirmation (the request's messages)
    shown inside that question; `options`: the page's (show, fold), as the user had them."""
    url = reverse("workspace", args=[session.pk, area.pk])
    query = _option_query(*options, saved=question.pk if question is not None and saved else None)
    return f"{url}{query}" if question is None else f"{url}{query}#question-{question.pk}"


def _option_query(show, fold, *, saved=None) -> str:
    """The query string (with its "?", or empty) of the page's options and `saved`."""
    query = {key: value for key, value in (("show", show), ("fold", "1" if fold else ""), ("saved", saved)) if value}
    return f"?{urlencode(query)}" if query else ""


def _options(request):
    """The page's options (`show`, `fold`), from its own query string; for an htmx write, from
    the page's it was sent from (HX-Current-URL), so the parts swapped out of band match it.
    Without JavaScript a form's page and its post carry them (the links of the workspace's
    controls add them, its forms hold them as hidden fields), so that a save comes back to the
    page as the user had it filtered and folded."""
    query = request.POST if request.method == "POST" else request.GET
    if request.htmx and request.method == "POST":
        query = {key: values[-1] for key, values in parse_qs(urlsplit(request.htmx.current_url or "").query).items()}
    show = query.get("show", "")
    return (show if show in selectors.FILTERS else ""), query.get("fold") == "1"


def _option_links(url, show, fold) -> dict:
    """The links of the filter and the fold control, each keeping the other option."""

    def link(show, fold):
        query = {key: value for key, value in (("show", show), ("fold", "1" if fold else "")) if value}
        return f"{url}?{urlencode(query)}" if query else url

    return {
        "all": link("", fold),
        **{name: link(name, fold) for name in selectors.FILTERS},
        "fold": link(show, not fold),
    }


def _prepare(page, access, *, bound=None, show="", fold=False, current=None):
    """Attach to each thread and reply what this user may do to it (SessionAccess decides;
    the template only asks). The page shows no form: each "Answer", "Comment" and "Reply"
    control fetches its one form when asked. `bound` puts one form back into its block (the
    one with errors or a conflict, after an htmx post) so what the user typed comes back.

    `show`: only the questions of that filter; `fold`: fold every question without an open
    challenge, except `current` (the question just saved, whose confirmation it shows)."""
    area = page.area
    presenter_ids = access.area_presenter_ids(area) if access.presents(area) else None
    page.filters = selectors.question_filters(page, user_id=access.user.pk, presenter_ids=presenter_ids)
    page.show, page.fold = show, fold
    if show:
        selectors.show_only(page, page.filters[show])
    for section_block in page.sections:
        for block in section_block.questions:
            for thread in block.threads:
                thread.can_edit = access.can_edit_comment(thread)
                thread.can_mark = access.can_mark(thread)
                thread.can_reply = access.can_reply_to(thread)
                # The last word is the viewer's own: they add to the thread, not answer someone.
                thread.replies_to_self = thread.can_reply and thread.reply_to.author_id == access.user.pk
                for reply in thread.thread_replies:
                    reply.can_edit = access.can_edit_comment(reply)
            block.expanded = not fold or bool(block.open_challenges) or block.question.pk == current
    if bound:
        block = page.block(bound["question_id"])
        for key in ("answer_form", "comment_form", "conflict"):
            if key in bound:
                setattr(block, key, bound[key])
        if "reply_form" in bound:
            for thread in block.threads:
                if thread.pk == bound["thread_id"]:
                    thread.reply_form = bound["reply_form"]
                    thread.reply_to = bound["reply_to"]
    return page


def _context(access, page):
    url = reverse("workspace", args=[access.session.pk, page.area.pk])
    return {
        "session": access.session,
        "programme": access.session.programme,
        "area": page.area,
        "workspace": page,
        "access": access,
        "can_answer": access.can_answer(page.area),
        "can_comment": access.can_comment(page.area),
        "comment_refusal": access.comment_refusal(page.area),
        "statuses": Comment.Status.choices,
        "indicators": page.indicators,
        "inline": True,  # a form shown again in its block posts with htmx, as the page's controls fetch it
        "option_query": _option_query(page.show, page.fold),  # added to the controls' links (no JavaScript)
        "workspace_back": url + _option_query(page.show, page.fold),
        **_filter_context(url, page, presents=access.presents(page.area)),
    }


# What each filter shows, in words: the page says what it has filtered.
SHOWING = {
    "": "",
    "open": "those with an open challenge",
    "unanswered": "those not answered yet",
    "mine": "those you answered, commented on or replied in",
}
SHOWING_MINE_PRESENTER = (
    SHOWING["mine"] + ", and those waiting for you: not answered yet or with a challenge to reply to"
)


def _filter_context(url, page, *, presents):
    links = _option_links(url, page.show, page.fold)
    return {
        "filters": [(name, label, len(page.filters[name]), links[name]) for name, label in selectors.FILTERS.items()],
        "show": page.show,
        "show_description": SHOWING_MINE_PRESENTER if page.show == "mine" and presents else SHOWING[page.show],
        "shown": sum(len(section_block.shown) for section_block in page.sections),
        "fold": page.fold,
        "links": links,
    }


def _render(request, access, area, *, question=None, bound=None, notice=None, level="success"):
    """The page, or for an htmx write the block of `question` (with `notice`, a message of
    `level`, inside it) and, out of band, the progress box and the filter's counts. On the
    page, the question `saved=` names shows this request's messages inside it."""
    show, fold = _options(request)
    htmx_write = request.htmx and question is not None
    saved = None
    if not htmx_write:
        try:
            saved = int(request.GET.get("saved", ""))
        except ValueError:
            saved = None
    current = question.pk if htmx_write else saved
    page = selectors.workspace_page(access.session, area)
    page = _prepare(page, access, bound=bound, show=show, fold=fold, current=current)
    context = _context(access, page)
    if htmx_write:
        block = context["block"] = page.block(question.pk)
        if notice:
            block.notices = [(level, notice)]
        return render(request, "workspace/workspace.html#write", context)
    shown = {block.question.pk: block for section_block in page.sections for block in section_block.shown}
    if saved in shown:
        # This request's messages go into the question, not the top of the page: read (so
        # used up) here, and not given to the page's message area. The block is then drawn
        # for this request only (blocks._one_request_only): no message is ever cached.
        shown[saved].notices = [(message.level_tag, message.message) for message in messages.get_messages(request)]
        context["messages"] = []
    context["content_html"] = blocks.content(request, context)
    return render(request, "workspace/workspace.html", context)


def _form(request, access, area, question, kind, form, *, conflict=None, thread=None, to=None):
    """One form of the workspace: `kind` is "answer", "comment" or "reply" (in `thread`, to
    `to`: the thread or one of its replies). Asked for by htmx (the page's control swaps it
    in), the form alone; otherwise a page with just that form, which posts where the form in
    the workspace posts and comes back to the question."""
    headings = {
        "answer": f"Answer question {question.number}",
        "comment": f"Comment on question {question.number}",
        "reply": (
            ""
            if to is None
            else f"Add a reply to the {thread.get_kind_display().lower()} from {thread.author.display_name}"
            if to.author_id == request.user.pk
            else f"Reply to {to.author.display_name}"
        ),
    }
    context = {
        "session": access.session,
        "programme": access.session.programme,
        "area": area,
        "question": question,
        "number": question.number,
        "kind": kind,
        "heading": headings[kind],
        "form": form,
        "conflict": conflict,
        "thread": thread,
        "reply_to": to,
        **_kept_options(request, access.session, area),
    }
    if request.htmx and request.method == "GET":
        context["inline"] = True
        return render(request, f"workspace/question_form.html#{kind}_form", context)
    if thread is not None:  # the page shows the thread being replied to
        context["replies"] = selectors.thread_replies(thread)
    return render(request, "workspace/question_form.html", context)


def _kept_options(request, session, area) -> dict:
    """The page's options for a form's page without JavaScript: `kept_options`, its hidden
    fields, and `workspace_back`, the workspace's address with them, for its links back."""
    show, fold = _options(request)
    return {
        "kept_options": [(name, value) for name, value in (("show", show), ("fold", "1" if fold else "")) if value],
        "workspace_back": reverse("workspace", args=[session.pk, area.pk]) + _option_query(show, fold),
    }


def _bounce(request, access, area, question, kind, form, *, conflict=None, thread=None, to=None):
    """A post refused with what the user typed: with htmx, the question's block again with
    the form in place; without, the form's own page."""
    if request.htmx:
        bound = {"question_id": question.pk, f"{kind}_form": form}
        if conflict:
            bound["conflict"] = conflict
        if thread is not None:
            bound["thread_id"] = thread.pk
            bound["reply_to"] = to
        return _render(request, access, area, question=question, bound=bound)
    return _form(request, access, area, question, kind, form, conflict=conflict, thread=thread, to=to)


def _done(request, access, area, question, message):
    if request.htmx:
        return _render(request, access, area, question=question, notice=message)
    messages.success(request, message)
    return redirect(_url(access.session, area, question, saved=True, options=_options(request)))


@require_GET
@login_required
def workspace(request, pk, area_pk):
    access, area = get_session_area_access(request.user, pk, area_pk)
    return _render(request, access, area)


def _answer_conflict(answer, question, viewer) -> ConflictBox:
    """The answer as it is saved now, beside the form whose save was refused as stale."""
    answer.question = question
    saved = [("Answer", answer.text)]
    if answer.rating:
        saved.append(answer.rating)
    if answer.evidence:
        lines = []
        for evidence in answer.evidence:
            where = evidence.get("link") or evidence.get("reference")
            lines.append(f"- {evidence['title']} — {where}" if where else f"- {evidence['title']}")
        saved.append(("Evidence", "\n".join(lines)))
    return ConflictBox(
        noun="this answer",
        saved_by=saved_by_name(answer.updated_by, viewer),
        saved_at=answer.updated_at,
        saved=saved,
    )


@require_POST
@login_required
def answer_save(request, pk, area_pk, question_pk):
    access, area = get_session_area_access(request.user, pk, area_pk)
    question = _question(access, question_pk)
    # Allowed by their part but the session closed after the page was shown: the service
    # refuses it, and the form comes back with what they typed.
    if not access.may_answer(area):
        raise PermissionDenied("Only the area's presenters and lead officer answer, while the session is open.")
    form = AnswerForm(request.POST, question=question)
    if form.is_valid():
        try:
            services.save_answer(
                session=access.session,
                area=area,
                question=question,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                **form.content(),
            )
        except StaleEdit as error:
            # Keep what they typed; the next save is made knowingly against the new version.
            data = request.POST.copy()
            data[form.add_prefix("revision")] = error.current.revision
            form = AnswerForm(data, question=question)
            form.is_valid()
            conflict = _answer_conflict(error.current, question, request.user)
            return _bounce(request, access, area, question, "answer", form, conflict=conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, access, area, question, "Answer saved.")
    return _bounce(request, access, area, question, "answer", form)


@require_GET
@login_required
def answer_edit(request, pk, area_pk, question_pk):
    """The answer form of one question, as saved now (the workspace's "Answer" control)."""
    access, area = get_session_area_access(request.user, pk, area_pk)
    question = _question(access, question_pk)
    if not access.may_answer(area):
        raise PermissionDenied("Only the area's presenters and lead officer answer, while the session is open.")
    if not access.can_answer(area):
        raise PermissionDenied(CLOSED)
    answer = selectors.saved_answer(access.session, area, question)
    return _form(request, access, area, question, "answer", AnswerForm(question=question, answer=answer))


@require_POST
@login_required
def comment_post(request, pk, area_pk, question_pk):
    access, area = get_session_area_access(request.user, pk, area_pk)
    question = _question(access, question_pk)
    refusal = access.comment_role_refusal(area)  # a closed session: refused below, text kept
    if refusal:
        raise PermissionDenied(refusal)
    form = CommentForm(request.POST, question=question)
    if form.is_valid():
        try:
            comment = services.post_comment(
                session=access.session,
                area=area,
                question=question,
                author=request.user,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, access, area, question, f"{comment.get_kind_display()} posted.")
    return _bounce(request, access, area, question, "comment", form)


@require_GET
@login_required
def comment_new(request, pk, area_pk, question_pk):
    """The form for a new critical-friend comment on one question (the "Comment" control)."""
    access, area = get_session_area_access(request.user, pk, area_pk)
    question = _question(access, question_pk)
    refusal = access.comment_refusal(area)  # their part, or the session closed: nothing typed yet
    if refusal:
        raise PermissionDenied(refusal)
    return _form(request, access, area, question, "comment", CommentForm(question=question))


def _comment_access(request, comment_pk):
    comment = get_object_or_404(selectors.comments_with_context(), pk=comment_pk)
    access = get_session_access(request.user, comment.session_id)
    comment.session = access.session
    return comment, access


@require_http_methods(["GET", "POST"])
@login_required
def comment_reply(request, comment_pk):
    """GET: the form to reply to a thread or to one of its replies (the "Reply" control);
    POST: the reply. Either way the reply goes into the thread (every reply's parent is the
    thread: one flat thread), and the thread's author, the area's presenters and the
    facilitator may post it."""
    target, access = _comment_access(request, comment_pk)
    area = target.area
    if target.is_thread:
        thread = target
    else:  # a reply: its thread, with what the permission and the page read of it
        thread = target.parent
        thread.session, thread.area = access.session, area
    if not access.may_reply_to(thread):  # a closed session: refused below, text kept
        raise PermissionDenied("Only the thread's author, the area's presenters and the facilitator reply.")
    question = _question(access, thread.question_id)
    if request.method == "GET":
        if not access.can_reply_to(thread) or target.is_withdrawn:  # nothing typed yet: say why there is no form
            raise PermissionDenied(CLOSED if not access.session.is_open_for_work else WITHDRAWN)
        return _form(request, access, area, question, "reply", ReplyForm(thread=thread), thread=thread, to=target)
    form = ReplyForm(request.POST, thread=thread)
    if target.is_withdrawn and not thread.is_withdrawn:
        # The reply it answers was withdrawn after the form was shown: say so, and let the
        # form, with what was typed, answer the thread itself.
        form.is_valid()
        form.add_error(None, WITHDRAWN)
        target = thread
    if form.is_valid():
        try:
            services.reply_to(
                parent=thread,
                author=request.user,
                text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, access, area, question, "Reply posted.")
    return _bounce(request, access, area, question, "reply", form, thread=thread, to=target)


@require_http_methods(["GET", "POST"])
@login_required
def comment_edit(request, comment_pk):
    comment, access = _comment_access(request, comment_pk)
    if not access.can_edit_comment(comment):
        raise PermissionDenied("Only the author changes a comment, while the session is open.")
    form = CommentEditForm(request.POST or None, comment=comment)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(
                comment=comment,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                text=form.cleaned_data["text"],
                kind=form.cleaned_data.get("kind"),
            )
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun=f"this {current.get_kind_display().lower()}",
                saved_by=saved_by_name(current.author, request.user),
                saved_at=current.updated_at,
                saved=[(current.get_kind_display(), current.text)],
            )
            data = request.POST.copy()
            data["revision"] = current.revision
            form = CommentEditForm(data, comment=comment)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Comment updated.")
            return redirect(_url(access.session, comment.area, comment.question, saved=True, options=_options(request)))
    return render(
        request,
        "workspace/comment_edit.html",
        {
            "form": form,
            "comment": comment,
            "conflict": conflict,
            "session": access.session,
            "programme": access.session.programme,
            "area": comment.area,
            **_kept_options(request, access.session, comment.area),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_withdraw(request, comment_pk):
    """GET: a page that says what withdrawing the comment does, with the button that does it;
    POST with `confirmed`: withdraw it. A post without `confirmed` (an old form, a stray
    click) is sent to that page: nothing is withdrawn in one click."""
    comment, access = _comment_access(request, comment_pk)
    if not access.can_edit_comment(comment):
        raise PermissionDenied("Only the author withdraws a comment, while the session is open.")
    if request.method == "GET" or request.POST.get("confirmed") != "1":
        if request.method == "POST":
            url = reverse("comment_withdraw", args=[comment.pk]) + _option_query(*_options(request))
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return render(
            request,
            "workspace/comment_withdraw.html",
            {
                "comment": comment,
                "session": access.session,
                "programme": access.session.programme,
                "area": comment.area,
                "replies": comment.replies.filter(withdrawn_at__isnull=True).count() if comment.is_thread else 0,
                **_kept_options(request, access.session, comment.area),
            },
        )
    try:
        services.withdraw_comment(comment=comment, by=request.user)
    except ValidationError as error:  # e.g. the session was closed a moment ago
        return _refused(request, access, comment, error)
    return _done(request, access, comment.area, comment.question, "Comment withdrawn.")


def _refused(request, access, comment, error):
    """A button's write was refused: say why, showing the session as it is now (nothing was
    typed, so nothing is lost by re-reading it)."""
    access.session.refresh_from_db()
    if request.htmx:
        return _render(
            request, access, comment.area, question=comment.question, notice=" ".join(error.messages), level="error"
        )
    messages.error(request, " ".join(error.messages))
    return redirect(_url(access.session, comment.area, comment.question, saved=True, options=_options(request)))


@require_POST
@login_required
def comment_status(request, comment_pk):
    comment, access = _comment_access(request, comment_pk)
    if not access.can_moderate():
        raise PermissionDenied("Only the facilitator marks challenges addressed or unresolved.")
    status = request.POST.get("status", "")
    if status == Comment.Status.UNRESOLVED and "note" not in request.POST:
        # "Unresolved" asks why: the page of its own that asks it, then back to the question.
        back = _url(access.session, comment.area, comment.question, options=_options(request))
        url = (
            reverse("challenge_mark", args=[access.session.pk, comment.pk])
            + "?"
            + urlencode({"status": "unresolved", "back": back})
        )
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    try:
        services.set_comment_status(comment=comment, by=request.user, status=status, note=request.POST.get("note", ""))
    except ValidationError as error:
        return _refused(request, access, comment, error)
    label = Comment.Status(status).label.lower()
    return _done(request, access, comment.area, comment.question, f"Marked {label}.")


@require_GET
@login_required
def answer_history(request, pk, area_pk, question_pk):
    access, area = get_session_area_access(request.user, pk, area_pk)
    question = _question(access, question_pk)
    versions, comment_versions = selectors.answer_history(access.session, area, question)
    return render(
        request,
        "workspace/answer_history.html",
        {
            "session": access.session,
            "programme": access.session.programme,
            "area": area,
            "question": question,
            "versions": versions,
            "comment_versions": comment_versions,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def session_freeze(request, pk, action):
    access = get_session_access(request.user, pk)
    if not access.is_facilitator:
        raise PermissionDenied("Only the facilitator closes or reopens a session.")
    session = access.session
    if request.method == "POST" and action == "close" and request.POST.get("confirmed") != "1":
        # Closing freezes everyone's work: only from the page that says so.
        return redirect("session_freeze", pk=session.pk, action=action)
    if request.method == "POST":
        try:
            if action == "close":
                services.close_session(session=session, by=request.user)
                messages.success(request, "Session closed: its answers and comments are frozen.")
            else:
                services.reopen_session(
                    session=session, by=request.user, note=single_line(request.POST.get("note", ""))[:300]
                )
                messages.success(request, "Session reopened: answers and comments can change again.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(session)
    heading = "Close the session" if action == "close" else "Reopen the session"
    explanation = (
        "Closing freezes every answer and comment of every area of this session: nobody can answer, "
        "comment, reply, edit, withdraw or mark a challenge until you reopen it. Reopening is recorded, "
        "with your reason."
        if action == "close"
        else "Reopening lets presenters and reviewers change their answers and comments again. "
        "It is recorded, with your reason."
    )
    return render(
        request,
        "sessions/session_status.html",
        {
            "session": session,
            "programme": session.programme,
            "action": action,
            "heading": heading,
            "explanation": explanation,
            "ask_note": action == "reopen",
        },
    )
