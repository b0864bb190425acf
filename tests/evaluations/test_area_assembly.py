"""The area self-evaluation is assembled from one PDF per area, each rendered once per change of
its inputs and stored (AreaPdfPart), and a front matter (cover, contents, executive summary)
rendered for every build; `merge_tagged_pdfs` puts them together as one tagged PDF (PDF/UA-1)
with one structure tree, outline and page labels, and contents links to each part."""

import datetime
import io
import os
import re

import pytest
import weasyprint
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from evaluations import services as evaluation_services
from evaluations import tasks
from evaluations.area_pdf import PART_KEEP_DAYS, assemble_area_self_evaluation, prune_parts
from evaluations.models import AreaPdfPart, AreaSelfEvaluationBuild
from findings import services as findings
from tests import factories as f
from workspace import services as ws

AREAS = ["Health inequalities", "Safeguarding children", "Safer city"]  # in the PDF's order


@pytest.fixture
def programme(world):
    """Each of two areas with a session, an answer, a finding and actions (an action plan is a
    table with column headers: IDs the merge must keep unique), and its own introduction."""
    w = world
    safer_session = f.session(
        w.programme,
        areas=[w.safer_city],
        facilitator=w.facilitator,
        title="Safer city",
        date=datetime.date(2009, 5, 12),
    )
    for session, area, words in [
        (w.session, w.safeguarding, "Referrals rose by a fifth in Ordsall."),
        (safer_session, w.safer_city, "Burglary fell by a third in Little Hulton."),
    ]:
        question = session.question_set.sections.order_by("position").first().questions.order_by("position").first()
        ws.save_answer(session=session, area=area, question=question, by=w.facilitator, expected_revision=0, text=words)
        finding = findings.record_finding(
            session=session, area=area, by=w.facilitator, kind="strength", title=f"Strength of {area.name}", text="t"
        )
        for due in (datetime.date(2009, 7, 1), datetime.date(2009, 8, 1)):
            findings.add_action(finding=finding, description=f"Act on {area.name}", owner=w.lead, due_date=due)
    introduce(w.programme, w.health_inequalities, "Health inequalities are widening in the west of the city.")
    return w.programme


def introduce(programme, area, text):
    self_evaluation = evaluation_services.current_self_evaluation(programme=programme, area=area)
    evaluation_services.update_texts(
        self_evaluation=self_evaluation,
        expected_revision=self_evaluation.revision,
        introduction=text,
        conclusion=self_evaluation.conclusion,
    )


