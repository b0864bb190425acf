"""Writes of indicator values, and the stored judgement that follows them.

Each indicator stores what its values say (kpis.assess, as its `assessed_*` and `latest_*`
fields) so that pages can sort and pick indicators by it without reading their values. Every
write of values, or of the target, target date or polarity they are judged against, ends with
`reassess`: the CSV import (csv_import.apply_import), `record_value`, the indicator's forms
(`create_indicator`, `update_indicator`), the value forms (`add_value`, `update_value`,
`delete_value`) and the admin's saves."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch

from challenge import clock
from challenge.editing import refuse_stale
from challenge.submission import create_once
from indicators.kpis import ASSESSED_FIELDS, assess
from indicators.models import CODE_TAKEN, Indicator, IndicatorTarget, IndicatorValue


def reassess(indicators) -> None:
    """Store on each of `indicators` (Indicator objects or their pks) what its saved values say
    now. Changes only the indicators' assessed_* and latest_* fields (in the database, and on
    the objects given). A fixed number of queries however many indicators."""
    indicators = list(indicators)
    given = [indicator for indicator in indicators if isinstance(indicator, Indicator)]
    ids = {indicator.pk if isinstance(indicator, Indicator) else indicator for indicator in indicators}
    fresh = list(
        Indicator.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start"))
        )
    )
    for indicator in fresh:
        indicator.store_assessment(assess(indicator, indicator.values.all()))
    Indicator.objects.bulk_update(fresh, ASSESSED_FIELDS, batch_size=500)
    by_pk = {indicator.pk: indicator for indicator in fresh}
    for indicator in given:
        if indicator.pk in by_pk:
            for name in ASSESSED_FIELDS:
                setattr(indicator, name, getattr(by_pk[indicator.pk], name))


def record_value(
    *,
    indicator,
    period_start,
    value,
    national=None,
    comparator=None,
    commentary=None,
    status=IndicatorValue.Status.REPORTED,
    awaiting_reason="",
) -> IndicatorValue:
    """Save `indicator`'s value for the period starting `period_start` (the first day of a
    period of its frequency): a new value, or a change of the one saved for that period; or,
    with `status` "awaiting" and no value, that the period's data is awaited and why. Then
    stores what its values say now (`reassess`). A `commentary` of None leaves the saved one as
    it is. Returns the saved value."""
    if status == IndicatorValue.Status.AWAITING:
        value = None
    else:
        awaiting_reason = ""
    defaults = {
        "value": value,
        "status": status,
        "awaiting_reason": awaiting_reason,
        "national": national,
        "comparator": comparator,
        "revision": F("revision") + 1,
    }
    if commentary is not None:
        defaults["commentary"] = commentary
    with transaction.atomic():
        saved, _created = IndicatorValue.objects.update_or_create(
            indicator=indicator,
            period_start=period_start,
            defaults=defaults,
            create_defaults=defaults | {"revision": 0},
        )
        reassess([indicator])
    saved.refresh_from_db(fields=["revision"])
    return saved


# --- Indicators defined, changed and retired in the app ----------------------------------

# What may be set of an indicator (its area among the partnership's).
INDICATOR_FIELDS = [
    "area",
    "code",
    "name",
    "definition",
    "unit",
    "polarity",
    "frequency",
    "source",
    "target",
    "target_date",
    "position",
]
# The fields whose change alters what the values say (reassess).
_JUDGED_BY = ("target", "target_date", "polarity")


def _save_indicator(indicator) -> None:
    """Save, the code's clash with one saved at the same moment a field error."""
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:
        raise ValidationError({"code": CODE_TAKEN.format(code=indicator.code)}) from exc


def record_target(indicator) -> None:
    """Record `indicator`'s target as applying from today (the app's clock): a second change
    the same day replaces the first."""
    IndicatorTarget.objects.update_or_create(
        indicator=indicator,
        applies_from=clock.today(),
        defaults={"target": indicator.target, "target_date": indicator.target_date},
    )


def create_indicator(*, partnership, submission_token=None, **fields) -> Indicator:
    """Add an indicator to one of `partnership`'s areas, its code unused there; its target
    (if any) begins its target history. Once per `submission_token`."""

    def create():
        indicator = Indicator(partnership=partnership, submission_token=submission_token, **fields)
        indicator.full_clean(exclude=["submission_token", "partnership"])
        _save_indicator(indicator)
        if indicator.target is not None:
            record_target(indicator)
        return indicator

    with transaction.atomic():
        return create_once(Indicator, submission_token, create, partnership_id=partnership.pk)


