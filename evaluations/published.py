"""The accessible HTML version of a mini self-evaluation: one page, the same parts in the same
order as its PDF (templates/evaluations/document/published.html), from the same document
(evaluations.document). In the app it links its stylesheet (the site's Content-Security-Policy
allows no inline style); the download, made to be published on the partnership's own site,
carries the stylesheet inside the file too (the logo is in the page as a data: address), so
it needs nothing else."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape

STYLESHEET = "css/published.css"


def published_html(doc: dict, *, standalone: bool = False) -> str:
    """The page for `doc`; `standalone`: with its stylesheet inside it, for publishing."""
    link = static(STYLESHEET)
    html = render_to_string(
        "evaluations/document/published.html",
        {"doc": doc, "stylesheet_url": link, "logo_url": doc.get("logo", "")},
    )
    if standalone:
        with open(finders.find(STYLESHEET), encoding="utf-8") as handle:
            css = handle.read()
        tag = f'<link rel="stylesheet" href="{escape(link)}">'
        html = html.replace(tag, f"<style>\n{css}</style>", 1)
    return html