@pytest.fixture
def weasyprint_calls(monkeypatch):
    """The titles of the documents WeasyPrint is asked to lay out, in order."""
    calls = []
    original = weasyprint.HTML

    def counting(*args, **kwargs):
        html = kwargs.get("string", "")
        calls.append(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", counting)
    return calls


def pdf_of(data):
    return PdfReader(io.BytesIO(data))


def page_index(reader, reference):
    return next(i for i, page in enumerate(reader.pages) if page.indirect_reference.idnum == reference.idnum)


def first_pages(reader):
    """Each area's name -> the index of its part's first page, from the page labels."""
    labels = reader.page_labels
    return {name: labels.index(f"{name} 1") for name in AREAS}


def test_the_assembled_pdf(programme, world):
    """One assembly, checked three ways (each assembly lays out four documents)."""
    reader = pdf_of(assemble_area_self_evaluation(programme).data)
    check_the_parts_and_the_front_matter_make_one_pdf(reader)
    check_the_merged_pdf_stays_tagged(reader)
    check_the_contents_and_the_outline_go_to_each_part(reader, world)


def check_the_parts_and_the_front_matter_make_one_pdf(reader):
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in [
        "CAA 2009 challenge sessions: area self-evaluation",
        "Executive summary",
        "Referrals rose by a fifth in Ordsall.",
        "Burglary fell by a third in Little Hulton.",
        "Health inequalities are widening in the west of the city.",
        "Strength of Safer city",
        "Act on Safeguarding children",
    ]:
        assert expected in text, expected
    labels = reader.page_labels
    starts = first_pages(reader)
    assert labels[0] == "i" and sorted(starts.values()) == [starts[name] for name in AREAS]
    # A part's pages are labelled as their footers number them.
    for name, start in starts.items():
        last = (sorted(starts.values()) + [len(labels)])[sorted(starts.values()).index(start) + 1] - 1
        count = last - start + 1
        assert labels[last] == f"{name} {count}"
        footer = " ".join(reader.pages[last].extract_text().split())
        assert f"{name} · page {count} of {count}" in footer
    front = " ".join(reader.pages[0].extract_text().split()) + " ".join(reader.pages[1].extract_text().split())
    assert "Page i of" in front


def check_the_merged_pdf_stays_tagged(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert str(root["/Lang"]) == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "CAA 2009 challenge sessions: area self-evaluation"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp) and "CAA 2009 challenge sessions: area self-evaluation" in xmp

    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    tree = root["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(tree["/ParentTreeNextKey"]) > max(parent_tree)

    # One /Document element; every element under it has its parent as /P and a page of this PDF.
    documents = tree["/K"]
    assert len(documents) == 1 and documents[0].get_object()["/S"] == "/Document"
    seen, ids, headers, stack = set(), [], [], [(documents[0], tree.indirect_reference)]
    while stack:
        reference, parent = stack.pop()
        element = reference.get_object()
        seen.add(reference.idnum)
        assert element.raw_get("/P").idnum == parent.idnum
        if "/Pg" in element:
            assert element.raw_get("/Pg").idnum in pages
        if "/ID" in element:
            ids.append(str(element["/ID"]))
        attributes = element.get("/A")
        if attributes is not None and "/Headers" in attributes.get_object():
            headers.extend(str(header) for header in attributes.get_object()["/Headers"])
        for kid in element.get("/K", ArrayObject()):
            if isinstance(kid, IndirectObject) and kid.get_object().get("/Type") == "/StructElem":
                stack.append((kid, reference))
    assert len(seen) > 500
    assert ids and len(ids) == len(set(ids))  # each part's table headers, still unique
    assert headers and set(headers) <= set(ids)
    assert len({header.split("-")[0] for header in headers}) >= 2  # from two parts' action plans

    # Every page's marked content and every link resolve in the merged ParentTree.
    for index, page in enumerate(reader.pages):
        owners = parent_tree[page["/StructParents"]]
        assert owners, index
        for owner in owners:
            owner = owner.get_object()
            assert owner["/Type"] == "/StructElem" and pages[owner.raw_get("/Pg").idnum] == index
        for annotation in page.get("/Annots", []):
            link = parent_tree[annotation.get_object()["/StructParent"]].get_object()
            objects = [kid.get_object() for kid in link["/K"] if isinstance(kid, IndirectObject)]
            assert any(o.get("/Type") == "/OBJR" and o.raw_get("/Obj").idnum == annotation.idnum for o in objects)


def check_the_contents_and_the_outline_go_to_each_part(reader, world):
    starts = first_pages(reader)
    contents = next(i for i, page in enumerate(reader.pages) if page.extract_text().startswith("Contents"))
    targets = {}
    for annotation in reader.pages[contents]["/Annots"]:
        annotation = annotation.get_object()
        destination = annotation["/Dest"]
        if isinstance(destination, ArrayObject):
            targets[str(annotation["/Contents"])] = page_index(reader, destination[0])
        else:  # the executive summary, a named destination in the same piece
            targets[str(annotation["/Contents"])] = reader.get_destination_page_number(
                reader.named_destinations[str(destination)]
            )
        assert "/A" not in annotation  # no link to the placeholder URL is left
    assert {name: targets[name] for name in AREAS} == starts
    summary = next(
        i for i, page in enumerate(reader.pages) if "Executive summary Flags" in " ".join(page.extract_text().split())
    )
    assert targets["summary"] == summary

    outline = {
        item.title: reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)
    }
    assert {name: outline[name] for name in AREAS} == starts
    assert outline["Executive summary"] == summary
    # Each part's own named destinations (its sections) go to its pages.
    anchor = f"area-{world.safer_city.pk}-findings"
    assert reader.get_destination_page_number(reader.named_destinations[anchor]) >= starts["Safer city"]


def test_a_part_is_rendered_once_and_reused_until_its_area_changes(programme, world, weasyprint_calls):
    first = assemble_area_self_evaluation(programme)
    assert weasyprint_calls == [
        "Health inequalities: CAA 2009 challenge sessions area self-evaluation",
        "Safeguarding children: CAA 2009 challenge sessions area self-evaluation",
        "Safer city: CAA 2009 challenge sessions area self-evaluation",
        "CAA 2009 challenge sessions: area self-evaluation",
    ]
    assert first.rendered == AREAS and AreaPdfPart.objects.count() == 3

    weasyprint_calls.clear()
    again = assemble_area_self_evaluation(programme)
    assert weasyprint_calls == ["CAA 2009 challenge sessions: area self-evaluation"]  # the front matter only
    assert again.rendered == [] and [p.stored.pk for p in again.parts] == [p.stored.pk for p in first.parts]

    weasyprint_calls.clear()
    introduce(programme, world.safer_city, "Burglary is down; car crime is not.")
    changed = assemble_area_self_evaluation(programme)
    assert weasyprint_calls == [
        "Safer city: CAA 2009 challenge sessions area self-evaluation",
        "CAA 2009 challenge sessions: area self-evaluation",
    ]
    assert changed.rendered == ["Safer city"] and AreaPdfPart.objects.count() == 4
    text = " ".join(page.extract_text() for page in pdf_of(changed.data).pages)
    assert "Burglary is down; car crime is not." in " ".join(text.split())


def test_a_change_seen_only_in_the_summary_renders_no_part(programme, world, weasyprint_calls):
    assemble_area_self_evaluation(programme)
    partnership = programme.partnership
    partnership.name = "Salford Partnership"  # shown in every part's header
    partnership.save()
    programme.refresh_from_db()
    weasyprint_calls.clear()
    assert assemble_area_self_evaluation(programme).rendered == AREAS
    weasyprint_calls.clear()
    world.programme.self_evaluation_deadline = datetime.date(2009, 9, 30)  # the cover only
    world.programme.save()
    assert assemble_area_self_evaluation(programme).rendered == []
    assert len(weasyprint_calls) == 1


def test_the_build_records_its_parts_and_old_parts_are_pruned(programme, world):
    build = AreaSelfEvaluationBuild.objects.create(programme=programme, requested_by=world.facilitator)
    assert tasks.build_area_self_evaluation.call(build_id=build.pk) == "ready"
    build.refresh_from_db()
    assert build.status == "ready" and build.parts.count() == 3
    assert len(pdf_of(bytes(build.pdf)).pages) > 4

    long_ago = timezone.now() - datetime.timedelta(days=PART_KEEP_DAYS + 1)
    AreaPdfPart.objects.update(used_at=long_ago)  # but the latest build used them: kept
    old = AreaPdfPart.objects.create(
        inputs_sha256="0" * 64,
        programme=programme,
        area=world.safer_city,
        data=b"%PDF-1.7 old",
        pages=1,
        rendered_at=long_ago,
        used_at=long_ago,
    )
    recent = AreaPdfPart.objects.create(
        inputs_sha256="1" * 64,
        programme=programme,
        area=world.safer_city,
        data=b"%PDF-1.7 recent",
        pages=1,
        rendered_at=long_ago,
        used_at=timezone.now() - datetime.timedelta(days=PART_KEEP_DAYS - 1),
    )
    assert prune_parts() == 1
    assert not AreaPdfPart.objects.filter(pk=old.pk).exists()
    assert AreaPdfPart.objects.filter(pk=recent.pk).exists() and build.parts.count() == 3


def _pid_pdf(html, *, title):
    return b"%PDF rendered by " + str(os.getpid()).encode()


def _broken(html, *, title):
    raise ValueError("no fonts")


def _killed(html, *, title):
    os.kill(os.getpid(), 9)


def test_a_part_renders_in_a_child_process_and_a_dead_one_fails_the_build(programme, world, monkeypatch):
    monkeypatch.setattr(tasks, "html_to_pdf", _pid_pdf)
    assert tasks.render_in_child("<html></html>", title="t") != b"%PDF rendered by " + str(os.getpid()).encode()
    monkeypatch.setattr(tasks, "html_to_pdf", _broken)
    with pytest.raises(RuntimeError, match="Rendering t failed: no fonts"):
        tasks.render_in_child("<html></html>", title="t")
    monkeypatch.setattr(tasks, "html_to_pdf", _killed)
    build = AreaSelfEvaluationBuild.objects.create(programme=programme, requested_by=world.facilitator)
    with pytest.raises(RuntimeError):
        tasks._build(build.pk, render=tasks.render_in_child)
    build.refresh_from_db()
    assert build.status == "failed"
    assert "The process rendering Health inequalities (area self-evaluation) stopped (exit code -9)" in build.error


def test_a_build_with_its_parts_rendered_in_child_processes(programme, world):
    build = AreaSelfEvaluationBuild.objects.create(programme=programme, requested_by=world.facilitator)
    assert tasks._build(build.pk, render=tasks.render_in_child) == "ready"
    build.refresh_from_db()
    assert build.status == "ready" and build.parts.count() == 3
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf_of(bytes(build.pdf)).pages)
    assert "Burglary fell by a third in Little Hulton." in text and "Executive summary" in text


