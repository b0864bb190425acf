"""Reading the demonstration's data files, in demo/data/."""

import re
import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str) -> dict:
    """The TOML file `name`, with every multi-line string read as prose (see `prose`)."""
    with open(DATA / name, "rb") as file:
        return _prose_strings(tomllib.load(file))


def read_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def prose(text: str) -> str:
    """Unwrap prose written across lines, as Markdown does: the lines of a paragraph are joined
    with spaces, a blank line separates paragraphs ("\\n\\n"), and a line beginning "- " is a
    list item on a line of its own (its wrapped continuation lines are joined to it)."""
    paragraphs = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines = []
        for line in paragraph.splitlines():
            line = line.strip()
            if lines and not line.startswith("- "):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _prose_strings(value):
    if isinstance(value, str):
        return prose(value) if "\n" in value else value
    if isinstance(value, dict):
        return {key: _prose_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_prose_strings(item) for item in value]
    return value
