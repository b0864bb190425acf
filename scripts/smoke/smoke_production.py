"""scripts/smoke-production: the production stack, from a fresh PostgreSQL database, under load.

Brings up scripts/serve (nginx → 2 gunicorn instances, 2 db_workers; ALLOW_HTTP on a free
loopback port) on a new database, seeds the Salford demo, then checks:

1. load: 50 simulated people for SMOKE_DURATION seconds (locust, headless, loopback only):
   no server error, no lost comment (rows counted before and after against successful posts),
   p95 of page views under SMOKE_P95_LIMIT seconds;
2. slow clients: 4 clients trickle header bytes; a page view is still answered in under 2 s;
3. a worker killed in the middle of a build: the build fails with a message (or completes);
   the worker is started again; a new build then completes;
4. scale-out: both gunicorn instances served requests; builds enqueued once (a double submit
   included) each ran exactly once, on one of the two workers;
5. backup → drop → restore: the final PDFs' SHA-256 unchanged, read back through the app.

Prints a table of the checks and figures; exits 1 if any failed. Every loop is bounded in time;
all traffic goes to 127.0.0.1. Environment: SMOKE_ADMIN_URL (a PostgreSQL role that may create
databases; postgres://postgres@127.0.0.1:5432/postgres), SMOKE_DURATION (60, at most 90),
SMOKE_USERS (50), SMOKE_P95_LIMIT (2.0), SMOKE_KEEP_LOG (a file to copy the stack's log to)."""

import hashlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import requests
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
DURATION = min(int(os.environ.get("SMOKE_DURATION", "60")), 90)
USERS = int(os.environ.get("SMOKE_USERS", "50"))
P95_LIMIT = float(os.environ.get("SMOKE_P95_LIMIT", "2.0"))
ADMIN_URL = os.environ.get("SMOKE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PROGRAMME = "caa-2009"

checks = []  # (name, passed, figure)


def say(message):
    sys.stdout.write(f"== {message}\n")
    sys.stdout.flush()


def check(name, passed, figure=""):
    checks.append((name, bool(passed), str(figure)))
    say(f"{'PASS' if passed else 'FAIL'} {name}: {figure}")


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Database:
    """A new PostgreSQL database for this run, dropped at the end."""

    def __init__(self):
        self.name = f"challenge_smoke_{os.getpid()}_{secrets.token_hex(3)}"
        admin = urlsplit(ADMIN_URL)
        self.url = admin._replace(path="/" + self.name).geturl()

    def _admin(self, statement):
        connection = psycopg2.connect(ADMIN_URL)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create(self):
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self):
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def query(self, statement, params=()):
        connection = psycopg2.connect(self.url)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall()
        finally:
            connection.close()


