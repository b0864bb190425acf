"""The areas' performance indicators (indicators.toml) and their values
(indicator_values.csv, in the app's CSV import format, loaded by the import code).

Re-running changes nothing and keeps what was changed or imported in the app: an indicator is
created only when no indicator of its area's partnership has its code (one already there is left as it is, target and
all), and a value only for a period that has none.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from demo.seed.files import load, read_text
from indicators.csv_import import ImportPlan, apply_import, plan_import
from indicators.models import Indicator, IndicatorValue
from indicators.services import record_target
from programmes.models import Partnership

INDICATOR_FIELDS = ["name", "definition", "unit", "polarity", "frequency", "source"]


@dataclass
class Result:
    indicators: int = 0  # the demo indicators present after seeding
    quarterly: int = 0
    areas: int = 0
    values: int = 0  # their values, however they got there
    new_indicators: int = 0
    new_values: int = 0
    notes: list = field(default_factory=list)  # what was not seeded, and why

    def summary(self):
        return (
            f"{self.indicators} indicators in {self.areas} areas ({self.quarterly} "
            f"quarterly), {self.values} values; new: {self.new_indicators} indicators, "
            f"{self.new_values} values"
        )


def seed_indicators(areas) -> Result:
    """Seed the indicators of `areas` (ThematicArea by slug), then their values, skipping
    what is already there."""
    result = Result()
    seeded = []
    positions = {}
    for spec in load("indicators.toml")["indicator"]:
        area = areas.get(spec["area"])
        if area is None:
            result.notes.append(f"No area {spec['area']}: indicator {spec['code']} not seeded.")
            continue
        positions[area.pk] = positions.get(area.pk, 0) + 1
        fields = {name: spec[name] for name in INDICATOR_FIELDS}
        target = spec.get("target")
        fields["target"] = None if target is None else Decimal(str(target))
        fields["target_date"] = spec.get("target_date")
        indicator, created = Indicator.objects.get_or_create(
            partnership_id=area.partnership_id,
            code=spec["code"],
            defaults={**fields, "area": area, "position": positions[area.pk]},
        )
        if created and indicator.target is not None:
            record_target(indicator)
        result.new_indicators += created
        if indicator.frequency != spec["frequency"]:
            result.notes.append(f"{indicator.code} is no longer {spec['frequency']}ly: its demo values not seeded.")
        else:
            seeded.append(indicator)
    by_partnership = {}
    for indicator in seeded:
        by_partnership.setdefault(indicator.partnership_id, set()).add(indicator.code)
    result.new_values = sum(_seed_values(codes, result, pk) for pk, codes in by_partnership.items())
    result.indicators = len(seeded)
    result.areas = len({i.area_id for i in seeded})
    result.quarterly = sum(i.frequency == Indicator.Frequency.QUARTER for i in seeded)
    result.values = IndicatorValue.objects.filter(indicator__in=seeded).count()
    return result


def _seed_values(codes, result, partnership_id) -> int:
    """Import the values of the indicators `codes` for the periods that have none; a value
    already there (imported or changed in the app) is never touched. Returns how many."""
    if not codes:
        return 0
    header, *rows = csv.reader(io.StringIO(read_text("indicator_values.csv")))
    # Other indicators' rows become blank lines, which the import skips: the line numbers in
    # its messages stay those of the file.
    kept = [row if row and row[0] in codes else [] for row in rows]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *kept])
    plan = plan_import(
        text.getvalue(), partnership=Partnership.objects.get(pk=partnership_id), may_change=lambda area: True
    )
    for line, column, message in plan.errors:
        result.notes.append(f"indicator_values.csv, line {line} {column}: {message}")
    new = ImportPlan(rows=[row for row in plan.rows if row.existing is None])
    return apply_import(new)["new"] if new.rows else 0
