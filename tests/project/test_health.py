"""/healthz for load balancers and monitoring: 200 with a small JSON body when the database
answers, every migration is applied and the task queue moves; 503 naming the check that failed;
no sign-in, no detail of the failure, never redirected to HTTPS."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from challenge import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_checks(settings):
    """Each test sees the migrations checked afresh, and the database task back end."""
    health._migrations_applied = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.HEALTHZ_WORKER_MINUTES = 5
    yield
    health._migrations_applied = False


def _task(status=TaskResultStatus.READY, *, enqueued_minutes_ago=0, **fields):
    task = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="evaluations.tasks.send_draft_circulated",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        **fields,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=enqueued_minutes_ago)
    )
    return task


def test_healthy_answers_200_with_every_check_passed_and_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}
    assert "no-cache" in response["Cache-Control"]
    assert response.cookies == {}  # no session, no CSRF cookie


def test_an_unapplied_migration_answers_503(client):
    MigrationRecorder.Migration.objects.filter(app="evaluations").order_by("-id")[:1].get().delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["migrations"] == "not applied"
    assert response.json()["checks"]["database"] == "ok"


def test_an_unreachable_database_answers_503_without_the_error(client):
    connection = connections["default"]
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("password authentication failed")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "unreachable", "migrations": "not checked", "worker": "not checked"},
    }
    assert b"password" not in response.content


def test_a_task_waiting_with_no_worker_seen_answers_503(client):
    _task(enqueued_minutes_ago=6)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "worker": "not seen"}


def test_the_web_check_leaves_the_worker_out(client):
    _task(enqueued_minutes_ago=6)

    response = client.get("/healthz/web")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_a_worker_that_started_a_task_lately_is_seen_though_others_wait(client):
    _task(enqueued_minutes_ago=6)
    _task(
        TaskResultStatus.RUNNING,
        enqueued_minutes_ago=8,
        started_at=timezone.now() - datetime.timedelta(minutes=2),
        worker_ids=["busy"],
    )

    assert client.get("/healthz").status_code == 200


def test_a_task_queued_lately_or_an_empty_queue_is_no_sign_of_a_missing_worker(client):
    _task(enqueued_minutes_ago=4)
    _task(
        TaskResultStatus.SUCCESSFUL,
        enqueued_minutes_ago=60,
        started_at=timezone.now() - datetime.timedelta(minutes=59),
        finished_at=timezone.now() - datetime.timedelta(minutes=59),
    )

    assert client.get("/healthz").status_code == 200


def test_tasks_run_in_the_request_need_no_worker(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _task(enqueued_minutes_ago=60)

    assert client.get("/healthz").status_code == 200


def test_healthz_is_not_redirected_to_https_though_pages_are(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz/web").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_only_reading_is_allowed(client):
    assert client.post("/healthz").status_code == 405
