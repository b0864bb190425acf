"""Indicator values in and out as CSV, the form councils get their data in: one row per
indicator and period. Importing is planned first (a preview, with every problem named by
line and column) and applied only when the whole file is clean; importing the same file
again changes nothing."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from .models import Indicator, IndicatorValue
from .models.indicators import parse_period, period_label

COLUMNS = ["indicator", "period", "value", "national", "comparator"]
REQUIRED = ["indicator", "period", "value"]
MAX_ROWS = 20000


@dataclass
class PlannedRow:
    line: int
    indicator: Indicator
    period_start: object
    value: Decimal
    national: Decimal | None
    comparator: Decimal | None
    existing: IndicatorValue | None

    @property
    def change(self):
        if self.existing is None:
            return "new"
        same = (
            self.existing.value == self.value
            and self.existing.national == self.national
            and self.existing.comparator == self.comparator
        )
        return "unchanged" if same else "changed"

    @property
    def period(self):
        return period_label(self.period_start, self.indicator.frequency)


@dataclass
class ImportPlan:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, column or "", message)

    @property
    def counts(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for r in self.rows:
            counts[r.change] += 1
        return counts

    @property
    def ok(self):
        return not self.errors and bool(self.rows)


def _number(text):
    cleaned = text.strip().replace(",", "").rstrip("%").strip()
    if cleaned == "":
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"“{text.strip()}” is not a number.") from exc
    if not number.is_finite():
        raise ValueError(f"“{text.strip()}” is not a number.")
    return number


def plan_import(text: str, *, may_change) -> ImportPlan:
    """Read CSV `text` and work out what importing it would do. `may_change(area)` says
    whether the importing user may change that area's indicators."""
    plan = ImportPlan()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        plan.errors.append((1, "", "The file is empty."))
        return plan
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        plan.errors.append((1, "", f"The first line must name the columns; missing: {', '.join(missing)}. Expected: {', '.join(COLUMNS)}."))
        return plan
    col = {name: header.index(name) for name in COLUMNS if name in header}
    raw = list(reader)
    if len(raw) > MAX_ROWS:
        plan.errors.append((1, "", f"The file has more than {MAX_ROWS} rows; split it."))
        return plan
    codes = {r[col["indicator"]].strip() for r in raw if len(r) > col["indicator"]}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes).select_related("area")}
    existing = {
        (v.indicator_id, v.period_start): v
        for v in IndicatorValue.objects.filter(indicator__in=indicators.values())
    }
    seen = {}
    allowed = {}
    for line, row in enumerate(raw, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name):
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        errors = []
        code = cell("indicator")
        indicator = indicators.get(code)
        if not code:
            errors.append((line, "indicator", "The indicator code is missing."))
        elif indicator is None:
            errors.append((line, "indicator", f"No indicator has the code “{code}”."))
        else:
            if indicator.area_id not in allowed:
                allowed[indicator.area_id] = may_change(indicator.area)
            if not allowed[indicator.area_id]:
                errors.append((line, "indicator", f"You may not change the indicators of {indicator.area.name}."))
        period_start = None
        if indicator is not None:
            try:
                period_start = parse_period(cell("period"), indicator.frequency)
            except ValueError as exc:
                errors.append((line, "period", str(exc)))
        numbers = {}
        for name in ("value", "national", "comparator"):
            try:
                numbers[name] = _number(cell(name))
            except ValueError as exc:
                errors.append((line, name, str(exc)))
        if "value" in numbers and numbers["value"] is None:
            errors.append((line, "value", "The value is missing."))
        if indicator is not None and period_start is not None:
            key = (indicator.pk, period_start)
            if key in seen:
                errors.append((line, "", f"Line {seen[key]} already gives {code} for {cell('period')}: each indicator and period once."))
            else:
                seen[key] = line
        if errors:
            plan.errors.extend(errors)
            continue
        plan.rows.append(
            PlannedRow(
                line=line, indicator=indicator, period_start=period_start, value=numbers["value"],
                national=numbers.get("national"), comparator=numbers.get("comparator"),
                existing=existing.get((indicator.pk, period_start)),
            )
        )
    if not plan.rows and not plan.errors:
        plan.errors.append((1, "", "The file has no rows of values."))
    return plan


@transaction.atomic
def apply_import(plan: ImportPlan) -> dict:
    """Save a clean plan's new and changed values; unchanged rows are left alone."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    counts = plan.counts
    new = [
        IndicatorValue(indicator=r.indicator, period_start=r.period_start, value=r.value,
                       national=r.national, comparator=r.comparator)
        for r in plan.rows if r.change == "new"
    ]
    IndicatorValue.objects.bulk_create(new)
    changed = []
    for r in plan.rows:
        if r.change == "changed":
            r.existing.value, r.existing.national, r.existing.comparator = r.value, r.national, r.comparator
            changed.append(r.existing)
    IndicatorValue.objects.bulk_update(changed, ["value", "national", "comparator"])
    return counts


def _fmt(d):
    if d is None:
        return ""
    text = format(d.normalize(), "f")
    return text


def export_csv(indicators) -> str:
    """Every value of `indicators` (with values prefetched), in the import's shape."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for indicator in indicators:
        for v in sorted(indicator.values.all(), key=lambda v: v.period_start):
            writer.writerow([indicator.code, period_label(v.period_start, indicator.frequency), _fmt(v.value), _fmt(v.national), _fmt(v.comparator)])
    return out.getvalue()


def template_csv(indicators) -> str:
    """The header and one example row per indicator, with the period in its right form."""
    examples = {"year": "2009", "quarter": "2009-Q1", "month": "2009-04"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for indicator in indicators:
        writer.writerow([indicator.code, examples[indicator.frequency], "", "", ""])
    return out.getvalue()
