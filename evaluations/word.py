"""The Word (.docx) version of a mini self-evaluation, made with python-docx from its document
(evaluations.document.build_document): the same parts in the same order as its PDF, with
Word's own styles throughout (Title, Heading 1-3, List Bullet, Table Grid, Caption...) so
that an officer restyles the whole document by changing a style. The impact matrix is a Word
table, its cells shaded by band; each indicator's chart is a PNG drawn here with Pillow (which
WeasyPrint already brings), with its numbers in a table after it.

One session's document takes well under a second to make (no layout engine runs: Word lays
it out when it is opened), so the download is made in the request, unlike the PDF."""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from challenge.logos import read_data_url
from evaluations.document import printable, text_blocks

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The PDF's heading levels, as Word's styles.
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}


def _heading(document, text, level):
    return document.add_paragraph(text, style=HEADING_STYLES[level])


def _text(document, value, *, empty=""):
    """Plain text as paragraphs and lists (as the `simple_text` filter lays it out)."""
    blocks = text_blocks(value)
    if not blocks and empty:
        document.add_paragraph(empty, style="Quote")
    for kind, lines in blocks:
        if kind == "p":
            paragraph = document.add_paragraph()
            for index, line in enumerate(lines):
                run = paragraph.add_run(line)
                if index < len(lines) - 1:
                    run.add_break()
        elif kind == "ul":
            for line in lines:
                document.add_paragraph(line, style="List Bullet")
        else:  # numbered here: Word's "List Number" would go on counting from the last list
            for number, line in enumerate(lines, start=1):
                document.add_paragraph(f"{number}. {line}", style="List Paragraph")


def _labelled(document, label, value, style=None):
    paragraph = document.add_paragraph(style=style)
    paragraph.add_run(f"{label}").bold = True
    paragraph.add_run(f" {value}")
    return paragraph


def _repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, colour):
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#").upper())
    properties.append(shading)


