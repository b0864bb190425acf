#!/usr/bin/env python
"""How fast the pages are, against a bare Django view served the same way in the same run.

For each page it prints: the number of queries; requests per second as a percentage of a bare
view (`HttpResponse("ok")`, behind the same middleware); the median time at 1 client; and the
median time on 10 times the data divided by the median on the demo data. Rounds are interleaved
(bare view, every page, bare view, ...), so that a machine shared with other work slows the bare
view and the pages alike: the ratios are what to read, not the milliseconds.

The data: `seed_demo` (the 1x data), then a copy grown to about ten times as much through the
apps' services (the 10x data, see `grow`). Both are throwaway SQLite files in a temporary
directory; each round measures the 1x and the 10x files in turn.

Run from the repository root:

    .venv/bin/python bench/pages_bench.py                  # both 1x and 10x, 5 rounds
    .venv/bin/python bench/pages_bench.py --data 1x --rounds 3 --requests 10
    .venv/bin/python bench/pages_bench.py --profile infographic --data 10x

In-process (Django's test Client, no network, no server: what the pages cost in Python and SQL).
`--server URL` measures a running server instead (gunicorn with production settings, say) over
HTTP, signed in as `--username`/`--password`; it finds the pages' addresses on the server's
programme `caa-2009` (on the server's own data: `--data` does not apply) and measures the pages
against `--bare-path`, `/healthz/web` by default: the project has no bare view to serve, and that
one runs a `SELECT 1` and nothing else. In-process it touches neither db.sqlite3 nor any other
file of the project.
"""

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTOR = 10
PROGRAMME = "caa-2009"

# What the table calls each page, in the order, then the pages it adds.
PAGES = [
    "session workspace",
    "infographic",
    "findings",
    "programme dashboard",
    "area page",
    "documents",
    "session page",
    "self-evaluation page",
    "session list",
]
BARE = "bare view"
GOAL_SHARE = 25.0  # % of the bare view's requests/s
GOAL_GROWTH = 1.5  # 10x time / 1x time


