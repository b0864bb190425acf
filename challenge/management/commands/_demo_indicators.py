"""Salford's performance indicators (KPIs) for `seed_demo`: two or three for each of the eight
areas, with values for 2003–2008 (three of them quarterly, 2006-Q1 to 2009-Q1), the national
benchmark for every value, the comparator group's for some, and targets for 2010 or 2011 on
most.

The figures are illustrative, shaped on the national indicators (NI) of 2008–09 and on the
numbers the 29 April answers quote (`_demo_workspace.py`): under-18 conceptions down to 50.6 per
1,000, initial assessments within 7 days up from 62% to 71%, second child protection plans down
from 16% to 12%, alcohol-related admissions up 9% in the last year, four-week quitters up 18% in
two years, and MARAC repeats at 9% against 28% nationally. The story is mixed, as the derived
rules (challenge/kpis.py) tell it: some improving, some declining, some with no change; a target
met, some on track and most off track.

A year is written as the year a period starts: for the indicators counted by financial year
(their definitions say so), 2008 is 2008/09.

Re-running changes nothing and keeps what was changed or imported in the app: an indicator is
created only when no indicator has its code (one already there is left as it is, target and
all), and a value only for a period that has none.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from challenge.models import Indicator, IndicatorValue
from challenge.models.indicators import parse_period

D = datetime.date
U, P, F = Indicator.Unit, Indicator.Polarity, Indicator.Frequency
HIGHER, LOWER = P.HIGHER, P.LOWER
YEAR, QUARTER = F.YEAR, F.QUARTER
FINANCIAL = "Financial years: 2008 is 2008/09."

# area slug -> indicators, in the order shown. Each: code, name, definition, unit, polarity,
# frequency, target and target date (or None), source, the first period, and the series:
# values, national benchmarks and comparator-group values (or None), one a period.
INDICATORS = {
    "health-inequalities": [
        {"code": "ni112-teenage-conceptions",
         "name": "Under-18 conceptions per 1,000 girls aged 15–17",
         "definition": ("NI 112: conceptions to girls aged 15 to 17, per 1,000 girls of that "
                        "age, by calendar year. The 2010 target is a 30% fall on the 1998 "
                        "baseline of 58.1."),
         "unit": U.PER_1000, "polarity": LOWER, "frequency": YEAR,
         "target": "40.7", "target_date": D(2010, 12, 31),
         "source": "ONS / Teenage Pregnancy Unit", "first": "2003",
         "values": [55.4, 54.6, 53.1, 52.4, 51.5, 50.6],
         "national": [42.1, 41.6, 41.4, 40.6, 41.7, 40.4],
         "comparator": [51.0, 50.2, 49.6, 49.0, 49.5, 48.1]},
        {"code": "ni123-smoking-quitters",
         "name": "Four-week smoking quitters per 100,000 adults",
         "definition": ("NI 123: people aged 16 and over who set a quit date with the stop "
                        "smoking service and had not smoked four weeks later, per 100,000 "
                        "adults. " + FINANCIAL),
         "unit": U.PER_100000, "polarity": HIGHER, "frequency": YEAR,
         "target": "1380", "target_date": D(2011, 3, 31),
         "source": "NHS Information Centre, stop smoking services (NI 123)", "first": "2003",
         "values": [720, 810, 905, 985, 1060, 1165],
         "national": [560, 620, 650, 690, 720, 845],
         "comparator": [790, 860, 930, 1000, 1050, 1120]},
        {"code": "ni39-alcohol-admissions",
         "name": "Alcohol-related hospital admissions per 100,000 population",
         "definition": ("NI 39: admissions to hospital with an alcohol-related condition, per "
                        "100,000 population, age-standardised. " + FINANCIAL),
         "unit": U.PER_100000, "polarity": LOWER, "frequency": YEAR,
         "target": "2050", "target_date": D(2011, 3, 31),
         "source": "North West Public Health Observatory (NI 39)", "first": "2003",
         "values": [1390, 1520, 1640, 1790, 1930, 2104],
         "national": [1020, 1110, 1200, 1290, 1380, 1470],
         "comparator": [1280, 1390, 1500, 1630, 1750, 1880]},
    ],
    "sustainability-and-climate-change": [
        {"code": "ni186-co2-per-capita",
         "name": "CO2 emissions in the local authority area, tonnes per person",
         "definition": ("NI 186: carbon dioxide emitted by homes, businesses and road "
                        "transport in Salford, in tonnes per resident per year (shown as a "
                        "score: the unit is tonnes per person). Calendar years."),
         "unit": U.SCORE, "polarity": LOWER, "frequency": YEAR,
         "target": "6.5", "target_date": D(2011, 3, 31),
         "source": "DECC local CO2 emissions estimates (NI 186)", "first": "2003",
         "values": [7.4, 7.3, 7.3, 7.2, 7.1, 6.9],
         "national": [8.1, 8.1, 8.0, 7.9, 7.7, 7.5],
         "comparator": None},
        {"code": "ni192-household-waste-recycled",
         "name": "Household waste sent for reuse, recycling or composting",
         "definition": ("NI 192: the share of household waste collected that is reused, "
                        "recycled or composted. " + FINANCIAL),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "35", "target_date": D(2011, 3, 31),
         "source": "Defra WasteDataFlow (NI 192)", "first": "2003",
         "values": [9.8, 14.2, 18.9, 23.5, 27.6, 31.9],
         "national": [17.8, 22.5, 26.7, 30.9, 34.5, 37.6],
         "comparator": [13.1, 17.4, 21.8, 26.2, 29.9, 33.0]},
    ],
    "decent-homes-housing-options-and-salix-homes-inspection": [
        {"code": "decent-homes-council-stock",
         "name": "Council homes meeting the Decent Homes standard",
         "definition": ("Council-owned homes (managed by Salix Homes) meeting the Decent Homes "
                        "standard at the end of the year, as a share of all council homes. "
                        + FINANCIAL),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "100", "target_date": D(2010, 12, 31),
         "source": "CLG Business Plan Statistical Appendix", "first": "2003",
         "values": [48, 55, 63, 72, 81, 89],
         "national": [61, 66, 71, 75, 79, 83],
         "comparator": None},
        {"code": "ni156-temporary-accommodation",
         "name": "Households in temporary accommodation per 1,000 households",
         "definition": ("NI 156: households placed in temporary accommodation under the "
                        "homelessness legislation on the last day of the quarter, per 1,000 "
                        "households. The 2010 target halves the 2004 level."),
         "unit": U.PER_1000, "polarity": LOWER, "frequency": QUARTER,
         "target": "1.2", "target_date": D(2010, 12, 31),
         "source": "CLG P1E homelessness returns (NI 156)", "first": "2006-Q1",
         "values": [2.1, 2.0, 2.0, 1.9, 1.8, 1.7, 1.7, 1.6, 1.5, 1.4, 1.4, 1.3, 1.3],
         "national": [4.7, 4.6, 4.5, 4.4, 4.2, 4.1, 3.9, 3.8, 3.6, 3.5, 3.3, 3.2, 3.0],
         "comparator": None},
        {"code": "bv212-relet-days",
         "name": "Average time to re-let council homes",
         "definition": ("BV 212: the average number of calendar days between a council home "
                        "becoming empty and the new tenancy starting, excluding homes held "
                        "empty for major works. " + FINANCIAL),
         "unit": U.DAYS, "polarity": LOWER, "frequency": YEAR,
         "target": "28", "target_date": D(2011, 3, 31),
         "source": "CLG Housing Strategy Statistical Appendix (BV 212)", "first": "2003",
         "values": [41, 37, 33, 31, 35, 39],
         "national": [37, 35, 33, 32, 31, 30],
         "comparator": [39, 36, 34, 33, 33, 32]},
    ],
    "responding-to-the-recession": [
        {"code": "ni152-out-of-work-benefits",
         "name": "Working-age people on out-of-work benefits",
         "definition": ("NI 152: working-age residents claiming Jobseeker's Allowance, "
                        "incapacity benefits, lone parent or other income-related benefits, as "
                        "a share of the working-age population, in November of each year."),
         "unit": U.PERCENT, "polarity": LOWER, "frequency": YEAR,
         "target": "19", "target_date": D(2011, 3, 31),
         "source": "DWP benefit claimants, working-age client group (NI 152)", "first": "2003",
         "values": [21.0, 20.6, 20.1, 19.8, 19.4, 20.3],
         "national": [13.6, 13.4, 13.3, 13.2, 12.9, 13.7],
         "comparator": [18.9, 18.6, 18.2, 17.9, 17.5, 18.4]},
        {"code": "jsa-claimant-rate",
         "name": "Jobseeker's Allowance claimants, share of working-age residents",
         "definition": ("Residents claiming Jobseeker's Allowance in the last month of the "
                        "quarter, as a share of the working-age population. No target is set: "
                        "the partnership watches it for the recession's effect."),
         "unit": U.PERCENT, "polarity": LOWER, "frequency": QUARTER,
         "target": None, "target_date": None,
         "source": "ONS claimant count (Nomis)", "first": "2006-Q1",
         "values": [3.4, 3.3, 3.2, 3.2, 3.1, 2.9, 2.8, 2.8, 2.9, 3.0, 3.4, 3.9, 4.8],
         "national": [2.6, 2.6, 2.6, 2.5, 2.4, 2.3, 2.2, 2.2, 2.2, 2.3, 2.6, 3.0, 3.8],
         "comparator": None},
    ],
    "safeguarding-children": [
        {"code": "ni59-initial-assessments-7-days",
         "name": "Initial assessments completed within 7 working days of referral",
         "definition": ("NI 59: initial assessments for children's social care carried out "
                        "within 7 working days of referral, as a share of all initial "
                        "assessments. " + FINANCIAL),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "80", "target_date": D(2011, 3, 31),
         "source": "DCSF children in need census (NI 59)", "first": "2003",
         "values": [54, 57, 59, 58, 62, 71],
         "national": [59, 63, 65, 68, 70, 72],
         "comparator": [56, 60, 63, 65, 68, 71]},
        {"code": "ni65-second-child-protection-plan",
         "name": "Children becoming the subject of a child protection plan for a second time",
         "definition": ("NI 65: children becoming the subject of a child protection plan who "
                        "had been the subject of a plan before, as a share of all new plans. "
                        + FINANCIAL),
         "unit": U.PERCENT, "polarity": LOWER, "frequency": YEAR,
         "target": "12.5", "target_date": D(2010, 3, 31),
         "source": "DCSF (NI 65)", "first": "2003",
         "values": [17.2, 15.1, 17.8, 16.4, 16.0, 12.0],
         "national": [13.4, 13.2, 13.0, 13.5, 13.3, 13.4],
         "comparator": None},
        {"code": "ni64-plans-lasting-2-years",
         "name": "Child protection plans lasting two years or more",
         "definition": ("NI 64: child protection plans that ended during the year having "
                        "lasted two years or more, as a share of all plans that ended. "
                        + FINANCIAL),
         "unit": U.PERCENT, "polarity": LOWER, "frequency": YEAR,
         "target": "6", "target_date": D(2011, 3, 31),
         "source": "DCSF (NI 64)", "first": "2003",
         "values": [4.8, 5.2, 5.9, 6.8, 7.4, 8.3],
         "national": [6.3, 6.0, 5.9, 5.8, 5.9, 5.9],
         "comparator": [5.6, 5.8, 6.1, 6.3, 6.5, 6.6]},
    ],
    "safer-city": [
        {"code": "domestic-burglary-rate",
         "name": "Domestic burglaries per 1,000 households",
         "definition": ("Domestic burglaries recorded by the police, per 1,000 households. "
                        + FINANCIAL),
         "unit": U.PER_1000, "polarity": LOWER, "frequency": YEAR,
         "target": "14", "target_date": D(2011, 3, 31),
         "source": "Home Office iQuanta", "first": "2003",
         "values": [28.4, 24.9, 21.3, 19.0, 17.2, 15.6],
         "national": [15.5, 13.8, 12.9, 12.6, 12.2, 12.0],
         "comparator": [22.1, 19.8, 17.6, 16.2, 15.1, 14.3]},
        {"code": "ni15-serious-violent-crime",
         "name": "Serious violent crime per 1,000 population",
         "definition": ("NI 15: most serious violence against the person (including grievous "
                        "bodily harm with intent) recorded by the police, per 1,000 residents. "
                        + FINANCIAL),
         "unit": U.PER_1000, "polarity": LOWER, "frequency": YEAR,
         "target": "0.7", "target_date": D(2011, 3, 31),
         "source": "Home Office iQuanta (NI 15)", "first": "2003",
         "values": [0.61, 0.66, 0.70, 0.74, 0.79, 0.86],
         "national": [0.36, 0.38, 0.37, 0.36, 0.33, 0.31],
         "comparator": [0.52, 0.55, 0.58, 0.60, 0.62, 0.65]},
        {"code": "ni32-repeat-domestic-violence",
         "name": "Repeat incidents of domestic violence (MARAC)",
         "definition": ("NI 32: cases heard at the multi-agency risk assessment conference "
                        "(MARAC) in the quarter that are repeats within 12 months, as a share of "
                        "all its cases. A rate well below the national one may mean repeats are "
                        "being missed rather than prevented."),
         "unit": U.PERCENT, "polarity": LOWER, "frequency": QUARTER,
         "target": None, "target_date": None,
         "source": "MARAC returns to CAADA (NI 32)", "first": "2006-Q1",
         "values": [13, 12, 14, 11, 12, 10, 11, 10, 10, 9, 9, 9, 8],
         "national": [24, 24, 25, 25, 26, 26, 26, 27, 27, 27, 28, 28, 28],
         "comparator": [19, 19, 20, 20, 21, 21, 21, 22, 22, 22, 22, 23, 23]},
    ],
    "school-improvement-and-performance": [
        {"code": "ni75-gcse-5-a-c-english-maths",
         "name": "Pupils achieving 5 or more A*–C GCSEs including English and maths",
         "definition": ("NI 75: pupils at the end of Key Stage 4 in maintained schools "
                        "achieving five or more GCSEs at A*–C, or equivalent, including English "
                        "and maths. The year is the summer of the exams."),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "50", "target_date": D(2010, 8, 31),
         "source": "DCSF (NI 75)", "first": "2003",
         "values": [30.1, 31.4, 33.0, 35.2, 37.5, 41.2],
         "national": [41.9, 42.6, 44.3, 45.8, 46.7, 47.6],
         "comparator": [33.5, 34.8, 36.4, 38.0, 40.1, 42.8]},
        {"code": "ni73-key-stage-2-english-maths",
         "name": "Pupils achieving level 4 or above in both English and maths at Key Stage 2",
         "definition": ("NI 73: pupils at the end of Key Stage 2 achieving level 4 or above in "
                        "both English and maths. The year is the summer of the tests."),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "74", "target_date": D(2010, 8, 31),
         "source": "DCSF (NI 73)", "first": "2003",
         "values": [68, 69, 68, 69, 69, 69],
         "national": [70, 71, 71, 72, 71, 73],
         "comparator": None},
    ],
    "community-cohesion-and-equalities": [
        {"code": "ni1-people-get-on-well",
         "name": "People who believe people from different backgrounds get on well together",
         "definition": ("NI 1: residents who agree that their local area is a place where "
                        "people from different backgrounds get on well together. 2008 from the "
                        "Place Survey, earlier years from the council's residents' survey."),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "73", "target_date": D(2011, 3, 31),
         "source": "CLG Place Survey 2008 (NI 1); Salford residents' survey", "first": "2003",
         "values": [69, 70, 69, 70, 69, 70],
         "national": [79, 79, 80, 80, 80, 76],
         "comparator": [72, 72, 73, 73, 72, 71]},
        {"code": "ni4-influence-decisions",
         "name": "People who feel they can influence decisions in their locality",
         "definition": ("NI 4: residents who agree that they can influence decisions affecting "
                        "their local area. 2008 from the Place Survey, earlier years from the "
                        "council's residents' survey."),
         "unit": U.PERCENT, "polarity": HIGHER, "frequency": YEAR,
         "target": "32", "target_date": D(2011, 3, 31),
         "source": "CLG Place Survey 2008 (NI 4); Salford residents' survey", "first": "2003",
         "values": [33, 32, 31, 30, 29, 27],
         "national": [31, 31, 30, 30, 29, 29],
         "comparator": None},
    ],
}

INDICATOR_FIELDS = ["name", "definition", "unit", "polarity", "frequency", "target",
                    "target_date", "source"]


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
        return (f"{self.indicators} indicators in {self.areas} areas ({self.quarterly} "
                f"quarterly), {self.values} values; new: {self.new_indicators} indicators, "
                f"{self.new_values} values")


def periods(first, count, frequency):
    """The first days of `count` periods from `first` (a period as written, e.g. 2006-Q1)."""
    start = parse_period(first, frequency)
    step = 12 if frequency == YEAR else 3
    dates = []
    for n in range(count):
        months = start.month - 1 + n * step
        dates.append(D(start.year + months // 12, months % 12 + 1, 1))
    return dates


def _decimal(number):
    return None if number is None else Decimal(str(number))


def series(spec):
    """(period start, value, national, comparator) for each period of the spec."""
    count = len(spec["values"])
    comparator = spec["comparator"] or [None] * count
    if not len(spec["national"]) == len(comparator) == count:
        raise ValueError(f"{spec['code']}: values, national and comparator differ in length.")
    return [(start, _decimal(value), _decimal(national), _decimal(other))
            for start, value, national, other in zip(
                periods(spec["first"], count, spec["frequency"]), spec["values"],
                spec["national"], comparator, strict=True)]


def seed_indicators(areas) -> Result:
    """Seed INDICATORS for `areas` (ThematicArea by slug), skipping what is already there."""
    result = Result()
    seeded = []
    for slug, specs in INDICATORS.items():
        area = areas.get(slug)
        if area is None:
            result.notes.append(f"No area {slug}: its indicators not seeded.")
            continue
        for position, spec in enumerate(specs, start=1):
            fields = {name: spec[name] for name in INDICATOR_FIELDS}
            fields["target"] = _decimal(fields["target"])
            indicator, created = Indicator.objects.get_or_create(
                code=spec["code"], defaults={**fields, "area": area, "position": position})
            result.new_indicators += created
            if indicator.frequency != spec["frequency"]:
                result.notes.append(f"{indicator.code} is no longer {spec['frequency']}ly: "
                                    "its demo values not seeded.")
            else:
                result.new_values += _seed_values(indicator, series(spec))
            seeded.append(indicator)
    result.indicators = len(seeded)
    result.areas = len({i.area_id for i in seeded})
    result.quarterly = sum(i.frequency == QUARTER for i in seeded)
    result.values = IndicatorValue.objects.filter(indicator__in=seeded).count()
    return result


def _seed_values(indicator, rows):
    """Add the rows for periods the indicator has no value for; never touch one it has."""
    taken = set(indicator.values.values_list("period_start", flat=True))
    new = [IndicatorValue(indicator=indicator, period_start=start, value=value,
                          national=national, comparator=comparator)
           for start, value, national, comparator in rows if start not in taken]
    IndicatorValue.objects.bulk_create(new)
    return len(new)

