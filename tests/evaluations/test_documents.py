"""A mini self-evaluation as a document an inspector reads (issue 16): the demo's Safeguarding
children self-evaluation opens with its cover, contents and a one-page summary, then its findings;
no text runs off any page; the Word version carries every heading and table of the PDF; the
HTML version is valid HTML; the PDF and the HTML keep the exact text of every answer and
comment; a final version's Word and HTML versions come from what was finalised."""

import base64
import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from challenge import clock
from evaluations import services as evaluation_services
from evaluations.area_pdf import assemble_area_self_evaluation, part_document
from evaluations.document import build_document
from evaluations.pdf import make_fetcher, self_evaluation_html, self_evaluation_pdf
from evaluations.published import published_html
from evaluations.selectors import compile_area
from evaluations.word import self_evaluation_docx
from programmes.admin import PartnershipForm
from programmes.models import Partnership, PartnershipLogo, Programme
from tests import factories as f
from tests.evaluations.documents import outline, overflowing_text, pdf_pages, word_outline
from workspace import services as ws
from workspace.models import Answer

DEMO_DAY = datetime.date(2009, 5, 20)


@pytest.mark.django_db
def test_a_long_unbroken_line_stays_on_the_page(world):
    """A pasted address with no spaces, in an answer and a table cell, wraps inside the page (the
    check itself catches such text: without the stylesheet's wrapping it ran 2,000pt wide)."""
    question = world.session.question_set.sections.first().questions.first()
    long = "https://example.org/" + "a" * 400
    ws.save_answer(
        session=world.session, area=world.safeguarding, question=question, by=world.lead, expected_revision=0, text=long
    )
    from findings import services as findings

    finding = findings.record_finding(
        session=world.session, area=world.safeguarding, by=world.facilitator, kind="strength", title="t", text=long
    )
    findings.add_action(finding=finding, description=long, owner=world.lead, due_date=datetime.date(2009, 7, 1))
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    page = self_evaluation_html(se)
    assert overflowing_text(page) == []
    assert overflowing_text(page.replace("</head>", "<style>* { overflow-wrap: normal !important; }</style></head>"))


# --- A final version keeps its document -------------------------------------------------


@pytest.fixture
def answered(world):
    question = world.session.question_set.sections.first().questions.first()
    ws.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=question,
        by=world.lead,
        expected_revision=0,
        text="Referrals rose by a fifth in Ordsall.",
    )
    return question