def _table(document, caption, header, rows, *, row_headers=False):
    """A captioned table with a header row that repeats on each page."""
    document.add_paragraph(caption, style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = str(text)
            if row_headers and index == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    return table


def _cover(document, doc):
    logo = read_data_url(doc["logo"]) if doc.get("logo") else None
    if logo:
        document.add_picture(io.BytesIO(logo[0]), height=Mm(22))
        _describe_last_picture(document, doc["partnership"])
    document.add_paragraph(doc["partnership"], style="Subtitle")
    _heading(document, doc["title"], 1)
    document.add_paragraph(doc["programme"], style="Subtitle")
    if doc["focus_topics"]:
        document.add_paragraph("Focus topics: " + "; ".join(doc["focus_topics"]))
    status = doc["status"] + (": a draft, not the final document" if doc["draft"] else "")
    facts = [
        ("Area", doc["area"]),
        ("Session" + ("s" if len(doc["session_names"]) != 1 else ""), "; ".join(doc["session_names"]) or "None yet"),
        ("Version", str(doc["version"])),
        ("Status", status),
        ("Date", doc["date"]),
    ]
    if doc["finalised_by"]:
        facts.append(("Finalised by", doc["finalised_by"]))
    facts.append(("Lead organisation", doc["lead"]))
    if doc["deadline"]:
        facts.append(("Due", doc["deadline"]))
    for label, value in facts:
        _labelled(document, f"{label}:", value)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(document, "Contents", 2)
    for part in doc["parts"]:
        document.add_paragraph(part["title"], style="List Bullet")
        if part["key"] == "introduction" and doc.get("since"):
            document.add_paragraph("Since the last cycle", style="List Bullet")


def _describe_last_picture(document, description):
    """Alternative text for the picture just added (Word reads it aloud)."""
    inline = document.paragraphs[-1].runs[-1]._r.xpath(".//wp:docPr")
    if inline:
        inline[0].set("descr", description)


def _matrix(document, doc):
    impact = doc["summary"]["impact"]
    matrix = doc["matrix"]
    document.add_paragraph(
        "Impact matrix: likelihood of poor performance (rows) by the scale of its impact (columns)", style="Caption"
    )
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for index, word in enumerate(matrix["scale_words"], start=1):
        table.rows[0].cells[index].text = f"{index} {word}"
    _repeat_header(table.rows[0])
    for row in matrix["rows"]:
        cells = table.add_row().cells
        cells[0].text = f"{row['likelihood']} {row['word']}"
        for cell, data in zip(cells[1:], row["cells"], strict=True):
            here = row["likelihood"] == impact["likelihood"] and data["scale"] == impact["scale"]
            cell.text = f"◉ {data['score']} (this area)" if here else str(data["score"])
            if here:
                cell.paragraphs[0].runs[0].bold = True
            _shade(cell, data["colour"])
    key = document.add_paragraph(style="Caption")
    key.add_run(
        "Colour key: " + "; ".join(f"{band['label']} impact: scores {band['scores']}" for band in matrix["key"])
    )


def _summary(document, doc):
    summary, impact = doc["summary"], doc["summary"]["impact"]
    _heading(document, "Summary", 2)
    _heading(document, "Overall judgement", 3)
    _text(document, summary["judgement"], empty="The overall judgement has not been written yet.")
    _heading(document, "Impact, direction of travel and confidence", 3)
    if impact["band"]:
        rated = (
            f"{impact['band']} impact, score {impact['score']} of 25. Likelihood {impact['likelihood']} of 5, "
            f"scale {impact['scale']} of 5 ({impact['likelihood_word']}; {impact['scale_word']})."
        )
    else:
        rated = "Not yet rated"
    _labelled(document, "Impact:", rated)
    _labelled(document, "Direction of travel:", summary["direction"] or "Not yet rated")
    _labelled(document, "Confidence:", summary["confidence"] or "Not yet rated")
    _matrix(document, doc)
    _heading(document, "Green and red flags", 3)
    for finding in summary["flags"]:
        _labelled(document, f"{finding['kind_label']}:", finding["title"], style="List Bullet")
    if not summary["flags"]:
        document.add_paragraph("No flags have been recorded.", style="Quote")
    _heading(document, "Top findings", 3)
    for finding in summary["top_findings"]:
        _labelled(document, f"{finding['kind_label']}:", finding["title"], style="List Bullet")
    if not summary["top_findings"]:
        document.add_paragraph("No findings have been recorded.", style="Quote")
    _heading(document, "Actions due", 3)
    for action in summary["actions_due"]:
        overdue = ", overdue" if action["overdue"] else ""
        document.add_paragraph(
            f"{action['description']} ({action['owner']}), due {action['due']}{overdue}", "List Bullet"
        )
    if not summary["actions_due"]:
        document.add_paragraph("No actions are open.", style="Quote")
    elif summary["open_actions"] > len(summary["actions_due"]):
        document.add_paragraph(f"{summary['open_actions']} open actions in all: see the action plan.")


def _introduction(document, doc):
    _heading(document, "Introduction", 2)
    _text(document, doc["introduction"], empty="No introduction has been written yet.")
    since = doc.get("since")
    if not since:
        return
    _heading(document, "Since the last cycle", 2)
    document.add_paragraph(f"The previous cycle that reviewed this area was {since['previous']} ({since['period']}).")
    _table(document, "Ratings then and now", ["Rating", since["previous"], "Now"], since["rows"], row_headers=True)
    _heading(document, "The previous cycle's actions", 3)
    if since["actions"]:
        _table(
            document,
            "What became of the actions of the previous cycle",
            ["Action", "Owner", "Due", "Outcome"],
            [[a["description"], a["owner"], a["due"], a["outcome"]] for a in since["actions"]],
        )
    else:
        document.add_paragraph("No actions were agreed for this area in the previous cycle.", style="Quote")
    _heading(document, "Findings raised again", 3)
    for line in since["raised_again"]:
        document.add_paragraph(line, style="List Bullet")
    if not since["raised_again"]:
        document.add_paragraph("No finding of this cycle raises an earlier one again.", style="Quote")


def _findings(document, doc):
    _heading(document, "Findings and action plan", 2)
    _heading(document, "Findings", 3)
    for finding in doc["findings"]:
        _heading(document, f"{finding['kind_label']}: {finding['title']}", 4)
        _text(document, finding["text"])
        if finding["themes"]:
            document.add_paragraph("Themes: " + "; ".join(finding["themes"]))
        if finding["rests_on"]:
            document.add_paragraph("Rests on: " + "; ".join(finding["rests_on"]) + ".")
    if not doc["findings"]:
        document.add_paragraph("No findings have been recorded.", style="Quote")
    _heading(document, "Action plan", 3)
    if doc["actions"]:
        _table(
            document,
            "The actions agreed, soonest due first",
            ["Action", "Owner", "Due", "Status"],
            [
                [a["description"], a["owner"], a["due"], a["status_label"] + (" — overdue" if a["overdue"] else "")]
                for a in doc["actions"]
            ],
        )
    else:
        document.add_paragraph("No actions have been agreed.", style="Quote")


def _indicators(document, doc):
    _heading(document, "Performance indicators", 2)
    for indicator in doc["indicators"]:
        _heading(document, indicator["name"], 3)
        document.add_paragraph(f"{indicator['facts']} {indicator['judgement']}")
        if indicator["rows"]:
            document.add_picture(io.BytesIO(chart_png(indicator)), width=Mm(160))
            _describe_last_picture(document, f"Chart of {indicator['name']}: {indicator['judgement']}")
        unit = f" ({indicator['unit']})" if indicator["unit"] else ""
        _table(
            document,
            f"{indicator['name']}: the numbers{unit}",
            ["Period", "Value", "National", "Comparator group"],
            [[row["period"], row["value"], row["national"], row["comparator"]] for row in indicator["rows"]],
            row_headers=True,
        )
    if not doc["indicators"]:
        document.add_paragraph("No indicators have been recorded for this area.", style="Quote")


def _evidence(document, doc):
    _heading(document, "Evidence: questions, answers and challenges", 2)
    for session in doc["sessions"]:
        challenges = session["challenges"]
        document.add_paragraph(
            f"Challenge session of {session['date']}: {session['title']}. {session['answered']} of "
            f"{session['total']} questions answered; challenges: {challenges['open']} open, "
            f"{challenges['addressed']} addressed, {challenges['unresolved']} unresolved."
        )
        for section in session["sections"]:
            _heading(document, section["title"], 3)
            for question in section["questions"]:
                heading = _heading(document, f"{question['number']} {question['text']}", 4)
                heading.paragraph_format.keep_with_next = True
                if question["answered"]:
                    _text(document, question["answer"])
                else:
                    document.add_paragraph("Not answered.", style="Quote")
                if question["rating"]:
                    _labelled(document, f"{question['rating'][0]}:", question["rating"][1])
                if question["evidence"]:
                    document.add_paragraph().add_run("Evidence").bold = True
                    for item in question["evidence"]:
                        where = f" — {item['where']}" if item["where"] else ""
                        document.add_paragraph(f"{item['title']}{where}", style="List Bullet")
                for thread in question["threads"]:
                    head = document.add_paragraph(style="Intense Quote")
                    head.add_run(thread["kind_label"]).bold = True
                    status = f" — {thread['status_label'].lower()}" if thread["status_label"] else ""
                    head.add_run(f" from {thread['author']}{status}")
                    _text(document, thread["text"])
                    if thread["unresolved_note"]:
                        _labelled(document, "Why it stays unresolved:", thread["unresolved_note"])
                    for reply in thread["replies"]:
                        reply_head = document.add_paragraph(style="Quote")
                        reply_head.add_run("Reply").bold = True
                        reply_head.add_run(f" from {reply['author']}")
                        _text(document, reply["text"])
    if not doc["sessions"]:
        document.add_paragraph("No challenge session has covered this area yet.", style="Quote")


PARTS = {
    "summary": _summary,
    "introduction": _introduction,
    "findings": _findings,
    "indicators": _indicators,
    "evidence": _evidence,
}


def _page_furniture(document, doc):
    """The running header (partnership, title, DRAFT until final) and footer (page number)."""
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    header = section.header.paragraphs[0]
    header.text = f"{doc['partnership']} · {doc['title']}"
    header.style = "Header"
    if doc["draft"]:
        mark = header.add_run("    DRAFT")
        mark.bold = True
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.add_run(f"Version {doc['version']}, {doc['status'].lower()} · page ")
    _field(footer, "PAGE")


def _field(paragraph, instruction):
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def self_evaluation_docx(doc) -> bytes:
    """The .docx of the document `doc` (evaluations.document.build_document)."""
    doc = printable(doc)  # a final version finalised before build_document did this
    document = Document()
    document.core_properties.title = doc["title"]
    document.core_properties.author = doc["partnership"]
    document.core_properties.subject = doc["programme"]
    document.styles["Normal"].font.size = Pt(11)
    _page_furniture(document, doc)
    _cover(document, doc)
    for part in doc["parts"]:
        PARTS[part["key"]](document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Charts as PNG ------------------------------------------------------------------------

CHART_SIZE = (1280, 600)
LINES = [
    (0, "Value", (11, 61, 92), None),
    (1, "National", (80, 90, 95), (18, 10)),
    (2, "Comparator", (80, 90, 95), (4, 8)),
]


def _font(size):
    from django.contrib.staticfiles import finders
    from PIL import ImageFont

    path = finders.find("vendor/source-sans-3-5.3.1/source-sans-3-latin-400-normal.woff")
    try:
        return ImageFont.truetype(path, size)
    except (OSError, TypeError, ValueError):
        return ImageFont.load_default(size)


def _dashed(draw, points, colour, pattern, width):
    if pattern is None:
        draw.line(points, fill=colour, width=width, joint="curve")
        return
    on, off = pattern
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1)
        step = 0.0
        while step < length:
            end = min(step + on, length)
            draw.line(
                [
                    (x0 + (x1 - x0) * step / length, y0 + (y1 - y0) * step / length),
                    (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length),
                ],
                fill=colour,
                width=width,
            )
            step += on + off


def chart_png(indicator) -> bytes:
    """The indicator's chart as a PNG: its values (solid), national (dashed) and comparator
    (dotted) over time, the target as a thin line, a value axis and as many period labels as
    fit side by side (every value's, or every second's...), and a key."""
    from PIL import Image, ImageDraw

    from indicators.templatetags.indicators import _nice_ticks, kpi_number

    width, height = CHART_SIZE
    left, right, top, bottom = 120, 40, 30, 130
    image = Image.new("RGB", CHART_SIZE, "white")
    draw = ImageDraw.Draw(image)
    font, small = _font(26), _font(24)
    rows = indicator["rows"]
    numbers = [n for row in rows for n in row["numbers"] if n is not None]
    if indicator["target"] is not None:
        numbers.append(indicator["target"])
    ticks = _nice_ticks(min(numbers), max(numbers), 5)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(index):
        return left + (plot_w * index / (len(rows) - 1) if len(rows) > 1 else plot_w / 2)

    def y(number):
        return top + plot_h - plot_h * (number - low) / ((high - low) or 1)

    for tick in ticks:
        draw.line([(left, y(tick)), (left + plot_w, y(tick))], fill=(225, 228, 230), width=1)
        label = kpi_number(tick)
        draw.text((left - 12, y(tick)), label, fill=(11, 12, 12), font=small, anchor="rm")
    draw.line([(left, top), (left, top + plot_h), (left + plot_w, top + plot_h)], fill=(11, 12, 12), width=2)
    if indicator["target"] is not None:
        draw.line([(left, y(indicator["target"])), (left + plot_w, y(indicator["target"]))], fill=(15, 93, 44), width=2)
    for index, _, colour, pattern in LINES:
        points = [(x(i), y(row["numbers"][index])) for i, row in enumerate(rows) if row["numbers"][index] is not None]
        if len(points) > 1:
            _dashed(draw, points, colour, pattern, 5 if index == 0 else 3)
        if index == 0:
            for px, py in points:
                draw.ellipse([px - 6, py - 6, px + 6, py + 6], fill=colour)
    # Period labels: as many as fit, each centred under its point but kept inside the image.
    widest = max(draw.textlength(row["period"], font=small) for row in rows) + 24
    every = max(1, -(-len(rows) // max(1, int(plot_w // widest))))
    shown = list(range(0, len(rows), every))
    if shown[-1] != len(rows) - 1 and x(len(rows) - 1) - x(shown[-1]) >= widest:
        shown.append(len(rows) - 1)
    for i in shown:
        text_width = draw.textlength(rows[i]["period"], font=small)
        cx = min(max(x(i), text_width / 2 + 4), width - text_width / 2 - 4)
        draw.text((cx, top + plot_h + 14), rows[i]["period"], fill=(11, 12, 12), font=small, anchor="ma")
    key_x = left
    for index, name, colour, pattern in LINES:
        if not any(row["numbers"][index] is not None for row in rows):
            continue
        _dashed(draw, [(key_x, height - 30), (key_x + 60, height - 30)], colour, pattern, 5 if index == 0 else 3)
        draw.text((key_x + 70, height - 30), name, fill=(11, 12, 12), font=font, anchor="lm")
        key_x += 110 + draw.textlength(name, font=font)
    if indicator["target"] is not None:
        draw.line([(key_x, height - 30), (key_x + 60, height - 30)], fill=(15, 93, 44), width=2)
        draw.text((key_x + 70, height - 30), "Target", fill=(11, 12, 12), font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
