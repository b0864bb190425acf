"""Indicator values in and out as CSV, the form councils get their data in: one row per
indicator and period. Importing is planned first (a preview, with every problem named by
line and column) and applied only when the whole file is clean; importing the same file
again changes nothing, even when two people import it at the same moment."""

import csv
import dataclasses
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from indicators.models import Indicator, IndicatorValue, parse_period, period_label
from indicators.services import reassess

COLUMNS = ["indicator", "period", "value", "national", "comparator", "commentary", "awaiting_reason"]
REQUIRED = ["indicator", "period", "value"]
# Files written before values had a commentary have no such column: they import as before,
# leaving each value's commentary as it is.
OPTIONAL = ["national", "comparator", "commentary", "awaiting_reason"]
# A period whose number is not available yet: its value cell says so (any case), and the
# awaiting_reason column says why ("Care Director migration").
AWAITING = {"awaiting", "awaiting data"}
AWAITING_REASON_MAX = IndicatorValue._meta.get_field("awaiting_reason").max_length
COMMENTARY_MAX = 5000
MAX_ROWS = 20000


@dataclass
class PlannedRow:
    line: int
    indicator: Indicator
    period_start: object
    value: Decimal | None
    national: Decimal | None
    comparator: Decimal | None
    existing: IndicatorValue | None
    commentary: str | None = None  # None: the file has no commentary column (left as it is)
    awaiting_reason: str | None = None  # a reason: the period awaits data (its value is None)

    @property
    def status(self):
        return IndicatorValue.Status.AWAITING if self.awaiting_reason is not None else IndicatorValue.Status.REPORTED

    @property
    def change(self):
        if self.existing is None:
            return "new"
        same = (
            self.existing.status == self.status
            and self.existing.awaiting_reason == (self.awaiting_reason or "")
            and self.existing.value == self.value
            and self.existing.national == self.national
            and self.existing.comparator == self.comparator
            and (self.commentary is None or self.existing.commentary == self.commentary)
        )
        return "unchanged" if same else "changed"

    @property
    def period(self):
        return period_label(self.period_start, self.indicator.frequency)


@dataclass
class ImportPlan:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, column or "", message)
    warnings: list = field(default_factory=list)  # (line, column, message): saved, but changed

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


def _fit(number: Decimal, column: str, text: str):
    """`number` as column `column` of IndicatorValue stores it, and a warning if that is not
    exactly what was written. ValueError if it is too large to store. The limits are read
    from the model field, so they follow it if it changes."""
    model_field = IndicatorValue._meta.get_field(column)
    places, whole = model_field.decimal_places, model_field.max_digits - model_field.decimal_places
    too_large = ValueError(
        f"“{text.strip()}” is too large: this column takes at most {whole} digits before the decimal point."
    )
    # Checked before rounding: quantize() itself fails on numbers with too many digits.
    if not number.is_zero() and number.adjusted() >= whole:
        raise too_large
    stored = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if not stored.is_zero() and stored.adjusted() >= whole:  # 9999999999.99999 rounds up
        raise too_large
    if stored != number:
        return stored, (
            f"“{text.strip()}” has more than {places} decimal places: it will be saved rounded, as {_fmt(stored)}."
        )
    return stored, None


