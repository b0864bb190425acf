"""`pip install .` installs code that runs: pyproject.toml lists every package of the project,
carries the templates, static files and demo data, and bounds every dependency."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.project.test_layering import LAYERS

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def packages_on_disk():
    found = set()
    for top in ["challenge", *LAYERS]:
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def data_folders_on_disk():
    """Folders of templates, static files and demo data under the names the wheel gives them
    (those Python could import: setuptools wants them listed too)."""
    found = set()
    for folder, package in [
        ("templates", "challenge.templates"),
        ("static", "challenge.static"),
        ("demo/data", "demo.data"),
    ]:
        found.add(package)
        for path in (ROOT / folder).rglob("*"):
            parts = path.relative_to(ROOT / folder).parts
            if path.is_dir() and all(part.isidentifier() for part in parts) and "__pycache__" not in parts:
                found.add(".".join([package, *parts]))
    return found


def test_every_package_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert packages_on_disk() - listed == set()


def test_every_folder_of_templates_and_static_files_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert data_folders_on_disk() - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - packages_on_disk() - data_folders_on_disk() == set(), "listed, but no such folder"


def test_templates_static_files_and_demo_data_go_into_the_wheel():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"challenge.templates": "templates", "challenge.static": "static"}
    assert setuptools["package-data"]["challenge.templates"] == ["**/*"]
    assert setuptools["package-data"]["challenge.static"] == ["**/*"]
    assert setuptools["package-data"]["demo.data"] == ["*"]
    assert (ROOT / "demo" / "data" / "programme.toml").is_file()


def test_every_dependency_range_has_an_upper_bound():
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"]) + PYPROJECT["build-system"]["requires"]
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("challenge[")]
    unbounded = [r for r in requirements if not re.search(r"<[^=]|==|~=", r)]
    assert unbounded == []


def test_the_lock_files_pin_every_package_with_hashes_from_the_present_ranges():
    inputs = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "_lock_inputs.py")], capture_output=True, text=True, check=True
    ).stdout.strip()
    for name in ["requirements.lock", "requirements-test.lock", "requirements-dev.lock"]:
        text = (ROOT / name).read_text()
        assert text.startswith(f"# inputs: {inputs} "), f"{name} is out of date: run scripts/lock"
        pins = re.findall(
            r"^([A-Za-z0-9_.-]+)==\S+(?: ;[^\\\n]*)? \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M
        )
        names = re.findall(r"^([A-Za-z0-9_.-]+)[=<>~ ]", text, re.M)
        assert names and [pin[0] for pin in pins] == names, f"{name}: a package without an exact version and hashes"
    runtime = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^django==5\.2\.\d+ ", runtime, re.M) and "gunicorn==" in runtime and "pytest==" not in runtime
