"""A programme's timetable: adding, editing and ticking off milestones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from programmes import selectors, services
from programmes.forms import MilestoneForm
from programmes.permissions import get_programme_for_user


@require_http_methods(["GET", "POST"])
@login_required
def milestone_form(request, slug, pk=None):
    programme = get_programme_for_user(request.user, slug, manage=True)
    milestone = selectors.milestone_of(programme, pk) if pk else None
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            if milestone is None:
                milestone = services.add_milestone(
                    programme=programme, submission_token=form.submitted_token, **form.milestone_fields()
                )
            else:
                milestone = form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the milestone “{milestone.title}”.")
            return redirect(programme.get_absolute_url() + "#timetable")
    return render(
        request,
        "programmes/milestone_form.html",
        {"form": form, "programme": programme, "milestone": milestone},
    )


@require_POST
@login_required
def milestone_done(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, manage=True)
    milestone = selectors.milestone_of(programme, pk)
    services.set_milestone_done(milestone=milestone, done=request.POST.get("done") == "1")
    if request.htmx:
        # The dashboard's timetable partial, which reads `timeline` and `is_facilitator`.
        return render(
            request,
            "dashboard/dashboard.html#timetable",
            {"timeline": selectors.timeline_for(programme), "is_facilitator": True, "programme": programme},
        )
    state = "done" if milestone.done else "not done"
    messages.success(request, f"Marked “{milestone.title}” {state}.")
    return redirect(programme.get_absolute_url() + "#timetable")
