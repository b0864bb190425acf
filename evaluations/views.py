"""Self-evaluation pages: an area's versions, their texts, circulation, comments and PDFs,
and the programme's area self-evaluation build."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.clock import today as clock_today
from challenge.editing import ConflictBox, StaleEdit
from challenge.listing import expanded
from challenge.submission import SubmissionTokenForm
from evaluations import selectors, services, word
from evaluations.forms import DraftCommentForm, TextsForm
from evaluations.models import AreaSelfEvaluationBuild
from evaluations.pdf import draft_key, self_evaluation_document
from evaluations.permissions import (
    can_comment_now,
    can_comment_on_draft,
    can_write_texts,
    get_area_build_for_user,
    get_self_evaluation_for_user,
    life_steps,
)
from evaluations.published import published_html
from programmes.permissions import get_programme_for_user, is_programme_facilitator


@require_POST
@login_required
def self_evaluation_start(request, slug, area_pk):
    programme = get_programme_for_user(request.user, slug, manage=True)
    area = get_object_or_404(programme.areas, pk=area_pk)
    self_evaluation = services.current_self_evaluation(programme=programme, area=area)
    return redirect(self_evaluation)


def _page_context(request, self_evaluation, *, texts_form=None, conflict=None, comment_form=None):
    programme = self_evaluation.programme
    manage = is_programme_facilitator(request.user, programme)
    page = selectors.self_evaluation_page(self_evaluation, request.user, manage=manage, expanded=expanded(request))
    initial = {
        "introduction": self_evaluation.introduction,
        "conclusion": self_evaluation.conclusion,
        "revision": self_evaluation.revision,
    }
    return {
        "self_evaluation": self_evaluation,
        "programme": programme,
        "area": self_evaluation.area,
        "manage": manage,
        "can_write": can_write_texts(request.user, self_evaluation),
        "texts_form": texts_form or TextsForm(initial=initial),
        "conflict": conflict,
        "comment_form": comment_form or DraftCommentForm(),
        "can_comment": can_comment_now(request.user, self_evaluation),
        "draft_comments": page.draft_comments,
        "versions": page.versions,
        "latest": page.versions.shown[0],
        "is_latest": page.is_latest(self_evaluation),
        "steps": life_steps(request.user, self_evaluation, is_latest=page.is_latest(self_evaluation)),
        "late": self_evaluation.is_late(clock_today(), programme.self_evaluation_deadline),
        "circulation_emails": page.circulation_emails,
    }


@require_GET
@login_required
def self_evaluation(request, pk):
    self_evaluation = get_self_evaluation_for_user(request.user, pk)
    return render(request, "evaluations/self_evaluation.html", _page_context(request, self_evaluation))


@require_GET
@login_required
def self_evaluation_record(request, pk):
    """The area's record in short (`selectors.area_summary`), which the self-evaluation's page
    shows when asked: swapped into that page by htmx, or a page of its own."""
    self_evaluation = get_self_evaluation_for_user(request.user, pk)
    manage = is_programme_facilitator(request.user, self_evaluation.programme)
    context = {
        "self_evaluation": self_evaluation,
        "programme": self_evaluation.programme,
        "area": self_evaluation.area,
        "summary": selectors.area_summary(self_evaluation.programme, self_evaluation.area, expanded=expanded(request)),
        # Links into the sessions' workspaces and to the indicators, for those who may open
        # them all: the programme's facilitators.
        "links": manage,
    }
    if request.htmx:
        return render(request, "evaluations/record.html#record", {**context, "level": 4, "fragment": True})
    return render(request, "evaluations/record.html", context)


@require_POST
@login_required
def self_evaluation_texts(request, pk):
    self_evaluation = get_self_evaluation_for_user(request.user, pk)
    if not can_write_texts(request.user, self_evaluation):
        raise PermissionDenied("Only the facilitator and the area's lead write the introduction and conclusion.")
    form = TextsForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.update_texts(
                self_evaluation=self_evaluation,
                expected_revision=form.cleaned_data["revision"],
                introduction=form.cleaned_data["introduction"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun="this self-evaluation",
                saved_at=current.updated_at,
                saved=[("Introduction", current.introduction), ("Conclusion", current.conclusion)],
            )
            # Keep what they typed; the next save is made knowingly against the new version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = TextsForm(data)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Introduction and conclusion saved.")
            return redirect(self_evaluation)
    return render(
        request,
        "evaluations/self_evaluation.html",
        _page_context(request, self_evaluation, texts_form=form, conflict=conflict),
    )


SE_ACTIONS = {
    "circulate": (
        services.circulate,
        "Circulated to partners for comment. The e-mails to their contacts are queued: "
        "this page shows whether they went.",
    ),
    "finalise": (
        services.request_finalise,
        "Finalising: the final PDF is being prepared in the background. Once it is stored, this page "
        "shows the version final and the PDF will not change.",
    ),
    "reopen": (services.reopen, "Reopened as a new draft version. The final version stays downloadable."),
}


@require_http_methods(["GET", "POST"])
@login_required
def self_evaluation_action(request, pk, action):
    """POST: circulate, finalise or reopen the version. Finalising cannot be undone (a final
    version's PDF never changes), so it is asked first: GET shows a page saying what it does
    and what partners said since the draft was circulated, whose button posts `confirmed`;
    a finalise post without it is sent to that page."""
    if action not in SE_ACTIONS:
        raise Http404("No such action")
    if request.method == "GET" and action != "finalise":
        return HttpResponseNotAllowed(["POST"])
    self_evaluation = get_self_evaluation_for_user(request.user, pk)
    if not is_programme_facilitator(request.user, self_evaluation.programme):
        raise PermissionDenied("Only the facilitator circulates, finalises or reopens.")
    if action == "finalise" and (request.method == "GET" or request.POST.get("confirmed") != "1"):
        if request.method == "POST":
            return redirect("self_evaluation_action", pk=self_evaluation.pk, action=action)
        if self_evaluation.is_final:
            messages.error(request, "This version is already final.")
            return redirect(self_evaluation)
        return render(
            request,
            "evaluations/finalise.html",
            {
                "self_evaluation": self_evaluation,
                "programme": self_evaluation.programme,
                "received": selectors.comments_since_circulation(self_evaluation),
            },
        )
    service, done = SE_ACTIONS[action]
    try:
        result = service(self_evaluation=self_evaluation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(self_evaluation)
    messages.success(request, done)
    return redirect(result)


@require_POST
@login_required
def self_evaluation_comment(request, pk):
    self_evaluation = get_self_evaluation_for_user(request.user, pk)
    if not can_comment_on_draft(request.user, self_evaluation):
        raise PermissionDenied("Officers read self-evaluations; they do not comment on them.")
    form = DraftCommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_on_draft(
                self_evaluation=self_evaluation,
                author=request.user,
                text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(self_evaluation.get_absolute_url() + "#draft-comments")
    return render(
        request, "evaluations/self_evaluation.html", _page_context(request, self_evaluation, comment_form=form)
    )


def _pdf_response(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def self_evaluation_pdf(request, pk):
    """A final version's stored PDF; a draft's PDF as rendered by the worker from its HTML as
    it is now. When that is not stored yet, ask the worker for it and show its progress (htmx
    polls this URL for the status; without JavaScript, a link to reload it). No PDF is
    rendered here: WeasyPrint runs in the worker only."""
    self_evaluation = get_self_evaluation_for_user(request.user, pk, with_lead=True)
    draft = "" if self_evaluation.is_final else "-draft"
    filename = f"{self_evaluation.area.slug}-self-evaluation-v{self_evaluation.version}{draft}.pdf"
    if self_evaluation.is_final:
        return _pdf_response(selectors.stored_pdf(self_evaluation), filename)
    key = draft_key(self_evaluation)
    if not request.htmx:
        data = selectors.stored_draft_pdf(self_evaluation, key)
        if data is not None:
            return _pdf_response(data, filename)
    record = services.request_draft_pdf(self_evaluation=self_evaluation, key=key, retry="retry" in request.GET)
    now = timezone.now()
    ready = record.is_ready(key)
    pdf = {
        "url": reverse("self_evaluation_pdf", args=[self_evaluation.pk]),
        "ready": ready,
        "failed": record.failed(key),
        "error": record.error,
        "waiting": not ready and not record.failed(key),
        "started": record.started_at is not None,
        "slow": record.requested_at is not None
        and (now - record.requested_at).total_seconds() > settings.BUILD_PICKUP_TIMEOUT,
    }
    template = "evaluations/draft_pdf.html#status" if request.htmx else "evaluations/draft_pdf.html"
    context = {"self_evaluation": self_evaluation, "programme": self_evaluation.programme, "area": self_evaluation.area}
    return render(request, template, {**context, "pdf": pdf}, status=200 if ready else 202)


def _document_filename(self_evaluation, extension):
    draft = "" if self_evaluation.is_final else "-draft"
    return f"{self_evaluation.area.slug}-self-evaluation-v{self_evaluation.version}{draft}.{extension}"


@require_GET
@login_required
def self_evaluation_docx(request, pk):
    """The Word version: the same document as the PDF (a final version's as it was finalised),
    made here in the request. python-docx only writes XML (Word lays it out when it is
    opened), so one area's document takes a fraction of a second; no WeasyPrint runs here."""
    self_evaluation = get_self_evaluation_for_user(request.user, pk, with_lead=True)
    data = word.self_evaluation_docx(self_evaluation_document(self_evaluation))
    response = HttpResponse(data, content_type=word.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_document_filename(self_evaluation, "docx")}"'
    return response


@require_GET
@login_required
def self_evaluation_published(request, pk):
    """The accessible HTML version, one page; `?download=1`: as a file to publish, its
    stylesheet inside it."""
    self_evaluation = get_self_evaluation_for_user(request.user, pk, with_lead=True)
    download = request.GET.get("download") == "1"
    html = published_html(self_evaluation_document(self_evaluation), standalone=download)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{_document_filename(self_evaluation, "html")}"'
    return response


@require_POST
@login_required
def area_build_start(request, slug):
    programme = get_programme_for_user(request.user, slug, manage=True)
    form = SubmissionTokenForm(request.POST)
    token = form.submitted_token if form.is_valid() else None
    try:
        services.request_area_build(programme=programme, by=request.user, submission_token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Building the area self-evaluation. This page shows its progress.")
    return redirect(reverse("documents", args=[programme.slug]) + "#area-self-evaluation")


@require_GET
@login_required
def area_build_status(request, pk):
    build = get_area_build_for_user(request.user, pk)
    template = "dashboard/documents.html#build" if request.htmx else "evaluations/build.html"
    context = {
        **selectors.build_panel(request.user, build.programme, build),
        # Fresh one-time tokens for the Build and Try again buttons.
        "build_form": SubmissionTokenForm(),
        "retry_form": SubmissionTokenForm(),
    }
    return render(request, template, context)


@require_GET
@login_required
def area_build_pdf(request, pk):
    build = get_area_build_for_user(request.user, pk)
    if build.status != AreaSelfEvaluationBuild.Status.READY:
        raise Http404("Not ready yet")
    data = selectors.stored_pdf(build)
    return _pdf_response(data, f"{build.programme.slug}-area-self-evaluation.pdf")
