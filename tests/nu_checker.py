"""The Nu HTML Checker (vnu.jar, the W3C's validator) on pages the tests render.

The checker comes from the npm registry's `vnu-jar` package, fetched once into `.cache/vnu/`
(like Chromium, by the test run itself: scripts/test installs Java, Debian's
`default-jre-headless`, when the machine has none). One Java start checks every page given."""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

VERSION = "26.9.27"
ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / ".cache" / "vnu" / VERSION / "vnu.jar"


def _jar() -> Path:
    if JAR.exists():
        return JAR
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("The Nu HTML Checker comes from the npm registry: install npm (Debian's `npm`).")
    JAR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", f"vnu-jar@{VERSION}", "--silent", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            timeout=300,
        )
        [archive] = Path(tmp).glob("vnu-jar-*.tgz")
        with tarfile.open(archive) as tar:
            member = tar.getmember("package/build/dist/vnu.jar")
            with tar.extractfile(member) as source, open(JAR.with_suffix(".part"), "wb") as target:
                shutil.copyfileobj(source, target)
    JAR.with_suffix(".part").rename(JAR)
    return JAR


def nu_errors(pages: dict) -> list[str]:
    """The checker's errors for each page (`pages`: name -> HTML), as "name:line: message"."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("The Nu HTML Checker needs Java: apt-get install -y default-jre-headless (scripts/test does).")
    jar = _jar()
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(tmp) / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(
            [java, "-jar", str(jar), "--errors-only", "--format", "json", "--exit-zero-always"]
            + [str(Path(tmp) / file) for file in files],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = []
    for message in messages:
        url = message.get("url", "")
        name = files.get(url.rsplit("/", 1)[-1], url)
        errors.append(f"{name}:{message.get('lastLine', '?')}: {message['message']}")
    return errors
