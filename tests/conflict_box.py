"""The one conflict box (templates/includes/conflict.html) as a test reads it from a page.

`conflict_box(html)` finds the page's only conflict box and checks the markup every box shares
(an alert that takes the focus, one heading, the sentence naming who saved and when, the saved
content as a description list of quotes, the closing advice); `expected_message` is that
sentence for a given person and time."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.template.defaultfilters import date as date_filter


def _squash(text):
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Box:
    attrs: dict
    children: list = field(default_factory=list)  # the tags directly inside the box
    heading_tag: str = ""
    heading: str = ""
    paragraphs: list = field(default_factory=list)  # texts of the box's own <p>s
    saved: list = field(default_factory=list)  # (label, quoted text)
    dl_children: list = field(default_factory=list)
    quoted_in_dd: int = 0


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.boxes = []
        self.stack = []  # tags open inside the current box, the box's own div first
        self.text = None  # (kind, parts) being collected

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.text and tag in {"p", "li", "br"}:  # paragraphs and items read apart
            self.text[1].append(" ")
        if not self.stack:
            if tag == "div" and "conflict-box" in (attrs.get("class") or "").split():
                self.boxes.append(Box(attrs=attrs))
                self.stack.append(tag)
            return
        box = self.boxes[-1]
        parent = self.stack[-1]
        depth = len(self.stack)
        if depth == 1:
            box.children.append(tag)
            if re.fullmatch(r"h[1-6]", tag):
                box.heading_tag = tag
                self.text = ("heading", [])
            elif tag == "p":
                self.text = ("p", [])
        elif parent == "dl":
            box.dl_children.append(tag)
            if tag == "dt":
                box.saved.append(["", ""])
                self.text = ("dt", [])
        elif parent == "dd" and tag == "blockquote":
            box.quoted_in_dd += 1
            self.text = ("quote", [])
        if tag not in {"br", "img", "input", "hr", "meta", "link"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack:
            return
        while self.stack and self.stack[-1] != tag:  # tolerate unclosed inline tags
            self.stack.pop()
        if self.stack:
            self.stack.pop()
        box = self.boxes[-1]
        if self.text and (
            (self.text[0] == "heading" and re.fullmatch(r"h[1-6]", tag))
            or (self.text[0] == "p" and tag == "p" and len(self.stack) == 1)
            or (self.text[0] == "dt" and tag == "dt")
            or (self.text[0] == "quote" and tag == "blockquote")
        ):
            kind, parts = self.text
            text = _squash("".join(parts))
            if kind == "heading":
                box.heading = text
            elif kind == "p":
                box.paragraphs.append(text)
            elif kind == "dt":
                box.saved[-1][0] = text
            else:
                box.saved[-1][1] = text
            self.text = None

    def handle_data(self, data):
        if self.text:
            self.text[1].append(data)


def conflict_box(html: str) -> Box:
    """The page's one conflict box, after checking the markup every conflict box shares."""
    reader = _Reader()
    reader.feed(html)
    assert len(reader.boxes) == 1, f"expected one conflict box, found {len(reader.boxes)}"
    box = reader.boxes[0]
    assert box.attrs.get("role") == "alert"
    assert box.attrs.get("tabindex") == "-1" and "autofocus" in box.attrs
    assert box.children == [box.heading_tag, "p", "dl", "p"]
    assert box.heading.endswith(" changed while you were editing it")
    assert box.paragraphs[0].startswith("Your text has not been saved: it is still in the form below. This is what ")
    assert box.paragraphs[1] == (
        "Merge what you want to keep into your text, then save again: your save replaces what is shown here."
    )
    assert box.dl_children == ["dt", "dd"] * len(box.saved)
    assert box.quoted_in_dd == len(box.saved)
    box.saved = [tuple(pair) for pair in box.saved]
    return box


def expected_message(by: str, at) -> str:
    return (
        "Your text has not been saved: it is still in the form below. "
        f"This is what {by} saved at {date_filter(at, 'H:i')} on {date_filter(at, 'j F Y')}:"
    )
