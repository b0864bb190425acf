"""The partnership's programme set-up (issue 13, B4): making and changing a programme without
the admin, and rolling one forward into the next cycle. Only those who set the partnership
up (its facilitators, administrators) use these pages: others of the partnership are refused,
and for anyone else the partnership does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from challenge.editing import ConflictBox, StaleEdit
from programmes import cycles
from programmes.models import Partnership, Programme
from programmes.permissions import (
    can_manage_partnership,
    get_partnership_to_manage,
    refuse_outside,
)
from programmes.programme_setup_forms import ProgrammeForm, RollForwardForm


def _partnership_to_manage(user, slug) -> Partnership:
    return get_partnership_to_manage(user, slug, what="set up its programmes")


def _programme_to_manage(user, slug) -> Programme:
    programme = get_object_or_404(
        Programme.objects.select_related("partnership", "question_set", "previous"), slug=slug
    )
    refuse_outside(user, programme.partnership_id)
    if not can_manage_partnership(user, programme.partnership):
        raise PermissionDenied("Only the partnership's facilitators set up its programmes.")
    return programme


@require_http_methods(["GET", "POST"])
@login_required
def programme_create(request, slug):
    partnership = _partnership_to_manage(request.user, slug)
    form = ProgrammeForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            programme = cycles.create_programme(
                partnership=partnership,
                areas=form.cleaned_data["areas"],
                facilitators=form.cleaned_data["facilitators"],
                submission_token=form.submitted_token,
                **form.programme_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Made the programme “{programme.name}”.")
            return redirect(programme)
    return render(
        request, "programmes/setup/programme_form.html", {"form": form, "partnership": partnership, "programme": None}
    )


@require_http_methods(["GET", "POST"])
@login_required
def programme_edit(request, slug):
    programme = _programme_to_manage(request.user, slug)
    form = ProgrammeForm(request.POST or None, instance=programme, partnership=programme.partnership)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            programme = cycles.update_programme(
                programme=programme,
                expected_revision=form.cleaned_data["revision"],
                areas=form.cleaned_data["areas"],
                facilitators=form.cleaned_data["facilitators"],
                **form.programme_fields(),
            )
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun="this programme",
                saved_at=None,
                saved=[
                    ("Name", current.name),
                    ("Period", f"{current.start_date:%d %B %Y} to {current.end_date:%d %B %Y}"),
                    ("Status", current.get_status_display()),
                ],
            )
            # Keep what they typed; the next save is made knowingly against the new version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = ProgrammeForm(data, instance=current, partnership=programme.partnership)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the programme “{programme.name}”.")
            return redirect(programme)
    return render(
        request,
        "programmes/setup/programme_form.html",
        {"form": form, "partnership": programme.partnership, "programme": programme, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
@login_required
def programme_roll_forward(request, slug):
    """GET: what the next cycle would be, with its start (so the cycle length) and name to
    change. POST: make it, as a draft, and go to it."""
    programme = _programme_to_manage(request.user, slug)
    existing = Programme.objects.filter(previous=programme).first()
    plan = None
    if request.method == "GET":
        form = RollForwardForm(programme=programme)
        if existing is None:
            plan = cycles.plan_roll_forward(programme)
            form.initial = {"start_date": plan.start_date, "name": plan.name}
    else:
        form = RollForwardForm(request.POST, programme=programme)
        if existing is None and form.is_valid() and "preview" not in request.POST:
            try:
                new = cycles.roll_forward(
                    programme, start_date=form.cleaned_data["start_date"], name=form.cleaned_data["name"]
                )
            except cycles.AlreadyRolledForward as error:
                existing = error.existing
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Made “{new.name}” as a draft: review it, then make it active before inviting anyone."
                )
                return redirect(new)
        if existing is None:
            # Shown again with what they chose (or, where that was refused, the defaults).
            chosen = form.cleaned_data if form.is_valid() else {}
            plan = cycles.plan_roll_forward(programme, start_date=chosen.get("start_date"), name=chosen.get("name", ""))
    return render(
        request,
        "programmes/setup/roll_forward.html",
        {"programme": programme, "form": form, "plan": plan, "existing": existing},
        status=409 if existing is not None and request.method == "POST" else 200,
    )