def test_the_merge_keeps_strings_that_look_like_references():
    """The merge renumbers "n 0 R" only where it is a reference: a figure's alternative text,
    a heading in the outline, a link's address and its text keep theirs, in any script."""
    from evaluations.pdf import STATIC_BASE, html_to_pdf
    from evaluations.pdf_merge import PdfPiece, merge_tagged_pdfs

    def document(title, heading):
        return html_to_pdf(
            f"""<!doctype html><html lang="en-GB"><head><title>{title}</title>
            <link rel="stylesheet" href="{STATIC_BASE}css/pdf.css"></head><body>
            <h1>{heading}</h1><p><a href="https://example.org/5 0 R">see 7 0 R (a \\ b)</a></p>
            <svg width="20" height="20"><title>Chart 12 0 R</title><rect width="9" height="9"/></svg>
            </body></html>""",
            title=title,
        )

    data = merge_tagged_pdfs(
        [PdfPiece(document("First", "Café 3 0 R – naïve")), PdfPiece(document("Second", "Part 1 0 R"), label="B ")]
    )
    reader = pdf_of(data)
    assert [item.title for item in reader.outline] == ["Café 3 0 R – naïve", "Part 1 0 R"]
    assert reader.page_labels == ["1", "B 1"]
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "see 7 0 R (a \\ b)" in text
    links = [annotation.get_object() for page in reader.pages for annotation in page["/Annots"]]
    assert {str(link["/A"]["/URI"]) for link in links} == {"https://example.org/5%200%20R"}
    alts, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0]]
    while stack:
        element = stack.pop().get_object()
        if "/Alt" in element:
            alts.append(str(element["/Alt"]))
        stack.extend(kid for kid in element.get("/K", []) if isinstance(kid, IndirectObject))
    assert alts == ["Chart 12 0 R", "Chart 12 0 R"]
