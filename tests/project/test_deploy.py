"""Production settings come from the environment, and `check --deploy` is clean with them."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(extra_env):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "CHALLENGE_TODAY"}
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = run_check(
        {
            "SECRET_KEY": "x" * 30 + "a-production-secret-from-the-environment-9f8e7d",
            "ALLOWED_HOSTS": "challenge.example.org",
            "DEBUG": "false",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key():
    result = run_check({"ALLOWED_HOSTS": "challenge.example.org"})
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


PRODUCTION = {
    "SECRET_KEY": "x" * 30 + "a-production-secret-from-the-environment-9f8e7d",
    "ALLOWED_HOSTS": "challenge.example.org",
    "DEBUG": "false",
}


def run_python(extra_env, code):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "ALLOW_HTTP", "LOG_FORMAT"}}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_the_tls_proxy_as_scripts_serve_runs_it():
    result = run_check({**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "true", "TRUSTED_PROXY_COUNT": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_allow_http_turns_off_the_https_only_settings_for_a_trial():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    assert run_python(PRODUCTION, code).stdout.splitlines()[-1].split() == ["True", "True", "True", "31536000"]
    assert run_python({**PRODUCTION, "ALLOW_HTTP": "true"}, code).stdout.splitlines()[-1].split() == [
        "False",
        "False",
        "False",
        "0",
    ]

    result = run_check({**PRODUCTION, "ALLOW_HTTP": "true"})
    assert result.returncode != 0  # and `check --deploy` says what is missing
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stdout + result.stderr


def test_application_logs_are_one_key_value_line_an_event_on_standard_output():
    code = "import logging; logging.getLogger('challenge.example').warning('two words\\nand a second line')"
    lines = run_python({**PRODUCTION}, code).stdout.splitlines()
    line = next(line for line in lines if "logger=challenge.example" in line)
    assert line.startswith("time=20") and " level=WARNING logger=challenge.example " in line
    assert line.endswith(' msg="two words\\nand a second line"')

    lines = run_python({**PRODUCTION, "LOG_FORMAT": "json"}, code).stdout.splitlines()
    event = json.loads(next(line for line in lines if "challenge.example" in line))
    assert event["level"] == "WARNING" and event["msg"] == "two words\nand a second line"


def settings_read_from_the_environment():
    source = (ROOT / "challenge" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|date)\(\s*"([A-Z_]+)"', source))


def test_every_setting_is_in_the_example_environment_file_and_the_readme():
    example = (ROOT / "deploy" / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    names = settings_read_from_the_environment()
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOW_HTTP", "HEALTHZ_WORKER_MINUTES", "LOG_FORMAT"} <= names
    assert sorted(n for n in names if not re.search(rf"^#? ?{n}=", example, re.MULTILINE)) == []
    assert sorted(n for n in names if f"`{n}`" not in readme) == []


def test_an_earlier_secret_key_still_opens_what_it_sealed():
    """Changing SECRET_KEY with the old one in SECRET_KEY_FALLBACKS keeps an identity provider's
    stored client secret readable until it is saved again."""
    old = {**PRODUCTION, "SECRET_KEY": "y" * 30 + "the-key-before-the-change-1a2b3c"}
    sealed = run_python(old, "from challenge.secretbox import seal; print(seal('client-secret'))").stdout.split()[-1]
    code = f"from challenge.secretbox import open_sealed; print(open_sealed({sealed!r}))"
    assert run_python(PRODUCTION, code).stdout.split()[-1] == "None"
    rotated = {**PRODUCTION, "SECRET_KEY_FALLBACKS": f"other-old-key,{old['SECRET_KEY']}"}
    assert run_python(rotated, code).stdout.split()[-1] == "client-secret"


def test_an_empty_database_url_means_the_default_sqlite_database():
    """`DATABASE_URL=` left empty in an environment file starts the app on SQLite, not a crash."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_python({"DATABASE_URL": "", "DEBUG": "true"}, code)
    assert result.stdout.split()[-1] == "django.db.backends.sqlite3", result.stderr
