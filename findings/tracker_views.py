"""The action tracker: a programme's improvement actions in one table, filtered and sorted by
due date, as a page and as a CSV file; and one action's page, where its owner updates its
status and progress and a facilitator edits it, with its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from challenge.clock import today as clock_today
from challenge.csvfile import csv_response, safe_row
from challenge.editing import ConflictBox, StaleEdit, reopen_at, saved_by_name
from challenge.listing import page_number, page_of
from findings import services, tracker
from findings.models import Action
from findings.selectors import programmes_carrying
from findings.tracker_forms import ActionEditForm, FilterForm, ProgressForm
from programmes.models import Programme, User
from programmes.permissions import can_view_programme, is_programme_facilitator, refuse_outside
from sessions.permissions import reads_whole_programme
from sessions.selectors import sessions_for_user


def _tracker_programme(user, slug) -> Programme:
    """The programme whose tracker `user` opens: anyone who may open the programme, and the
    owner of one of the actions it lists (to follow their own up)."""
    programme = get_object_or_404(Programme.objects.select_related("partnership"), slug=slug)
    refuse_outside(user, programme.partnership_id)
    if not can_view_programme(user, programme) and not (
        programme.status != Programme.Status.DRAFT and tracker.owns_actions_in(user, programme)
    ):
        raise PermissionDenied("You do not take part in this programme.")
    return programme


def _filter_form(request, programme):
    areas = [(area.pk, area.name) for area in programme.areas.order_by("name")]
    # The owners of the actions this person may see (no other names).
    listed = Action.objects.filter(tracker.programme_actions_q(programme)).filter(
        tracker.visible_actions_q(request.user, programme)
    )
    owners = [
        (person.pk, person.display_name)
        for person in User.objects.filter(pk__in=listed.values("owner")).order_by("first_name", "last_name", "username")
    ]
    return FilterForm(request.GET or None, areas=areas, owners=owners)


@require_GET
@login_required
def action_tracker(request, slug):
    programme = _tracker_programme(request.user, slug)
    form = _filter_form(request, programme)
    filters = form.filters()
    today = clock_today()
    page = page_of(
        tracker.tracker_actions(request.user, programme, filters, today), tracker.PER_PAGE, page_number(request)
    )
    rows = tracker.prepare_rows(page.object_list, user=request.user, programme=programme, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "findings/tracker.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": any([filters.area, filters.owner, filters.status, filters.overdue]),
            "whole": reads_whole_programme(request.user, programme),
            "action_statuses": Action.Status.choices,
        },
    )


CSV_COLUMNS = [
    "action",
    "area",
    "finding",
    "cycle",
    "owner",
    "organisation",
    "due",
    "status",
    "overdue",
    "progress",
    "last changed",
]


@require_GET
@login_required
def action_tracker_csv(request, slug):
    programme = _tracker_programme(request.user, slug)
    form = _filter_form(request, programme)
    today = clock_today()
    actions = tracker.tracker_actions(request.user, programme, form.filters(), today).select_related(None)
    actions = actions.select_related("owner", "owner_partner", "finding__area", "finding__session__programme")
    rows = [CSV_COLUMNS]
    for action in actions:
        rows.append(
            safe_row(
                [
                    action.description,
                    action.finding.area.name,
                    action.finding.title,
                    action.finding.session.programme.name,
                    action.owner.display_name,
                    action.owner_partner.label,
                    action.due_date.isoformat(),
                    action.get_status_display(),
                    "yes" if action.is_overdue(today) else "no",
                    action.progress_note,
                    action.updated_at.date().isoformat(),
                ]
            )
        )
    return csv_response(rows, f"actions-{programme.slug}.csv")


# --- One action ------------------------------------------------------------------------------


def _may_view(user, action) -> bool:
    programme = action.finding.session.programme
    if action.owner_id == user.pk or reads_whole_programme(user, programme):
        return True
    if _manages(user, action):
        return True
    return sessions_for_user(user, programme).filter(areas=action.finding.area_id).exists()


def _manages(user, action) -> bool:
    """A facilitator of the action's cycle, or of a later cycle that carries it while open."""
    if is_programme_facilitator(user, action.finding.session.programme):
        return True
    if action.status in Action.CLOSED:
        return False
    return any(is_programme_facilitator(user, programme) for programme in programmes_carrying(action))


def _action_now(action, viewer) -> ConflictBox:
    current = tracker.action_for_page(action.pk)
    last = current.changes.select_related("by").first()
    return ConflictBox(
        noun="this action",
        saved_at=last.at if last else current.updated_at,
        saved_by=saved_by_name(last.by, viewer) if last else None,
        saved=[
            ("What will be done", current.description),
            ("Owner", current.owner.display_name),
            ("Due", current.due_date.strftime("%-d %B %Y")),
            ("Status", current.get_status_display()),
            ("Progress", current.progress_note),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def action_page(request, action_pk):
    try:
        action = tracker.action_for_page(action_pk)
    except Action.DoesNotExist as exc:
        raise Http404("No such action") from exc
    if action.finding.audit_id is not None:
        # An assurance audit's action: followed up on the audit's page.
        refuse_outside(request.user, action.finding.area.partnership_id)
        return redirect(reverse("audit_detail", args=[action.finding.audit_id]) + f"#finding-{action.finding_id}")
    programme = action.finding.session.programme
    refuse_outside(request.user, programme.partnership_id)
    if not _may_view(request.user, action):
        raise PermissionDenied("You may not see this action.")
    manages = _manages(request.user, action)
    owner_active = action.owner_id == request.user.pk and request.user.membership_in(programme.partnership_id)
    may_update = manages or bool(owner_active)
    if request.method == "POST" and not may_update:
        raise PermissionDenied("Only the action's owner and the facilitators update it.")
    initial = {
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
        "status": action.status,
        "progress_note": action.progress_note,
        "revision": action.revision,
    }
    form = None
    if may_update:
        data = request.POST if request.method == "POST" else None
        if manages:
            form = ActionEditForm(data, initial=initial, partnership=programme.partnership_id, action=action)
        else:
            form = ProgressForm(data, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_action(
                action=action, by=request.user, expected_revision=form.cleaned_data["revision"], **form.values()
            )
        except StaleEdit as error:
            conflict = _action_now(action, request.user)
            reopen_at(form, error.current.revision)
            form.add_error(None, error)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, "Saved the action." if saved.revision != action.revision else "Nothing changed.")
            back = request.POST.get("back", "")
            if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
                return redirect(back)
            return redirect(reverse("action_page", args=[action.pk]))
    return render(
        request,
        "findings/action.html",
        {
            "action": action,
            "programme": programme,
            "form": form,
            "manages": manages,
            "conflict": conflict,
            "history": tracker.history_of(action),
            "overdue": action.is_overdue(clock_today()),
            "back": _back(request),
        },
        status=409 if conflict else 200,
    )


def _back(request) -> str:
    """Where the action was opened from (the tracker with its filters), to go back to: a
    path on this site only."""
    back = request.GET.get("back", "") or request.POST.get("back", "")
    return back if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None) else ""