def configure(tmpdir: Path) -> None:
    """Settings from the environment, as in production, with a throwaway database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "challenge.settings",
            "DATABASE_URL": f"sqlite:///{tmpdir / '1x.sqlite3'}",
            "TASKS_BACKEND": "immediate",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "CHALLENGE_TODAY": "2009-05-20",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "MEDIA_ROOT": str(tmpdir / "media"),
            "STATIC_ROOT": str(tmpdir / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    (tmpdir / "static").mkdir(exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(tmpdir: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())


# --- The 10x data ------------------------------------------------------------------------------


def grow(factor=FACTOR, log=print):
    """Make the demo programme `factor` times as big, in everything its pages list, through the
    services wherever the app has one:

    - indicators: `factor - 1` copies of each demo indicator in the same area (created as the
      seed creates them), their values imported through the CSV import (`plan_import`,
      `apply_import`);
    - sessions: `factor - 1` copies of each of the 4 demo sessions (`create_session`, then
      `add_participant` for the presenters and observers), each on a later free day, covering
      the same areas, then put in the original's status as the seed does; each copy of the
      29 April session gets that session's workspace: every answer (`save_answer`), thread
      (`post_comment`), reply (`reply_to`) and status (`set_comment_status`);
    - findings: each copied session gets the original's findings for its areas (`record_finding`
      with the same themes) and their actions (`add_action`);
    - milestones: `factor - 1` copies of each (`add_milestone`);
    - self-evaluations: each area's history gets `factor - 1` earlier final versions (written
      directly: finalising through the service renders a PDF each time);
    - participants: the 29 April session gets `factor - 1` times as many observers (new people in
      the partners, `add_participant`, while the session is put back to draft for a moment).
    The 8 areas, 4 partners and the question set stay as they are."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils import timezone

    from evaluations.models import SelfEvaluation
    from findings.models import Finding
    from findings.services import add_action, record_finding
    from indicators.csv_import import ImportPlan, apply_import, export_csv, plan_import
    from indicators.models import Indicator
    from programmes.models import Membership, Programme, User
    from programmes.services import add_milestone
    from sessions.models import ChallengeSession, Participant
    from sessions.services import add_participant, create_session
    from workspace.models import Answer, Comment
    from workspace.services import post_comment, reply_to, save_answer, set_comment_status

    started = time.perf_counter()
    programme = Programme.objects.get(slug=PROGRAMME)
    copies = range(1, factor)
    with transaction.atomic():
        # Indicators and their values.
        originals = list(Indicator.objects.filter(area__programmes=programme).prefetch_related("values"))
        rows = export_csv(originals).splitlines()
        header, rows = rows[0], rows[1:]
        lines = [header]
        for k in copies:
            for indicator in originals:
                Indicator.objects.create(
                    area=indicator.area,
                    code=f"{indicator.code}-x{k}",
                    name=f"{indicator.name} ({k + 1})",
                    definition=indicator.definition,
                    unit=indicator.unit,
                    polarity=indicator.polarity,
                    frequency=indicator.frequency,
                    source=indicator.source,
                    target=indicator.target,
                    target_date=indicator.target_date,
                    position=indicator.position + k * len(originals),
                )
            for row in rows:
                code, rest = row.split(",", 1)
                lines.append(f"{code}-x{k},{rest}")
        plan = plan_import("\n".join(lines) + "\n", partnership=programme.partnership, may_change=lambda area: True)
        assert not plan.errors, plan.errors[:3]
        apply_import(ImportPlan(rows=[row for row in plan.rows if row.existing is None]))

        # Milestones.
        for milestone in list(programme.milestones.all()):
            for k in copies:
                add_milestone(
                    programme=programme,
                    title=f"{milestone.title} ({k + 1})",
                    date=min(milestone.date + datetime.timedelta(days=7 * k), programme.end_date),
                    precision=milestone.precision,
                    owner=milestone.owner,
                    done=milestone.done,
                )

        # Sessions with their workspace and findings.
        taken = {}  # date -> sessions on it, to find each copy a free day
        for session in ChallengeSession.objects.filter(programme=programme):
            taken.setdefault(session.date, 0)
        for original in list(ChallengeSession.objects.filter(programme=programme).order_by("date")):
            areas = list(original.areas.all())
            participants = list(original.participants.select_related("person", "area"))
            reviewers = [p.person for p in participants if p.role == Participant.Role.REVIEWER]
            answers = list(
                Answer.objects.filter(session=original, revision__gt=0).select_related("question", "area", "updated_by")
            )
            comments = list(Comment.objects.filter(session=original).select_related("author").order_by("pk"))
            findings = list(
                Finding.objects.filter(session=original).prefetch_related("themes", "actions__owner").order_by("pk")
            )
            day = original.date
            for k in copies:
                while True:
                    day += datetime.timedelta(days=1)
                    if day > programme.end_date:
                        raise RuntimeError("No free day left in the programme for the copies.")
                    if day in taken or day.weekday() >= 5:
                        continue
                    try:
                        copy = create_session(
                            programme=programme,
                            title=f"{original.title} ({k + 1})",
                            date=day,
                            start_time=original.start_time,
                            end_time=original.end_time,
                            venue=original.venue,
                            areas=areas,
                            facilitator=original.facilitator,
                            reviewers=reviewers,
                            schedule=False,
                            notify=False,
                        )
                    except ValidationError:
                        continue
                    taken[day] = 1
                    break
                for p in participants:
                    if p.role != Participant.Role.REVIEWER:
                        add_participant(session=copy, person=p.person, role=p.role, area=p.area, notify=False)
                new_answers = {}
                for answer in answers:
                    new_answers[answer.pk] = save_answer(
                        session=copy,
                        area=answer.area,
                        question=answer.question,
                        by=answer.updated_by or original.facilitator,
                        expected_revision=0,
                        **answer.content(),
                    )
                new_comments = {}
                for comment in comments:
                    if comment.parent_id is None:
                        new = post_comment(
                            session=copy,
                            area=comment.area,
                            question=comment.question,
                            author=comment.author,
                            kind=comment.kind,
                            text=comment.text,
                        )
                        if comment.status != new.status:
                            set_comment_status(
                                comment=new, by=original.facilitator, status=comment.status, note=comment.status_note
                            )
                    else:
                        new = reply_to(parent=new_comments[comment.parent_id], author=comment.author, text=comment.text)
                    new_comments[comment.pk] = new
                for finding in findings:
                    new = record_finding(
                        session=copy,
                        area=finding.area,
                        by=finding.created_by,
                        kind=finding.kind,
                        title=finding.title,
                        text=finding.text,
                        themes=list(finding.themes.all()),
                        evidence_answers=[
                            new_answers[a] for a in finding.evidence_answers.values_list("pk", flat=True)
                        ],
                        evidence_comments=[
                            new_comments[c] for c in finding.evidence_comments.values_list("pk", flat=True)
                        ],
                    )
                    for action in finding.actions.all():
                        add_action(
                            finding=new, description=action.description, owner=action.owner, due_date=action.due_date
                        )
                ChallengeSession.objects.filter(pk=copy.pk).update(status=original.status)

        # More observers in the 29 April session.
        busiest = ChallengeSession.objects.filter(programme=programme).order_by("date").first()
        observers = list(busiest.participants.exclude(role=Participant.Role.PRESENTER).select_related("person"))
        held, serial = busiest.status, 0
        ChallengeSession.objects.filter(pk=busiest.pk).update(status=ChallengeSession.Status.DRAFT)
        busiest.refresh_from_db()
        for k in copies:
            for p in observers:
                serial += 1
                person = User.objects.create_user(
                    username=f"bench{serial}",
                    email=f"bench{serial}@example.invalid",
                    first_name=p.person.first_name,
                    last_name=f"{p.person.last_name} {k + 1}",
                )
                Membership.objects.create(partnership=programme.partnership, person=person, partner=p.partner)
                add_participant(session=busiest, person=person, role=Participant.Role.OBSERVER, notify=False)
        ChallengeSession.objects.filter(pk=busiest.pk).update(status=held)  # back, as the seed puts it there

        # Earlier final self-evaluation versions.
        now = timezone.now()
        facilitator = programme.facilitators.first()
        for area in programme.areas.all():
            versions = list(SelfEvaluation.objects.filter(programme=programme, area=area).order_by("version"))
            shift = factor - 1
            for se in reversed(versions):  # make room below the existing versions
                SelfEvaluation.objects.filter(pk=se.pk).update(version=se.version + shift)
            for version in range(1, shift + 1):
                SelfEvaluation.objects.create(
                    programme=programme,
                    area=area,
                    version=version,
                    status=SelfEvaluation.Status.FINAL,
                    circulated_at=now,
                    circulated_by=facilitator,
                    finalised_at=now,
                    finalised_by=facilitator,
                    pdf=b"%PDF-1.7 (bench)",
                    pdf_sha256="0" * 64,
                )
    log(f"grew the data {factor}x in {time.perf_counter() - started:.0f} s: {counts()}")


