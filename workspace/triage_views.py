"""Challenge triage (issue 14): the facilitator's list of a session's challenges across its
areas, filtered by area and status, each marked addressed or unresolved (with a short reason,
which the self-evaluation shows) from the list or from a page of its own. Plain forms and
links: it works the same with JavaScript off."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from challenge.listing import page_number, page_of
from workspace import services, triage
from workspace.models import Comment
from workspace.permissions import get_session_access
from workspace.selectors import session_areas


class FilterForm(forms.Form):
    area = forms.TypedChoiceField(label="Area", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=triage.STATUS_FILTERS)

    def __init__(self, *args, areas, counts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Every area"), *((area.pk, area.name) for area in areas)]
        self.fields["status"].choices = [
            (value, f"{label} ({counts[value]})") for value, label in triage.STATUS_FILTERS
        ]

    def filters(self) -> triage.Filters:
        """The filters asked for (open challenges when none); a value that makes no sense is
        left out, and the form says so beside the field."""
        if not self.is_bound:
            return triage.Filters()
        self.is_valid()
        data = self.cleaned_data  # without the fields in error
        return triage.Filters(area=data.get("area"), status=data.get("status") or Comment.Status.OPEN)


class MarkForm(forms.Form):
    status = forms.ChoiceField(label="Mark it", choices=Comment.Status.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Why it stays unresolved",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you mark it unresolved: a sentence the self-evaluation shows with the challenge.",
    )


def _moderator(request, pk):
    access = get_session_access(request.user, pk)
    if not access.is_facilitator:
        raise PermissionDenied("Only the session's facilitator triages its challenges.")
    return access


def _back(request, default) -> str:
    back = request.POST.get("back") or request.GET.get("back") or ""
    return back if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None) else default


@require_GET
@login_required
def challenge_triage(request, pk):
    access = _moderator(request, pk)
    session = access.session
    areas = list(session_areas(session))
    form = FilterForm(request.GET or None, areas=areas, counts=triage.status_counts(session))
    filters = form.filters()
    page = page_of(triage.triage_list(session, filters), triage.PER_PAGE, page_number(request))
    return render(
        request,
        "workspace/triage.html",
        {
            "session": session,
            "programme": session.programme,
            "form": form,
            "filters": filters,
            "page": page,
            "threads": triage.prepare(page.object_list, session),
            "can_mark": access.can_moderate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def challenge_mark(request, pk, comment_pk):
    """One challenge's mark: the buttons of the triage list post here (Addressed, Reopen);
    "Unresolved…" opens this page, which asks why."""
    access = _moderator(request, pk)
    session = access.session
    thread = get_object_or_404(
        Comment.objects.select_related("area", "question", "author", "author_partner"),
        pk=comment_pk,
        session=session,
    )
    if not thread.is_thread:
        raise Http404("Replies have no status.")
    default_back = reverse("challenge_triage", args=[session.pk])
    back = _back(request, default_back)
    initial = {"status": Comment.Status.UNRESOLVED if request.GET.get("status") == "unresolved" else thread.status}
    initial["note"] = thread.status_note
    form = MarkForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not access.can_mark(thread):
            raise PermissionDenied(
                "The session is closed: its challenges are frozen."
                if not access.can_moderate()
                else "This challenge cannot be marked (a commendation, or withdrawn)."
            )
        if form.is_valid():
            try:
                services.set_comment_status(
                    comment=thread, by=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                label = Comment.Status(form.cleaned_data["status"]).label.lower()
                messages.success(request, f"Marked “{thread.text[:60]}” {label}.")
                return redirect(back)
    return render(
        request,
        "workspace/triage_mark.html",
        {
            "session": session,
            "programme": session.programme,
            "thread": thread,
            "form": form,
            "back": back,
            "can_mark": access.can_mark(thread),
        },
    )
