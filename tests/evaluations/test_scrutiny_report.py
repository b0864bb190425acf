"""An agenda item's scrutiny report: the area's KPIs with their national and comparator
benchmarks, the panel's questions and the officers' answers, the resolutions; rendered by the
worker (never in a web request), user text escaped."""

import datetime
import io
from decimal import Decimal

import pytest
import weasyprint
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks import default_task_backend
from pypdf import PdfReader

from evaluations.models import ScrutinyReportPdf
from evaluations.scrutiny_report import item_for_report, report_html
from findings import resolutions
from indicators.models import Indicator, IndicatorValue
from sessions import agenda
from sessions import services as session_services
from tests.evaluations.drafts import download_draft_pdf
from tests.scrutiny_world import southampton
from workspace import services as workspace_services
from workspace.models import Comment

pytestmark = pytest.mark.django_db
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def item(db):
    world = southampton()
    meeting = session_services.create_session(
        programme=world.programme,
        title="Children and Families Scrutiny Panel",
        date=datetime.date(2021, 11, 4),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        areas=[world.area],
        facilitator=world.scrutiny_officer,
        kind="scrutiny",
        panel=world.panel,
    )
    item = agenda.add_agenda_item(
        session=meeting,
        number="26",
        title="Children's and Learning Service Improvement Plan",
        area=world.area,
        report="<img src=x onerror=alert(1)> progress report",
        presenting_officers=[world.director],
    )
    kpi = Indicator.objects.create(area=world.area, code="cin-assess", name="Assessments within 45 days")
    IndicatorValue.objects.create(
        indicator=kpi,
        period_start=datetime.date(2021, 1, 1),
        value=Decimal("71.5"),
        national=Decimal("87.6"),
        comparator=Decimal("84.2"),
    )
    question = meeting.question_set.sections.order_by("position").first().questions.order_by("position").first()
    workspace_services.save_answer(
        session=meeting,
        area=world.area,
        question=question,
        by=world.director,
        expected_revision=0,
        text="Below the national average, improving.",
    )
    thread = workspace_services.post_comment(
        session=meeting,
        area=world.area,
        question=question,
        author=world.councillor,
        kind=Comment.Kind.QUESTION,
        text="Why is the gap with statistical neighbours so wide?",
    )
    workspace_services.reply_to(parent=thread, author=world.director, text="Care Director will tell us more.")
    resolutions.record_resolution(
        item=item,
        by=world.scrutiny_officer,
        kind="resolution",
        owner=world.director,
        text="The Panel would be provided with data and performance trends over a longer period.",
        response_due=datetime.date(2021, 12, 16),
    )
    item.world = world
    return item


def test_the_report_holds_the_kpis_questions_answers_and_resolutions(client, item):
    client.force_login(item.world.councillor)
    response = download_draft_pdf(client, reverse("scrutiny_report_pdf", args=[item.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in (
        "Item 26: Children's and Learning Service Improvement Plan",
        "Assessments within 45 days",
        "71.5",
        "87.6",
        "84.2",
        "Below the national average, improving.",
        "Why is the gap with statistical neighbours so wide?",
        "Care Director will tell us more.",
        "performance trends over a longer period",
        "Robert Henderson",
    ):
        assert expected in text, expected
    assert 'filename="scrutiny-report-item-26-2021-11-04.pdf"' in response["Content-Disposition"]


def test_user_text_is_escaped(item):
    html = report_html(item_for_report(item.pk))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_no_web_request_renders_the_report(client, item, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint was called")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
    client.force_login(item.world.scrutiny_officer)
    url = reverse("scrutiny_report_pdf", args=[item.pk])
    with override_settings(TASKS=DUMMY_TASKS):
        default_task_backend.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            first = client.get(url)
        assert first.status_code == 202 and "being prepared in the background" in first.content.decode()
        assert client.get(url).status_code == 202  # asked once: still waiting
        assert len(default_task_backend.results) == 1
        assert client.get(reverse("agenda_item", args=[item.pk])).status_code == 200
    assert ScrutinyReportPdf.objects.get(pk=item.pk).wanted_sha256


def test_query_count_of_the_waiting_page(client, item, django_assert_num_queries):
    client.force_login(item.world.councillor)
    url = reverse("scrutiny_report_pdf", args=[item.pk])
    with override_settings(TASKS=DUMMY_TASKS):
        client.get(url)
        with django_assert_num_queries(19):
            assert client.get(url).status_code == 202
        meeting, world = item.session, item.world
        for question in meeting.question_set.sections.order_by("position").last().questions.all():
            thread = workspace_services.post_comment(
                session=meeting, area=world.area, question=question, author=world.chair, kind="challenge", text="Why?"
            )
            workspace_services.reply_to(parent=thread, author=world.director, text="Because.")
        client.get(url)  # asks the worker for the report as it is now
        with django_assert_num_queries(19):  # more questions asked and answered: the same queries
            assert client.get(url).status_code == 202
