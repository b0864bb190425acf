"""Django's `{# ... #}` comments end at the line: one spread over several lines is not a comment
at all, and its text shows on the page. Longer comments use `{% comment %}`."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_comment_spans_lines():
    broken = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            # An opening `{#` whose `#}` is not on the same line.
            for match in re.finditer(r"\{#", line):
                if "#}" not in line[match.end() :]:
                    broken.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert broken == []
