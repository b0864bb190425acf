"""The pages of stretch-and-challenge series: create one, see its occurrences, change it from
a date on, skip an occurrence, and write an occurrence's notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from challenge.submission import submitted_before
from programmes.permissions import get_programme_for_user
from sessions import selectors
from sessions import series as services
from sessions.models import SessionSeries
from sessions.permissions import can_manage_series, get_series_for_user
from sessions.series_forms import MeetingNotesForm, SeriesForm, SkipForm


def _counted(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


@require_http_methods(["GET", "POST"])
@login_required
def series_create(request, slug):
    programme = get_programme_for_user(request.user, slug, manage=True)
    if request.method == "POST":
        earlier = submitted_before(SessionSeries, request.POST, programme_id=programme.pk)
        if earlier is not None:
            return redirect(earlier)
    form = SeriesForm(request.POST or None, programme=programme, initial={"facilitator": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            series = services.create_series(
                programme=programme,
                indicators=list(form.cleaned_data.get("indicators") or []),
                submission_token=form.submitted_token,
                **form.rule_kwargs(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            count = series.occurrences.count()
            messages.success(request, f"Scheduled “{series.title}”: {_counted(count, 'occurrence')}.")
            return redirect(series)
    return render(request, "sessions/series_form.html", {"form": form, "programme": programme})


@require_GET
@login_required
def series_detail(request, pk):
    series = get_series_for_user(request.user, pk)
    context = {
        "series": series,
        "programme": series.programme,
        "can_manage": can_manage_series(request.user, series),
        **selectors.series_page(series),
    }
    return render(request, "sessions/series_detail.html", context)


def _series_conflict(current) -> ConflictBox:
    return ConflictBox(
        noun="this series",
        saved_at=current.updated_at,
        saved=[("Title", current.title), ("When", current.describe_rule()), ("Where", current.venue)],
    )


@require_http_methods(["GET", "POST"])
@login_required
def series_edit(request, pk):
    series = get_series_for_user(request.user, pk, manage=True)
    form = SeriesForm(request.POST or None, instance=series, programme=series.programme)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.update_series(
                series=series,
                expected_revision=form.cleaned_data.get("revision") or 0,
                from_date=form.cleaned_data["from_date"],
                indicators=list(form.cleaned_data.get("indicators") or []),
                **form.rule_kwargs(),
            )
        except StaleEdit as error:
            conflict = _series_conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Saved the changes to “{series.title}” from "
                f"{date_format(form.cleaned_data['from_date'], 'j F Y')}: "
                f"{_counted(counts['changed'], 'occurrence')} changed, {counts['added']} added, "
                f"{counts['removed']} removed, {counts['kept']} kept as they were (skipped, moved or held).",
            )
            return redirect(series)
    return render(
        request,
        "sessions/series_form.html",
        {"form": form, "programme": series.programme, "series": series, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def occurrence_skip(request, pk, occurrence_pk):
    series = get_series_for_user(request.user, pk, manage=True)
    occurrence = selectors.occurrence_of(series, occurrence_pk)
    form = SkipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.skip_occurrence(occurrence=occurrence, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(series)
        else:
            day = date_format(occurrence.session.date, "l j F Y")
            messages.success(request, f"Skipped {day}. It stays on the series page, marked skipped.")
            return redirect(series)
    context = {"series": series, "programme": series.programme, "occurrence": occurrence, "form": form}
    return render(request, "sessions/occurrence_skip.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def occurrence_notes(request, pk, occurrence_pk):
    """The occurrence's own notes: written by the programme's facilitators and the series'
    service lead."""
    series = get_series_for_user(request.user, pk)
    if not (can_manage_series(request.user, series) or request.user.pk == series.service_lead_id):
        raise PermissionDenied("Only the programme's facilitators and the service lead write the notes.")
    occurrence = selectors.occurrence_of(series, occurrence_pk)
    form = MeetingNotesForm(
        request.POST or None,
        initial={"meeting_notes": occurrence.meeting_notes, "revision": occurrence.revision},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_meeting_notes(
                occurrence=occurrence,
                expected_revision=form.cleaned_data["revision"],
                meeting_notes=form.cleaned_data["meeting_notes"],
            )
        except StaleEdit as error:
            conflict = ConflictBox(noun="these notes", saved_at=None, saved=[("Notes", error.current.meeting_notes)])
            reopen_at(form, error.current.revision)
        else:
            messages.success(request, "Saved the notes.")
            return redirect(occurrence.session)
    context = {
        "series": series,
        "programme": series.programme,
        "occurrence": occurrence,
        "session": occurrence.session,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "sessions/occurrence_notes.html", context, status=409 if conflict else 200)
