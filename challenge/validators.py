"""Validators and clean-ups shared by every app's models and forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Line and paragraph separators as well as CR and LF: any of them breaks an e-mail header or
# a calendar line, and none belongs in a title or a name.
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


@deconstructible
class NoLineBreaks:
    """Refuse line breaks in a single-line field (titles, names, venues): they end up in
    e-mail subjects and calendar lines, where a line break is an error or an injection."""

    message = "Write this on one line: it cannot contain line breaks."
    code = "line_break"

    def __call__(self, value):
        if isinstance(value, str) and LINE_BREAKS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoLineBreaks)


no_line_breaks = NoLineBreaks()


def single_line(value) -> str:
    """`value` with every run of whitespace (line breaks included) made one space: for e-mail
    subjects and calendar fields built from data saved before line breaks were refused."""
    return " ".join(str(value or "").split())
