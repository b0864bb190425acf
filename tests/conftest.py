import pytest
from django.test.utils import override_settings


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield
