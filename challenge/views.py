from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions import selectors as session_selectors
from sessions.ical import programme_calendar as build_programme_calendar

from . import selectors, services
from .forms import MilestoneForm
from .models import Milestone
from .permissions import get_programme_for_user


@require_GET
@login_required
def home(request):
    return render(
        request,
        "challenge/home.html",
        {
            "programmes": selectors.programmes_for_home(request.user),
            "my_sessions": selectors.my_upcoming_sessions(request.user),
        },
    )


@require_GET
@login_required
def programme_dashboard(request, slug):
    programme = get_programme_for_user(request.user, slug)
    dashboard = selectors.programme_dashboard(request.user, programme)
    return render(request, "challenge/dashboard.html", {"d": dashboard, "programme": programme})


@require_GET
@login_required
def programme_calendar(request, slug):
    programme = get_programme_for_user(request.user, slug)
    sessions = session_selectors.sessions_for_calendar(request.user, programme)
    response = HttpResponse(
        build_programme_calendar(programme, sessions), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def milestone_form(request, slug, pk=None):
    programme = get_programme_for_user(request.user, slug, manage=True)
    milestone = get_object_or_404(Milestone, pk=pk, programme=programme) if pk else None
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
        "challenge/milestone_form.html",
        {"form": form, "programme": programme, "milestone": milestone},
    )


@require_POST
@login_required
def milestone_done(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, manage=True)
    milestone = get_object_or_404(Milestone, pk=pk, programme=programme)
    services.set_milestone_done(milestone=milestone, done=request.POST.get("done") == "1")
    if request.htmx:
        timeline = selectors.timeline_for(programme)
        return render(
            request,
            "challenge/dashboard.html#timetable",
            {"d": {"timeline": timeline, "is_facilitator": True}, "programme": programme},
        )
    state = "done" if milestone.done else "not done"
    messages.success(request, f"Marked “{milestone.title}” {state}.")
    return redirect(programme.get_absolute_url() + "#timetable")
