"""In a background worker, the area self-evaluation build runs in a forked child process that
exits when it is done, so the memory a large PDF takes goes back to the system and the worker
stays small; a child that dies without recording an outcome leaves the build failed, not
running for ever."""

import os
import resource

import pytest

from evaluations import tasks
from evaluations.models import AreaSelfEvaluationBuild


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _raise():
    raise RuntimeError("broken")


def _resident_kib():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _hold_memory(path):
    start = _resident_kib()  # the child's own size before it takes more (the parent's peak may be higher)
    block = bytearray(300 * 1024 * 1024)  # 300 MiB, touched
    for i in range(0, len(block), 4096):
        block[i] = 1
    _write(path, str(_resident_kib() - start))


def test_the_child_runs_the_function_and_reports_how_it_ended(tmp_path):
    marker = tmp_path / "ran"
    assert tasks.run_in_child(_write, str(marker), "yes") == 0
    assert marker.read_text() == "yes"
    assert tasks.run_in_child(_raise) == 1
    assert tasks.run_in_child(os._exit, 9) == 9


def test_the_memory_the_child_took_goes_back_with_it(tmp_path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert tasks.run_in_child(_hold_memory, str(tmp_path / "peak")) == 0
    assert int((tmp_path / "peak").read_text()) > 250 * 1024  # the child held it (KiB)...
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < before + 50 * 1024  # ...the worker did not


def test_a_child_that_dies_leaves_the_build_failed(world):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=world.programme, requested_by=world.facilitator, status="running"
    )
    with pytest.raises(RuntimeError, match="exit code -9"):
        tasks.build_in_child(build.pk, target=lambda build_id: os.kill(os.getpid(), 9))
    build.refresh_from_db()
    assert build.status == "failed" and "stopped (exit code -9)" in build.error and build.finished_at


def test_only_a_worker_builds_in_a_child(world, monkeypatch):
    children = []
    monkeypatch.setattr(tasks, "build_in_child", lambda build_id: children.append(build_id) or "ready")
    monkeypatch.setattr(tasks, "_build", lambda build_id: "inline")
    build = AreaSelfEvaluationBuild.objects.create(programme=world.programme, requested_by=world.facilitator)
    assert tasks.build_area_self_evaluation.call(build_id=build.pk) == "inline"
    monkeypatch.setattr("evaluations.apps.is_worker_process", lambda: True)
    assert tasks.build_area_self_evaluation.call(build_id=build.pk) == "ready"
    assert children == [build.pk]
