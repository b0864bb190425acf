"""The scrutiny report of an agenda item: the area's KPIs with their national and comparator
(statistical neighbour) benchmarks, the panel's questions and the officers' answers (the
meeting's workspace: answers, challenges and replies), and the resolutions. Rendered by the
worker as the self-evaluations' drafts are (evaluations.pdf, StoredRender): its HTML is
cheap, so a download compares the HTML's SHA-256 with the stored PDF's."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from evaluations.models import ScrutinyReportPdf
from evaluations.pdf import STATIC_BASE, html_key
from findings.models import Resolution
from indicators.selectors import indicators_for_area
from programmes.models import Section
from sessions.models import AgendaItem
from workspace.models import Answer, Comment


@dataclass
class QuestionRecord:
    question: object
    answer: object | None
    threads: list  # the panel's questions and challenges, each with its `replies`


def item_for_report(pk) -> AgendaItem:
    return AgendaItem.objects.select_related(
        "area__lead_partner", "session__programme__partnership", "session__panel", "session__question_set"
    ).get(pk=pk)


def report_context(item) -> dict:
    """What the report shows, read in a fixed number of queries."""
    session, area = item.session, item.area
    sections = list(
        Section.objects.filter(question_set=session.question_set_id).prefetch_related("questions").order_by("position")
    )
    answers = {a.question_id: a for a in Answer.objects.filter(session=session, area=area).select_related("updated_by")}
    threads = {}
    replies = Comment.objects.filter(withdrawn_at__isnull=True).select_related("author").order_by("created_at", "pk")
    for thread in (
        Comment.objects.filter(session=session, area=area, parent__isnull=True, withdrawn_at__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    ):
        threads.setdefault(thread.question_id, []).append(thread)
    record = []
    for section in sections:
        entries = []
        for question in section.questions.all():
            answer = answers.get(question.pk)
            if answer is not None:
                answer.question = question  # its rating reads the question's kind
            entries.append(QuestionRecord(question=question, answer=answer, threads=threads.get(question.pk, [])))
        record.append((section, entries))
    return {
        "item": item,
        "session": session,
        "programme": session.programme,
        "area": area,
        "officers": sorted(item.presenting_officers.all(), key=lambda p: (p.last_name, p.first_name)),
        "indicators": indicators_for_area(area),
        "record": record,
        "resolutions": list(Resolution.objects.filter(agenda_item=item).select_related("owner").order_by("pk")),
    }


def report_title(item) -> str:
    return f"Scrutiny report: item {item.number}, {item.title}"


def report_html(item) -> str:
    return render_to_string(
        "evaluations/pdf/scrutiny_report.html",
        {
            **report_context(item),
            "title": report_title(item),
            "static_base": STATIC_BASE,
            "generated_at": timezone.now(),
        },
    )


def report_key(html) -> str:
    # The date it was generated on is printed; the HTML otherwise changes with its inputs only.
    return html_key(html)


def stored_report(item, key) -> bytes | None:
    data = ScrutinyReportPdf.objects.filter(pk=item.pk, inputs_sha256=key).values_list("pdf", flat=True).first()
    return None if data is None else bytes(data)
