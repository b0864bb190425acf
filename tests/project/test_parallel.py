"""scripts/test runs the suite in parallel (pytest-xdist, `-n auto`): each worker must have a
test database of its own, or one worker's flush would empty the tables under another's test."""

import os
import re
import tempfile

import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_worker_has_a_test_database_of_its_own():
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1... under xdist; unset without it
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file in a folder made for this worker (tests/conftest.py), not the in-memory default.
        folder = os.path.basename(os.path.dirname(name))
        assert folder.startswith(f"challenge-test-db-{worker or 'main'}-"), name
        assert os.path.dirname(os.path.dirname(name)) in ("/dev/shm", tempfile.gettempdir())
        assert os.path.isfile(name)
    else:
        # pytest-django's suffix: test_<name>_gw0, test_<name>_gw1...
        assert name.startswith("test_"), name
        if worker:
            assert name.endswith(f"_{worker}"), name
        else:
            assert not re.search(r"_gw\d+$", name), name
