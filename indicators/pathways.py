"""The journey of the child: an area's pathway of ordered stages, each with its volume and
timeliness KPIs and their benchmarks, drawn as a funnel (inline SVG, drawn on the server, with
a table beside it). Who may change it, its writes and its reads."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404

from challenge.editing import refuse_stale
from indicators.models import IndicatorValue, Pathway, PathwayStage
from programmes.permissions import can_manage_partnership, get_area_for_user

STAGE_FIELDS = ("name", "position", "volume_indicator", "timeliness_indicator")

# --- Who may do what ---------------------------------------------------------------------


def get_pathway_area_to_manage(user, slug):
    """The area `slug`, for one who may set its partnership up (its facilitators): 404 outside
    the partnership, 403 for others who may read the area."""
    area = get_area_for_user(user, slug)
    if not can_manage_partnership(user, area.partnership_id):
        raise PermissionDenied("Only the partnership's facilitators set up the pathway.")
    return area


def stage_of(area, pk) -> PathwayStage:
    return get_object_or_404(PathwayStage.objects.select_related("pathway"), pk=pk, pathway__area=area)


# --- Writes ------------------------------------------------------------------------------


def _check_indicators(area, fields):
    errors = {}
    for name in ("volume_indicator", "timeliness_indicator"):
        indicator = fields.get(name)
        if indicator is not None and indicator.area_id != area.pk:
            errors[name] = ["Choose one of the area's indicators."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_stage(*, area, **fields) -> PathwayStage:
    """Add a stage to the area's pathway (made, named as the journey of the child, if it has
    none). Its name is the pathway's once."""
    _check_indicators(area, fields)
    pathway, _ = Pathway.objects.get_or_create(area=area)
    if pathway.stages.filter(name__iexact=fields["name"]).exists():
        raise ValidationError({"name": "The pathway already has a stage of this name."})
    return PathwayStage.objects.create(pathway=pathway, **fields)


@transaction.atomic
def update_stage(*, stage, expected_revision, **fields) -> PathwayStage:
    """Change a stage; refuses (StaleEdit) a change made against an older revision."""
    current = PathwayStage.objects.select_for_update().select_related("pathway__area").get(pk=stage.pk)
    refuse_stale(current, expected_revision)
    _check_indicators(current.pathway.area, fields)
    if current.pathway.stages.filter(name__iexact=fields["name"]).exclude(pk=current.pk).exists():
        raise ValidationError({"name": "The pathway already has a stage of this name."})
    for name, value in fields.items():
        setattr(current, name, value)
    current.revision += 1
    current.save()
    return current


@transaction.atomic
def remove_stage(*, stage) -> None:
    stage.delete()


# --- Reads -------------------------------------------------------------------------------


@dataclass
class StageReading:
    """A stage as the funnel and its table show it: the latest reported value of its volume
    and timeliness KPIs, with that period's benchmarks, and the periods awaiting data since."""

    stage: PathwayStage
    volume: IndicatorValue | None = None
    timeliness: IndicatorValue | None = None
    volume_awaited: int = 0
    timeliness_awaited: int = 0


def pathway_readings(area) -> tuple:
    """The area's pathway (None if it has none) and its stages' readings, in three queries."""
    pathway = Pathway.objects.filter(area=area).first()
    if pathway is None:
        return None, []
    stages = list(pathway.stages.select_related("volume_indicator", "timeliness_indicator").order_by("position", "pk"))
    indicators = {}
    for stage in stages:
        for indicator in (stage.volume_indicator, stage.timeliness_indicator):
            if indicator is not None:
                indicators[indicator.pk] = indicator
    wanted = Q(pk__in=[])
    for indicator in indicators.values():
        if indicator.latest_period_start is not None:
            wanted |= Q(indicator=indicator, period_start__gte=indicator.latest_period_start)
        else:
            wanted |= Q(indicator=indicator, status=IndicatorValue.Status.AWAITING)
    latest, awaited = {}, {}
    if indicators:
        for value in IndicatorValue.objects.filter(wanted).order_by("period_start"):
            value.indicator = indicators[value.indicator_id]
            if value.is_reported:
                latest[value.indicator_id] = value
            else:
                awaited[value.indicator_id] = awaited.get(value.indicator_id, 0) + 1
    readings = []
    for stage in stages:
        reading = StageReading(stage=stage)
        if stage.volume_indicator_id:
            reading.volume = latest.get(stage.volume_indicator_id)
            reading.volume_awaited = awaited.get(stage.volume_indicator_id, 0)
        if stage.timeliness_indicator_id:
            reading.timeliness = latest.get(stage.timeliness_indicator_id)
            reading.timeliness_awaited = awaited.get(stage.timeliness_indicator_id, 0)
        readings.append(reading)
    pathway.area = area
    return pathway, readings
