import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass

import pytest
from django.test.utils import override_settings

from sessions.models import Participant
from tests import factories as f


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, a test database in a file (in memory-backed /dev/shm where there is one, so
    as fast as Django's default), not Django's shared-cache in-memory database. In shared
    cache, a second writer fails at once with "database table is locked" instead of waiting
    its turn as it does in production, so tests with concurrent requests
    (tests/project/test_concurrency.py) could not run on it.

    Under pytest-xdist (scripts/test runs `-n auto`) each worker makes its own folder, so its
    own database file; on PostgreSQL pytest-django names each worker's database
    (test_<name>_gw0, test_<name>_gw1...) and this leaves it as it is."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        yield
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = tempfile.mkdtemp(
        prefix=f"challenge-test-db-{worker}-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
    )
    database.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Plain HTTP, unhashed static files, tasks run at once: the production defaults of those
    settings would get in the way of the test client and the live server."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        CHALLENGE_TODAY=datetime.date(2009, 5, 6),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The tests' OpenID provider (tests/oidc_provider/) serves plain http on 127.0.0.1.
        SIGN_ON_ALLOW_HTTP_LOOPBACK=True,
    ):
        yield


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (tests/oidc_provider/: django-oauth-toolkit, a fresh RSA
    key) in a subprocess on a free port of 127.0.0.1, for the session; its issuer URL."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="challenge-oidc-provider-")
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    log = open(os.path.join(folder, "provider.log"), "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), os.path.join(folder, "provider.sqlite3")],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                raise RuntimeError("the test OpenID provider did not start: " + Path(log.name).read_text()) from None
            time.sleep(0.2)
    yield issuer
    process.terminate()
    process.wait(timeout=10)
    log.close()
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class World:
    """A small partnership: the council leads safeguarding, the police lead safer city."""

    council: object
    police: object
    health: object
    fire: object
    safeguarding: object
    safer_city: object
    health_inequalities: object
    programme: object
    facilitator: object
    lead: object
    council_colleague: object
    reviewer: object
    police_officer: object
    health_reviewer: object
    fire_reviewer: object
    officer: object
    outsider: object
    session: object


@pytest.fixture
def world(db):
    council = f.partner("Salford City Council", short_name="SCC")
    police = f.partner("Greater Manchester Police", short_name="GMP")
    health = f.partner("Salford Primary Care Trust", short_name="PCT")
    fire = f.partner("Greater Manchester Fire and Rescue Service", short_name="GMFRS")
    lead = f.person(council, "lead", first_name="Andrew", last_name="Kenyon")
    safeguarding = f.area(council, "Safeguarding children", slug="safeguarding", lead_officer=lead)
    safer_city = f.area(police, "Safer city", slug="safer-city")
    health_inequalities = f.area(health, "Health inequalities", slug="health-inequalities")
    facilitator = f.person(council, "facilitator", first_name="Ruth", last_name="Mellor")
    programme = f.programme(
        areas=[safeguarding, safer_city, health_inequalities],
        facilitators=[facilitator],
        name="CAA 2009 challenge sessions",
        slug="caa-2009",
    )
    reviewer = f.person(police, "reviewer", first_name="Paul", last_name="Hargreaves")
    session = f.session(
        programme,
        areas=[safeguarding],
        facilitator=facilitator,
        title="Safeguarding children",
        date=datetime.date(2009, 5, 8),
    )
    f.participant(session, lead, Participant.Role.PRESENTER, safeguarding)
    f.participant(session, reviewer, Participant.Role.REVIEWER)
    return World(
        council=council,
        police=police,
        health=health,
        fire=fire,
        safeguarding=safeguarding,
        safer_city=safer_city,
        health_inequalities=health_inequalities,
        programme=programme,
        facilitator=facilitator,
        lead=lead,
        council_colleague=f.person(council, "colleague", first_name="Karen", last_name="Ashworth"),
        reviewer=reviewer,
        police_officer=f.person(police, "constable", first_name="Gary", last_name="Thornton"),
        health_reviewer=f.person(health, "nurse", first_name="Helen", last_name="Barlow"),
        fire_reviewer=f.person(fire, "firefighter", first_name="Tony", last_name="Byrne"),
        officer=f.person(council, "officer", first_name="Claire", last_name="Dunn", is_officer=True),
        outsider=f.person(fire, "outsider", first_name="Olive", last_name="Outsider"),
        session=session,
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Django's cache (in memory in tests) counts password-reset requests: each test starts
    with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
