"""A partnership's thematic areas and their focus topics, set up in the app by its
facilitators (issue 13): what the pages read, and the writes, each with its rules.

An area's own fields (name, description, lead organisation and officer) are edited against
its `revision`, the list of its focus topics (names and order) against its
`topics_revision` (challenge/editing.py): two facilitators editing the same area never
overwrite each other silently, and a move sent twice moves once. A form that adds an area or
a topic, sent twice, adds one (challenge/submission.py).

A retired area (`retired_on`) stays on the programmes that reviewed it, with its sessions,
answers, findings and self-evaluations; new programmes are not offered it, and the next
cycle of a programme leaves it out (programmes.cycles)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.shortcuts import get_object_or_404

from challenge.clock import today as clock_today
from challenge.editing import StaleEdit, refuse_stale
from challenge.submission import create_once
from programmes.models import FocusTopic, ThematicArea
from programmes.services import unique_slug

# --- Reads ------------------------------------------------------------------------------------


def areas_of(partnership) -> tuple[list[ThematicArea], list[ThematicArea]]:
    """The partnership's areas in use and its retired ones, by name, each with its lead
    organisation and officer, its focus topics and `programme_count`: two queries."""
    areas = list(
        ThematicArea.objects.filter(partnership=partnership)
        .select_related("lead_partner", "lead_officer")
        .annotate(programme_count=Count("programmes", distinct=True))
        .prefetch_related(Prefetch("focus_topics", queryset=FocusTopic.objects.order_by("position", "pk")))
        .order_by("name", "pk")
    )
    return [area for area in areas if not area.is_retired], [area for area in areas if area.is_retired]


def area_of(partnership, pk) -> ThematicArea:
    """One of `partnership`'s areas, with its lead organisation and officer; 404 for another
    partnership's."""
    area = get_object_or_404(
        ThematicArea.objects.select_related("lead_partner", "lead_officer"), partnership=partnership, pk=pk
    )
    area.partnership = partnership  # already read
    return area


def topics_of(area) -> list[FocusTopic]:
    return list(area.focus_topics.order_by("position", "pk"))


def topic_of(area, pk) -> FocusTopic:
    topic = get_object_or_404(FocusTopic, area=area, pk=pk)
    topic.area = area
    return topic


# --- Areas ------------------------------------------------------------------------------------


def _check_leads(partnership, lead_partner, lead_officer) -> None:
    """The lead organisation is one of the partnership's partners (ThematicArea.clean checks
    the lead officer works for it); refused beside the field, whatever the form offered."""
    if lead_partner is not None and lead_partner.partnership_id != partnership.pk:
        raise ValidationError({"lead_partner": "The lead organisation must be one of the partnership's partners."})
    if lead_officer is not None and lead_partner is None:
        raise ValidationError({"lead_officer": "Choose the lead organisation first."})


def _check(area) -> None:
    area.full_clean(exclude=["submission_token", "slug"])


def add_area(
    *, partnership, name, lead_partner, lead_officer=None, description="", submission_token=None
) -> ThematicArea:
    """Add an area to the partnership, with a slug of its name that no area has yet (it is
    the area page's address). Once per `submission_token`."""
    _check_leads(partnership, lead_partner, lead_officer)

    def create():
        area = ThematicArea(
            partnership=partnership,
            name=name,
            description=description,
            lead_partner=lead_partner,
            lead_officer=lead_officer,
            submission_token=submission_token,
        )
        _check(area)
        area.slug = unique_slug(ThematicArea, name)
        area.save()
        return area

    with transaction.atomic():
        return create_once(ThematicArea, submission_token, create, partnership_id=partnership.pk)