def counts():
    from evaluations.models import SelfEvaluation
    from findings.models import Action, Finding
    from indicators.models import Indicator, IndicatorValue
    from programmes.models import Milestone
    from sessions.models import ChallengeSession, Participant
    from workspace.models import Answer, Comment

    models = {
        "sessions": ChallengeSession,
        "participants": Participant,
        "answers": Answer,
        "comments": Comment,
        "findings": Finding,
        "actions": Action,
        "indicators": Indicator,
        "indicator values": IndicatorValue,
        "milestones": Milestone,
        "self-evaluations": SelfEvaluation,
    }
    return ", ".join(f"{model.objects.count()} {name}" for name, model in models.items())


# --- The pages ---------------------------------------------------------------------------------


def page_urls():
    """The address of each page, on the demo programme, for its facilitator."""
    from django.urls import reverse

    from evaluations.models import SelfEvaluation
    from programmes.models import Programme
    from sessions.models import ChallengeSession

    programme = Programme.objects.get(slug=PROGRAMME)
    session = ChallengeSession.objects.filter(programme=programme).order_by("date").first()  # 29 April
    area = session.areas.order_by("name").first()  # Safeguarding children
    self_evaluation = SelfEvaluation.objects.filter(programme=programme, area=area).order_by("-version").first()
    return {
        BARE: "/bench/bare/",
        "session workspace": reverse("workspace", args=[session.pk, area.pk]),
        "infographic": reverse("infographic", args=[programme.slug]),
        "findings": reverse("emerging_findings", args=[programme.slug]),
        "programme dashboard": reverse("programme_dashboard", args=[programme.slug]),
        "area page": reverse("area_page", args=[area.slug]),
        "documents": reverse("documents", args=[programme.slug]),
        "session page": reverse("session_detail", args=[session.pk]),
        "self-evaluation page": reverse("self_evaluation", args=[self_evaluation.pk]),
        "session list": reverse("session_list", args=[programme.slug]),
    }


