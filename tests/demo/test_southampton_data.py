"""Southampton's children's social care data (demo/seed/southampton_data.py), on its own: made
from nothing, idempotent, and as the issue asks: five years of KPIs with national and
statistical-neighbour benchmarks, weekly KPIs with awaited weeks, the pathway, an assurance
audit with a finding, and a weekly stretch-and-challenge series led by Jo Feeney, one skipped."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from demo.seed.southampton_data import seed_southampton_data
from findings.models import Action, AssuranceAudit, Finding
from indicators.models import Indicator, IndicatorValue, PathwayStage
from programmes.models import Partnership, ThematicArea
from sessions.models import ChallengeSession, SeriesOccurrence, SessionSeries

pytestmark = pytest.mark.django_db


def counts():
    return (
        Indicator.objects.count(),
        IndicatorValue.objects.count(),
        PathwayStage.objects.count(),
        AssuranceAudit.objects.count(),
        Finding.objects.count(),
        Action.objects.count(),
        SessionSeries.objects.count(),
        ChallengeSession.objects.count(),
    )


def test_seeds_southampton_from_nothing_and_again_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = seed_southampton_data()
    assert mail.outbox == []
    partnership = Partnership.objects.get(slug="southampton")
    area = ThematicArea.objects.get(slug="southampton-childrens-social-care", partnership=partnership)
    yearly = Indicator.objects.filter(area=area, frequency="year")
    assert yearly.count() == 14
    for indicator in yearly:
        years = sorted(v.period_start.year for v in indicator.values.all())
        assert years == [2017, 2018, 2019, 2020, 2021]
    benchmarked = IndicatorValue.objects.filter(indicator__in=yearly, national__isnull=False, comparator__isnull=False)
    assert benchmarked.count() == 8 * 5  # all but the counts of children (the funnel's volumes)
    awaited = IndicatorValue.objects.filter(indicator__area=area, status="awaiting")
    assert awaited.count() == 4 and {v.indicator.frequency for v in awaited} == {"week"}
    assert {v.awaiting_reason for v in awaited} == {"Care Director migration: PARIS cannot capture it"}
    assert list(area.pathway.stages.values_list("name", flat=True)) == [
        "Contact",
        "Referral",
        "Assessment",
        "Child in need or child protection",
        "Looked after",
        "Fostering, adoption or leaving care",
    ]
    audit = AssuranceAudit.objects.get(area=area)
    assert audit.grading == "requires_improvement" and audit.findings.get().actions.count() == 1
    series = SessionSeries.objects.get()
    assert (
        series.service_lead.get_full_name() == "Jo Feeney" and series.service_lead.job_title == "Interim Service Lead"
    )
    occurrences = list(SeriesOccurrence.objects.filter(series=series).select_related("session"))
    assert len(occurrences) == 8 and sum(o.is_skipped for o in occurrences) == 1
    assert {o.session.kind for o in occurrences} == {"stretch"}
    assert occurrences[0].session.date == datetime.date(2021, 10, 6)
    assert (result.occurrences, result.skipped, result.awaiting) == (8, 1, 4)
    before = counts()
    seed_southampton_data(partnership)
    assert counts() == before


def test_the_seeded_pages_show(client, admin_user):
    seed_southampton_data()
    client.force_login(admin_user)
    area = reverse("area_page", args=["southampton-childrens-social-care"])
    page = client.get(area).content.decode()
    assert 'class="pathway-funnel"' in page and "Awaiting data" in page
    series = SessionSeries.objects.get()
    assert "Half-term week" in client.get(series.get_absolute_url()).content.decode()
    occurrence = series.occurrences.order_by("planned_date").first()
    occurrence_page = client.get(occurrence.session.get_absolute_url()).content.decode()
    assert "The KPIs, latest values first" in occurrence_page and "Awaiting data" in occurrence_page
    audit = AssuranceAudit.objects.get()
    assert "The child&#x27;s voice is missing" in client.get(audit.get_absolute_url()).content.decode()
