"""Performance indicators (KPIs) of a thematic area: a time series of values with target and
national and comparator benchmarks. Everything judged from them (direction of travel, on
track, gap to national) is derived in indicators/kpis.py, never typed in; each indicator keeps
a copy of that judgement (its `assessed_*` and `latest_*` fields), stored by
indicators.services.reassess whenever its values or target change."""

import datetime
import re

from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from challenge.validators import no_line_breaks
from indicators.kpis import DIRECTION_LABELS, RANK_WITHOUT_VALUES, TRACK_LABELS, assess, stored_fields, worst_first_key
from programmes.models import ThematicArea


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        PER_1000 = "per_1000", "rate per 1,000"
        PER_100000 = "per_100000", "rate per 100,000"
        COUNT = "count", "count"
        DAYS = "days", "days"
        SCORE = "score", "score"

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        YEAR = "year", "Yearly"
        QUARTER = "quarter", "Quarterly"
        MONTH = "month", "Monthly"

    area = models.ForeignKey(ThematicArea, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Short unique code used in CSV files, e.g. NI112 or teenage-conceptions.",
    )
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, validators=[no_line_breaks])
    position = models.PositiveIntegerField(default=0)

    # What kpis.assess says of the values, as it said when they or the target last changed
    # (kpis.stored_fields, saved by services.reassess): lists sort and pick by it without
    # reading the values. Never typed in.
    assessed_direction = models.CharField(
        max_length=20,
        choices=[(key, label) for key, (label, _icon) in DIRECTION_LABELS.items()],
        default="insufficient",
        editable=False,
    )
    assessed_on_track = models.CharField(
        max_length=20, choices=list(TRACK_LABELS.items()), default="no_target", editable=False
    )
    assessed_rank = models.PositiveSmallIntegerField(
        default=RANK_WITHOUT_VALUES, editable=False, help_text="How bad: 0 is the worst (kpis.Assessment.rank)."
    )
    assessed_trend = models.FloatField(
        null=True, editable=False, help_text="The trend a year as a share of the average, positive when improving."
    )
    latest_period_start = models.DateField(null=True, editable=False)
    latest_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, editable=False)

    class Meta:
        ordering = ["area", "position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding:
            # A new indicator has no values yet: what that says depends only on its target.
            self.store_assessment(assess(self, []))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("indicator_detail", kwargs={"code": self.code})

    @property
    def higher_is_better(self):
        return self.polarity == self.Polarity.HIGHER

    def store_assessment(self, assessment):
        """Copy `assessment` (of this indicator's values) to its assessed_* and latest_* fields;
        saving them is the caller's (services.reassess)."""
        for name, value in stored_fields(assessment).items():
            setattr(self, name, value)

    @cached_property
    def assessment(self):
        """What its values say (kpis.assess of the values the indicators selectors attach as
        `series`), judged when first asked for: a card taken from the cache asks for none."""
        return assess(self, self.series)

    @property
    def worst_first_key(self):
        """The stored assessment's place, worst first (as its Assessment.sort_key)."""
        return worst_first_key(self.assessed_rank, self.assessed_trend)


PERIOD_FORMATS = {
    Indicator.Frequency.YEAR: ("YYYY, e.g. 2008", re.compile(r"^(\d{4})$")),
    Indicator.Frequency.QUARTER: ("YYYY-Qn, e.g. 2008-Q3", re.compile(r"^(\d{4})-Q([1-4])$", re.I)),
    Indicator.Frequency.MONTH: ("YYYY-MM, e.g. 2008-07", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
}


def parse_period(text: str, frequency: str) -> datetime.date:
    """The first day of the period written as `text` for an indicator of `frequency`;
    ValueError with the expected form if it does not match."""
    hint, pattern = PERIOD_FORMATS[frequency]
    match = pattern.match(text.strip())
    if not match:
        raise ValueError(f"“{text}” is not a period of this indicator: write {hint}.")
    year = int(match.group(1))
    if not 1900 <= year <= 2100:
        raise ValueError(f"“{text}” is not a plausible year.")
    if frequency == Indicator.Frequency.YEAR:
        return datetime.date(year, 1, 1)
    if frequency == Indicator.Frequency.QUARTER:
        return datetime.date(year, (int(match.group(2)) - 1) * 3 + 1, 1)
    return datetime.date(year, int(match.group(2)), 1)


def period_label(start: datetime.date, frequency: str) -> str:
    if frequency == Indicator.Frequency.YEAR:
        return f"{start.year}"
    if frequency == Indicator.Frequency.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    national = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    comparator = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The comparator group's value (statistical neighbours), where known.",
    )

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start"], name="one_value_per_period")]

    def __str__(self):
        return f"{self.indicator.code} {self.period}: {self.value}"

    @property
    def period(self):
        return period_label(self.period_start, self.indicator.frequency)
