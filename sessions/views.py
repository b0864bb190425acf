from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from challenge.listing import page_number
from challenge.submission import submitted_before
from programmes.permissions import get_programme_for_user
from sessions import selectors, services
from sessions.forms import ParticipantForm, SessionForm
from sessions.ical import programme_calendar as build_programme_calendar
from sessions.ical import session_calendar
from sessions.models import ChallengeSession, Participant
from sessions.permissions import get_session_for_user


@require_GET
@login_required
def session_list(request, slug):
    programme = get_programme_for_user(request.user, slug)
    area_param = request.GET.get("area", "")
    status = request.GET.get("status", "")
    page = selectors.session_list_page(
        request.user,
        programme,
        area_id=int(area_param) if area_param.isdigit() else None,
        status=status if status in ChallengeSession.Status.values else "",
        page_number=page_number(request),
    )
    context = {"programme": programme, "statuses": ChallengeSession.Status.choices, **page}
    template = "sessions/session_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def session_create(request, slug):
    programme = get_programme_for_user(request.user, slug, manage=True)
    if request.method == "GET" and request.GET.get("picker") == "reviewers":
        return _reviewer_picker(request, programme)
    initial = {"facilitator": request.user.pk}
    form = SessionForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST":
        # The same form sent again (double click, resent after a lost response): answered as
        # the first was, before the rules, which the session it made would now break.
        earlier = submitted_before(ChallengeSession, request.POST, programme_id=programme.pk)
        if earlier is not None:
            messages.success(request, f"Saved “{earlier.title}”.")
            return redirect(earlier)
    if request.method == "POST" and form.is_valid():
        schedule = request.POST.get("action") == "schedule"
        try:
            session = services.create_session(
                programme=programme,
                schedule=schedule,
                submission_token=form.submitted_token,
                **form.service_kwargs(),
                **form.creation_kwargs(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if schedule:
                messages.success(
                    request,
                    f"Scheduled “{session.title}”. The invitations are queued to be e-mailed: "
                    "this page shows whether they went.",
                )
            else:
                messages.success(
                    request,
                    f"Saved “{session.title}” as a draft. Nobody is invited until you schedule it.",
                )
            return redirect(session)
    return render(request, "sessions/session_form.html", {"form": form, "programme": programme})


def _reviewer_picker(request, programme, session=None):
    """The session form's reviewer picker alone, marked for the areas the request names and
    with the people it names ticked: what htmx fetches when the areas chosen change."""
    form = SessionForm(
        instance=session,
        programme=programme,
        initial={
            "areas": request.GET.getlist("areas"),
            "reviewers": request.GET.getlist("reviewers"),
            "kind": request.GET.get("kind"),
        },
    )
    return render(request, "sessions/session_form.html#reviewer_picker", {"form": form, "programme": programme})


def _conflict_box(current) -> ConflictBox:
    """The session as it is saved now, beside the form whose save was refused as stale. The
    session does not record who changed it."""
    reviewers = [
        p.person.display_name
        for p in current.participants.select_related("person")
        if p.role == Participant.Role.REVIEWER
    ]
    when = f"{date_format(current.date, 'l j F Y')}, {current.start_time:%H:%M}–{current.end_time:%H:%M}"
    return ConflictBox(
        noun="this session",
        saved_at=current.updated_at,
        saved=[
            ("Title", current.title),
            ("When", when),
            ("Where", current.where),
            ("Facilitator", current.facilitator.display_name),
            ("Areas", "; ".join(a.name for a in current.areas.order_by("name"))),
            ("Peer reviewers", "; ".join(reviewers) or "None"),
            ("Notes", current.notes),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def session_edit(request, pk):
    session = get_session_for_user(request.user, pk, manage=True)
    if not session.is_editable:
        messages.error(request, f"A {session.get_status_display().lower()} session can no longer be edited.")
        return redirect(session)
    if request.method == "GET" and request.GET.get("picker") == "reviewers":
        return _reviewer_picker(request, session.programme, session)
    form = SessionForm(request.POST or None, instance=session, programme=session.programme)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            change = services.update_session(
                session=session,
                expected_revision=form.cleaned_data.get("revision") or 0,
                **form.service_kwargs(),
            )
        except StaleEdit as error:
            conflict = _conflict_box(error.current)
            # The next save is made knowingly against what is there now.
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            note = " E-mails telling participants of the move are queued." if change.moved else ""
            if session.status != ChallengeSession.Status.SCHEDULED:
                note = ""
            messages.success(request, f"Saved the changes to “{change.session.title}”.{note}")
            return redirect(change.session)
    return render(
        request,
        "sessions/session_form.html",
        {"form": form, "programme": session.programme, "session": session, "conflict": conflict},
    )


def _participants_context(session, participant_form=None):
    """What the participants block (sessions/_participants.html) needs."""
    context = {"session": session, "can_manage": True, **selectors.session_detail(session)}
    if session.is_editable:
        context["participant_form"] = participant_form or ParticipantForm(session=session)
    return context


STATUS_ACTIONS = {
    "schedule": (
        services.schedule_session,
        "Schedule this session",
        "Everyone taking part will be e-mailed an invitation with the calendar event.",
        "Scheduled “{title}”. The invitations are queued to be e-mailed: this page shows whether they went.",
    ),
    "held": (
        services.mark_session_held,
        "Mark this session as held",
        "The session took place. Its record can then be written up.",
        "Marked “{title}” as held.",
    ),
    "cancel": (
        services.cancel_session,
        "Cancel this session",
        "Everyone taking part will be e-mailed a cancellation that removes the event from their calendars. "
        "A cancelled session cannot be scheduled again: to hold it after all, book a new one.",
        "Cancelled “{title}”.",
    ),
}
# A draft was never sent to anyone: cancelling it tells nobody.
CANCEL_DRAFT = (
    "Nobody has been invited to this draft, so nobody is e-mailed. "
    "A cancelled session cannot be scheduled again: to hold it after all, book a new one."
)
# The steps that cannot be undone: their button posts `confirmed`, from the page that says what
# they do; a post without it (a stray or old form) is sent to that page and changes nothing.
CONFIRMED_STEPS = {"cancel"}


@require_http_methods(["GET", "POST"])
@login_required
def session_status(request, pk, action):
    if action not in STATUS_ACTIONS:
        raise Http404("No such action")
    session = get_session_for_user(request.user, pk, manage=True)
    service, heading, explanation, done = STATUS_ACTIONS[action]
    if action == "cancel" and session.status == ChallengeSession.Status.DRAFT:
        explanation = CANCEL_DRAFT
    if request.method == "POST" and action in CONFIRMED_STEPS and request.POST.get("confirmed") != "1":
        return redirect("session_status", pk=session.pk, action=action)
    if request.method == "POST":
        try:
            service(session=session)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done.format(title=session.title))
        return redirect(session)
    return render(
        request,
        "sessions/session_status.html",
        {
            "session": session,
            "programme": session.programme,
            "action": action,
            "heading": heading,
            "explanation": explanation,
        },
    )


@require_POST
@login_required
def participant_add(request, pk):
    session = get_session_for_user(request.user, pk, manage=True)
    if not session.is_editable:
        messages.error(request, "Participants can only be changed before the session is held.")
        return redirect(session)
    form = ParticipantForm(request.POST, session=session)
    if form.is_valid():
        try:
            participant = services.add_participant(session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(
                    request,
                    f"Added {participant.person.display_name} as {participant.describe_role().lower()}.",
                )
                return redirect(session.get_absolute_url() + "#participants")
            context = _participants_context(session)
            context["added"] = participant
            return render(request, "sessions/_participants.html", context)
    if request.htmx:
        return render(request, "sessions/_participants.html", _participants_context(session, form))
    # Without JavaScript, the form comes back on a page of its own with what was chosen.
    context = {"session": session, "programme": session.programme, "participant_form": form}
    return render(request, "sessions/participant_form.html", context)


@require_POST
@login_required
def participant_remove(request, pk, participant_pk):
    session = get_session_for_user(request.user, pk, manage=True)
    participant = selectors.participant_of(session, participant_pk)
    try:
        services.remove_participant(participant=participant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(session)
    if request.htmx:
        context = _participants_context(session)
        context["removed"] = participant
        return render(request, "sessions/_participants.html", context)
    messages.success(request, f"Removed {participant.person.display_name} from the session.")
    return redirect(session.get_absolute_url() + "#participants")


@require_GET
@login_required
def session_ics(request, pk):
    session = get_session_for_user(request.user, pk)
    body = session_calendar(session, selectors.participants_of(session))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="challenge-session-{session.pk}.ics"'
    return response


@require_GET
@login_required
def programme_calendar(request, slug):
    programme = get_programme_for_user(request.user, slug)
    sessions = selectors.sessions_for_calendar(request.user, programme)
    response = HttpResponse(build_programme_calendar(programme, sessions), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}.ics"'
    return response
