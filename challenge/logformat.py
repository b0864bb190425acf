"""Log lines a log collector can parse: one event a line, on standard error.

LOG_FORMAT=keyvalue (the default): `time=… level=INFO logger=django.request msg="…"`, every value
that is not a bare word quoted and escaped as JSON, so a message or a traceback stays on its line
and cannot pass for another field. LOG_FORMAT=json: one JSON object a line, same fields."""

import datetime
import json
import logging
import re

_BARE = re.compile(r"^[A-Za-z0-9_.:/@+-]+$")


def _value(value) -> str:
    text = str(value)
    return text if _BARE.match(text) else json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def __init__(self, *args, json_lines: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.json_lines = json_lines

    def fields(self, record: logging.LogRecord) -> dict:
        fields = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc"] = record.exc_text
        return fields

    def format(self, record: logging.LogRecord) -> str:
        fields = self.fields(record)
        if self.json_lines:
            return json.dumps(fields, ensure_ascii=False)
        return " ".join(f"{name}={_value(value)}" for name, value in fields.items())


class JsonFormatter(KeyValueFormatter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, json_lines=True, **kwargs)
