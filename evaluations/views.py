"""Self-evaluation pages: an area's versions, their texts, circulation, comments and PDFs,
and the programme's area self-evaluation build."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from challenge.clock import today as clock_today
from challenge.submission import SubmissionTokenForm
from evaluations import selectors, services
from evaluations.forms import DraftCommentForm, TextsForm
from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from evaluations.permissions import (
    can_comment_on_draft,
    can_write_texts,
    get_area_build_for_user,
    get_self_evaluation_for_user,
)
from programmes.permissions import get_programme_for_user, is_programme_facilitator


def build_panel_context(request, build, programme):
    """What the build's partial needs: a build that lost its worker is marked failed first,
    and a queued one says whether any worker is running. Facilitators get fresh one-time
    tokens for the Build and Try again buttons."""
    if build is not None:
        now = timezone.now()
        services.fail_stalled_build(build, now=now)
        build.no_worker = selectors.waiting_without_worker(build, now)
    return {
        "build": build,
        "programme": programme,
        "manage": is_programme_facilitator(request.user, programme),
        "build_form": SubmissionTokenForm(),
        "retry_form": SubmissionTokenForm(),
    }


@require_POST
@login_required
def self_evaluation_start(request, slug, area_pk):
    programme = get_programme_for_user(request.user, slug, manage=True)
    area = get_object_or_404(programme.areas, pk=area_pk)
    se = services.current_self_evaluation(programme=programme, area=area)
    return redirect(se)


def _se_context(request, se, *, texts_form=None, conflict=None, comment_form=None):
    manage = is_programme_facilitator(request.user, se.programme)
    # The versions this user may read: a partner it was circulated to sees that one only.
    versions = list(
        SelfEvaluation.objects.filter(programme=se.programme, area=se.area)
        .readable_by(request.user)
        .defer("pdf")
        .select_related("finalised_by")
        .order_by("-version")
    )
    return {
        "se": se,
        "programme": se.programme,
        "area": se.area,
        "c": selectors.compile_area(se.programme, se.area),
        "manage": manage,
        "can_write": can_write_texts(request.user, se),
        "texts_form": texts_form
        or TextsForm(initial={"introduction": se.introduction, "conclusion": se.conclusion, "revision": se.revision}),
        "conflict": conflict,
        "comment_form": comment_form or DraftCommentForm(),
        "can_comment": can_comment_on_draft(request.user, se),
        "draft_comments": list(se.draft_comments.select_related("author", "author__partner")),
        "versions": versions,
        "is_latest": versions[0].pk == se.pk,
        "late": se.is_late(clock_today(), se.programme.self_evaluation_deadline),
        "circulation_emails": list(se.circulation_emails.all()[:5]) if manage else [],
    }


@require_GET
@login_required
def self_evaluation(request, pk):
    se = get_self_evaluation_for_user(request.user, pk)
    return render(request, "evaluations/self_evaluation.html", _se_context(request, se))


@require_POST
@login_required
def self_evaluation_texts(request, pk):
    se = get_self_evaluation_for_user(request.user, pk)
    if not can_write_texts(request.user, se):
        raise PermissionDenied("Only the facilitator and the area's lead write the introduction and conclusion.")
    form = TextsForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.update_texts(
                self_evaluation=se,
                expected_revision=form.cleaned_data["revision"],
                introduction=form.cleaned_data["introduction"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except services.StaleEdit as error:
            conflict = error.current
            data = request.POST.copy()
            data["revision"] = conflict.revision
            form = TextsForm(data)
            form.is_valid()
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Introduction and conclusion saved.")
            return redirect(se)
    return render(
        request, "evaluations/self_evaluation.html", _se_context(request, se, texts_form=form, conflict=conflict)
    )


SE_ACTIONS = {
    "circulate": (
        services.circulate,
        "Circulated to partners for comment. The e-mails to their contacts are queued: this page shows whether they went.",
    ),
    "finalise": (services.finalise, "Finalised. The PDF is stored and will not change."),
    "reopen": (services.reopen, "Reopened as a new draft version. The final version stays downloadable."),
}


@require_POST
@login_required
def self_evaluation_action(request, pk, action):
    if action not in SE_ACTIONS:
        raise Http404("No such action")
    se = get_self_evaluation_for_user(request.user, pk)
    if not is_programme_facilitator(request.user, se.programme):
        raise PermissionDenied("Only the facilitator circulates, finalises or reopens.")
    service, done = SE_ACTIONS[action]
    try:
        result = service(self_evaluation=se, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(se)
    messages.success(request, done)
    return redirect(result)


@require_POST
@login_required
def self_evaluation_comment(request, pk):
    se = get_self_evaluation_for_user(request.user, pk)
    if not can_comment_on_draft(request.user, se):
        raise PermissionDenied("Officers read self-evaluations; they do not comment on them.")
    form = DraftCommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_on_draft(
                self_evaluation=se,
                author=request.user,
                text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(se.get_absolute_url() + "#draft-comments")
    return render(request, "evaluations/self_evaluation.html", _se_context(request, se, comment_form=form))


def _pdf_response(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def self_evaluation_pdf(request, pk):
    se = get_self_evaluation_for_user(request.user, pk)
    filename = f"{se.area.slug}-self-evaluation-v{se.version}{'' if se.is_final else '-draft'}.pdf"
    if se.is_final:
        data = bytes(SelfEvaluation.objects.values_list("pdf", flat=True).get(pk=se.pk))
    else:
        from evaluations.pdf import self_evaluation_pdf as render_pdf

        data = render_pdf(se)
    return _pdf_response(data, filename)


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
    return render(request, template, build_panel_context(request, build, build.programme))


@require_GET
@login_required
def area_build_pdf(request, pk):
    build = get_area_build_for_user(request.user, pk)
    if build.status != AreaSelfEvaluationBuild.Status.READY:
        raise Http404("Not ready yet")
    data = bytes(AreaSelfEvaluationBuild.objects.values_list("pdf", flat=True).get(pk=pk))
    return _pdf_response(data, f"{build.programme.slug}-area-self-evaluation.pdf")