@transaction.atomic
def update_area(*, area, expected_revision, name, description, lead_partner, lead_officer) -> ThematicArea:
    """Change an area's name, description and leads, unless someone else changed them since
    the form was opened (StaleEdit). Its slug (its page's address) stays."""
    current = ThematicArea.objects.select_for_update().select_related("partnership").get(pk=area.pk)
    refuse_stale(current, expected_revision)
    _check_leads(current.partnership, lead_partner, lead_officer)
    current.name, current.description = name, description
    current.lead_partner, current.lead_officer = lead_partner, lead_officer
    _check(current)
    current.revision += 1
    current.save(update_fields=["name", "description", "lead_partner", "lead_officer", "revision"])
    return current


@transaction.atomic
def set_retired(*, area, retired: bool, today=None) -> ThematicArea:
    """Retire an area (new programmes are no longer offered it) or bring it back. Doing it
    twice changes nothing more: a retired area keeps the day it was first retired."""
    current = ThematicArea.objects.select_for_update().get(pk=area.pk)
    if retired and current.retired_on is None:
        current.retired_on = today or clock_today()
        current.save(update_fields=["retired_on"])
    elif not retired and current.retired_on is not None:
        current.retired_on = None
        current.save(update_fields=["retired_on"])
    return current


# --- Focus topics -----------------------------------------------------------------------------


def _lock_topics(area, expected_revision=None) -> ThematicArea:
    """The area, locked; refused (StaleEdit) if its focus topics changed since the page was
    opened at `expected_revision` (not checked when None: an addition overwrites nothing)."""
    current = ThematicArea.objects.select_for_update().get(pk=area.pk)
    if expected_revision is not None and current.topics_revision != expected_revision:
        raise StaleEdit(current)  # refuse_stale, for the list's own revision
    return current


def _bump(current) -> None:
    ThematicArea.objects.filter(pk=current.pk).update(topics_revision=current.topics_revision + 1)
    current.topics_revision += 1


def _check_topic(topic) -> None:
    topic.full_clean(exclude=["submission_token", "area", "position"])
    if FocusTopic.objects.filter(area_id=topic.area_id, name__iexact=topic.name).exclude(pk=topic.pk).exists():
        raise ValidationError({"name": "The area already has a focus topic of this name."})


def add_topic(*, area, name, submission_token=None) -> FocusTopic:
    """Add a focus topic at the end of the area's list. Once per `submission_token`."""

    def create():
        current = _lock_topics(area)
        highest = current.focus_topics.aggregate(highest=Max("position"))["highest"]
        topic = FocusTopic(
            area=current,
            name=name,
            position=0 if highest is None else highest + 1,
            submission_token=submission_token,
        )
        _check_topic(topic)
        topic.save()
        _bump(current)
        return topic

    with transaction.atomic():
        return create_once(FocusTopic, submission_token, create, area_id=area.pk)


@transaction.atomic
def rename_topic(*, topic, expected_revision, name) -> FocusTopic:
    current = _lock_topics(topic.area, expected_revision)
    topic = FocusTopic.objects.get(pk=topic.pk)
    topic.name = name
    _check_topic(topic)
    topic.save(update_fields=["name"])
    _bump(current)
    return topic


@transaction.atomic
def move_topic(*, topic, expected_revision, direction: int) -> None:
    """Move a topic one place up (direction -1) or down (+1), and number the list 0, 1, 2..."""
    current = _lock_topics(topic.area, expected_revision)
    topics = list(current.focus_topics.order_by("position", "pk"))
    index = next((i for i, other in enumerate(topics) if other.pk == topic.pk), None)
    if index is None:
        raise ValidationError("This focus topic has been deleted.")
    target = index + direction
    if 0 <= target < len(topics):
        topics[index], topics[target] = topics[target], topics[index]
    for position, other in enumerate(topics):
        other.position = position
    FocusTopic.objects.bulk_update(topics, ["position"])
    _bump(current)


@transaction.atomic
def delete_topic(*, topic, expected_revision) -> None:
    current = _lock_topics(topic.area, expected_revision)
    FocusTopic.objects.filter(pk=topic.pk).delete()
    _bump(current)
