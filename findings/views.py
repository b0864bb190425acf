from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.clock import today as clock_today
from challenge.permissions import get_programme_for_user, is_programme_facilitator
from challenge.selectors import sessions_for_user
from challenge.submission import SubmissionTokenForm
from sessions.models import Answer, Comment
from sessions.permissions import get_session_access

from . import selectors, services
from .forms import ActionForm, DraftCommentForm, FindingForm, TextsForm
from .models import Action, AreaSelfEvaluationBuild, Finding, SelfEvaluation
from .permissions import (
    can_comment_on_draft,
    can_write_texts,
    get_area_build_for_user,
    get_self_evaluation_for_user,
    reads_whole_programme,
)


def _evidence_sources(session, area):
    answers = [
        a
        for a in Answer.objects.filter(session=session, area=area).select_related("question").order_by(
            "question__section__position", "question__position"
        )
        if a.is_answered
    ]
    threads = list(
        Comment.objects.filter(session=session, area=area, parent__isnull=True, withdrawn_at__isnull=True)
        .select_related("author")
        .order_by("created_at")
    )
    return answers, threads


def _findings_url(session, area):
    return reverse("session_findings", args=[session.pk, area.pk])


@require_http_methods(["GET", "POST"])
@login_required
def session_findings(request, pk, area_pk):
    """Findings and actions for one area of one session."""
    access = get_session_access(request.user, pk)
    session = access.session
    area = get_object_or_404(session.areas.select_related("lead_partner"), pk=area_pk)
    manage = access.is_facilitator
    answers, threads = _evidence_sources(session, area) if manage else ([], [])
    form = None
    if manage:
        form = FindingForm(request.POST or None, programme=session.programme, answers=answers, threads=threads)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("Only the facilitator records findings.")
        if form.is_valid():
            d = form.cleaned_data
            ev_answers, ev_comments = form.evidence()
            try:
                finding = services.record_finding(
                    session=session, area=area, by=request.user, kind=d["kind"], title=d["title"], text=d["text"],
                    themes=d["themes"], new_themes=d["new_themes"], evidence_answers=ev_answers,
                    evidence_comments=ev_comments, submission_token=form.submitted_token,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Recorded the {finding.get_kind_display().lower()} “{finding.title}”.")
                return redirect(_findings_url(session, area) + f"#finding-{finding.pk}")
    findings = selectors.findings_for(session, area)
    today = clock_today()
    for f in findings:
        selectors.mark_overdue(f.actions.all(), today)
        f.action_form = ActionForm(finding=f) if manage else None
    return render(
        request,
        "findings/session_findings.html",
        {"session": session, "programme": session.programme, "area": area, "findings": findings,
         "form": form, "manage": manage, "action_statuses": Action.Status.choices},
    )


@require_POST
@login_required
def action_add(request, finding_pk):
    finding = get_object_or_404(Finding.objects.select_related("session__programme", "area"), pk=finding_pk)
    if not is_programme_facilitator(request.user, finding.session.programme):
        raise PermissionDenied("Only the facilitator adds actions.")
    form = ActionForm(request.POST, finding=finding)
    if form.is_valid():
        try:
            services.add_action(finding=finding, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Action added.")
    else:
        for field, errors in form.errors.items():
            label = form[field].label if field in form.fields else ""  # "Owner" when not set
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(_findings_url(finding.session, finding.area) + f"#finding-{finding.pk}")


@require_POST
@login_required
def action_status(request, action_pk):
    action = get_object_or_404(Action.objects.select_related("finding__session__programme", "finding__area"), pk=action_pk)
    finding = action.finding
    if not is_programme_facilitator(request.user, finding.session.programme):
        raise PermissionDenied("Only the facilitator changes actions.")
    try:
        services.set_action_status(action=action, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action marked {action.get_status_display().lower()}.")
    return redirect(_findings_url(finding.session, finding.area) + f"#finding-{finding.pk}")


@require_GET
@login_required
def emerging_findings(request, slug):
    programme = get_programme_for_user(request.user, slug)
    # Only the findings of sessions this user may open: the rest are other sessions' record.
    e = selectors.emerging_findings(programme, sessions=sessions_for_user(request.user, programme))
    return render(request, "findings/emerging.html", {"programme": programme, "e": e})


def _build_context(request, build, programme):
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


@require_GET
@login_required
def documents(request, slug):
    programme = get_programme_for_user(request.user, slug)
    # The area self-evaluation holds every area: shown only to those who read them all.
    reads_build = reads_whole_programme(request.user, programme)
    build = AreaSelfEvaluationBuild.objects.filter(programme=programme).defer("pdf").first() if reads_build else None
    return render(
        request,
        "findings/documents.html",
        {**_build_context(request, build, programme), "reads_build": reads_build,
         "rows": selectors.documents(programme, request.user), "today": clock_today()},
    )


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
        SelfEvaluation.objects.filter(programme=se.programme, area=se.area).readable_by(request.user)
        .defer("pdf").select_related("finalised_by").order_by("-version")
    )
    return {
        "se": se,
        "programme": se.programme,
        "area": se.area,
        "c": selectors.compile_area(se.programme, se.area),
        "manage": manage,
        "can_write": can_write_texts(request.user, se),
        "texts_form": texts_form or TextsForm(initial={"introduction": se.introduction, "conclusion": se.conclusion, "revision": se.revision}),
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
    return render(request, "findings/self_evaluation.html", _se_context(request, se))


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
            services.update_texts(self_evaluation=se, expected_revision=form.cleaned_data["revision"],
                                  introduction=form.cleaned_data["introduction"], conclusion=form.cleaned_data["conclusion"])
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
    return render(request, "findings/self_evaluation.html", _se_context(request, se, texts_form=form, conflict=conflict))


SE_ACTIONS = {
    "circulate": (services.circulate, "Circulated to partners for comment. The e-mails to their contacts are queued: this page shows whether they went."),
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
                self_evaluation=se, author=request.user, text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(se.get_absolute_url() + "#draft-comments")
    return render(request, "findings/self_evaluation.html", _se_context(request, se, comment_form=form))


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
        from .pdf import self_evaluation_pdf as render_pdf

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
    template = "findings/documents.html#build" if request.htmx else "findings/build.html"
    return render(request, template, _build_context(request, build, build.programme))


@require_GET
@login_required
def area_build_pdf(request, pk):
    build = get_area_build_for_user(request.user, pk)
    if build.status != AreaSelfEvaluationBuild.Status.READY:
        raise Http404("Not ready yet")
    data = bytes(AreaSelfEvaluationBuild.objects.values_list("pdf", flat=True).get(pk=pk))
    return _pdf_response(data, f"{build.programme.slug}-area-self-evaluation.pdf")
