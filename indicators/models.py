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
        WEEK = "week", "Weekly"

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
    # An ISO 8601 week (Monday to Sunday): week 1 is the week with the year's first Thursday.
    Indicator.Frequency.WEEK: ("YYYY-Www, e.g. 2021-W44", re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$", re.I)),
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
    if frequency == Indicator.Frequency.WEEK:
        try:
            return datetime.date.fromisocalendar(year, int(match.group(2)), 1)
        except ValueError:
            raise ValueError(f"“{text}”: {year} has no week {int(match.group(2))}.") from None
    return datetime.date(year, int(match.group(2)), 1)


def is_period_start(day: datetime.date, frequency: str) -> bool:
    """Whether `day` is the first day of a period of `frequency` (a year, quarter or month;
    a week's is its Monday)."""
    if frequency == Indicator.Frequency.WEEK:
        return day.weekday() == 0
    if day.day != 1:
        return False
    if frequency == Indicator.Frequency.YEAR:
        return day.month == 1
    if frequency == Indicator.Frequency.QUARTER:
        return day.month in (1, 4, 7, 10)
    return True


def period_from_text(text: str, frequency: str) -> datetime.date:
    """The period `text` names for an indicator of `frequency`: written as in the CSV files
    (2008, 2008-Q3, 2008-07, 2021-W44) or as the period's first day (2008-07-01). ValueError
    otherwise."""
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
    if frequency == Indicator.Frequency.WEEK:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{start.year}-{start.month:02d}"


class IndicatorValue(models.Model):
    """One period's number of an indicator, or the stated fact that it is awaited (e.g. while
    a case-management system is migrated): never a silent gap."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        AWAITING = "awaiting", "Awaiting data"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REPORTED)
    value = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, help_text="Empty while the data is awaited."
    )
    awaiting_reason = models.CharField(
        "why the data is awaited",
        max_length=200,
        blank=True,
        validators=[no_line_breaks],
        help_text="E.g. “Care Director migration”.",
    )
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
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_start"], name="one_value_per_period"),
            models.CheckConstraint(
                condition=(
                    models.Q(status="reported", value__isnull=False) | models.Q(status="awaiting", value__isnull=True)
                ),
                name="a_value_unless_awaited",
                violation_error_message="Give the value, or mark the period as awaiting data without one.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period}: {self.value if self.is_reported else 'awaiting data'}"

    @property
    def is_reported(self):
        return self.status == self.Status.REPORTED

    @property
    def is_awaiting(self):
        return self.status == self.Status.AWAITING

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


class Pathway(models.Model):
    """The journey of the child through an area's service (contact → referral → assessment →
    child in need or child protection → looked after → permanence or leaving care): ordered
    stages, each with the KPIs of its volume and its timeliness. Drawn as a funnel."""

    area = models.OneToOneField(ThematicArea, on_delete=models.CASCADE, related_name="pathway")
    name = models.CharField(max_length=200, validators=[no_line_breaks], default="The journey of the child")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["area", "name"]

    def __str__(self):
        return f"{self.name} ({self.area})"

    def get_absolute_url(self):
        return reverse("pathway_page", kwargs={"slug": self.area.slug})


class PathwayStage(models.Model):
    """One stage of a pathway, in its place, with the indicator counting how many children
    reach it (its volume) and the one saying how promptly (its timeliness), where measured."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200, validators=[no_line_breaks])
    position = models.PositiveIntegerField(default=0, help_text="Stages are shown in this order, lowest first.")
    volume_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volume_of_stages",
        verbose_name="volume",
        help_text="The KPI of how many children reach this stage (e.g. referrals a week).",
    )
    timeliness_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timeliness_of_stages",
        verbose_name="timeliness",
        help_text="The KPI of how promptly (e.g. assessments completed within 45 days).",
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["pathway", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "name"], name="unique_stage_name_per_pathway"),
        ]

    def __str__(self):
        return self.name
