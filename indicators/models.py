"""Performance indicators (KPIs) of a thematic area: a time series of values with target and
national and comparator benchmarks. Everything judged from them (direction of travel, on
track, gap to national) is derived in indicators/kpis.py, never typed in; each indicator keeps
a copy of that judgement (its `assessed_*` and `latest_*` fields), stored by
indicators.services.reassess whenever its values or target change."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from challenge.submission import submission_token_field
from challenge.validators import no_line_breaks
from indicators.kpis import DIRECTION_LABELS, RANK_WITHOUT_VALUES, TRACK_LABELS, assess, stored_fields, worst_first_key
from programmes.models import Partnership, ThematicArea


class IndicatorQuerySet(models.QuerySet):
    def current(self):
        """The indicators in use: not retired."""
        return self.filter(retired_on__isnull=True)

    def retired(self):
        return self.filter(retired_on__isnull=False)


CODE_TAKEN = "Another indicator of the partnership has the code “{code}”: choose another."


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
    # The area's partnership, kept beside it (set from the area when saved) so that the
    # database holds each code once per partnership.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="indicators", editable=False)
    code = models.SlugField(
        max_length=50,
        help_text="Short code used in CSV files, unique in the partnership, e.g. NI112 or teenage-conceptions.",
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
    retired_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it stopped being measured: kept with its values, left out of the lists of current indicators.",
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    submission_token = submission_token_field()

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

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["area", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="unique_indicator_code_per_partnership")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.partnership_id is None and self.area_id is not None:
            self.partnership_id = self.area.partnership_id
        if self._state.adding:
            # A new indicator has no values yet: what that says depends only on its target.
            self.store_assessment(assess(self, []))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("indicator_detail", kwargs={"pk": self.pk})

    def clean(self):
        """The area is one of the partnership's, and the code is used by no other indicator
        of the partnership (the database holds the same: unique_indicator_code_per_partnership)."""
        super().clean()
        if self.area_id is None:
            return
        if self.partnership_id is None:
            self.partnership_id = self.area.partnership_id
        if self.area.partnership_id != self.partnership_id:
            raise ValidationError({"area": "Choose one of the partnership's areas."})
        others = Indicator.objects.filter(partnership_id=self.partnership_id, code=self.code).exclude(pk=self.pk)
        if self.code and others.exists():
            raise ValidationError({"code": CODE_TAKEN.format(code=self.code)})

    @property
    def is_retired(self):
        return self.retired_on is not None

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


def is_period_start(day: datetime.date, frequency: str) -> bool:
    """Whether `day` is the first day of a period of `frequency` (a year, quarter or month)."""
    if day.day != 1:
        return False
    if frequency == Indicator.Frequency.YEAR:
        return day.month == 1
    if frequency == Indicator.Frequency.QUARTER:
        return day.month in (1, 4, 7, 10)
    return True


def period_from_text(text: str, frequency: str) -> datetime.date:
    """The period `text` names for an indicator of `frequency`: written as in the CSV files
    (2008, 2008-Q3, 2008-07) or as the period's first day (2008-07-01). ValueError otherwise."""
    try:
        return parse_period(text, frequency)
    except ValueError as error:
        not_a_period = error
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise not_a_period from None
    if not is_period_start(day, frequency) or not 1900 <= day.year <= 2100:
        hint = PERIOD_FORMATS[frequency][0]
        raise ValueError(f"“{text.strip()}” is not the first day of a period of this indicator: write {hint}.")
    return day


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
    commentary = models.TextField(
        blank=True, help_text="What explains this period's number: a change of definition, a one-off, a data issue."
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    submission_token = submission_token_field()

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start"], name="one_value_per_period")]

    def __str__(self):
        return f"{self.indicator.code} {self.period}: {self.value}"

    def clean(self):
        super().clean()
        if self.period_start is None or self.indicator_id is None:
            return
        if not is_period_start(self.period_start, self.indicator.frequency):
            hint = PERIOD_FORMATS[self.indicator.frequency][0]
            raise ValidationError({"period_start": f"Not the first day of a period of this indicator: write {hint}."})

    @property
    def period(self):
        return period_label(self.period_start, self.indicator.frequency)


class IndicatorTarget(models.Model):
    """A target of an indicator as it was set: it applies from `applies_from` until the next
    one. The indicator's own `target` and `target_date` are the current one's."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    applies_from = models.DateField()
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["indicator", "applies_from"]
        constraints = [models.UniqueConstraint(fields=["indicator", "applies_from"], name="one_target_a_day")]

    def __str__(self):
        return f"{self.indicator.code} from {self.applies_from}: {self.target}"
