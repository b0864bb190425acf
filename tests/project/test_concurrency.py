"""Integrity under concurrency and faults: writes racing a session's close, double submits,
and area self-evaluation builds whose worker died."""

import datetime
import importlib
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from evaluations import services as evaluation_services
from evaluations.models import AreaSelfEvaluationBuild, DraftComment, SelfEvaluation
from evaluations.tasks import retry_if_locked
from findings.models import Action, Finding
from programmes import services as challenge_services
from programmes.models import Milestone
from sessions.models import ChallengeSession
from tests import factories as f
from workspace import services as ws
from workspace.models import Answer, AnswerVersion, Comment, CommentVersion

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "The session is closed: answers and comments are frozen."


@pytest.fixture
def question(world):
    return world.session.question_set.sections.get(title="Impact").questions.order_by("position")[0]


def token_in(html: str, name: str) -> str:
    """The one-time token the page's form `name` carries."""
    match = re.search(rf'name="{re.escape(name)}" value="([0-9a-f-]{{36}})"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


# --- Closing a session does not let writes in flight through ---------------------------------


def _stale_and_closed(world):
    """The session as a request read it while open, then closed by the facilitator."""
    stale = ChallengeSession.objects.get(pk=world.session.pk)
    ws.close_session(session=ChallengeSession.objects.get(pk=world.session.pk), by=world.facilitator)
    assert not stale.is_closed
    return stale


def test_an_answer_against_a_session_closed_meanwhile_is_refused(world, question):
    stale = _stale_and_closed(world)
    with pytest.raises(ValidationError, match="The session is closed"):
        ws.save_answer(
            session=stale,
            area=world.safeguarding,
            question=question,
            by=world.lead,
            expected_revision=0,
            text="Saved after the close?",
        )
    assert not Answer.objects.exists() and not AnswerVersion.objects.exists()


def test_a_comment_against_a_session_closed_meanwhile_is_refused(world, question):
    stale = _stale_and_closed(world)
    with pytest.raises(ValidationError, match="The session is closed"):
        ws.post_comment(
            session=stale,
            area=world.safeguarding,
            question=question,
            author=world.reviewer,
            kind="challenge",
            text="Posted after the close?",
        )
    assert not Comment.objects.exists() and not CommentVersion.objects.exists()


@pytest.mark.parametrize("write", ["reply", "edit", "withdraw", "status"])
def test_thread_writes_against_a_session_closed_meanwhile_are_refused(world, question, write):
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    # The comment as a request loaded it, with the session it saw: open.
    thread = Comment.objects.select_related("session").get(pk=thread.pk)
    _stale_and_closed(world)
    assert not thread.session.is_closed
    calls = {
        "reply": lambda: ws.reply_to(parent=thread, author=world.lead, text="A reply after the close?"),
        "edit": lambda: ws.edit_comment(comment=thread, by=world.reviewer, expected_revision=1, text="Changed?"),
        "withdraw": lambda: ws.withdraw_comment(comment=thread, by=world.reviewer),
        "status": lambda: ws.set_comment_status(comment=thread, by=world.facilitator, status="addressed"),
    }
    with pytest.raises(ValidationError, match="The session is closed"):
        calls[write]()
    saved = Comment.objects.get()
    assert (saved.text, saved.status, saved.withdrawn_at, saved.revision) == ("Where is the evidence?", "open", None, 1)
    assert CommentVersion.objects.count() == 1


def test_a_draft_comment_against_a_version_finalised_meanwhile_is_refused(world):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    se = evaluation_services.circulate(self_evaluation=se, by=world.facilitator)
    stale = SelfEvaluation.objects.get(pk=se.pk)
    SelfEvaluation.objects.filter(pk=se.pk).update(status="final", finalised_at=timezone.now(), pdf=b"%PDF")
    with pytest.raises(ValidationError, match="while the draft is circulated"):
        evaluation_services.comment_on_draft(self_evaluation=stale, author=world.reviewer, text="Too late?")
    assert not DraftComment.objects.exists()


# --- One record per submitted form --------------------------------------------------------


def test_a_comment_posted_twice_with_the_same_token_is_saved_once(client, world, question):
    client.force_login(world.reviewer)
    page = client.get(reverse("comment_new", args=[world.session.pk, world.safeguarding.pk, question.pk]))
    page = page.content.decode()
    p = f"c{question.pk}-"
    data = {
        p + "kind": "challenge",
        p + "text": "How do you know?",
        p + "submission_token": token_in(page, p + "submission_token"),
    }
    url = reverse("comment_post", args=[world.session.pk, world.safeguarding.pk, question.pk])
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert list(Comment.objects.values_list("text", flat=True)) == ["How do you know?"]
    assert CommentVersion.objects.count() == 1


def test_htmx_answer_to_a_comment_carries_a_fresh_token(client, world, question):
    client.force_login(world.reviewer)
    p = f"c{question.pk}-"
    sent = "6f1c1a0e-8d8b-4a53-9a55-0c8d1f1a2b3c"
    url = reverse("comment_post", args=[world.session.pk, world.safeguarding.pk, question.pk])
    response = client.post(
        url, {p + "kind": "challenge", p + "text": "Why?", p + "submission_token": sent}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Challenge posted." in html
    # The question's block comes back without a form; the next form is fetched with a new token.
    assert p + "submission_token" not in html
    form_url = reverse("comment_new", args=[world.session.pk, world.safeguarding.pk, question.pk])
    fresh = token_in(client.get(form_url, HTTP_HX_REQUEST="true").content.decode(), p + "submission_token")
    assert fresh != sent
    # A second comment with the fresh token is a new comment.
    client.post(
        url, {p + "kind": "question", p + "text": "And when?", p + "submission_token": fresh}, HTTP_HX_REQUEST="true"
    )
    assert list(Comment.objects.values_list("text", flat=True)) == ["Why?", "And when?"]


def test_a_reply_posted_twice_with_the_same_token_is_saved_once(client, world, question):
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    client.force_login(world.lead)
    page = client.get(reverse("comment_reply", args=[thread.pk])).content.decode()
    p = f"r{thread.pk}-"
    data = {p + "text": "In the audit.", p + "submission_token": token_in(page, p + "submission_token")}
    url = reverse("comment_reply", args=[thread.pk])
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert list(thread.replies.values_list("text", flat=True)) == ["In the audit."]


def test_a_finding_and_an_action_posted_twice_are_recorded_once(client, world):
    client.force_login(world.facilitator)
    url = reverse("session_findings", args=[world.session.pk, world.safeguarding.pk])
    page = client.get(url).content.decode()
    data = {
        "kind": "strength",
        "title": "A referral hub",
        "text": "It works.",
        "new_themes": "Governance",
        "submission_token": token_in(page, "submission_token"),
    }
    first, second = client.post(url, data), client.post(url, data)
    finding = Finding.objects.get()
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert first.url.endswith(f"#finding-{finding.pk}")
    assert list(finding.themes.values_list("name", flat=True)) == ["Governance"]

    page = client.get(url).content.decode()
    p = f"a{finding.pk}-"
    data = {
        p + "description": "Write it up",
        p + "owner": world.lead.pk,
        p + "due_date": "2009-06-01",
        p + "submission_token": token_in(page, p + "submission_token"),
    }
    action_url = reverse("action_add", args=[finding.pk])
    assert [client.post(action_url, data).status_code for _ in range(2)] == [302, 302]
    assert list(Action.objects.values_list("description", flat=True)) == ["Write it up"]


def test_a_milestone_saved_twice_is_added_once(client, world):
    client.force_login(world.facilitator)
    url = reverse("milestone_create", args=["caa-2009"])
    page = client.get(url).content.decode()
    data = {
        "title": "Report to the executive",
        "date": "2009-05-22",
        "precision": "day",
        "owner": "",
        "submission_token": token_in(page, "submission_token"),
    }
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Report to the executive"]
    # Editing is not a create: its form has no token and saves as before.
    edit = client.get(reverse("milestone_edit", args=["caa-2009", Milestone.objects.get().pk])).content.decode()
    assert "submission_token" not in edit


def test_a_draft_comment_posted_twice_is_added_once(client, world):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator)
    client.force_login(world.facilitator)
    page = client.get(se.get_absolute_url()).content.decode()
    data = {"text": "Mention the hub.", "submission_token": token_in(page, "submission_token")}
    url = reverse("self_evaluation_comment", args=[se.pk])
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert list(DraftComment.objects.values_list("text", flat=True)) == ["Mention the hub."]


def test_a_session_created_twice_is_created_once(client, world):
    client.force_login(world.facilitator)
    url = reverse("session_create", args=["caa-2009"])
    page = client.get(url).content.decode()
    data = {
        "title": "Health and safety",
        "date": "2009-06-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": "Salford Civic Centre",
        "meeting_link": "",
        "areas": [world.health_inequalities.pk],
        "facilitator": world.facilitator.pk,
        "reviewers": [world.reviewer.pk],
        "notes": "",
        "action": "draft",
        "submission_token": token_in(page, "submission_token"),
    }
    first, second = client.post(url, data), client.post(url, data)
    created = ChallengeSession.objects.get(title="Health and safety")
    # The resent form is answered as the first was, not refused as a clash with itself.
    assert first.status_code == second.status_code == 302 and first.url == second.url == created.get_absolute_url()


def test_a_token_belonging_to_another_programme_is_refused(world):
    other = f.programme(facilitators=[world.facilitator], name="Another", slug="another")
    token = "0b6a2f6e-1111-4c6b-9a8a-5d8e2b1c4d7e"
    challenge_services.add_milestone(
        programme=world.programme, title="Ours", date=datetime.date(2009, 5, 1), precision="day", submission_token=token
    )
    with pytest.raises(ValidationError, match="already been used"):
        challenge_services.add_milestone(
            programme=other, title="Theirs", date=datetime.date(2009, 5, 1), precision="day", submission_token=token
        )
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Ours"]


def test_a_build_requested_twice_is_queued_once(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.facilitator)
    page = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    data = {"submission_token": token_in(page, "submission_token")}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        responses = [client.post(reverse("area_build_start", args=["caa-2009"]), data) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert AreaSelfEvaluationBuild.objects.count() == 1 and len(callbacks) == 1


# Two requests at the same moment, each in its own thread and database connection. These need
# real commits, so they are transactional: the flush that ends each one removes the rows the
# migrations made, which are put back before every test here and after the module.

_default_question_set = importlib.import_module(
    "programmes.migrations.0002_default_question_set"
).create_default_question_set


def _restore_migration_data(django_db_blocker):
    with django_db_blocker.unblock():
        _default_question_set(django_apps, None)
        connections.close_all()


@pytest.fixture(autouse=True)
def _migration_data(django_db_setup, django_db_blocker):
    _restore_migration_data(django_db_blocker)


@pytest.fixture(scope="module", autouse=True)
def _migration_data_for_later_tests(django_db_setup, django_db_blocker):
    yield
    _restore_migration_data(django_db_blocker)


def _together(calls):
    """Run the calls at the same moment in threads of their own; their results (or errors)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 — reported by the test's assertion
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_same_comment_posted_twice_at_once_is_saved_once(world, question):
    p = f"c{question.pk}-"
    data = {
        p + "kind": "challenge",
        p + "text": "How do you know?",
        p + "submission_token": "3e1d9c52-6a8f-4b1e-8f0c-2d7b5e9a4c11",
    }
    url = reverse("comment_post", args=[world.session.pk, world.safeguarding.pk, question.pk])
    clients = [_signed_in(world.reviewer) for _ in range(2)]
    results = _together([lambda c=c: c.post(url, data) for c in clients])
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert list(Comment.objects.values_list("text", flat=True)) == ["How do you know?"]
    assert CommentVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_finding_posted_twice_at_once_is_recorded_once(world):
    data = {
        "kind": "strength",
        "title": "A referral hub",
        "text": "It works.",
        "new_themes": "Governance",
        "submission_token": "a4c0e7d2-5b3f-4e8a-9c1d-7f2e6b8a0d35",
    }
    url = reverse("session_findings", args=[world.session.pk, world.safeguarding.pk])
    clients = [_signed_in(world.facilitator) for _ in range(2)]
    results = _together([lambda c=c: c.post(url, data) for c in clients])
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    finding = Finding.objects.get()
    assert list(finding.themes.values_list("name", flat=True)) == ["Governance"]


@pytest.mark.django_db(transaction=True)
def test_writes_racing_the_close_are_saved_before_it_or_refused(world, question):
    """Presenters and reviewers saving while the facilitator closes: each write either lands
    before the close or is refused. They all start from the session as they read it, open."""
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    stale = ChallengeSession.objects.get(pk=world.session.pk)
    questions = list(stale.question_set.sections.get(title="Impact").questions.order_by("position"))

    def answer(q):
        return lambda: ws.save_answer(
            session=stale,
            area=world.safeguarding,
            question=q,
            by=world.lead,
            expected_revision=0,
            text=f"Answer to {q.pk}",
        )

    def comment(n):
        return lambda: ws.post_comment(
            session=stale,
            area=world.safeguarding,
            question=question,
            author=world.reviewer,
            kind="question",
            text=f"Question {n}",
        )

    def reply(n):
        return lambda: ws.reply_to(parent=thread, author=world.lead, text=f"Reply {n}")

    calls = [answer(q) for q in questions[:4]] + [comment(n) for n in range(4)] + [reply(n) for n in range(4)]
    calls.insert(6, lambda: ws.close_session(session=ChallengeSession.objects.get(pk=stale.pk), by=world.facilitator))
    results = _together(calls)
    unexpected = [
        r
        for r in results
        if isinstance(r, BaseException) and not (isinstance(r, ValidationError) and CLOSED in r.messages)
    ]
    assert unexpected == []
    closed_at = ChallengeSession.objects.get(pk=stale.pk).closed_at
    assert closed_at is not None
    assert all(a.updated_at <= closed_at for a in Answer.objects.all())
    assert all(c.created_at <= closed_at for c in Comment.objects.all())
    refused = sum(isinstance(r, ValidationError) for r in results)
    saved = Answer.objects.count() + Comment.objects.count() - 1
    assert refused + saved == 12


# --- Builds whose worker died -------------------------------------------------------------


def _build(world, **fields):
    build = AreaSelfEvaluationBuild.objects.create(programme=world.programme, requested_by=world.facilitator, **fields)
    return build


def _task(build, status, **fields):
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {"build_id": build.pk}},
        task_path="evaluations.tasks.build_area_self_evaluation",
        backend_name="default",
        run_after=get_date_max(),
        **fields,
    )


def test_a_build_that_stopped_progressing_is_failed_and_can_be_tried_again(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.BUILD_STALL_TIMEOUT = 600
    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    build = _build(world, status="running", progress=60, step="Laying out the pages", progressed_at=eleven_minutes_ago)
    task = _task(build, TaskResultStatus.RUNNING, started_at=eleven_minutes_ago, worker_ids=["killed"])
    AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(task_id=str(task.pk))
    client.force_login(world.facilitator)

    html = client.get(reverse("area_build_status", args=[build.pk])).content.decode()
    assert "Failed" in html and "stopped reporting progress" in html and "data-hx-trigger" not in html
    assert "Try again" in html
    # Shown failed; a GET writes nothing: trying again marks it failed, with its task.
    build.refresh_from_db()
    task.refresh_from_db()
    assert build.status == "running" and task.status == TaskResultStatus.RUNNING

    data = {"submission_token": token_in(html, "submission_token")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("area_build_start", args=["caa-2009"]), data)
    assert response.status_code == 302
    build.refresh_from_db()
    task.refresh_from_db()
    assert build.status == "failed" and build.finished_at is not None and "stopped reporting progress" in build.error
    assert task.status == TaskResultStatus.FAILED
    retry = AreaSelfEvaluationBuild.objects.exclude(pk=build.pk).get()
    assert (retry.status, retry.progress) == ("ready", 100) and retry.progressed_at is not None and retry.task_id
    html = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    assert "Download the area self-evaluation" in html


def test_a_build_that_progressed_recently_keeps_going(client, world, settings):
    settings.BUILD_STALL_TIMEOUT = 600
    build = _build(
        world,
        status="running",
        progress=40,
        step="Compiling Safer city",
        progressed_at=timezone.now() - datetime.timedelta(minutes=9),
    )
    client.force_login(world.facilitator)
    html = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    assert 'data-hx-trigger="every 2s"' in html and "Compiling Safer city" in html and "Try again" not in html
    build.refresh_from_db()
    assert build.status == "running"


def test_the_stall_timeout_is_a_setting(client, world, settings, django_capture_on_commit_callbacks):
    build = _build(world, status="running", progress=40, progressed_at=timezone.now() - datetime.timedelta(minutes=2))
    client.force_login(world.facilitator)
    for timeout, shown in [(600, "Building"), (60, "stopped reporting progress")]:
        settings.BUILD_STALL_TIMEOUT = timeout
        assert shown in client.get(reverse("documents", args=["caa-2009"])).content.decode(), timeout
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("area_build_start", args=["caa-2009"]))
    build.refresh_from_db()
    assert build.status == "failed"


def test_a_queued_build_no_worker_took_up_says_so(client, world, settings):
    settings.BUILD_PICKUP_TIMEOUT = 60
    build = _build(world)
    AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client.force_login(world.facilitator)
    html = client.get(reverse("area_build_status", args=[build.pk])).content.decode()
    assert "No background worker has picked this up; ask your administrator to check the worker" in html
    assert "Waiting for the worker" not in html
    build.refresh_from_db()
    assert build.status == "queued"  # a worker that starts later still builds it


def test_a_queued_build_behind_a_busy_worker_is_waiting(client, world, settings):
    settings.BUILD_PICKUP_TIMEOUT = 60
    build = _build(world)
    requested = timezone.now() - datetime.timedelta(minutes=5)
    AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(requested_at=requested)
    _task(
        build,
        TaskResultStatus.SUCCESSFUL,
        started_at=requested + datetime.timedelta(minutes=1),
        finished_at=requested + datetime.timedelta(minutes=2),
        worker_ids=["alive"],
    )
    client.force_login(world.facilitator)
    html = client.get(reverse("area_build_status", args=[build.pk])).content.decode()
    assert "Waiting for the worker" in html and "No background worker" not in html


def test_a_just_queued_build_is_waiting(client, world):
    build = _build(world)
    client.force_login(world.facilitator)
    html = client.get(reverse("area_build_status", args=[build.pk])).content.decode()
    assert "Waiting for the worker" in html and "No background worker" not in html


def test_build_writes_try_again_while_the_database_is_locked():
    attempts, pauses = [], []

    def write():
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("database is locked")
        return "saved"

    assert retry_if_locked(write, sleep=pauses.append) == "saved"
    assert len(attempts) == 3 and pauses == [0.5, 1.0]


def test_build_writes_give_up_after_a_few_tries_and_other_errors_at_once():
    pauses = []

    def locked():
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError, match="locked"):
        retry_if_locked(locked, retries=3, sleep=pauses.append)
    assert pauses == [0.5, 1.0]

    def broken():
        raise OperationalError("no such table: evaluations_areaselfevaluationbuild")

    pauses.clear()
    with pytest.raises(OperationalError, match="no such table"):
        retry_if_locked(broken, sleep=pauses.append)
    assert pauses == []


def _database_settings(url):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'challenge.settings'; django.setup(); "
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_sqlite_waits_for_the_lock_and_takes_it_when_a_transaction_begins():
    assert _database_settings("sqlite:////tmp/challenge.sqlite3") == "{'timeout': 20, 'transaction_mode': 'IMMEDIATE'}"
    assert "timeout" not in _database_settings("postgres://u:p@db.example.org:5432/challenge")