@transaction.atomic
def update_indicator(*, indicator, expected_revision, **fields) -> Indicator:
    """Change an indicator, unless someone else changed it since the form was opened
    (StaleEdit). A new target (or target date) is added to its target history; its frequency
    stays while it has values (their periods are of it); what its values say is stored again."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of an indicator's form: {', '.join(sorted(unknown))}")
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    refuse_stale(current, expected_revision)
    before = {name: getattr(current, name) for name in (*_JUDGED_BY, "frequency")}
    for name, value in fields.items():
        setattr(current, name, value)
    if current.frequency != before["frequency"] and current.values.exists():
        raise ValidationError(
            {"frequency": "It has values for periods of its frequency: the frequency cannot change while it has them."}
        )
    current.full_clean(exclude=["submission_token", "partnership"])
    current.revision += 1
    _save_indicator(current)
    if (current.target, current.target_date) != (before["target"], before["target_date"]):
        record_target(current)
    if any(getattr(current, name) != before[name] for name in _JUDGED_BY):
        reassess([current])
    return current


@transaction.atomic
def set_retired(*, indicator, retired: bool) -> Indicator:
    """Retire an indicator as of today (the app's clock), or restore it. Its values and
    target history are kept either way."""
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if retired != current.is_retired:
        current.retired_on = clock.today() if retired else None
        current.revision += 1
        current.save(update_fields=["retired_on", "revision"])
    return current


# --- Values entered one at a time ------------------------------------------------------------

VALUE_FIELDS = ["period_start", "value", "national", "comparator", "commentary"]
DUPLICATE_PERIOD = "This indicator already has a value for {period}: change that one instead."


def _check_value(value) -> None:
    value.full_clean(exclude=["indicator", "submission_token"], validate_unique=False)
    duplicate = IndicatorValue.objects.filter(indicator_id=value.indicator_id, period_start=value.period_start)
    if value.pk:
        duplicate = duplicate.exclude(pk=value.pk)
    if duplicate.exists():
        raise ValidationError({"period_start": DUPLICATE_PERIOD.format(period=value.period)})


def add_value(*, indicator, submission_token=None, **fields) -> IndicatorValue:
    """Add `indicator`'s value for a period it has none for (a field error otherwise, also
    when another person adds the same period at the same moment). Once per
    `submission_token`. Stores what its values say now."""

    def create():
        value = IndicatorValue(indicator=indicator, submission_token=submission_token, **fields)
        _check_value(value)
        try:
            with transaction.atomic():
                value.save()
        except IntegrityError as exc:  # the same period added at the same moment
            raise ValidationError({"period_start": DUPLICATE_PERIOD.format(period=value.period)}) from exc
        reassess([indicator])
        return value

    with transaction.atomic():
        return create_once(IndicatorValue, submission_token, create, indicator_id=indicator.pk)


def _locked_value(value):
    current = IndicatorValue.objects.select_for_update().filter(pk=value.pk).first()
    if current is None:
        raise ValidationError("This value has been deleted meanwhile: nothing was saved.")
    current.indicator = value.indicator
    return current


def update_value(*, indicator_value, expected_revision, **fields) -> IndicatorValue:
    """Change a value (its period, numbers or commentary), unless someone else changed it
    since the form was opened (StaleEdit). Stores what the indicator's values say now."""
    try:
        with transaction.atomic():
            current = _locked_value(indicator_value)
            refuse_stale(current, expected_revision)
            for name, new in fields.items():
                setattr(current, name, new)
            _check_value(current)
            current.revision += 1
            current.save()
            reassess([current.indicator_id])
    except IntegrityError as exc:
        raise ValidationError({"period_start": DUPLICATE_PERIOD.format(period=current.period)}) from exc
    return current


@transaction.atomic
def delete_value(*, indicator_value, expected_revision) -> None:
    """Delete a value, unless someone else changed it since it was shown (StaleEdit). Stores
    what the indicator's remaining values say."""
    current = _locked_value(indicator_value)
    refuse_stale(current, expected_revision)
    current.delete()
    reassess([indicator_value.indicator_id])
