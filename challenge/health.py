"""`/healthz`: can this web machine serve, and is the background work moving? For load balancers,
container health checks and monitoring. No sign-in; the answer names the checks and whether each
passed, never an error's text, a host name or a version.

- database: a `SELECT 1` on the default database.
- migrations: every migration of the code this process runs is applied (the check passes once
  per process and is not repeated: the code cannot change under a running process).
- worker: no background task has waited more than HEALTHZ_WORKER_MINUTES for a worker unless a
  worker started or finished a task meanwhile. The workers keep no heartbeat; a queue that
  moves is the sign of one. An idle queue passes: nothing is waiting for a worker.

200 when every check passes, 503 naming the ones that failed. `/healthz/web` leaves out the
worker check, for a load balancer that should keep sending people to a web machine while the
workers are down (pages work; e-mails and PDF builds wait)."""

import datetime
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
_migrations_applied = False


def check_database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unreachable", exc_info=True)
        return "unreachable"
    return OK


def check_migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            logger.warning("Health check: %s migrations not applied", len(plan))
            return "not applied"
        _migrations_applied = True
    return OK


def check_worker(now) -> str:
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return OK  # tasks run in the request (or not at all): there is no worker to wait for
    from django_tasks_db.models import DBTaskResult, get_date_max

    since = now - datetime.timedelta(minutes=settings.HEALTHZ_WORKER_MINUTES)
    waiting = (
        DBTaskResult.objects.ready()
        .filter(enqueued_at__lt=since)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lt=since))
    )
    if not waiting.exists():
        return OK
    if DBTaskResult.objects.filter(Q(started_at__gte=since) | Q(finished_at__gte=since)).exists():
        return OK  # busy: the queue is moving, a task at a time
    logger.warning("Health check: tasks waiting over %s minutes, no worker seen", settings.HEALTHZ_WORKER_MINUTES)
    return "not seen"


def _answer(checks: dict) -> JsonResponse:
    healthy = all(result == OK for result in checks.values())
    return JsonResponse({"status": OK if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


def _checks(*, worker: bool) -> dict:
    checks = {"database": check_database()}
    if checks["database"] != OK:
        checks["migrations"] = "not checked"
        if worker:
            checks["worker"] = "not checked"
        return checks
    checks["migrations"] = check_migrations()
    if worker:
        checks["worker"] = check_worker(timezone.now())
    return checks


@never_cache
@require_safe
def healthz(request):
    return _answer(_checks(worker=True))


@never_cache
@require_safe
def healthz_web(request):
    return _answer(_checks(worker=False))
