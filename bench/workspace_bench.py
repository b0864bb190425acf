#!/usr/bin/env python
"""How long the session workspace takes per request, against a bare Django view in the same process.

Seeds the demo (`seed_demo`) into a throwaway SQLite database in a temporary directory, signs in
as the facilitator of the 29 April 2009 session and, in --rounds interleaved rounds, GETs through
Django's test client (all the middleware, the session and the sign-in) --requests times each:

- a bare view that answers `HttpResponse("ok")` (added to the URLconf for this run only);
- the Safeguarding children workspace of that session.

It prints the median time per request of each, the workspace's requests/s as a share of the
bare view's (the bare median divided by the workspace's), its queries and its HTML size.
`--profile` adds a cProfile of the workspace requests (sorted by cumulative time). It is a
measurement, not a test: nothing fails on a number.

Run from the repository root:

    .venv/bin/python bench/workspace_bench.py [--rounds 5] [--requests 40] [--who facilitator|lead|reviewer]

It touches neither db.sqlite3 nor any other file of the project.
"""

import argparse
import cProfile
import io
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION_DATE = "2009-04-29"
AREA_SLUG = "safeguarding-children"


def configure(tmpdir: Path) -> None:
    """Settings from the environment, as in production, but with a throwaway database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "challenge.settings",
            "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite3'}",
            "TASKS_BACKEND": "immediate",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "CHALLENGE_TODAY": "2009-04-29",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "MEDIA_ROOT": str(tmpdir / "media"),
            "STATIC_ROOT": str(tmpdir / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    (tmpdir / "static").mkdir()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())


def add_bare_view() -> str:
    """A view that does nothing, behind the same middleware as every page."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from challenge import urls

    def bare(request):
        return HttpResponse("ok")

    urls.urlpatterns.insert(0, path("__bench__/ok/", bare))
    clear_url_caches()
    return "/__bench__/ok/"


def workspace_url_and_people():
    from django.urls import reverse

    from sessions.models import ChallengeSession

    session = ChallengeSession.objects.get(date=SESSION_DATE)
    area = session.areas.get(slug=AREA_SLUG)
    participants = {p.role: p.person for p in session.participants.select_related("person")}
    people = {
        "facilitator": session.facilitator,
        "lead": next(p.person for p in session.participants.filter(area=area, role="presenter")),
        "reviewer": participants["reviewer"],
    }
    return reverse("workspace", args=[session.pk, area.pk]), people


def timed(client, url, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="requests per view per round")
    parser.add_argument("--who", choices=["facilitator", "lead", "reviewer"], default="facilitator")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (cumulative, tottime...)")
    args = parser.parse_args(argv)

    tmpdir = Path(tempfile.mkdtemp(prefix="workspace-bench-"))
    try:
        started = time.perf_counter()
        configure(tmpdir)
        print(f"Seeded the demo in {time.perf_counter() - started:.1f} s")
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        bare_url = add_bare_view()
        url, people = workspace_url_and_people()
        client = Client()
        client.force_login(people[args.who])
        # Warm-up: templates compiled, caches filled, as in a server that has served the page once.
        first = timed(client, url, 1)[0]
        timed(client, bare_url, 5)
        timed(client, url, 4)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content
        query_count = len(queries)  # now: the next request empties Django's query log
        bare, page = [], []
        for _ in range(args.rounds):
            bare += timed(client, bare_url, args.requests)
            page += timed(client, url, args.requests)
        bare_ms, page_ms = statistics.median(bare) * 1000, statistics.median(page) * 1000
        print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
        print(f"Workspace {url} as the {args.who}, {args.rounds} rounds of {args.requests} requests each")
        print(f"{'view':<12}{'median ms':>12}{'p90 ms':>10}")
        for name, times in (("bare", bare), ("workspace", page)):
            p90 = statistics.quantiles(times, n=10)[-1] * 1000
            print(f"{name:<12}{statistics.median(times) * 1000:>12.2f}{p90:>10.2f}")
        print(f"Workspace requests/s as a share of the bare view's: {bare_ms / page_ms:.1%}")
        print(f"Workspace: {query_count} queries, {len(html):,} bytes of HTML; first request {first * 1000:.0f} ms")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            timed(client, url, args.requests)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(40)
            print(out.getvalue())
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()