def bare(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


urlpatterns = []  # this module is the urlconf in-process: the project's addresses and the bare view


def install_urls():
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    urlpatterns[:] = [path("bench/bare/", bare), path("", include(settings.ROOT_URLCONF))]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()


class InProcess:
    """The test Client against one SQLite file or another, signed in as the facilitator."""

    def __init__(self, databases):
        from django.test import Client

        self.databases = databases  # name -> path
        self.clients = {}
        self.urls = {}
        for name in databases:
            self.use(name)
            from programmes.models import User

            client = Client()
            client.force_login(User.objects.get(username="facilitator"))
            self.clients[name] = client
            self.urls[name] = page_urls()

    def use(self, name):
        from django.core.cache import cache
        from django.db import connection

        if connection.settings_dict["NAME"] != str(self.databases[name]):
            connection.close()
            connection.settings_dict["NAME"] = str(self.databases[name])
        cache.key_prefix = f"bench-{name}"  # the two databases share primary keys: never their cache

    def get(self, name, page):
        response = self.clients[name].get(self.urls[name][page])
        assert response.status_code == 200, (page, response.status_code)
        return response

    def queries(self, name, page):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.use(name)
        with CaptureQueriesContext(connection) as captured:
            self.get(name, page)
        return len(captured)


class Server:
    """A running server, over HTTP, signed in through the sign-in form."""

    def __init__(self, base, username, password, bare_path):
        import http.cookiejar
        import urllib.request

        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = self._fetch("/accounts/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        data = f"csrfmiddlewaretoken={token}&username={username}&password={password}".encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data, headers={"Referer": self.base})
        self.opener.open(request).read()
        self.urls = {"server": self._discover(bare_path)}

    def _fetch(self, path):
        with self.opener.open(self.base + path) as response:
            return response.read()

    def _discover(self, bare_path):
        dashboard = self._fetch(f"/programmes/{PROGRAMME}/").decode()
        sessions = sorted(set(re.findall(r'href="/sessions/(\d+)/"', dashboard)), key=int)
        session = sessions[0]
        page = self._fetch(f"/sessions/{session}/").decode()
        area = re.search(rf'href="/sessions/{session}/areas/(\d+)/"', page).group(1)
        workspace = f"/sessions/{session}/areas/{area}/"
        area_slug = re.search(r'href="/areas/([\w-]+)/"', self._fetch(f"/programmes/{PROGRAMME}/indicators/").decode())
        documents = self._fetch(f"/programmes/{PROGRAMME}/documents/").decode()
        self_evaluation = re.search(r'href="/self-evaluations/(\d+)/"', documents)
        urls = {
            BARE: bare_path,
            "session workspace": workspace,
            "infographic": f"/programmes/{PROGRAMME}/indicators/",
            "findings": f"/programmes/{PROGRAMME}/findings/",
            "programme dashboard": f"/programmes/{PROGRAMME}/",
            "area page": f"/areas/{area_slug.group(1)}/" if area_slug else None,
            "documents": f"/programmes/{PROGRAMME}/documents/",
            "session page": f"/sessions/{session}/",
            "self-evaluation page": f"/self-evaluations/{self_evaluation.group(1)}/" if self_evaluation else None,
            "session list": f"/programmes/{PROGRAMME}/sessions/",
        }
        return {k: v for k, v in urls.items() if v}

    def use(self, name):
        pass

    def get(self, name, page):
        return self._fetch(self.urls[name][page])

    def queries(self, name, page):
        return None


class Http:
    """Servers started by this script (`--gunicorn`), one per data size, over HTTP; the pages'
    addresses are those found in-process on the same database files."""

    def __init__(self, bases, urls, username, password):
        import http.cookiejar
        import urllib.parse
        import urllib.request

        self.bases, self.urls, self.openers = bases, urls, {}
        for name, base in bases.items():
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            with opener.open(base + "/accounts/login/") as response:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
            request = urllib.request.Request(base + "/accounts/login/", data=data.encode(), headers={"Referer": base})
            with opener.open(request) as response:
                assert "/accounts/login/" not in response.url, "could not sign in"
            self.openers[name] = opener

    def use(self, name):
        pass

    def get(self, name, page):
        with self.openers[name].open(self.bases[name] + self.urls[name][page]) as response:
            assert response.status == 200, (page, response.status)
            return response.read()


def served():
    """The WSGI application gunicorn serves for `--gunicorn`: the project's, with the bare view."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    install_urls()
    return application


def start_gunicorn(database: Path, port: int, workers: int, log) -> "subprocess.Popen":
    import urllib.request

    # Plain HTTP on the loopback: cookies without the Secure flag, no redirect to HTTPS.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "ALLOW_HTTP": "true"}
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
        "--pythonpath",
        str(ROOT / "bench"),
        "--log-level",
        "warning",
        "pages_bench:served()",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    for _ in range(120):
        time.sleep(0.5)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=5) as response:
                if response.status == 200:
                    log(f"gunicorn ({workers} sync workers) on port {port} serving {database.name}")
                    return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
    process.terminate()
    raise RuntimeError("gunicorn did not answer")


def set_password(database: Path, username: str, password: str) -> None:
    from django.db import connection

    from programmes.models import User

    connection.close()
    connection.settings_dict["NAME"] = str(database)
    user = User.objects.get(username=username)
    user.set_password(password)
    user.save(update_fields=["password"])
    connection.close()


# --- Measuring ---------------------------------------------------------------------------------


def measure(target, names, pages, rounds, requests, warmup, log):
    """{(name, page): [seconds per request]} and {(name, round): {page: requests/s}}."""
    times = {(name, page): [] for name in names for page in [BARE, *pages]}
    rates = {}
    for name in names:  # warm each page (templates compiled, caches filled) before timing
        target.use(name)
        for page in [BARE, *pages]:
            for _ in range(warmup):
                target.get(name, page)
    for r in range(rounds):
        for name in names:
            target.use(name)
            rates[(name, r)] = {}
            for page in [BARE, *pages]:
                taken = []
                for _ in range(requests):
                    started = time.perf_counter()
                    target.get(name, page)
                    taken.append(time.perf_counter() - started)
                times[(name, page)].extend(taken)
                rates[(name, r)][page] = len(taken) / sum(taken)
        log(f"round {r + 1}/{rounds} done")
    return times, rates


def table(target, names, pages, times, rates, rounds):
    rows = []
    heading = ["page", "data", "queries", "requests/s as % of the bare view", "p50 at 1 client"]
    grown = "10x" in names and "1x" in names
    if grown:
        heading.append("p50 at 10x ÷ at 1x")
    failures = []
    for name in names:
        for page in [BARE, *pages]:
            share = statistics.median(rates[(name, r)][page] / rates[(name, r)][BARE] * 100 for r in range(rounds))
            p50 = statistics.median(times[(name, page)])
            queries = target.queries(name, page) if page != BARE else 0
            row = [page, name, "" if queries is None else str(queries), f"{share:.1f}%", f"{p50 * 1000:.1f} ms"]
            if grown:
                if name == "10x":
                    # Each against the bare view of its own round, so that a slower machine in the
                    # 10x half of a round does not count as the page's growth.
                    growth = statistics.median(
                        (rates[("1x", r)][page] / rates[("1x", r)][BARE])
                        / (rates[("10x", r)][page] / rates[("10x", r)][BARE])
                        for r in range(rounds)
                    )
                    row.append(f"{growth:.2f}")
                    if page != BARE and growth > GOAL_GROWTH:
                        failures.append(f"{page}: {growth:.2f}x at 10x the data (goal ≤ {GOAL_GROWTH})")
                else:
                    row.append("")
            if page != BARE and name == names[0] and share < GOAL_SHARE:
                failures.append(f"{page}: {share:.1f}% of the bare view on the {name} data (goal ≥ {GOAL_SHARE}%)")
            rows.append(row)
    widths = [max(len(heading[i]), *(len(row[i]) for row in rows)) for i in range(len(heading))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(heading, widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines), failures


def profile(target, name, page, requests):
    target.use(name)
    target.get(name, page)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        target.get(name, page)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(f"\nProfile of {requests} requests of the {page} ({name}):\n{out.getvalue()}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main(argv=None):
    servers = {}  # the gunicorn processes started, stopped whatever happens
    try:
        return _main(argv, servers)
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)


def _main(argv, servers):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=["1x", "10x", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--requests", type=int, default=10, help="requests of each page per round (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests of each page first (default 2)")
    parser.add_argument("--page", action="append", choices=PAGES, help="only this page (repeatable)")
    parser.add_argument("--profile", choices=PAGES, help="print a cProfile of this page instead of the table")
    parser.add_argument("--server", metavar="URL", help="measure a running server (its own data) over HTTP")
    parser.add_argument(
        "--gunicorn",
        action="store_true",
        help="serve each database with gunicorn (2 sync workers, production settings) and measure over HTTP",
    )
    parser.add_argument("--username", default="facilitator")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", ""))
    parser.add_argument("--bare-path", default="/healthz/web", help="with --server: the baseline (/healthz/web)")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases in DIR (and reuse them if there)")
    args = parser.parse_args(argv)
    pages = args.page or PAGES

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.server:
        target = Server(args.server, args.username, args.password, args.bare_path)
        names = ["server"]
        pages = [p for p in pages if p in target.urls["server"]]
        log(f"baseline: {args.bare_path} (the server has no bare view)")
        tmpdir = None
    else:
        tmpdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pages-bench-"))
        tmpdir.mkdir(parents=True, exist_ok=True)
        names = ["1x", "10x"] if args.data == "both" else [args.data]
        databases = {"1x": tmpdir / "1x.sqlite3", "10x": tmpdir / "10x.sqlite3"}
        configure(tmpdir)
        from django.db import connection

        if not databases["1x"].exists():
            log("seeding the demo data (migrate, seed_demo) ...")
            seed(tmpdir)
            connection.close()
        if "10x" in names and not databases["10x"].exists():
            shutil.copy(databases["1x"], tmpdir / "grow.sqlite3")
            connection.settings_dict["NAME"] = str(tmpdir / "grow.sqlite3")
            log(f"growing a copy {FACTOR}x through the services ...")
            grow(log=log)
            connection.close()
            (tmpdir / "grow.sqlite3").rename(databases["10x"])
        password = secrets.token_urlsafe(16)
        if args.gunicorn:  # before signing in in-process: a new password signs out the old sessions
            for name in names:
                set_password(databases[name], "facilitator", password)
        install_urls()
        target = InProcess({name: databases[name] for name in names})
        if args.gunicorn:
            for offset, name in enumerate(names):
                servers[name] = start_gunicorn(databases[name], 8760 + offset, 2, log)
            counter = target
            target = Http(
                {name: f"http://127.0.0.1:{8760 + offset}" for offset, name in enumerate(names)},
                counter.urls,
                "facilitator",
                password,
            )
            target.queries = counter.queries

    try:
        if args.profile:
            profile(target, names[-1], args.profile, args.requests)
            return 0
        times, rates = measure(target, names, pages, args.rounds, args.requests, args.warmup, log)
        text, failures = table(target, names, pages, times, rates, args.rounds)
        how = "in-process (test Client), SQLite"
        if args.server:
            how = f"server {args.server}"
        elif args.gunicorn:
            how = "gunicorn, 2 sync workers, 1 client, SQLite"
        print(
            f"\n{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{how}; "
            f"{args.rounds} interleaved rounds of {args.requests} requests per page\n"
        )
        print(text)
        if failures:
            print("\nGoals not met:\n" + "\n".join(f"- {f}" for f in failures))
        return 1 if failures else 0
    finally:
        if tmpdir is not None and not args.keep:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
