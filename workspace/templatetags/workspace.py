"""Presenting what people typed, and the impact matrix."""

import re

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBER = re.compile(r"^\s*\d+[.)]\s+")


@register.filter
def simple_text(value):
    """Paragraphs and simple lists from plain text. Everything is escaped first: what a user
    typed never becomes live HTML, here or in the PDF."""
    if not value:
        return ""
    html = []
    for block in re.split(r"\n\s*\n", str(value).strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{escape(_BULLET.sub('', line))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        elif lines and all(_NUMBER.match(line) for line in lines):
            items = "".join(f"<li>{escape(_NUMBER.sub('', line))}</li>" for line in lines)
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("".join(html))  # noqa: S308 (every piece of user text above is escaped)


BANDS = [
    (4, "low", "Low", "#cfe8d5"),
    (9, "medium", "Medium", "#fff1b8"),
    (16, "high", "High", "#fdd3a8"),
    (25, "very-high", "Very high", "#f5b5b5"),
]


def band(likelihood, scale):
    score = likelihood * scale
    for limit, key, label, colour in BANDS:
        if score <= limit:
            return {"score": score, "key": key, "label": label, "colour": colour}
    raise ValueError(f"An impact score of {score} is outside the matrix (at most 5 × 5)")


@register.inclusion_tag("workspace/_impact_matrix.svg")
def impact_matrix(likelihood, scale, id_prefix="impact"):
    """The 5×5 impact matrix as inline SVG, the same in the page and in the PDF: scale across,
    likelihood up, each cell tinted by its band, the area's position marked with a ring and
    a cross (so it does not rely on colour), and the whole labelled for screen readers."""
    cell, left, top = 44, 70, 10
    cells = []
    for cell_likelihood in range(1, 6):
        for cell_scale in range(1, 6):
            cells.append(
                {
                    "x": left + (cell_scale - 1) * cell,
                    "y": top + (5 - cell_likelihood) * cell,
                    "colour": band(cell_likelihood, cell_scale)["colour"],
                    "score": cell_likelihood * cell_scale,
                }
            )
    marker = None
    position = None
    description = "Not yet rated: the likelihood and scale questions are unanswered."
    if likelihood and scale:
        position = band(likelihood, scale)
        description = (
            f"Likelihood {likelihood} of 5 and scale {scale} of 5: "
            f"score {position['score']}, {position['label'].lower()} impact."
        )
        marker = {
            "cx": left + (scale - 1) * cell + cell // 2,
            "cy": top + (5 - likelihood) * cell + cell // 2,
        }
    return {
        "cells": cells,
        "cell": cell,
        "left": left,
        "top": top,
        "size": cell * 5,
        "ticks": [
            {
                "number": number,
                "x": left + (number - 1) * cell + cell // 2,
                "y": top + (5 - number) * cell + cell // 2 + 5,
            }
            for number in range(1, 6)
        ],
        "likelihood": likelihood,
        "scale": scale,
        "band": position,
        "description": description,
        "marker": marker,
        "id": id_prefix,
    }


# How a status badge looks: a challenge's (open is still to do, addressed is done) and a
# self-evaluation's (a draft, circulated for comment, final).
STATUS_STYLES = {
    "open": "next",
    "addressed": "held",
    "unresolved": "overdue",
    "draft": "draft",
    "circulated": "scheduled",
    "final": "held",
}


@register.filter
def status_style(status):
    """The status badge's style for the status of a challenge or a self-evaluation."""
    return STATUS_STYLES.get(status, "overdue")


@register.simple_tag
def rating_band(likelihood, scale):
    if likelihood and scale:
        return band(likelihood, scale)
    return None


@register.filter
def safe_link(url):
    """Only http(s) links become links; anything else is shown as text."""
    if url and re.match(r"^https?://", url, re.I):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, url)
    return escape(url or "")


@register.filter
def autofocused(field):
    """A bound field's widget, or one radio button of it, with `autofocus`: where the cursor
    goes when a form is swapped in (htmx focuses it) or its page opens."""
    if isinstance(field, BoundWidget):
        data = {**field.data, "attrs": {**field.data["attrs"], "autofocus": True}}
        return BoundWidget(field.parent_widget, data, field.renderer).tag()
    return field.as_widget(attrs={"autofocus": True})
