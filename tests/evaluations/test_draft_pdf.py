"""A draft's PDF is rendered by the background worker, never inside a web request: the first
download asks the worker for it and shows its progress (with htmx, polling; without
JavaScript, a link to ask again); the worker stores it against the SHA-256 of the HTML it was
rendered from; a download of an unchanged draft sends those bytes. The web process never
imports WeasyPrint; a worker loads it, with its fonts, as it starts."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks import default_task_backend
from pypdf import PdfReader

from evaluations import services as evaluation_services
from evaluations.apps import is_worker_process
from evaluations.models import AreaSelfEvaluationBuild, DraftPdf
from evaluations.pdf import draft_key, warm_up
from evaluations.tasks import finalise_self_evaluation, render_draft_pdf
from tests.evaluations.drafts import download_draft_pdf

ROOT = Path(__file__).resolve().parents[2]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def se(world):
    return evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)


@pytest.fixture
def no_weasyprint(monkeypatch):
    """WeasyPrint refuses to run: any code path that renders a PDF fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint was called")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
    return monkeypatch


def test_no_web_request_renders_a_pdf(client, world, se, no_weasyprint):
    """Every PDF URL and every page that links to one, with tasks only queued (as in production,
    where the worker is another process) and WeasyPrint refusing to run: none of them renders.
    The worker then renders the queued draft, and the next download is the file."""
    final_area = world.safer_city
    final = evaluation_services.current_self_evaluation(programme=world.programme, area=final_area)
    no_weasyprint.undo()
    evaluation_services.finalise(self_evaluation=final, by=world.facilitator)
    build = AreaSelfEvaluationBuild.objects.create(
        programme=world.programme, requested_by=world.facilitator, status="ready", pdf=b"%PDF-1.7 all", pdf_sha256="x"
    )

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint was called")

    no_weasyprint.setattr(weasyprint, "HTML", refuse)
    client.force_login(world.facilitator)
    draft_url = reverse("self_evaluation_pdf", args=[se.pk])
    with override_settings(TASKS=DUMMY_TASKS):
        default_task_backend.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            for url in [
                reverse("documents", args=[world.programme.slug]),
                se.get_absolute_url(),
                final.get_absolute_url(),
                reverse("area_build_status", args=[build.pk]),
            ]:
                assert client.get(url).status_code == 200, url
            waiting = client.get(draft_url)
            assert waiting.status_code == 202
            assert "being prepared in the background" in waiting.content.decode()
            assert client.get(draft_url, headers={"HX-Request": "true"}).status_code == 202
            assert client.get(draft_url).status_code == 202
            stored = client.get(reverse("self_evaluation_pdf", args=[final.pk]))
            assert stored.status_code == 200 and stored.content == bytes(type(final).objects.get(pk=final.pk).pdf)
            assert client.get(reverse("area_build_pdf", args=[build.pk])).content == b"%PDF-1.7 all"
        # Asked of the worker once, however often the page is loaded or polled.
        queued = [result for result in default_task_backend.results if result.task.name == "render_draft_pdf"]
        assert [result.kwargs for result in queued] == [{"self_evaluation_id": se.pk}]
    # The worker (here, called directly) renders it; the download is then the stored file.
    no_weasyprint.undo()
    assert render_draft_pdf.call(self_evaluation_id=se.pk) == "rendered"
    no_weasyprint.setattr(weasyprint, "HTML", refuse)
    response = client.get(draft_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="safeguarding-self-evaluation-v1-draft.pdf"'
    assert "DRAFT" in pdf_text(response.content)
    assert response.content == bytes(DraftPdf.objects.get(pk=se.pk).pdf)


def test_finalising_is_done_by_the_worker(client, world, se, no_weasyprint):
    """The Finalise button asks the worker, which renders the final PDF and stores it."""
    client.force_login(world.facilitator)
    url = reverse("self_evaluation_action", args=[se.pk, "finalise"])
    with override_settings(TASKS=DUMMY_TASKS):
        default_task_backend.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url, {"confirmed": "1"}, follow=True)
        assert "Finalising: the final PDF is being prepared in the background." in response.content.decode()
        assert type(se).objects.get(pk=se.pk).status == "draft"
        queued = [result for result in default_task_backend.results if result.task.name == "finalise_self_evaluation"]
        assert [result.kwargs for result in queued] == [{"self_evaluation_id": se.pk, "by_id": world.facilitator.pk}]
    no_weasyprint.undo()
    assert finalise_self_evaluation.call(self_evaluation_id=se.pk, by_id=world.facilitator.pk) == "final"
    final = type(se).objects.get(pk=se.pk)
    assert (final.status, final.finalised_by) == ("final", world.facilitator)
    assert "DRAFT" not in pdf_text(bytes(final.pdf))
    # Asked twice (a double click), the second does nothing.
    assert finalise_self_evaluation.call(self_evaluation_id=se.pk, by_id=world.facilitator.pk) == "already final"
    assert bytes(type(se).objects.get(pk=se.pk).pdf) == bytes(final.pdf)


