"""Adding and editing a scrutiny meeting's agenda items (the meeting's managers). An item's
own page, with its resolutions, is findings.resolution_views.agenda_item_page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from challenge.editing import ConflictBox, StaleEdit, add_service_errors, reopen_at
from programmes.permissions import refuse_outside
from sessions import agenda
from sessions.agenda_forms import AgendaItemForm
from sessions.models import AgendaItem, ChallengeSession
from sessions.permissions import can_manage_session, get_session_for_user


@require_http_methods(["GET", "POST"])
@login_required
def agenda_item_add(request, pk):
    session = get_session_for_user(request.user, pk, manage=True)
    if session.kind != ChallengeSession.Kind.SCRUTINY:
        raise PermissionDenied("Only a scrutiny meeting has an agenda.")
    form = AgendaItemForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            item = agenda.add_agenda_item(session=session, submission_token=form.submitted_token, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added item {item.number} to the agenda.")
            return redirect(item)
    return render(
        request,
        "sessions/agenda_item_form.html",
        {"form": form, "session": session, "programme": session.programme},
    )


@require_http_methods(["GET", "POST"])
@login_required
def agenda_item_edit(request, item_pk):
    item = get_object_or_404(AgendaItem.objects.select_related("session__programme__partnership", "area"), pk=item_pk)
    session = item.session
    refuse_outside(request.user, session.programme.partnership_id)
    if not can_manage_session(request.user, session):
        raise PermissionDenied("Only the meeting's managers change its agenda.")
    initial = {
        "number": item.number,
        "title": item.title,
        "area": item.area_id,
        "report": item.report,
        "presenting_officers": [p.pk for p in item.presenting_officers.all()],
        "revision": item.revision,
    }
    form = AgendaItemForm(request.POST or None, initial=initial, session=session, item=item)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            agenda.edit_agenda_item(
                item=item, expected_revision=form.cleaned_data.get("revision") or 0, **form.values()
            )
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun="this agenda item",
                saved_at=None,
                saved=[("Number", current.number), ("Title", current.title), ("Report", current.report)],
            )
            reopen_at(form, current.revision)
            form.add_error(None, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved item {form.cleaned_data['number']}.")
            return redirect(item)
    return render(
        request,
        "sessions/agenda_item_form.html",
        {"form": form, "session": session, "programme": session.programme, "item": item, "conflict": conflict},
        status=409 if conflict else 200,
    )
