"""Gunicorn's settings for Challenge: `gunicorn -c deploy/gunicorn.conf.py challenge.wsgi`, as
scripts/serve, deploy/systemd/challenge-web.service and deploy/compose.yaml run it. Read from the
environment; README.md, "Running in production", says why these values.

- gthread workers: WEB_CONCURRENCY processes × WEB_THREADS threads. A draft PDF is rendered in
  the request (about a second of CPU): with threads, the page views that arrive meanwhile are
  served by the other threads instead of queueing behind it, while processes use both cores.
  Measured against sync workers with the same load (README.md, "Performance under load").
- --max-requests with jitter: each process is replaced after about that many requests, so
  WeasyPrint's memory cannot grow without bound, and the processes do not all restart at once.
- No slow-client protection of its own: nginx in front buffers requests and responses.
"""

import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value else default


bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")  # sync: one request a process
workers = _int("WEB_CONCURRENCY", 3)
threads = _int("WEB_THREADS", 4)
max_requests = _int("WEB_MAX_REQUESTS", 500)
max_requests_jitter = max(1, max_requests // 10)
# A worker that does not answer its master for this long is killed and replaced. With threads
# it is the main loop's heartbeat, not one request's time: a long PDF does not trip it.
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# The heartbeat file in memory, not on a disk that may be slow or read-only (containers, systemd's
# ProtectSystem).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# A unix socket (GUNICORN_BIND=unix:/path) is left open to all (0777): the folder it is in
# decides who may connect (scripts/serve makes it the proxy's alone).

# Logs on standard output, one key=value line an event like the application's
# (challenge/logformat.py). The access log is off by default: nginx in front writes it, with the
# upstream's time. GUNICORN_ACCESS_LOG=- turns it on (gunicorn escapes quotes in the values).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = (
    'time="%(t)s" source=gunicorn method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s bytes=%(B)s '
    'duration_ms=%(M)s client="%({x-forwarded-for}i)s" user_agent="%(a)s"'
)
errorlog = "-"
_log_format = os.environ.get("LOG_FORMAT", "keyvalue")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(message)s"},
        "default": (
            {"format": "%(levelname)s %(name)s %(message)s"}
            if _log_format == "plain"
            else {
                "()": "challenge.logformat.JsonFormatter"
                if _log_format == "json"
                else "challenge.logformat.KeyValueFormatter"
            }
        ),
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stdout"},
        # access_log_format is a key=value line already.
        "access": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False, "qualname": "gunicorn.error"},
        # With logconfig_dict gunicorn always writes the access log: silenced unless asked for.
        "gunicorn.access": {
            "level": "INFO" if accesslog else "CRITICAL",
            "handlers": ["access"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
}
