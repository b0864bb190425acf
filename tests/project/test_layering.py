"""Imports only go down the list of apps.

Each app may import the apps above it in LAYERS and the project package's infrastructure
modules (`challenge.clock`, validators, mail, the one-time form token…, which import no app),
never an app below it nor the project's settings or URLs. The check reads every module's
imports with `ast` (including imports inside functions), so an import hidden in a function
body to dodge a cycle is caught too; and no module may import itself in a circle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAYERS = [
    "programmes",
    "indicators",
    "sessions",
    "workspace",
    "findings",
    "evaluations",
    "dashboard",
    "demo",
]
# The project package's modules that compose the apps; nothing below may import them.
PROJECT_TOP = {"settings", "urls", "wsgi", "asgi"}


def imported_top_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def app_modules(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_app_imports_only_apps_above_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    forbidden = set(LAYERS) - allowed
    offences = []
    for path in app_modules(app):
        for name, line in imported_top_modules(path):
            top, _, rest = name.partition(".")
            if top in forbidden:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
            if top == "challenge" and rest.split(".")[0] in PROJECT_TOP:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports project module {name}")
    assert offences == []


def test_project_infrastructure_imports_no_app():
    """Only the URLs (which include every app's) may import apps from the project package."""
    offences = []
    for path in (ROOT / "challenge").rglob("*.py"):
        if path.stem in PROJECT_TOP:
            continue
        for name, line in imported_top_modules(path):
            if name.partition(".")[0] in LAYERS:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offences == []


def test_every_app_is_in_the_list():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} - {"challenge"}  # the project package
    assert apps == set(LAYERS)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_imports_itself_in_a_circle():
    """No cycle between modules, not even one kept alive by an import inside a function."""
    paths = [p for app in ["challenge", *LAYERS] for p in app_modules(app)]
    modules = {_module_name(p): p for p in paths}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported, _line in imported_top_modules(path):
            # `from evaluations import services` names the module evaluations.services.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not imported.endswith("urls"):
                targets.add(imported)
        graph[name] = targets
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" → ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []
