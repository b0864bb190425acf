"""Each indicator's partnership (its area's), and the target history begun with the targets
set now: one row per indicator with a target, applying from its first value's period (or
from today, the app's clock, if it has no values)."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def fill(apps, schema_editor):
    from challenge import clock

    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorTarget = apps.get_model("indicators", "IndicatorTarget")
    ThematicArea = apps.get_model("programmes", "ThematicArea")
    Indicator.objects.filter(partnership__isnull=True).update(
        partnership=Subquery(ThematicArea.objects.filter(pk=OuterRef("area_id")).values("partnership_id")[:1])
    )
    today = clock.today()
    with_target = (
        Indicator.objects.filter(target__isnull=False)
        .exclude(pk__in=IndicatorTarget.objects.values("indicator_id"))
        .annotate(first_period=Min("values__period_start"))
    )
    IndicatorTarget.objects.bulk_create(
        [
            IndicatorTarget(
                indicator_id=indicator.pk,
                applies_from=indicator.first_period or today,
                target=indicator.target,
                target_date=indicator.target_date,
            )
            for indicator in with_target
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_partnership_retirement_targets_commentary"),
        ("programmes", "0008_question_set_revision"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