class Stack:
    """scripts/serve in its own process group, its output in a log file."""

    def __init__(self, env, log_path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self):
        log = open(self.log_path, "a")  # noqa: SIM115 (kept open while the stack runs)
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / "scripts" / "serve")],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/serve stopped (status {self.process.returncode}); see {self.log_path}")
            try:
                if requests.get(self.url("/healthz"), timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"scripts/serve did not become healthy in 180 s; see {self.log_path}")

    def url(self, path):
        return f"http://{HOST}:{self.env['PORT']}{path}"

    def stop(self):
        """SIGTERM, as systemd or Ctrl+C would; returns the seconds it took to stop."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return time.monotonic() - started

    def pid(self, program):
        path = Path(self.env["RUN_DIR"]) / f"{program}.pid"
        return int(path.read_text()) if path.exists() else None

    def log(self):
        return Path(self.log_path).read_text(errors="replace")


def sign_in(stack, username, password):
    session = requests.Session()
    page = session.get(stack.url("/accounts/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        stack.url("/accounts/login/"),
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": stack.url("/accounts/login/")},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({response.status_code})")
    return session


def manage(env, *args, timeout=600):
    return subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True, text=True, timeout=timeout
    )


def request_build(stack, session):
    """Press "Build the area self-evaluation" on the documents page (twice with the same form:
    a double click). Returns the form's data."""
    documents = stack.url(f"/programmes/{PROGRAMME}/documents/")
    page = session.get(documents, timeout=60).text
    action = f"/programmes/{PROGRAMME}/area-self-evaluation/"
    form = page[page.rindex(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    for _ in range(2):
        response = session.post(
            stack.url(action), data=data, headers={"Referer": documents}, allow_redirects=False, timeout=60
        )
        if response.status_code != 302:
            raise RuntimeError(f"Asking for a build answered {response.status_code}")
    return data


def builds(db):
    return db.query(
        "SELECT id, status, task_id, error, pdf_sha256 FROM evaluations_areaselfevaluationbuild ORDER BY id"
    )


def wait_for(condition, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


def step_load(stack, db, env):
    say(f"Load: {USERS} users for {DURATION} s")
    before = db.query("SELECT count(*) FROM workspace_comment")[0][0]
    results_path = Path(env["RUN_DIR"]).parent / "locust-results.json"
    draft_pk = db.query("SELECT id FROM evaluations_selfevaluation WHERE status = 'draft' ORDER BY id LIMIT 1")[0][0]
    locust_env = {**env, "SMOKE_RESULTS": str(results_path), "SMOKE_DRAFT_PK": str(draft_pk)}
    subprocess.run(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "scripts" / "smoke" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            "10",
            "--run-time",
            f"{DURATION}s",
            "--stop-timeout",
            "20",
            "--host",
            stack.url(""),
            "--only-summary",
        ],
        env=locust_env,
        check=False,
        timeout=DURATION + 120,
    )
    results = json.loads(results_path.read_text())
    requests_ = results["requests"]
    errors = [r for r in requests_ if r[3] >= 500 or r[3] == 0]
    by_kind = {}
    for kind, _name, ms, _status, _failed in requests_:
        by_kind.setdefault(kind, []).append(ms / 1000)
    after = db.query("SELECT count(*) FROM workspace_comment")[0][0]
    pages = by_kind.get("page", [])
    check("load: requests", len(requests_) > 0, f"{len(requests_)} in {DURATION} s ({len(requests_) / DURATION:.1f}/s)")
    check("load: server errors (5xx or no answer)", not errors, f"{len(errors)}")
    check(
        "load: comments posted and answers saved through the forms",
        results["comments_posted"] > 0 and results["answers_saved"] > 0,
        f"{results['comments_posted']} comments, {results['answers_saved']} answers",
    )
    check(
        "load: comments lost",
        after - before == results["comments_posted"],
        f"{results['comments_posted']} posted, {after - before} rows added",
    )
    check(
        f"load: p95 of page views < {P95_LIMIT:g} s",
        percentile(pages, 0.95) < P95_LIMIT,
        f"median {percentile(pages, 0.5):.2f} s, p95 {percentile(pages, 0.95):.2f} s ({len(pages)} views)",
    )
    for kind in ["write", "pdf", "pdf-wait", "sign-in"]:
        values = by_kind.get(kind, [])
        figure = f"median {percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s ({len(values)})"
        if values:
            checks.append((f"load: {kind} (figure only)", True, figure))


def step_slow_clients(stack, session):
    say("Slow clients: 4 clients trickle header bytes while a page is asked for")
    stop = threading.Event()

    def trickle():
        with socket.create_connection((HOST, int(stack.env["PORT"])), timeout=30) as connection:
            request = f"GET /programmes/{PROGRAMME}/ HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: " + "a" * 100
            for byte in request.encode():
                if stop.is_set():
                    return
                try:
                    connection.send(bytes([byte]))
                except OSError:
                    return  # nginx gave up on it (client_header_timeout)
                time.sleep(0.5)

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    times = []
    for _ in range(3):
        started = time.monotonic()
        response = session.get(stack.url(f"/programmes/{PROGRAMME}/"), timeout=30)
        times.append(time.monotonic() - started)
        assert response.status_code == 200
        time.sleep(1)
    stop.set()
    check("slow clients: page view < 2 s", max(times) < 2.0, f"slowest of 3: {max(times):.2f} s")


def step_kill_worker(stack, db, session):
    say("A worker killed in the middle of a build")
    known = {row[0] for row in builds(db)}
    request_build(stack, session)
    build = wait_for(lambda: [row for row in builds(db) if row[0] not in known], 30)
    check("double submit: one build", build and len(build) == 1, f"{len(build or [])} build(s) from 2 posts")
    build_id = build[0][0]

    def running_on():
        rows = db.query(
            "SELECT t.worker_ids FROM evaluations_areaselfevaluationbuild b "
            "JOIN django_tasks_database_dbtaskresult t ON t.id::text = b.task_id "
            "WHERE b.id = %s AND b.status = 'running'",
            (build_id,),
        )
        return rows[0][0] if rows and rows[0][0] else None

    worker_ids = wait_for(running_on, 60, interval=0.2)
    if not worker_ids:
        check("killed worker: build was running", False, "the build never started")
        return
    program = re.search(r"(worker-\d+)$", worker_ids[-1]).group(1)
    pid = stack.pid(program)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    restarted = wait_for(lambda: stack.pid(program) not in (None, pid), 30)
    check("killed worker: started again by the supervisor", restarted, f"{program} (pid {pid}) killed with SIGKILL")

    status_url = stack.url(f"/builds/{build_id}/")

    def outcome():
        html = session.get(status_url, timeout=30).text
        if "Failed" in html or "Ready" in html:
            return html
        return None

    html = wait_for(outcome, 90, interval=2)
    seconds = time.monotonic() - killed_at
    if html and "Failed" in html:
        message = re.search(r"The build did not finish: ([^<]+)", html)
        check(
            "killed worker: the build fails with a message",
            message is not None,
            f"after {seconds:.0f} s: {message.group(1).strip()[:70] if message else '(no message)'}",
        )
    else:
        check("killed worker: the build completes or fails with a message", html is not None, f"{seconds:.0f} s")


def step_builds_run_once(stack, db, session):
    say("Builds enqueued once run once, on one of two workers")
    known = {row[0] for row in builds(db)}
    for _ in range(3):
        request_build(stack, session)
    new = wait_for(
        lambda: [r for r in builds(db) if r[0] not in known] if len(builds(db)) >= len(known) + 3 else None, 60
    )
    ids = [row[0] for row in new or []]
    done = wait_for(
        lambda: all(row[1] in ("ready", "failed") for row in builds(db) if row[0] in ids) and ids, 240, interval=2
    )
    rows = [row for row in builds(db) if row[0] in ids]
    check("builds: 3 asked for, 3 ready", done and [r[1] for r in rows] == ["ready"] * 3, [r[1] for r in rows])
    runs = db.query(
        "SELECT args_kwargs->'kwargs'->>'build_id', count(*), max(jsonb_array_length(worker_ids)), "
        "string_agg(worker_ids->>0, ',') FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE %s GROUP BY 1",
        ("%build_area_self_evaluation",),
    )
    runs = {int(build_id): (tasks, claims, workers) for build_id, tasks, claims, workers in runs}
    once = all(runs.get(i, (0, 0, ""))[:2] == (1, 1) for i in ids)
    workers = sorted({re.search(r"worker-\d+$", runs[i][2]).group(0) for i in ids if i in runs and runs[i][2]})
    check(
        "builds: each enqueued once and run once",
        once,
        f"(tasks, claims) per build: {[runs.get(i, ())[:2] for i in ids]}",
    )
    checks.append(("builds: run by (figure only)", True, ", ".join(workers)))
    log = stack.log()
    served = {name: log.count(f'{name}.sock"') for name in ("web-1", "web-2")}
    check("scale-out: both gunicorn instances served", all(served.values()), served)


def pdf_hashes(stack, session, db):
    final = db.query("SELECT id FROM evaluations_selfevaluation WHERE status = 'final' ORDER BY id")
    ready = db.query("SELECT id FROM evaluations_areaselfevaluationbuild WHERE status = 'ready' ORDER BY id")
    urls = [f"/self-evaluations/{pk}/pdf/" for (pk,) in final] + [
        f"/builds/{pk}/area-self-evaluation.pdf" for (pk,) in ready
    ]
    hashes = {}
    for url in urls:
        response = session.get(stack.url(url), timeout=60)
        response.raise_for_status()
        hashes[url] = hashlib.sha256(response.content).hexdigest()
    return hashes


def step_backup_restore(stack, db, env, password):
    say("Backup, drop, restore")
    session = sign_in(stack, "facilitator", password)
    before = pdf_hashes(stack, session, db)
    comments = db.query("SELECT count(*) FROM workspace_comment")[0][0]
    dump = Path(env["RUN_DIR"]).parent / "challenge.dump"
    manage(env, "backup", "--output", str(dump))
    stack.stop()
    db.drop()
    db.create()
    manage(env, "restore", str(dump))
    stack.start()
    session = sign_in(stack, "facilitator", password)
    after = pdf_hashes(stack, session, db)
    check(
        "backup/restore: final PDFs' SHA-256 unchanged",
        before and before == after,
        f"{len(before)} PDFs, dump {dump.stat().st_size:,} bytes",
    )
    check(
        "backup/restore: comments all there",
        db.query("SELECT count(*) FROM workspace_comment")[0][0] == comments,
        f"{comments} comments",
    )


def main():
    work = Path(tempfile.mkdtemp(prefix="challenge-smoke-"))
    db = Database()
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "HOST": HOST,
        "PORT": str(free_port()),
        "ALLOW_HTTP": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WEB_INSTANCES": os.environ.get("SMOKE_WEB_INSTANCES", "2"),
        "WORKERS": "2",
        "RUN_DIR": str(work / "run"),
        "CHALLENGE_TODAY": "2009-05-20",
        "DEMO_PASSWORD": password,
        "BUILD_STALL_TIMEOUT": "20",
        "DEBUG": "false",
    }
    if os.geteuid() == 0:
        shutil.chown(work, group="www-data")
        os.chmod(work, 0o750)  # noqa: S103 (the group is nginx's, to reach the sockets)
    stack = Stack(env, work / "serve.log")
    db.create()
    started = time.monotonic()
    try:
        say(f"Fresh database {db.name}; migrate and seed the demo")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        say(f"scripts/serve on http://{HOST}:{env['PORT']}/ (2 gunicorn instances, 2 workers)")
        stack.start()
        step_load(stack, db, env)
        if os.environ.get("SMOKE_ONLY_LOAD") != "true":  # true: the load alone, to compare settings
            reader = sign_in(stack, "officer", password)
            step_slow_clients(stack, reader)
            facilitator = sign_in(stack, "facilitator", password)
            step_kill_worker(stack, db, facilitator)
            step_builds_run_once(stack, db, facilitator)
            step_backup_restore(stack, db, env, password)
        seconds = stack.stop()
        leftovers = [p for p in ("web-1", "web-2", "worker-1", "worker-2", "nginx") if stack.pid(p)]
        check("stop: everything stopped on SIGTERM", not leftovers, f"in {seconds:.1f} s")
    except Exception as error:  # noqa: BLE001 (reported as a failed check, with the log kept)
        check("smoke test ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        stack.stop()
        if os.environ.get("SMOKE_KEEP_LOG"):
            shutil.copy(stack.log_path, os.environ["SMOKE_KEEP_LOG"])
        errors = [line for line in stack.log().splitlines() if "level=ERROR" in line or "Traceback" in line]
        db.drop()
        shutil.rmtree(work, ignore_errors=True)

    checks.append(("errors logged by the stack (figure only)", True, str(len(errors))))
    width = max(len(name) for name, _, _ in checks)
    sys.stdout.write(f"\nProduction smoke test, {time.monotonic() - started:.0f} s, {os.cpu_count()} cores\n")
    for name, passed, figure in checks:
        sys.stdout.write(f"  {'ok  ' if passed else 'FAIL'}  {name:<{width}}  {figure}\n")
    for line in errors[:10]:
        sys.stdout.write(f"  log: {line[:200]}\n")
    failed = [name for name, passed, _ in checks if not passed]
    sys.stdout.write(f"{len(checks) - len(failed)} passed, {len(failed)} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
