"""PDFs of self-evaluations, rendered by WeasyPrint from the same templates as the pages.

WeasyPrint fetches nothing but the app's own static files, and takes the partnership's logo
from the document itself (a data: address holding a PNG or JPEG that passes
`challenge.logos.read_data_url`): StaticOnlyFetcher refuses every other URL (http, file, any
other data…), so a link or image in what a user typed can never make the server send a
request. User text is escaped by the templates as everywhere else."""

import hashlib
import mimetypes
import time

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from challenge.logos import read_data_url
from evaluations.document import build_document

STATIC_BASE = "https://challenge.invalid/static/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static files from disk; refuses everything else."""

        refused: list

        def __init__(self, *args, **kwargs):
            super().__init__(*args, allowed_protocols={"https"}, allow_redirects=False, **kwargs)
            self.refused = []

        def fetch(self, url, headers=None):
            logo = read_data_url(url)  # the partnership's logo, in the document itself
            if logo is not None:
                return URLFetcherResponse(url, body=logo[0], headers={"Content-Type": logo[1]})
            if url.startswith(STATIC_BASE):
                path = url[len(STATIC_BASE) :].split("?")[0].split("#")[0]
                if ".." not in path.split("/"):
                    found = finders.find(path)
                    if found:
                        with open(found, "rb") as handle:
                            body = handle.read()
                        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
            self.refused.append(url)
            raise ValueError(f"Challenge does not fetch {url!r} for PDFs")

    return StaticOnlyFetcher


def make_fetcher():
    return _fetcher_class()()


def html_to_pdf(html: str, *, title: str, fetcher=None, timings=None) -> bytes:
    """Render `html` as a tagged PDF (PDF/UA-1) with its title and language."""
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher or make_fetcher())
    data = document.write_pdf(pdf_variant="pdf/ua-1", custom_metadata=True)
    if timings is not None:
        timings["weasyprint"] = timings.get("weasyprint", 0) + time.perf_counter() - started
    return data


def self_evaluation_document(self_evaluation, compiled=None) -> dict:
    """The version's document: a final one's as it was finalised, a draft's as it is now."""
    if self_evaluation.is_final and self_evaluation.document:
        return self_evaluation.document
    return build_document(self_evaluation, compiled)


def self_evaluation_html(self_evaluation, compiled=None, document=None) -> str:
    doc = document or self_evaluation_document(self_evaluation, compiled)
    return render_to_string(
        "evaluations/pdf/self_evaluation.html",
        {
            "doc": doc,
            "programme": self_evaluation.programme,
            "title": doc["title"],
            "logo_url": doc["logo"],
            "static_base": STATIC_BASE,
        },
    )


def self_evaluation_title(self_evaluation) -> str:
    return f"{self_evaluation.area.name}: mini self-evaluation, version {self_evaluation.version}"


def self_evaluation_pdf(self_evaluation, **kwargs) -> bytes:
    return html_to_pdf(self_evaluation_html(self_evaluation), title=self_evaluation_title(self_evaluation), **kwargs)


def html_key(html: str) -> str:
    """The key a rendered PDF is stored against: the SHA-256 of the HTML it is rendered from
    (the HTML shows every input, and is cheap to render; WeasyPrint is the cost)."""
    return hashlib.sha256(html.encode()).hexdigest()


def draft_key(self_evaluation) -> str:
    """The key of the PDF of `self_evaluation` as it is now."""
    return html_key(self_evaluation_html(self_evaluation))


WARM_UP_HTML = """<!doctype html><html lang="en-GB"><head><title>Warm-up</title>
<link rel="stylesheet" href="{static_base}css/pdf.css"></head><body>
<h1>Warm-up</h1><h2>Fonts</h2><p>Regular <strong>bold</strong> <em>italic</em> <code>mono</code> ✓ – “” £ €</p>
<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
</body></html>"""


def warm_up() -> float:
    """Import WeasyPrint and render a small tagged PDF with the app's stylesheet, so that the
    first real PDF of a worker process does not pay for loading the library, fontconfig and
    the fonts (several seconds). Only background workers call this (see EvaluationsConfig):
    the web process never imports WeasyPrint. Returns the seconds it took."""
    started = time.perf_counter()
    html_to_pdf(WARM_UP_HTML.format(static_base=STATIC_BASE), title="Warm-up")
    return time.perf_counter() - started
