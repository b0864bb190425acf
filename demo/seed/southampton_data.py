"""Southampton's children's social care data (Children and Families Scrutiny Panel, 4 November
2021, item 26): the KPIs that "track the journey of the child from referral through to
fostering or adoption or leaving care", benchmarked against the national statutory indicators
and the statistical neighbours, with five years of values; the weekly KPIs, some of which
"would have to wait for Care Director to go live" (awaiting data, never a silent gap); the
pathway of the child; an assurance audit with a finding and its action; and the weekly stretch-
and-challenge sessions with the service lead, one skipped.

The numbers are invented but plausible (of the order of England's published children's social
care figures). `seed_southampton_data` is idempotent: what is there already is left as it is.
It works on the partnership the scrutiny half of issue 15 seeds (demo/seed/southampton.py), and
makes what it needs of it minimally when it is not there yet.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from findings import audits as audit_services
from findings import services as finding_services
from findings.models import AssuranceAudit, Finding
from indicators import pathways
from indicators.models import Indicator, IndicatorValue, Pathway
from indicators.services import record_value
from programmes.models import Membership, Partner, Partnership, Programme, QuestionSet, ThematicArea, User
from programmes.services import create_partnership
from sessions import series as series_services
from sessions.models import SessionSeries

PARTNERSHIP_SLUG = "southampton"
AREA_SLUG = "southampton-childrens-social-care"
COUNCIL = "Southampton City Council"
MIGRATION = "Care Director migration: PARIS cannot capture it"

# Five financial years (2017/18 to 2021/22, each by its first day), as yearly values.
YEARS = [2017, 2018, 2019, 2020, 2021]

# code, name, unit, polarity, [Southampton], [England], [statistical neighbours], definition
YEARLY = [
    # The volumes of the pathway's stages: children a year, on one scale (the funnel's).
    (
        "csc-contacts",
        "Contacts received",
        "count",
        "lower",
        [15820, 15210, 14690, 14105, 13480],
        None,
        None,
        "Contacts received by the front door (MASH) in the year.",
    ),
    (
        "csc-referrals",
        "Referrals to children's social care",
        "count",
        "lower",
        [3410, 3288, 3105, 2960, 2874],
        None,
        None,
        "Referrals accepted by children's social care in the year.",
    ),
    (
        "csc-assessments",
        "Assessments completed",
        "count",
        "lower",
        [3180, 3050, 2890, 2760, 2655],
        None,
        None,
        "Children and family assessments completed in the year.",
    ),
    (
        "csc-cp-plans",
        "Children who became the subject of a child protection plan",
        "count",
        "lower",
        [402, 371, 340, 312, 282],
        None,
        None,
        "Children who started a child protection plan in the year.",
    ),
    (
        "csc-lac",
        "Children who started to be looked after",
        "count",
        "lower",
        [236, 228, 219, 204, 196],
        None,
        None,
        "Children who started to be looked after in the year.",
    ),
    (
        "csc-permanence",
        "Children leaving care to adoption, special guardianship or independence",
        "count",
        "higher",
        [118, 124, 131, 127, 135],
        None,
        None,
        "Children who left care in the year to adoption, a special guardianship order or their own tenancy.",
    ),
    (
        "csc-re-referrals",
        "Re-referrals within 12 months",
        "percent",
        "lower",
        [26.1, 24.8, 25.3, 23.0, 21.4],
        [21.9, 22.6, 22.6, 22.7, 21.5],
        [23.8, 23.1, 24.0, 22.9, 22.2],
        "Referrals within 12 months of a previous referral, as a share of all referrals.",
    ),
    (
        "csc-assessments-45-days",
        "Assessments completed within 45 working days",
        "percent",
        "higher",
        [78.4, 80.2, 76.9, 82.5, 85.1],
        [82.7, 83.1, 84.4, 87.6, 84.5],
        [81.0, 82.3, 83.0, 85.1, 84.0],
        "Children and family assessments completed within the statutory 45 working days.",
    ),
    (
        "csc-cin-rate",
        "Children in need per 1,000 children",
        "per_1000",
        "lower",
        [44.8, 43.1, 41.9, 40.2, 38.7],
        [34.1, 33.4, 33.4, 32.1, 32.1],
        [40.3, 39.6, 38.8, 37.9, 37.0],
        "Children in need at 31 March per 1,000 children under 18.",
    ),
    (
        "csc-cp-rate",
        "Children on a child protection plan per 1,000 children",
        "per_1000",
        "lower",
        [7.9, 7.2, 6.6, 6.1, 5.5],
        [4.5, 4.4, 4.3, 4.1, 4.2],
        [6.0, 5.7, 5.4, 5.0, 4.9],
        "Children on a child protection plan at 31 March per 1,000 children under 18.",
    ),
    (
        "csc-icpc-15-days",
        "Initial child protection conferences within 15 working days",
        "percent",
        "higher",
        [71.2, 74.8, 79.5, 83.0, 86.4],
        [77.0, 78.7, 77.7, 83.0, 79.2],
        [74.5, 76.1, 78.0, 80.4, 81.0],
        "Initial child protection conferences held within 15 working days of the strategy discussion.",
    ),
    (
        "csc-lac-rate",
        "Children looked after per 1,000 children",
        "per_1000",
        "lower",
        [11.8, 11.5, 11.2, 10.6, 10.1],
        [6.4, 6.5, 6.7, 6.7, 7.0],
        [9.1, 9.3, 9.4, 9.2, 9.0],
        "Children looked after at 31 March per 1,000 children under 18.",
    ),
    (
        "csc-adoption-days",
        "Days from entering care to moving in with an adoptive family",
        "days",
        "lower",
        [512, 488, 455, 431, 402],
        [486, 476, 467, 473, 452],
        [498, 480, 470, 461, 448],
        "Average over three years, for children adopted.",
    ),
    (
        "csc-care-leavers-eet",
        "Care leavers aged 19 to 21 in education, employment or training",
        "percent",
        "higher",
        [44.0, 47.0, 49.0, 50.0, 53.0],
        [51.0, 52.0, 53.0, 52.0, 55.0],
        [48.0, 49.0, 51.0, 51.0, 53.0],
        "Care leavers aged 19 to 21 in education, employment or training.",
    ),
]

# The weekly KPIs, from the week of 6 September 2021 to the panel's week (2021-W44).
WEEKS = [datetime.date(2021, 9, 6) + datetime.timedelta(weeks=i) for i in range(9)]
WEEKLY = [
    (
        "csc-contacts-weekly",
        "Contacts received a week",
        "count",
        "lower",
        [412, 398, 431, 405, 389, 377, 402, 385, 371],
        None,
        "Contacts received by the front door (MASH) in the week.",
    ),
    (
        "csc-contact-decisions-weekly",
        "Contacts decided within one working day",
        "percent",
        "higher",
        # The last weeks await Care Director: PARIS cannot record when a decision was made.
        [88.0, 86.5, 90.1, 91.2, 89.7, None, None, None, None],
        MIGRATION,
        "Contacts with a decision on the next step within one working day of their receipt.",
    ),
]


@dataclass
class Result:
    indicators: int = 0
    values: int = 0
    awaiting: int = 0
    stages: int = 0
    audits: int = 0
    occurrences: int = 0
    skipped: int = 0
    notes: list = field(default_factory=list)

    def summary(self):
        return (
            f"{self.indicators} indicators, {self.values} values ({self.awaiting} awaiting data), "
            f"{self.stages} pathway stages, {self.audits} assurance audit, {self.occurrences} stretch-and-challenge "
            f"occurrences ({self.skipped} skipped)"
        )


def _partnership_and_area(partnership=None):
    """The Southampton partnership and its children's social care area, made minimally (with
    the council as its only partner) when the scrutiny half has not seeded them."""
    if partnership is None:
        partnership = Partnership.objects.filter(slug=PARTNERSHIP_SLUG).first() or create_partnership(
            name="Southampton City Council and partners", slug=PARTNERSHIP_SLUG
        )
    council = Partner.objects.filter(partnership=partnership, name=COUNCIL).first()
    if council is None:
        council = Partner.objects.create(
            partnership=partnership, name=COUNCIL, short_name="SCC", kind=Partner.Kind.COUNCIL
        )
    area = ThematicArea.objects.filter(slug=AREA_SLUG).first()
    if area is None:
        area = ThematicArea.objects.create(
            partnership=partnership,
            name="Children's social care",
            slug=AREA_SLUG,
            lead_partner=council,
            description="Children's social care: the journey of the child from contact to permanence or leaving care.",
        )
    return partnership, council, area


def _member(partnership, council, username, first, last, job_title, **roles):
    """The partnership's member of this name (the scrutiny half's, when it seeded them), else
    a new one working for the council, who cannot sign in."""
    existing = (
        User.objects.filter(
            first_name=first, last_name=last, memberships__partnership=partnership, memberships__is_active=True
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    person, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "job_title": job_title, "email": f"{username}@example.org"},
    )
    if created:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    Membership.objects.get_or_create(
        partnership=partnership, person=person, defaults={"partner": council, "is_active": True, **roles}
    )
    return person


def _indicator(area, position, code, name, unit, polarity, definition, frequency, result):
    indicator, created = Indicator.objects.get_or_create(
        partnership_id=area.partnership_id,
        code=code,
        defaults={
            "area": area,
            "name": name,
            "unit": unit,
            "polarity": polarity,
            "frequency": frequency,
            "definition": definition,
            "source": "Southampton City Council, children's social care performance (demonstration figures)",
            "position": position,
        },
    )
    result.indicators += 1
    return indicator, created


def _seed_indicators(area, result) -> dict:
    kpis = {}
    position = 0
    for code, name, unit, polarity, ours, national, neighbours, definition in YEARLY:
        position += 1
        indicator, created = _indicator(area, position, code, name, unit, polarity, definition, "year", result)
        kpis[code] = indicator
        if not created:
            continue
        for i, year in enumerate(YEARS):
            record_value(
                indicator=indicator,
                period_start=datetime.date(year, 1, 1),
                value=Decimal(str(ours[i])),
                national=None if national is None else Decimal(str(national[i])),
                comparator=None if neighbours is None else Decimal(str(neighbours[i])),
            )
            result.values += 1
    for code, name, unit, polarity, ours, reason, definition in WEEKLY:
        position += 1
        indicator, created = _indicator(area, position, code, name, unit, polarity, definition, "week", result)
        kpis[code] = indicator
        if not created:
            continue
        for week, number in zip(WEEKS, ours, strict=True):
            if number is None:
                record_value(
                    indicator=indicator, period_start=week, value=None, status="awaiting", awaiting_reason=reason
                )
                result.awaiting += 1
            else:
                record_value(indicator=indicator, period_start=week, value=Decimal(str(number)))
            result.values += 1
    return kpis


STAGES = [
    ("Contact", "csc-contacts", "csc-contact-decisions-weekly"),
    ("Referral", "csc-referrals", "csc-re-referrals"),
    ("Assessment", "csc-assessments", "csc-assessments-45-days"),
    ("Child in need or child protection", "csc-cp-plans", "csc-icpc-15-days"),
    ("Looked after", "csc-lac", None),
    ("Fostering, adoption or leaving care", "csc-permanence", "csc-adoption-days"),
]


def _seed_pathway(area, kpis, result):
    if Pathway.objects.filter(area=area).exists():
        result.stages = area.pathway.stages.count()
        return
    for position, (name, volume, timeliness) in enumerate(STAGES, start=1):
        pathways.add_stage(
            area=area,
            name=name,
            position=position,
            volume_indicator=kpis.get(volume),
            timeliness_indicator=kpis.get(timeliness),
        )
        result.stages += 1
    Pathway.objects.filter(area=area).update(
        description="The new KPIs track the journey of the child from referral through to fostering or adoption "
        "or leaving care, benchmarked with the national statutory indicators."
    )


def _seed_audit(area, facilitator, owner, result):
    title = "Child protection plans: weekly assurance audit"
    if AssuranceAudit.objects.filter(area=area, title=title).exists():
        result.audits = 1
        return
    audit = audit_services.record_audit(
        area=area,
        by=facilitator,
        title=title,
        audited_on=datetime.date(2021, 10, 20),
        auditor="Quality Assurance Unit, Children and Learning",
        sample_size=24,
        sample_description="Plans open for more than three months, chosen at random across the three localities.",
        grading=AssuranceAudit.Grading.REQUIRES_IMPROVEMENT,
        summary="Plans are reviewed on time, but the child's voice is missing from a third of them, and too few "
        "say what will change for the child by when.",
    )
    finding = audit_services.record_audit_finding(
        audit=audit,
        by=facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="The child's voice is missing from a third of the plans",
        text="Eight of the 24 plans audited do not record what the child said or how they were seen alone.",
    )
    finding_services.add_action(
        finding=finding,
        description="Add the child's words to the plan template and check them in the weekly stretch and challenge.",
        owner=owner,
        due_date=datetime.date(2022, 1, 31),
    )
    result.audits = 1


def _programme(partnership, area, facilitator):
    """The programme the weekly sessions belong to (the scrutiny half's, if one reviews the
    area over the autumn of 2021; else one made for them)."""
    existing = (
        Programme.objects.filter(
            partnership=partnership,
            areas=area,
            start_date__lte=datetime.date(2021, 10, 6),
            end_date__gte=datetime.date(2021, 12, 1),
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    question_set = (
        QuestionSet.objects.filter(partnership=partnership).order_by("family", "-version").first()
        or QuestionSet.objects.filter(partnership__isnull=True).order_by("family", "-version").first()
    )
    programme, _ = Programme.objects.get_or_create(
        slug="southampton-improvement-2021",
        defaults={
            "partnership": partnership,
            "name": "Children and Learning Improvement Plan 2021/22",
            "start_date": datetime.date(2021, 9, 1),
            "end_date": datetime.date(2022, 8, 31),
            "self_evaluation_deadline": datetime.date(2022, 7, 31),
            "question_set": question_set,
            "status": Programme.Status.ACTIVE,
        },
    )
    programme.areas.add(area)
    programme.facilitators.add(facilitator)
    return programme


def _seed_series(programme, area, kpis, lead, director, result):
    title = "Children's social care stretch and challenge"
    series = SessionSeries.objects.filter(programme=programme, title=title).first()
    if series is None:
        series = series_services.create_series(
            programme=programme,
            indicators=[
                kpis["csc-contacts-weekly"],
                kpis["csc-contact-decisions-weekly"],
                kpis["csc-assessments-45-days"],
                kpis["csc-re-referrals"],
            ],
            title=title,
            area=area,
            service_lead=lead,
            facilitator=director,
            frequency=SessionSeries.Frequency.WEEKLY,
            weekday=SessionSeries.Weekday.WEDNESDAY,
            start_time=datetime.time(9, 30),
            end_time=datetime.time(10, 0),
            starts_on=datetime.date(2021, 10, 6),
            until=None,
            count=8,
            venue="Civic Centre, Southampton",
            meeting_link="",
        )
        occurrences = list(series.occurrences.select_related("session").order_by("planned_date"))
        series_services.skip_occurrence(
            occurrence=occurrences[3], by=director, reason="Half-term week: the service lead is on leave"
        )
        series_services.save_meeting_notes(
            occurrence=occurrences[0],
            expected_revision=occurrences[0].revision,
            meeting_notes="Re-referrals are down to 21%, near the national figure. Contact decisions within one "
            "working day cannot be counted from the week of 4 October until Care Director goes live: "
            "a manual sample of 20 contacts a week meanwhile.",
        )
    result.occurrences = series.occurrences.count()
    result.skipped = series.occurrences.filter(skipped_at__isnull=False).count()
    return series


def seed_southampton_data(partnership=None, *, area=None) -> Result:
    """Seed Southampton's children's social care KPIs and benchmarks, weekly KPIs with their
    awaited weeks, the pathway of the child, an assurance audit with a finding and action, and
    the weekly stretch-and-challenge series with Jo Feeney (one occurrence skipped). Takes the
    partnership (and its area) the scrutiny half seeded, or finds or makes them by slug."""
    result = Result()
    partnership, council, found_area = _partnership_and_area(partnership)
    area = area or found_area
    lead = _member(partnership, council, "jo.feeney", "Jo", "Feeney", "Interim Service Lead")
    director = _member(
        partnership,
        council,
        "steph.murray",
        "Steph",
        "Murray",
        "Director of Quality and Integration",
        is_facilitator=True,
    )
    if area.lead_officer_id is None:
        ThematicArea.objects.filter(pk=area.pk).update(lead_officer=lead)
    kpis = _seed_indicators(area, result)
    _seed_pathway(area, kpis, result)
    _seed_audit(area, director, lead, result)
    programme = _programme(partnership, area, director)
    _seed_series(programme, area, kpis, lead, director, result)
    result.values = IndicatorValue.objects.filter(indicator__area=area).count()
    return result