def test_a_finals_word_and_html_versions_come_from_what_was_finalised(client, world, answered):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    with clock.pinned(DEMO_DAY):
        final = evaluation_services.finalise(self_evaluation=se, by=world.facilitator)
    stored = bytes(final.pdf)
    assert final.document["date"] == "20 May 2009" and final.document["final"]
    # The records change after the version was finalised.
    Answer.objects.filter(question=answered).update(text="Rewritten later.")
    client.force_login(world.officer)
    assert client.get(reverse("self_evaluation_pdf", args=[final.pk])).content == stored
    page = client.get(reverse("self_evaluation_published", args=[final.pk])).content.decode()
    assert "Referrals rose by a fifth in Ordsall." in page and "Rewritten later." not in page
    assert "DRAFT" not in page and "20 May 2009" in page
    word = docx.Document(io.BytesIO(client.get(reverse("self_evaluation_docx", args=[final.pk])).content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Referrals rose by a fifth in Ordsall." in text and "Rewritten later." not in text
    # Rendering it again from the stored document gives the same HTML as the stored PDF's.
    assert self_evaluation_html(final) == self_evaluation_html(final, document=final.document)


# --- Downloads: where, who, and what they cost -------------------------------------------


def test_the_downloads_beside_the_pdf(client, world, answered):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    client.force_login(world.facilitator)
    page = client.get(se.get_absolute_url()).content.decode()
    docx_url = reverse("self_evaluation_docx", args=[se.pk])
    html_url = reverse("self_evaluation_published", args=[se.pk])
    assert docx_url in page and html_url in page
    documents = client.get(reverse("documents", args=[world.programme.slug])).content.decode()
    assert docx_url in documents and html_url in documents  # beside the PDF there too
    response = client.get(docx_url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response["Content-Disposition"] == 'attachment; filename="safeguarding-self-evaluation-v1-draft.docx"'
    assert "DRAFT" in docx.Document(io.BytesIO(response.content)).sections[0].header.paragraphs[0].text
    shown = client.get(html_url)
    assert shown["Content-Type"] == "text/html; charset=utf-8" and "Content-Disposition" not in shown
    assert "<style" not in shown.content.decode()  # the site's CSP: its own stylesheet, linked
    download = client.get(html_url + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="safeguarding-self-evaluation-v1-draft.html"'
    assert "<style>" in download.content.decode() and 'rel="stylesheet"' not in download.content.decode()


@pytest.mark.parametrize("name", ["self_evaluation_docx", "self_evaluation_published"])
def test_the_downloads_are_for_the_pdfs_readers_only(client, world, name):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    url = reverse(name, args=[se.pk])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(world.outsider)  # a member of the partnership who takes no part
    assert client.get(url).status_code == 403
    client.force_login(world.fire_reviewer)  # a reviewer of another session, not of this area
    assert client.get(url).status_code == 403
    stranger = f.person(f.partner("Elsewhere", f.partnership("Elsewhere")), "stranger")
    client.force_login(stranger)  # another partnership: nothing there
    assert client.get(url).status_code == 404
    for reader in (world.officer, world.reviewer, world.lead):
        client.force_login(reader)
        assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("name", ["self_evaluation_docx", "self_evaluation_published"])
def test_the_downloads_queries(client, world, answered, django_assert_num_queries, name):
    """The same number of queries however many findings, actions and challenges it holds."""
    from findings import services as findings

    def more(n):
        finding = findings.record_finding(
            session=world.session, area=world.safeguarding, by=world.facilitator, kind="risk", title=f"R{n}", text="t"
        )
        findings.add_action(finding=finding, description=f"A{n}", owner=world.lead, due_date=datetime.date(2009, 7, 1))
        ws.post_comment(
            session=world.session,
            area=world.safeguarding,
            question=answered,
            author=world.reviewer,
            kind="challenge",
            text=f"Why {n}?",
        )

    more(0)
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    client.force_login(world.facilitator)
    url = reverse(name, args=[se.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES[name]):
        assert client.get(url).status_code == 200
    for n in range(1, 4):
        more(n)
    with django_assert_num_queries(QUERIES[name]):
        assert client.get(url).status_code == 200


QUERIES = {"self_evaluation_docx": 19, "self_evaluation_published": 19}


def test_no_pdf_is_rendered_for_the_word_or_html_versions(client, world, monkeypatch):
    import weasyprint

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint was called")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    client.force_login(world.facilitator)
    assert client.get(reverse("self_evaluation_docx", args=[se.pk])).status_code == 200
    assert client.get(reverse("self_evaluation_published", args=[se.pk])).status_code == 200


# --- The programme chooses the parts ----------------------------------------------------


def programme_post(programme, **parts):
    data = {
        "name": programme.name,
        "description": programme.description,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat(),
        "self_evaluation_deadline": "",
        "areas": [area.pk for area in programme.areas.all()],
        "question_set": programme.question_set_id,
        "facilitators": [person.pk for person in programme.facilitators.all()],
        "status": programme.status,
        "revision": programme.revision,
    }
    data.update({f"part_{key}": place for key, place in parts.items()})
    return data


def test_the_programme_chooses_the_parts_and_their_order(client, world):
    client.force_login(f.person(world.council, "setter", is_facilitator=True))  # a partnership facilitator
    url = reverse("programme_edit", args=[world.programme.slug])
    page = client.get(url).content.decode()
    assert 'name="part_summary"' in page and "Self-evaluation part: Summary" in page
    # Two parts in one place: refused beside the field, nothing typed lost.
    refused = client.post(url, programme_post(world.programme, summary="1", findings="1", evidence="2"))
    assert refused.status_code == 200
    form = refused.context["form"]
    assert "Place 1 is taken by another part" in str(form.errors["part_findings"])
    assert form["part_evidence"].value() == "2"
    response = client.post(url, programme_post(world.programme, findings="1", summary="2", evidence="3"))
    assert response.status_code == 302
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.document_parts == ["findings", "summary", "evidence"]
    se = evaluation_services.current_self_evaluation(programme=programme, area=world.safeguarding)
    page = outline(self_evaluation_html(se))
    parts = [
        h
        for h in page.headings
        if h
        in {
            "Summary",
            "Findings and action plan",
            "Introduction",
            "Evidence: questions, answers and challenges",
            "Performance indicators",
        }
    ]
    assert parts == ["Findings and action plan", "Summary", "Evidence: questions, answers and challenges"]
    assert [h for h in word_outline(self_evaluation_docx(build_document(se)))[1] if h in parts] == parts


def test_a_new_programme_gets_the_default_parts(world):
    assert world.programme.chosen_document_parts == ["summary", "introduction", "findings", "indicators", "evidence"]
    world.programme.document_parts = ["nonsense", "evidence", "evidence"]
    assert world.programme.chosen_document_parts == ["evidence"]


# --- The partnership's logo -------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://example.org/x.png"/></svg>'


def test_a_logo_is_a_small_png_or_jpeg(world):
    """Uploaded in the admin: checked by opening it, whatever its name says; refused beside the field."""
    partnership = Partnership.objects.get(pk=world.programme.partnership_id)
    data = {"name": partnership.name, "slug": partnership.slug, "description": ""}
    form = PartnershipForm(data, {"logo_file": SimpleUploadedFile("logo.png", PNG)}, instance=partnership)
    assert form.is_valid() and form.cleaned_data["logo_file"].content_type == "image/png"
    for name, content in [
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("logo.png", b"GIF89a" + PNG),
        ("big.png", PNG + b"0" * 300_000),
    ]:
        form = PartnershipForm(data, {"logo_file": SimpleUploadedFile(name, content)}, instance=partnership)
        assert not form.is_valid() and list(form.errors) == ["logo_file"], name


def test_the_admin_keeps_the_logo_in_the_database(admin_client, world):
    partnership = Partnership.objects.get(pk=world.programme.partnership_id)
    url = reverse("admin:programmes_partnership_change", args=[partnership.pk])
    page = admin_client.get(url)
    data = {
        "name": partnership.name,
        "slug": partnership.slug,
        "description": "",
        "logo_file": SimpleUploadedFile("salford.png", PNG),
    }
    for prefix in ("partners",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    assert page.status_code == 200
    response = admin_client.post(url, _with_inline_forms(page, data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert bytes(PartnershipLogo.objects.get(partnership=partnership).data) == PNG
    response = admin_client.post(url, _with_inline_forms(page, {**data, "logo_file": "", "remove_logo": "on"}))
    assert response.status_code == 302 and not PartnershipLogo.objects.exists()


def _with_inline_forms(page, data):
    """`data` with the management form of each inline formset the admin page shows, unchanged."""
    import re

    form = dict(
        re.findall(r'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', page.content.decode())
    )
    inline = {}
    for name, value in form.items():
        inline[name] = value
    existing = re.findall(r'name="(partners-\d+-[a-z_]+)"[^>]*value="([^"]*)"', page.content.decode())
    inline.update(dict(existing))
    return {**inline, **data}


def test_the_logo_is_on_the_cover_and_in_the_header_and_nothing_else_is_fetched(world):
    PartnershipLogo.objects.create(partnership_id=world.programme.partnership_id, data=PNG, content_type="image/png")
    programme = Programme.objects.select_related("partnership").get(pk=world.programme.pk)
    se = evaluation_services.current_self_evaluation(programme=programme, area=world.safeguarding)
    page = self_evaluation_html(se)
    assert page.count('src="data:image/png;base64,') == 2  # the cover's and the running header's
    fetcher = make_fetcher()
    data = self_evaluation_pdf(se, fetcher=fetcher)
    assert fetcher.refused == [] and data.startswith(b"%PDF")
    images = [image for page in PdfReader(io.BytesIO(data)).pages[:2] for image in page.images]
    assert len(images) >= 2
    # No other data: address, nor any other address, is fetched.
    for url in [
        "data:image/svg+xml;base64," + base64.b64encode(SVG).decode(),
        "data:image/png;base64," + base64.b64encode(SVG).decode(),
        "data:text/html;base64,PGgxPmhpPC9oMT4=",
        "https://challenge.invalid/media/secret.txt",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert 'src="data:image/png;base64,' in published_html(build_document(se))
    word = docx.Document(io.BytesIO(self_evaluation_docx(build_document(se))))
    assert len(word.inline_shapes) == 1  # the cover's (no indicators here)


# --- The area self-evaluation -----------------------------------------------------------


def test_the_area_self_evaluation_opens_with_every_area_and_leaves_out_the_empty_ones(world, answered):
    assembled = assemble_area_self_evaluation(world.programme)
    pages = pdf_pages(assembled.data)
    text = " ".join(pages)
    assert [part.area.name for part in assembled.parts] == ["Safeguarding children"]
    glance = next(page for page in pages if page.startswith("The areas at a glance"))
    for expected in [
        "Area Impact score Direction of travel Confidence Flags Open actions",
        "Health inequalities — — — 0 0",
        "Safer city",
        "Safeguarding children",
    ]:
        assert expected in glance, expected
    assert "Areas with nothing answered yet" in glance and "Safer city: version 1, draft." in glance
    assert text.count("Not answered.") == 14  # the safeguarding part's other questions only
    doc = part_document(
        evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding),
        compile_area(world.programme, world.safeguarding),
    )
    assert doc["anchor"] == f"area-{world.safeguarding.pk}"


# --- Hostile text: escaped, and what XML cannot carry left out --------------------------------

# No NUL: PostgreSQL's text cannot hold it, and every form refuses it beside its field (Django's
# CharField: "Null characters are not allowed."; test_a_nul_typed_into_a_form_is_refused_beside_it).
PASTED = (
    'Ordsall rose\x01\x08\x0b\x0c\x1f by a fifth \ufffe\uffff<img src="http://evil.example/x.png"> '
    "<style>body { background: url(http://evil.example/y) }</style>"
)


def test_pasted_control_characters_and_markup_in_every_format(client, world):
    """Text pasted from elsewhere can hold control characters, which python-docx refuses (the
    Word download failed with a 500) and a PDF draws as boxes; and markup, which stays text."""
    question = world.session.question_set.sections.first().questions.first()
    ws.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=question,
        by=world.lead,
        expected_revision=0,
        text=PASTED,
    )
    from findings import services as findings

    findings.record_finding(
        session=world.session, area=world.safeguarding, by=world.facilitator, kind="strength", title=PASTED, text=PASTED
    )
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    client.force_login(world.facilitator)
    response = client.get(reverse("self_evaluation_docx", args=[se.pk]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert 'Ordsall rose by a fifth <img src="http://evil.example/x.png">' in text
    escaped = "Ordsall rose by a fifth &lt;img src=&quot;http://evil.example/x.png&quot;&gt; &lt;style&gt;"
    published = client.get(reverse("self_evaluation_published", args=[se.pk])).content.decode()
    for page in (published, self_evaluation_html(se)):
        assert escaped in page
        assert '<img src="http://evil' not in page and "<style>body" not in page
        assert not any(character in page for character in "\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff")


def test_a_final_version_kept_with_control_characters_still_opens_in_word(client, world, answered):
    """A version finalised before the document left them out keeps them in its stored document."""
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    final = evaluation_services.finalise(self_evaluation=se, by=world.facilitator)
    final.document["introduction"] = "Before\x0b after\x0c."
    final.save(update_fields=["document"])
    client.force_login(world.facilitator)
    response = client.get(reverse("self_evaluation_docx", args=[final.pk]))
    assert response.status_code == 200
    assert "Before after." in [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]


def test_a_nul_typed_into_a_form_is_refused_beside_it(client, world):
    """The one character no text column of PostgreSQL holds: a form says so, keeping the rest."""
    question = world.session.question_set.sections.first().questions.first()
    client.force_login(world.lead)
    response = client.post(
        reverse("answer_save", args=[world.session.pk, world.safeguarding.pk, question.pk]),
        {f"q{question.pk}-text": "Ordsall\x00 rose", f"q{question.pk}-revision": "0"},
    )
    assert response.status_code == 200 and "Null characters are not allowed." in response.content.decode()