def test_an_unchanged_draft_is_sent_as_stored_and_a_changed_one_is_rendered_again(client, world, se, monkeypatch):
    client.force_login(world.facilitator)
    url = reverse("self_evaluation_pdf", args=[se.pk])
    first = download_draft_pdf(client, url).content
    stored = DraftPdf.objects.get(pk=se.pk)
    assert stored.inputs_sha256 == draft_key(se) and bytes(stored.pdf) == first

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr("evaluations.tasks.html_to_pdf", refuse)
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        again = client.get(url)
    assert again.content == first and callbacks == []  # a file send; nothing asked of the worker
    monkeypatch.undo()
    se = evaluation_services.update_texts(
        self_evaluation=se, expected_revision=se.revision, introduction="A changed introduction.", conclusion=""
    )
    changed = download_draft_pdf(client, url).content
    assert changed != first and "A changed introduction." in pdf_text(changed)
    assert DraftPdf.objects.get(pk=se.pk).inputs_sha256 == draft_key(se)


def test_readers_only(client, world, se):
    """The same permission as the page: someone who takes no part in the area gets nothing,
    and asks nothing of the worker."""
    client.force_login(world.outsider)
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        assert client.get(reverse("self_evaluation_pdf", args=[se.pk])).status_code == 403
    assert callbacks == [] and not DraftPdf.objects.exists()


def test_the_status_polls_with_htmx_and_offers_the_download_when_ready(client, world, se):
    client.force_login(world.facilitator)
    url = reverse("self_evaluation_pdf", args=[se.pk])
    with override_settings(TASKS=DUMMY_TASKS), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url)
        page = response.content.decode()
        poll = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The full page (works without JavaScript: a link to ask again) and the polled fragment.
    assert "<html" in page and f'href="{url}">Refresh</a>' in page and f'data-hx-get="{url}"' in page
    assert "<html" not in poll and 'id="pdf-status"' in poll and "Queued" in poll
    render_draft_pdf.call(self_evaluation_id=se.pk)
    ready = client.get(url, headers={"HX-Request": "true"})
    assert ready.status_code == 200 and "data-hx-get" not in ready.content.decode()
    assert f'<a href="{url}">Download the PDF (draft)</a>' in ready.content.decode()


def test_a_failed_render_says_so_and_can_be_tried_again(client, world, se, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr("evaluations.tasks.html_to_pdf", broken)
    client.force_login(world.facilitator)
    url = reverse("self_evaluation_pdf", args=[se.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(url)
    failed = client.get(url)
    assert failed.status_code == 202
    assert "Failed" in failed.content.decode() and "fonts missing" in failed.content.decode()
    assert f'href="{url}?retry=1"' in failed.content.decode()
    # Loading the page again does not ask again; trying again does.
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        client.get(url)
    assert callbacks == []
    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert "being prepared" in client.get(url + "?retry=1").content.decode()
    assert client.get(url).content.startswith(b"%PDF")


def test_a_request_whose_worker_was_lost_is_asked_again(world, se, settings):
    import datetime

    from django.utils import timezone

    key = draft_key(se)
    now = timezone.now()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        evaluation_services.request_draft_pdf(self_evaluation=se, key=key, now=now)
        evaluation_services.request_draft_pdf(self_evaluation=se, key=key, now=now)
    assert len(callbacks) == 1
    later = now + datetime.timedelta(seconds=settings.BUILD_STALL_TIMEOUT + 1)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        evaluation_services.request_draft_pdf(self_evaluation=se, key=key, now=later)
    assert len(callbacks) == 1


def test_only_a_worker_process_warms_weasyprint_up():
    assert is_worker_process(["manage.py", "db_worker", "--interval", "1"])
    assert not is_worker_process(["manage.py", "runserver"])
    assert not is_worker_process(["gunicorn", "challenge.wsgi"])
    assert warm_up() > 0


def _run(code, tmp_path, argv0="-c"):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="challenge.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TASKS_BACKEND="dummy",
        DEBUG="true",
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


WEB_PROCESS = """
import sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse
call_command("migrate", verbosity=0)
# Every view of the URLconf imported, as a web worker does.
resolver = get_resolver()
def walk(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            walk(pattern.url_patterns)
        else:
            pattern.callback
walk(resolver.url_patterns)
from evaluations import services
from tests import factories as f
area = f.area(name="Safeguarding children", slug="safeguarding")
facilitator = f.person(is_officer=False)
programme = f.programme(areas=[area], facilitators=[facilitator])
se = services.current_self_evaluation(programme=programme, area=area)
client = Client()
client.force_login(facilitator)
for url in [reverse("home"), reverse("documents", args=[programme.slug]), se.get_absolute_url()]:
    assert client.get(url).status_code == 200, url
assert client.get(reverse("self_evaluation_pdf", args=[se.pk])).status_code == 202
print("weasyprint" in sys.modules)
"""


def test_the_web_process_never_imports_weasyprint(tmp_path):
    result = _run(WEB_PROCESS, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_worker_process_loads_weasyprint_as_it_starts(tmp_path):
    code = "import sys; sys.argv = ['manage.py', 'db_worker']; import django; django.setup(); "
    code += "print('weasyprint' in sys.modules)"
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "True"