def plan_import(text: str, *, partnership, may_change) -> ImportPlan:
    """Read CSV `text` and work out what importing it would do to the indicators of
    `partnership`: codes are looked up among its indicators only (another partnership's is
    as unknown as a code nobody has). `may_change(area)` says whether the importing user may
    change that area's indicators."""
    plan = ImportPlan()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        plan.errors.append((1, "", "The file is empty."))
        return plan
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        plan.errors.append(
            (
                1,
                "",
                f"The first line must name the columns; missing: {', '.join(missing)}. Expected: {', '.join(COLUMNS)}.",
            )
        )
        return plan
    col = {name: header.index(name) for name in COLUMNS if name in header}
    raw = list(reader)
    if len(raw) > MAX_ROWS:
        plan.errors.append((1, "", f"The file has more than {MAX_ROWS} rows; split it."))
        return plan
    codes = {r[col["indicator"]].strip() for r in raw if len(r) > col["indicator"]}
    indicators = {
        i.code: i for i in Indicator.objects.filter(partnership=partnership, code__in=codes).select_related("area")
    }
    existing = {
        (v.indicator_id, v.period_start): v for v in IndicatorValue.objects.filter(indicator__in=indicators.values())
    }
    seen = {}
    allowed = {}
    for line, row in enumerate(raw, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name, row=row):
            index = col.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

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
        warnings = []
        awaiting_reason = None
        if cell("value").lower() in AWAITING:
            awaiting_reason = cell("awaiting_reason")
            numbers["awaiting"] = None
            if not awaiting_reason:
                errors.append((line, "awaiting_reason", "Say why the data is awaited, e.g. “Care Director migration”."))
            elif len(awaiting_reason) > AWAITING_REASON_MAX:
                errors.append((line, "awaiting_reason", f"The reason is longer than {AWAITING_REASON_MAX} characters."))
        elif cell("awaiting_reason"):
            errors.append(
                (line, "awaiting_reason", "A reason is only given when the value says “awaiting”: leave it empty.")
            )
        for name in ("value", "national", "comparator"):
            if name == "value" and awaiting_reason is not None:
                numbers["value"] = None
                continue
            try:
                numbers[name] = _number(cell(name))
                if numbers[name] is not None:
                    numbers[name], warning = _fit(numbers[name], name, cell(name))
                    if warning:
                        warnings.append((line, name, warning))
            except ValueError as exc:
                errors.append((line, name, str(exc)))
        if "value" in numbers and numbers["value"] is None and awaiting_reason is None:
            errors.append((line, "value", "The value is missing: give it, or write “awaiting” and why."))
        commentary = cell("commentary") if "commentary" in col else None
        if commentary is not None and len(commentary) > COMMENTARY_MAX:
            errors.append((line, "commentary", f"The commentary is longer than {COMMENTARY_MAX} characters."))
        if indicator is not None and period_start is not None:
            key = (indicator.pk, period_start)
            if key in seen:
                errors.append(
                    (
                        line,
                        "",
                        f"Line {seen[key]} already gives {code} for {cell('period')}: each indicator and period once.",
                    )
                )
            else:
                seen[key] = line
        plan.warnings.extend(warnings)
        if errors:
            plan.errors.extend(errors)
            continue
        plan.rows.append(
            PlannedRow(
                line=line,
                indicator=indicator,
                period_start=period_start,
                value=numbers["value"],
                national=numbers.get("national"),
                comparator=numbers.get("comparator"),
                existing=existing.get((indicator.pk, period_start)),
                commentary=commentary,
                awaiting_reason=awaiting_reason,
            )
        )
    if not plan.rows and not plan.errors:
        plan.errors.append((1, "", "The file has no rows of values."))
    return plan


class ImportConflict(Exception):
    """Another import saved values for the same indicators and periods at the same moment;
    nothing of this one was saved."""


def apply_import(plan: ImportPlan) -> dict:
    """Save a clean plan's new and changed values, in one transaction; unchanged rows are left
    alone. What is new or changed is decided again against what is saved when the plan is
    applied, not when it was previewed: values another import saved in between are updated
    or left alone, never added twice. The indicators whose values changed store what their
    values say now (services.reassess). Returns the counts of new, changed and unchanged rows.
    Raises ImportConflict, having saved nothing, if a concurrent import still collides (the
    database's one value per indicator and period)."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    try:
        with transaction.atomic():
            return _apply(plan)
    except IntegrityError as exc:
        raise ImportConflict(
            "Someone else imported values for the same indicators and periods at the same moment."
        ) from exc


def _apply(plan):
    indicator_ids = sorted({r.indicator.pk for r in plan.rows})
    # Two imports touching the same indicators take turns (PostgreSQL row locks; SQLite
    # allows one writer at a time anyway), so the second sees what the first saved.
    list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids).order_by("pk").values_list("pk", flat=True))
    saved = {(v.indicator_id, v.period_start): v for v in IndicatorValue.objects.filter(indicator_id__in=indicator_ids)}
    rows = [dataclasses.replace(r, existing=saved.get((r.indicator.pk, r.period_start))) for r in plan.rows]
    counts = ImportPlan(rows=rows).counts
    touched = {r.indicator.pk for r in rows if r.change != "unchanged"}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=r.indicator,
            period_start=r.period_start,
            value=r.value,
            status=r.status,
            awaiting_reason=r.awaiting_reason or "",
            national=r.national,
            comparator=r.comparator,
            commentary=r.commentary or "",
        )
        for r in rows
        if r.change == "new"
    )
    changed = []
    for r in rows:
        if r.change == "changed":
            r.existing.value, r.existing.national, r.existing.comparator = r.value, r.national, r.comparator
            r.existing.status, r.existing.awaiting_reason = r.status, r.awaiting_reason or ""
            if r.commentary is not None:
                r.existing.commentary = r.commentary
            r.existing.revision += 1  # a form opened on the value before this is stale
            changed.append(r.existing)
    IndicatorValue.objects.bulk_update(
        changed, ["value", "status", "awaiting_reason", "national", "comparator", "commentary", "revision"]
    )
    if touched:
        reassess(touched)
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
            writer.writerow(
                [
                    indicator.code,
                    period_label(v.period_start, indicator.frequency),
                    _fmt(v.value) if v.is_reported else "awaiting",
                    _fmt(v.national),
                    _fmt(v.comparator),
                    v.commentary,
                    v.awaiting_reason,
                ]
            )
    return out.getvalue()


def template_csv(indicators) -> str:
    """The header and one example row per indicator, with the period in its right form."""
    examples = {"year": "2009", "quarter": "2009-Q1", "month": "2009-04", "week": "2009-W15"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for indicator in indicators:
        writer.writerow([indicator.code, examples[indicator.frequency], "", "", "", "", ""])
    return out.getvalue()
