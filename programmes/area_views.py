"""A partnership's thematic areas and their focus topics, set up by its facilitators
(issue 13): thin views behind `partnership_to_manage`; reads and writes in
programmes/areas.py. The focus topics' buttons and add form answer an htmx request with the
list alone (`programmes/areas/edit.html#topics`), and anyone else with the whole page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import STALE_MESSAGE, ConflictBox, StaleEdit, reopen_at
from programmes import areas as area_services
from programmes.area_forms import AreaForm, TopicButtonForm, TopicForm
from programmes.models import FocusTopic, Partnership
from programmes.permissions import get_partnership_to_manage

TOPICS_CHANGED = (
    "Someone else changed the focus topics while you had this page open, so that change was not made. "
    "The list below is as it is now: check it and try again."
)


def partnership_to_manage(user, slug) -> Partnership:
    return get_partnership_to_manage(user, slug, what="set up its areas")


def _edit_url(partnership, area) -> str:
    return reverse("area_edit", args=[partnership.slug, area.pk])


@require_GET
@login_required
def area_list(request, slug):
    partnership = partnership_to_manage(request.user, slug)
    active, retired = area_services.areas_of(partnership)
    return render(
        request, "programmes/areas/list.html", {"partnership": partnership, "areas": active, "retired": retired}
    )


def _area_conflict(current) -> ConflictBox:
    return ConflictBox(
        noun="this area",
        saved_at=None,
        saved=[
            ("Name", current.name),
            ("Description", current.description),
            ("Lead organisation", current.lead_partner.name),
            ("Lead officer", current.lead_officer.display_name if current.lead_officer else "None"),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def area_create(request, slug):
    partnership = partnership_to_manage(request.user, slug)
    form = AreaForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            area = area_services.add_area(
                partnership=partnership, submission_token=form.submitted_token, **form.area_fields()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Added the area “{area.name}”: add its focus topics below.")
            return redirect(_edit_url(partnership, area))
    return render(request, "programmes/areas/create.html", {"partnership": partnership, "form": form})


def _edit_page(request, partnership, area, *, form=None, topic_form=None, conflict=None, notice=None, refused=False):
    context = {
        "partnership": partnership,
        "area": area,
        "form": form or AreaForm(partnership=partnership, area=area),
        "topics": area_services.topics_of(area),
        "topic_form": topic_form or TopicForm(),
        "conflict": conflict,
        "notice": notice,
        "refused": refused,
    }
    if request.htmx and request.method == "POST" and form is None:
        return render(request, "programmes/areas/edit.html#topics", context)
    return render(request, "programmes/areas/edit.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def area_edit(request, slug, pk):
    partnership = partnership_to_manage(request.user, slug)
    area = area_services.area_of(partnership, pk)
    if request.method == "GET":
        return _edit_page(request, partnership, area)
    form = AreaForm(request.POST, partnership=partnership, area=area)
    conflict = None
    if form.is_valid():
        try:
            saved = area_services.update_area(
                area=area, expected_revision=form.cleaned_data.get("revision") or 0, **form.area_fields()
            )
        except StaleEdit as error:
            form.add_error(None, STALE_MESSAGE)
            conflict = _area_conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the area “{saved.name}”.")
            return redirect("area_list", slug=partnership.slug)
    return _edit_page(request, partnership, area, form=form, conflict=conflict)


@require_POST
@login_required
def area_retire(request, slug, pk, retire):
    partnership = partnership_to_manage(request.user, slug)
    area = area_services.area_of(partnership, pk)
    area_services.set_retired(area=area, retired=retire)
    if retire:
        messages.success(
            request,
            f"Retired the area “{area.name}”: it stays on the programmes that reviewed it, with its history, "
            "and new programmes no longer offer it.",
        )
    else:
        messages.success(request, f"“{area.name}” is in use again: programmes can include it.")
    return redirect(reverse("area_list", args=[partnership.slug]) + ("#retired" if retire else ""))


# --- Focus topics -----------------------------------------------------------------------------


def _area_and_topic(request, slug, pk, topic_pk=None):
    partnership = partnership_to_manage(request.user, slug)
    area = area_services.area_of(partnership, pk)
    topic = area_services.topic_of(area, topic_pk) if topic_pk is not None else None
    return partnership, area, topic


def _topics_done(request, partnership, area, message):
    """After a change to the list: the list again (htmx), or the page, at the list."""
    if request.htmx:
        area.refresh_from_db(fields=["topics_revision"])
        return _edit_page(request, partnership, area, notice=message)
    messages.success(request, message)
    return redirect(_edit_url(partnership, area) + "#focus-topics")


def _topics_refused(request, partnership, area, message):
    if request.htmx:
        # A success status, so that htmx shows the list as it is now, with why nothing changed.
        area.refresh_from_db(fields=["topics_revision"])
        return _edit_page(request, partnership, area, notice=message, refused=True)
    messages.error(request, message)
    return redirect(_edit_url(partnership, area) + "#focus-topics")


@require_POST
@login_required
def topic_add(request, slug, pk):
    partnership, area, _ = _area_and_topic(request, slug, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            topic = area_services.add_topic(
                area=area, name=form.cleaned_data["name"], submission_token=form.submitted_token
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _topics_done(request, partnership, area, f"Added the focus topic “{topic.name}”.")
    # Shown again beside the list (the list alone for htmx), with what was typed.
    return _edit_page(request, partnership, area, topic_form=form)


def _topic_conflict(topic) -> ConflictBox:
    current = FocusTopic.objects.filter(pk=topic.pk).first()
    saved = [("Focus topic", current.name if current else "It has been deleted.")]
    return ConflictBox(noun="the focus topics", saved_at=None, saved=saved)


@require_http_methods(["GET", "POST"])
@login_required
def topic_edit(request, slug, pk, topic_pk):
    """Rename a focus topic (its own page: it works without JavaScript)."""
    partnership, area, topic = _area_and_topic(request, slug, pk, topic_pk)
    form = TopicForm(request.POST or None, topic=topic, area=area)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = area_services.rename_topic(
                topic=topic, expected_revision=form.cleaned_data.get("revision") or 0, name=form.cleaned_data["name"]
            )
        except StaleEdit as error:
            form.add_error(None, STALE_MESSAGE)
            conflict = _topic_conflict(topic)
            reopen_at(form, error.current.topics_revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Renamed the focus topic “{saved.name}”.")
            return redirect(_edit_url(partnership, area) + "#focus-topics")
    return render(
        request,
        "programmes/areas/topic_form.html",
        {"partnership": partnership, "area": area, "topic": topic, "form": form, "conflict": conflict},
    )


def _topic_button(request, partnership, area, action, done):
    form = TopicButtonForm(request.POST)
    if not form.is_valid():
        return _topics_refused(
            request, partnership, area, "That change could not be made: reload the page and try again."
        )
    try:
        action(form)
    except StaleEdit:
        return _topics_refused(request, partnership, area, TOPICS_CHANGED)
    except ValidationError as error:
        return _topics_refused(request, partnership, area, " ".join(error.messages))
    return _topics_done(request, partnership, area, done)


@require_POST
@login_required
def topic_move(request, slug, pk, topic_pk):
    partnership, area, topic = _area_and_topic(request, slug, pk, topic_pk)
    return _topic_button(
        request,
        partnership,
        area,
        lambda form: area_services.move_topic(
            topic=topic, expected_revision=form.cleaned_data["revision"], direction=form.step
        ),
        f"Moved the focus topic “{topic.name}”.",
    )


@require_POST
@login_required
def topic_delete(request, slug, pk, topic_pk):
    partnership, area, topic = _area_and_topic(request, slug, pk, topic_pk)
    return _topic_button(
        request,
        partnership,
        area,
        lambda form: area_services.delete_topic(topic=topic, expected_revision=form.cleaned_data["revision"]),
        f"Deleted the focus topic “{topic.name}”.",
    )
