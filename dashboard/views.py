"""The read-only pages that compose the others: home, the programme dashboard, the
documents page and the session page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from challenge.listing import expanded
from challenge.submission import SubmissionTokenForm
from dashboard import selectors
from evaluations import selectors as evaluation_selectors
from programmes.permissions import get_programme_for_user
from sessions import selectors as session_selectors
from sessions.agenda import agenda_of
from sessions.forms import ParticipantForm
from sessions.models import ChallengeSession
from sessions.permissions import can_manage_series, can_manage_session, get_session_for_user, session_steps


@require_GET
@login_required
def home(request):
    return render(request, "dashboard/home.html", selectors.home(request.user))


@require_GET
@login_required
def programme_dashboard(request, slug):
    programme = get_programme_for_user(request.user, slug)
    dashboard = selectors.programme_dashboard(request.user, programme, expanded=expanded(request))
    return render(request, "dashboard/dashboard.html", {"dashboard": dashboard, "programme": programme})


@require_GET
@login_required
def documents(request, slug):
    programme = get_programme_for_user(request.user, slug)
    page = selectors.documents_page(request.user, programme, expanded=expanded(request))
    panel = evaluation_selectors.build_panel(request.user, programme, page["build"])
    context = {
        **page,
        **panel,
        # Those who read the build but may not start one are told whom to ask.
        "builders": selectors.builders(programme) if page["reads_build"] and not panel["manage"] else [],
        # Fresh one-time tokens for the Build and Try again buttons.
        "build_form": SubmissionTokenForm(),
        "retry_form": SubmissionTokenForm(),
    }
    return render(request, "dashboard/documents.html", context)


@require_GET
@login_required
def session_detail(request, pk):
    """The session's page: when and where, who takes part, and how far its work has got."""
    session = get_session_for_user(request.user, pk)
    context = {"session": session, "programme": session.programme, **selectors.session_page(request.user, session)}
    context["steps"] = session_steps(request.user, session)
    if session.kind == ChallengeSession.Kind.STRETCH:
        # An occurrence of a stretch-and-challenge series: its KPIs' latest values first.
        context.update(session_selectors.occurrence_page(session))
        occurrence = context.get("occurrence")
        context["writes_notes"] = occurrence is not None and (
            can_manage_series(request.user, occurrence.series) or request.user.pk == occurrence.series.service_lead_id
        )
    # Those who manage it triage its challenges, across its areas, on a page of their own.
    context["triages"] = can_manage_session(request.user, session)
    if context["steps"].edit:
        context["participant_form"] = ParticipantForm(session=session)
    if session.kind == ChallengeSession.Kind.SCRUTINY:
        context["agenda"] = agenda_of(session)
    return render(request, "dashboard/session_detail.html", context)
