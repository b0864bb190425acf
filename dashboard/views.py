"""The read-only pages that compose the others: home, the programme dashboard, the
documents page and the session page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from challenge.clock import today as clock_today
from dashboard import selectors
from evaluations.models import AreaSelfEvaluationBuild
from evaluations.views import build_panel_context
from programmes.permissions import get_programme_for_user
from sessions import selectors as session_selectors
from sessions.forms import ParticipantForm
from sessions.permissions import can_manage_session, get_session_for_user, reads_whole_programme
from workspace import selectors as workspace_selectors


@require_GET
@login_required
def home(request):
    return render(
        request,
        "dashboard/home.html",
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
    return render(request, "dashboard/dashboard.html", {"d": dashboard, "programme": programme})


@require_GET
@login_required
def documents(request, slug):
    programme = get_programme_for_user(request.user, slug)
    # The area self-evaluation holds every area: shown only to those who read them all.
    reads_build = reads_whole_programme(request.user, programme)
    build = AreaSelfEvaluationBuild.objects.filter(programme=programme).defer("pdf").first() if reads_build else None
    return render(
        request,
        "dashboard/documents.html",
        {
            **build_panel_context(request, build, programme),
            "reads_build": reads_build,
            "rows": selectors.documents(programme, request.user),
            "today": clock_today(),
        },
    )


@require_GET
@login_required
def session_detail(request, pk):
    """The session's page: when and where, who takes part, and how far its work has got."""
    session = get_session_for_user(request.user, pk)
    manage = can_manage_session(request.user, session)
    detail = session_selectors.session_detail(session)
    context = {
        "session": session,
        "programme": session.programme,
        "can_manage": manage,
        "progress": workspace_selectors.session_progress(session, [area for area, _ in detail["areas"]]),
        "events": workspace_selectors.session_events(session),
        **detail,
    }
    if manage:
        context["notices"] = session_selectors.session_notices(session)
        if session.is_editable:
            context["participant_form"] = ParticipantForm(session=session)
    return render(request, "dashboard/session_detail.html", context)
