from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import StaleEdit
from challenge.listing import expanded
from findings import history, selectors, services
from findings.audits import can_record_audits
from findings.forms import ActionForm, FindingForm
from findings.models import Action
from programmes.permissions import get_area_for_user, get_programme_for_user, is_programme_facilitator, refuse_outside
from sessions.permissions import reads_whole_programme
from sessions.selectors import sessions_for_user
from workspace.permissions import get_session_access
from workspace.selectors import session_areas


def _findings_url(session, area):
    return reverse("session_findings", args=[session.pk, area.pk])


@require_http_methods(["GET", "POST"])
@login_required
def session_findings(request, pk, area_pk):
    """Findings and actions for one area of one session."""
    access = get_session_access(request.user, pk)
    session = access.session
    area = get_object_or_404(session_areas(session), pk=area_pk)
    manage = access.is_facilitator
    if request.method == "POST" and not manage:
        raise PermissionDenied("Only the facilitator records findings.")
    form = None
    if manage:
        answers, threads = selectors.evidence_sources(session, area)
        form = FindingForm(
            request.POST or None, programme=session.programme, area=area, answers=answers, threads=threads
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence_answers, evidence_comments = form.evidence()
        try:
            finding = services.record_finding(
                session=session,
                area=area,
                by=request.user,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                themes=data["themes"],
                new_themes=data["new_themes"],
                evidence_answers=evidence_answers,
                evidence_comments=evidence_comments,
                raised_again_from=data.get("raised_again_from"),
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded the {finding.get_kind_display().lower()} “{finding.title}”.")
            return redirect(_findings_url(session, area) + f"#finding-{finding.pk}")
    page = selectors.findings_page(session, area, manage=manage)
    for finding in page.findings:
        finding.action_form = (
            ActionForm(finding=finding, partnership=session.programme.partnership_id, owners=page.action_owners)
            if manage and not finding.is_withdrawn
            else None
        )
    return render(
        request,
        "findings/session_findings.html",
        {
            "session": session,
            "programme": session.programme,
            "area": area,
            "findings": page.findings,
            "form": form,
            "manage": manage,
            "action_statuses": Action.Status.choices,
        },
    )


@require_POST
@login_required
def action_add(request, finding_pk):
    finding = get_object_or_404(selectors.findings_with_context(), pk=finding_pk)
    refuse_outside(request.user, finding.partnership_id)
    if finding.audit_id is not None:
        # An assurance audit's finding: its area's partnership's facilitators record its actions.
        if not can_record_audits(request.user, finding.area.partnership_id):
            raise PermissionDenied("Only the partnership's facilitators add actions to an audit's findings.")
    elif not is_programme_facilitator(request.user, finding.session.programme):
        raise PermissionDenied("Only the facilitator adds actions.")
    form = ActionForm(request.POST, finding=finding, partnership=finding.partnership_id)
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
    return redirect(selectors.finding_url(finding))


@require_POST
@login_required
def action_status(request, action_pk):
    """The status buttons beside an action: on its cycle's findings page, in the list of
    actions a later cycle carries, and in the action tracker (its owner's too). A form that
    says which revision it was opened at is refused if the action changed since."""
    action = get_object_or_404(selectors.actions_with_context(), pk=action_pk)
    finding = action.finding
    refuse_outside(request.user, finding.partnership_id)
    if finding.audit_id is not None:
        return _audit_action_status(request, action)
    # Changed from its own cycle's findings page, or from the list of actions a later cycle
    # carries (its "carried_in"): the facilitators of either may follow it up.
    carried_in = None
    if request.POST.get("carried_in") and action.status not in Action.CLOSED:
        carried_in = selectors.programmes_carrying(action).filter(slug=request.POST["carried_in"]).first()
    owner = action.owner_id == request.user.pk and request.user.membership_in(finding.session.programme.partnership_id)
    if not owner and not any(
        is_programme_facilitator(request.user, programme)
        for programme in (finding.session.programme, carried_in)
        if programme is not None
    ):
        raise PermissionDenied("Only the facilitator changes actions.")
    status = request.POST.get("status", "")
    try:
        revision = int(request.POST["revision"]) if request.POST.get("revision") else None
    except ValueError:
        revision = None
    try:
        if revision is None:
            services.set_action_status(action=action, status=status, by=request.user)
        else:
            action = services.update_action(action=action, by=request.user, expected_revision=revision, status=status)
    except StaleEdit as error:
        messages.error(
            request,
            f"“{action.description[:60]}” changed since you opened the page: it is now "
            f"{error.current.get_status_display().lower()}. Nothing was saved; choose again if you still mean it.",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action marked {action.get_status_display().lower()}.")
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    if carried_in is not None:
        return redirect(reverse("emerging_findings", args=[carried_in.slug]) + "#carried-heading")
    return redirect(_findings_url(finding.session, finding.area) + f"#finding-{finding.pk}")


@require_GET
@login_required
def emerging_findings(request, slug):
    programme = get_programme_for_user(request.user, slug)
    # Only the findings of sessions this user may open: the rest are other sessions' record.
    sessions = sessions_for_user(request.user, programme)
    emerging = selectors.emerging_page(programme, sessions=sessions, expanded=expanded(request))
    # Open actions of earlier cycles, of the areas whose sessions this user may open.
    areas = None if reads_whole_programme(request.user, programme) else _session_areas(request.user, programme)
    carried = selectors.carried_over_actions(programme, area_ids=areas)
    return render(
        request,
        "findings/emerging.html",
        {
            "programme": programme,
            "emerging": emerging,
            "carried": carried,
            "manage": bool(carried) and is_programme_facilitator(request.user, programme),
            "action_statuses": Action.Status.choices,
        },
    )


def _session_areas(user, programme):
    """The areas of the sessions `user` may open (a subquery: no query of its own)."""
    return sessions_for_user(user, programme).filter(areas__isnull=False).values("areas")


@require_GET
@login_required
def area_history(request, slug):
    """An area's history across cycles (findings.history.area_history), for those who may open
    the area's page."""
    area = get_area_for_user(request.user, slug)
    return render(
        request, "findings/area_history.html", {"area": area, "history": history.area_history(request.user, area)}
    )


def _audit_action_status(request, action):
    """The status control of an action on an assurance audit's finding: its owner (while a
    member) and the partnership's facilitators change it."""
    finding = action.finding
    partnership = finding.area.partnership_id
    owner = action.owner_id == request.user.pk and request.user.membership_in(partnership)
    if not owner and not can_record_audits(request.user, partnership):
        raise PermissionDenied("Only the facilitator changes actions.")
    try:
        revision = int(request.POST["revision"]) if request.POST.get("revision") else None
    except ValueError:
        revision = None
    status = request.POST.get("status", "")
    try:
        if revision is None:
            services.set_action_status(action=action, status=status, by=request.user)
        else:
            action = services.update_action(action=action, by=request.user, expected_revision=revision, status=status)
    except StaleEdit as error:
        messages.error(
            request,
            f"“{action.description[:60]}” changed since you opened the page: it is now "
            f"{error.current.get_status_display().lower()}. Nothing was saved; choose again if you still mean it.",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action marked {action.get_status_display().lower()}.")
    return redirect(selectors.finding_url(finding))
