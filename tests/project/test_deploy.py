"""Production settings come from the environment, and `check --deploy` is clean with them."""

import os
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
