"""Templates that read well, and no JavaScript that nothing uses.

Every template under templates/ (pages, partials, e-mails, PDFs): no line over 120
characters (Django's tags cannot span lines, so long lines are broken between tags and
elements), and no single-letter names (`d`, `s`, `p`…) for what a template is given or
loops over. Every script a template loads exists, and every script shipped is loaded: there
is no Bootstrap JavaScript, as no page uses its dropdowns, collapses, modals or tooltips."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
MAX_LINE = 120

TAG = re.compile(r"{{(.*?)}}|{%(.*?)%}")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
NAME = re.compile(r"(?<![\w.:])([A-Za-z_]\w*)")
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"{% static '([^']+)' %}\"")


def _templates():
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def _where(path, number):
    return f"{path.relative_to(ROOT)}:{number}"


def test_no_template_line_is_longer_than_120_characters():
    offenders = [
        f"{_where(path, number)}: {len(line)} characters"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > MAX_LINE
    ]
    assert offenders == []


def test_no_template_comment_spans_lines():
    """Django's {# #} comments end on the line they start: one that goes on is printed on the
    page, as it was under every "show all" link. Longer ones are {% comment %} blocks."""
    offenders = [
        _where(path, number)
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert offenders == []


def test_templates_name_what_they_show_in_words():
    """Every name a template reads or sets, in {{ }} and {% %}, is longer than one letter
    (what is in quotes, such as date formats, is not a name)."""
    offenders = []
    for path in _templates():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in TAG.finditer(line):
                code = QUOTED.sub("", match.group(1) or match.group(2))
                short = sorted({name for name in NAME.findall(code) if len(name) == 1})
                if short:
                    offenders.append(f"{_where(path, number)}: {', '.join(short)} in {match.group(0)}")
    assert offenders == []


def test_the_name_check_finds_single_letters():
    """The check above is not vacuous: it finds the names it is meant to."""
    samples = {
        "{% for s in sessions %}": ["s"],
        "{{ d.deadline_days|pluralize }}": ["d"],
        "{% with a=indicator.assessment %}": ["a"],
        "{% for value, label in statuses %}": [],
        '{{ session.date|date:"l j F Y" }}': [],
        "{{ point.x }}": [],
    }
    for sample, expected in samples.items():
        match = TAG.search(sample)
        code = QUOTED.sub("", match.group(1) or match.group(2))
        assert sorted({name for name in NAME.findall(code) if len(name) == 1}) == expected, sample


def test_no_template_uses_bootstrap_javascript():
    offenders = [
        f"{_where(path, number)}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"data-bs-|data-toggle=|bootstrap(\.bundle)?(\.min)?\.js", line)
    ]
    assert offenders == []


def test_every_script_shipped_is_loaded_and_every_script_loaded_is_shipped():
    loaded = {src for path in _templates() for src in SCRIPT.findall(path.read_text())}
    shipped = {str(path.relative_to(STATIC)) for path in STATIC.rglob("*.js")}
    assert loaded == shipped == {"vendor/htmx-2.0.11/htmx.min.js", "js/app.js"}
    # Bootstrap's stylesheet stays, with its licence.
    assert (STATIC / "vendor/bootstrap-5.3.9/css/bootstrap.min.css").is_file()
    assert (STATIC / "vendor/bootstrap-5.3.9/LICENSE").is_file()
