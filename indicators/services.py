"""Writes of indicator values, and the stored judgement that follows them.

Each indicator stores what its values say (kpis.assess, as its `assessed_*` and `latest_*`
fields) so that pages can sort and pick indicators by it without reading their values. Every
write of values, or of the target, target date or polarity they are judged against, ends with
`reassess`: the CSV import (csv_import.apply_import), `record_value`, and the admin's saves."""

from django.db import transaction
from django.db.models import Prefetch

from indicators.kpis import ASSESSED_FIELDS, assess
from indicators.models import Indicator, IndicatorValue


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


def record_value(*, indicator, period_start, value, national=None, comparator=None) -> IndicatorValue:
    """Save `indicator`'s value for the period starting `period_start` (the first day of a
    period of its frequency): a new value, or a change of the one saved for that period. Then
    stores what its values say now (`reassess`). Returns the saved value."""
    with transaction.atomic():
        saved, _created = IndicatorValue.objects.update_or_create(
            indicator=indicator,
            period_start=period_start,
            defaults={"value": value, "national": national, "comparator": comparator},
        )
        reassess([indicator])
    return saved
