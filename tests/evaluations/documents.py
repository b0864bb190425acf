"""Reading the self-evaluation's documents back in tests: the PDF's pages as text, the text
boxes WeasyPrint lays out past a page's content area, the headings and tables of an HTML page
and of a Word document, a strict HTML5 parse."""

import html
import io
import re
from html.parser import HTMLParser

import docx
import html5lib
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from evaluations.document import text_blocks
from evaluations.pdf import STATIC_BASE, make_fetcher
from workspace.models import Answer, Comment

# The running header and footer of a page, and the draft mark: left out of the text that
# answers and comments are looked for in (an answer that runs over a page break is read
# across it).
FURNITURE = [
    re.compile(r"Version \d+, (draft|final|circulated for comment) Page \d+ of \d+"),
    re.compile(r"\bDRAFT\b"),
]


def flat(text) -> str:
    return " ".join(text.split())


def pdf_pages(data) -> list:
    """Each page's text, its lines joined by a space, or by nothing after a word's hyphen
    ("post-" at the end of a line and "November" on the next read "post-November")."""
    return [flat(re.sub(r"(?<=\w)-\n", "-", page.extract_text() or "")) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_body_pages(data, header) -> list:
    """The PDF's pages' text without the running header (`header`), footer and draft mark."""
    pages = []
    for page in pdf_pages(data):
        page = page.replace(header, " ")
        for pattern in FURNITURE:
            page = pattern.sub(" ", page)
        pages.append(flat(page))
    return pages


def pdf_body_text(data, header) -> str:
    return " ".join(pdf_body_pages(data, header))


def missing_from(text, document) -> str:
    """Where `text` stops being found in `document`: its first words that are not ("" if all are)."""
    words = text.split()
    for end in range(1, len(words) + 1):
        if " ".join(words[:end]) not in document:
            return " ".join(words[max(0, end - 6) : end + 3])
    return ""


def overflowing_text(html_text) -> list:
    """Every text box that WeasyPrint lays out beyond its page's content area: (page, text)."""
    document = HTML(string=html_text, base_url=STATIC_BASE, url_fetcher=make_fetcher()).render()
    found = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        right, bottom = left + box.width, top + box.height

        def walk(child, number=number, left=left, top=top, right=right, bottom=bottom):
            if isinstance(child, boxes.TextBox):
                x, y = child.position_x, child.position_y
                if x < left - 0.5 or x + child.width > right + 0.5 or y < top - 0.5 or y + child.height > bottom + 0.5:
                    found.append((number, child.text[:60]))
            for grandchild in getattr(child, "children", None) or []:
                walk(grandchild)

        walk(box.children[0])  # the document's boxes; the page's margin boxes are its header and footer
    assert document.pages
    return found


class Outline(HTMLParser):
    """The headings (h1-h4, in order) and tables (by caption) of an HTML document."""

    def __init__(self):
        super().__init__()
        self.headings, self.captions, self.tables = [], [], 0
        self._in = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3", "h4", "caption"}:
            self._in, self._text = tag, []
        elif tag == "table":
            self.tables += 1

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._in:
            text = flat("".join(self._text))
            (self.captions if tag == "caption" else self.headings).append(text)
            self._in = None


def outline(html_text):
    parser = Outline()
    parser.feed(html_text)
    return parser


def word_outline(data):
    document = docx.Document(io.BytesIO(data))
    headings = [
        flat(p.text) for p in document.paragraphs if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]
    captions = [flat(p.text) for p in document.paragraphs if p.style.name == "Caption" and "Colour key" not in p.text]
    return document, headings, captions


def strict_parse(page):
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(page)  # raises on the first parse error
    return parser


def answer_and_comment_texts(programme, area) -> list:
    texts = [a.text for a in Answer.objects.filter(session__programme=programme, area=area).exclude(text="")]
    comments = Comment.objects.filter(session__programme=programme, area=area, withdrawn_at__isnull=True)
    texts += [c.text for c in comments]
    assert texts
    # As the documents lay it out: a list's "- " markers become bullets.
    return [" ".join(" ".join(lines) for _, lines in text_blocks(text)) for text in texts]


def html_text(page) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))
