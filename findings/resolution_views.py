"""A scrutiny meeting's agenda item (its report, the panel's questions in the workspace, its
resolutions), one resolution with its response, progress and history, and a partnership's
open resolutions across meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from challenge.editing import ConflictBox, StaleEdit, add_service_errors, reopen_at, saved_by_name
from findings import resolutions
from findings.models import Resolution
from findings.resolution_forms import ProgressForm, ResolutionForm, ResponseForm
from programmes.models import Partnership
from programmes.permissions import refuse_outside
from sessions.models import AgendaItem
from sessions.permissions import can_manage_session, can_view_session


def _item_for_user(user, pk) -> AgendaItem:
    item = get_object_or_404(
        AgendaItem.objects.select_related(
            "area", "session__programme__partnership", "session__panel", "session__facilitator"
        ),
        pk=pk,
    )
    refuse_outside(user, item.session.programme.partnership_id)
    if not can_view_session(user, item.session):
        raise PermissionDenied("You do not take part in this meeting.")
    return item


@require_http_methods(["GET", "POST"])
@login_required
def agenda_item_page(request, pk):
    """The item: its report and presenting officers, a link to the panel's questions and the
    officers' answers in the meeting's workspace, its resolutions, and (for the meeting's
    managers) the form that records one."""
    item = _item_for_user(request.user, pk)
    session = item.session
    may_record = resolutions.can_record_resolution(request.user, item)
    if request.method == "POST" and not may_record:
        raise PermissionDenied("Only the meeting's managers record its resolutions.")
    form = ResolutionForm(request.POST or None, programme=session.programme) if may_record else None
    if request.method == "POST" and form.is_valid():
        try:
            resolutions.record_resolution(
                item=item, by=request.user, submission_token=form.submitted_token, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded the {form.cleaned_data['kind']}.")
            return redirect(reverse("agenda_item", args=[item.pk]) + "#resolutions-heading")
    return render(
        request,
        "findings/agenda_item.html",
        {
            "item": item,
            "session": session,
            "programme": session.programme,
            "officers": sorted(item.presenting_officers.all(), key=lambda p: (p.last_name, p.first_name)),
            "resolutions": resolutions.resolutions_of(item),
            "form": form,
            "can_edit": can_manage_session(request.user, session),
        },
    )


def _resolution_now(current, viewer) -> ConflictBox:
    last = current.changes.select_related("by").first()
    return ConflictBox(
        noun="this resolution",
        saved_at=last.at if last else current.updated_at,
        saved_by=saved_by_name(last.by, viewer) if last else None,
        saved=[
            ("Response", current.get_response_display()),
            ("Its reasons", current.response_text),
            ("Progress", current.get_status_display()),
            ("What has been done", current.progress_note),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def resolution_page(request, pk):
    """One resolution: what was resolved, the executive's response, its progress and its
    history. Its owner and the meeting's managers record the response (`part=response`) and
    progress (`part=progress`); a form opened at an older revision is refused and shown back
    beside what is saved now."""
    try:
        resolution = resolutions.resolution_for_page(pk)
    except Resolution.DoesNotExist as exc:
        raise Http404("No such resolution") from exc
    session = resolution.agenda_item.session
    refuse_outside(request.user, session.programme.partnership_id)
    if not resolutions.can_view_resolution(request.user, resolution):
        raise PermissionDenied("You may not see this resolution.")
    may_update = resolutions.can_update_resolution(request.user, resolution)
    if request.method == "POST" and not may_update:
        raise PermissionDenied("Only the resolution's owner and the meeting's managers update it.")
    part = request.POST.get("part")
    initial = {
        "response": resolution.response if resolution.response != Resolution.Response.AWAITED else None,
        "response_text": resolution.response_text,
        "status": resolution.status,
        "progress_note": resolution.progress_note,
        "revision": resolution.revision,
    }
    response_form = progress_form = None
    if may_update:
        response_form = ResponseForm(request.POST if part == "response" else None, initial=initial, prefix="response")
        progress_form = ProgressForm(request.POST if part == "progress" else None, initial=initial, prefix="progress")
    conflict = None
    if request.method == "POST":
        form = response_form if part == "response" else progress_form if part == "progress" else None
        if form is None:
            raise Http404("No such form")
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
            service = resolutions.record_response if part == "response" else resolutions.update_progress
            try:
                service(
                    resolution=resolution, by=request.user, expected_revision=form.cleaned_data["revision"], **values
                )
            except StaleEdit as error:
                conflict = _resolution_now(error.current, request.user)
                reopen_at(form, error.current.revision)
                form.add_error(None, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved the response." if part == "response" else "Saved the progress.")
                return redirect(reverse("resolution", args=[resolution.pk]))
    return render(
        request,
        "findings/resolution.html",
        {
            "resolution": resolution,
            "item": resolution.agenda_item,
            "session": session,
            "programme": session.programme,
            "response_form": response_form,
            "progress_form": progress_form,
            "conflict": conflict,
            "conflict_part": part if conflict else "",
            "history": resolutions.history_of(resolution),
        },
        status=409 if conflict else 200,
    )


@require_GET
@login_required
def partnership_resolutions(request, slug):
    """A partnership's open resolutions and recommendations across all its scrutiny
    meetings (`?closed=1`: the closed ones), for those who may see the meetings or own them."""
    partnership = get_object_or_404(Partnership, slug=slug)
    refuse_outside(request.user, partnership.pk)
    listing = resolutions.partnership_resolutions(request.user, partnership, closed=request.GET.get("closed") == "1")
    return render(request, "findings/resolutions.html", {"partnership": partnership, "listing": listing})
