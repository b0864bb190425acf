"""The demo's mini self-evaluations as documents (issue 16): Safeguarding children opens with
its cover, contents and a one-page summary, then its findings; no text runs off any page of any
of them; the Word version carries every heading and table of the PDF; the HTML version is
valid HTML (html5lib's strict parser and the Nu HTML Checker); the PDF and the HTML keep the
exact text of every answer and comment."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from challenge import clock
from evaluations.area_pdf import part_html
from evaluations.document import build_document
from evaluations.models import SelfEvaluation
from evaluations.pdf import self_evaluation_html, self_evaluation_pdf
from evaluations.published import published_html
from evaluations.selectors import compile_area
from evaluations.word import self_evaluation_docx
from tests.evaluations.documents import (
    answer_and_comment_texts,
    flat,
    html_text,
    missing_from,
    outline,
    overflowing_text,
    pdf_body_pages,
    pdf_body_text,
    pdf_pages,
    strict_parse,
    word_outline,
)
from tests.nu_checker import nu_errors

DEMO_DAY = datetime.date(2009, 5, 20)


def unspaced(text) -> str:
    return "".join(text.split())


# --- The demo ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.delenv("DEMO_PASSWORD", raising=False)
        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield {se.area.slug: se for se in SelfEvaluation.objects.select_related("programme__partnership", "area")}
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_safeguarding_self_evaluation_opens_with_its_summary_and_findings(demo):
    final = demo["safeguarding-children"]
    header = "Safeguarding children: mini self-evaluation Salford City Partnership"
    pages = pdf_body_pages(bytes(final.pdf), header)
    cover, contents, summary, after = pages[0], pages[1], pages[2], pages[3]
    assert "Salford City Partnership" in cover and "Safeguarding children: mini self-evaluation" in cover
    assert "Session Safeguarding and health inequalities, 29 April 2009" in cover
    assert "Status Final" in cover
    # The date the demo's clock gave when it was finalised, not the real day.
    assert "Date 6 May 2009" in cover and f"{datetime.date.today():%B %Y}" not in cover
    assert contents.startswith("Contents Summary")
    assert contents.index("Summary") < contents.index("Findings and action plan") < contents.index("Evidence")
    # One page of summary: judgement, impact with its matrix, key and scale words, ratings,
    # flags, top findings and actions due.
    assert summary.startswith("Summary Overall judgement")
    for expected in [
        "Impact High impact, score 12 of 25. Likelihood 3 of 5, scale 4 of 5 (possible; wide).",
        "Direction of travel Improving",
        "Confidence Medium",
        "1 very limited",
        "5 very wide",
        "5 almost certain",
        "1 rare",
        "Low impact: scores 1–4",
        "Very high impact: scores 17–25",
        "Green and red flags",
        "Top findings Strength: Strong improvement programme in place",
        "Actions due Send the LSCB a revised timetable",
    ]:
        assert expected in summary, expected
    assert "Introduction" not in summary and "Findings and action plan" not in summary
    # Then the introduction and the findings, the question-and-answer transcript last.
    assert after.startswith("Introduction") and "Findings and action plan" in after
    evidence = next(i for i, page in enumerate(pages) if page.startswith("Evidence: questions, answers"))
    assert evidence > 3 and all("Findings and action plan" not in page for page in pages[evidence:])
    assert final.document["parts"][0]["key"] == "summary"


@pytest.mark.django_db
def test_a_draft_says_draft_on_every_page_and_is_dated_by_the_apps_clock(demo):
    circulated = demo["health-inequalities"]
    with clock.pinned(DEMO_DAY):
        pages = pdf_pages(self_evaluation_pdf(circulated))
    assert all("DRAFT" in page for page in pages)
    assert "Date 20 May 2009" in pages[0]


@pytest.mark.django_db
def test_no_text_runs_off_any_page_of_the_demo_documents(demo):
    for slug, self_evaluation in demo.items():
        assert overflowing_text(self_evaluation_html(self_evaluation)) == [], slug
    safeguarding = demo["safeguarding-children"]
    programme, area = safeguarding.programme, safeguarding.area
    compiled = compile_area(programme, area)
    assert overflowing_text(part_html(programme, area, safeguarding, compiled)) == []


@pytest.mark.django_db
def test_the_word_version_carries_every_heading_and_table_of_the_pdf(demo):
    for slug, self_evaluation in demo.items():
        doc = self_evaluation.document if self_evaluation.is_final else build_document(self_evaluation)
        pdf = outline(self_evaluation_html(self_evaluation, document=doc))
        document, headings, captions = word_outline(self_evaluation_docx(doc))
        assert headings == pdf.headings, slug
        assert captions == pdf.captions and len(document.tables) == pdf.tables, slug
        # Real headings and the restylable styles, a table a reader can follow.
        assert document.paragraphs[0].style.name in {"Normal", "Subtitle", "Title"}
        assert {"Heading 1", "Heading 2"} <= {p.style.name for p in document.paragraphs}
        assert all(table.style.name == "Table Grid" for table in document.tables)
    safeguarding = demo["safeguarding-children"].document
    document, _, _ = word_outline(self_evaluation_docx(safeguarding))
    matrix = document.tables[0]
    assert [cell.text for cell in matrix.rows[0].cells][1:] == [
        "1 very limited",
        "2 limited",
        "3 moderate",
        "4 wide",
        "5 very wide",
    ]
    assert matrix.rows[3].cells[4].text == "◉ 12 (this area)"  # likelihood 3, scale 4
    # Each chart is a picture, described for a screen reader, with its numbers in a table after it.
    assert len(document.inline_shapes) == len(safeguarding["indicators"])
    assert "DRAFT" not in document.sections[0].header.paragraphs[0].text


@pytest.mark.django_db
def test_the_html_version_is_valid_and_has_one_h1_and_landmarks(demo):
    checked = {}
    for self_evaluation in demo.values():
        doc = self_evaluation.document if self_evaluation.is_final else build_document(self_evaluation)
        for page in (published_html(doc), published_html(doc, standalone=True)):
            checked[f"{self_evaluation.area.slug} ({len(checked)})"] = page
            strict_parse(page)
            assert page.count("<h1") == 1
            for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
                assert landmark in page
    standalone = published_html(demo["health-inequalities"].document or build_document(demo["health-inequalities"]))
    assert "<strong>DRAFT</strong>" in standalone
    # The W3C's Nu HTML Checker finds no error in any of them.
    assert nu_errors(checked) == []


@pytest.mark.django_db
def test_the_pdf_and_the_html_keep_the_exact_text_of_every_answer_and_comment(demo):
    for slug in ("safeguarding-children", "health-inequalities"):
        self_evaluation = demo[slug]
        doc = self_evaluation.document if self_evaluation.is_final else build_document(self_evaluation)
        data = bytes(self_evaluation.pdf) if self_evaluation.is_final else self_evaluation_pdf(self_evaluation)
        pdf = pdf_body_text(data, f"{doc['title']} {doc['partnership']}")
        page = html_text(published_html(doc))
        for text in answer_and_comment_texts(self_evaluation.programme, self_evaluation.area):
            # Every character, in order: pypdf's reading of the PDF puts a space where a glyph
            # is placed apart ("'possible' ."), so the PDF's text is compared without spaces.
            assert unspaced(text) in unspaced(pdf), (slug, missing_from(text, pdf))
            assert flat(text) in page, (slug, missing_from(text, page))
