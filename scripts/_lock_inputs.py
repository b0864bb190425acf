"""Print a digest of what the lock files are made from: pyproject.toml's requires-python,
dependencies and optional dependencies. scripts/lock writes it into each lock file;
scripts/_setup.sh refuses a lock file whose digest differs (a dependency was changed in
pyproject.toml without running scripts/lock)."""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
inputs = {key: project.get(key) for key in ("requires-python", "dependencies", "optional-dependencies")}
sys.stdout.write(hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest() + "\n")
