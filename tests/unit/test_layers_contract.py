"""The layers of docs/ARCHITECTURE.md hold, and nothing dodges them with a late import.

``lint-imports`` (import-linter, configured in pyproject.toml) checks that each
layer imports only from the layers below it; ``make test`` runs it. Python
hides a cycle behind an import inside a function, so this test also refuses
any import of a ``guide`` module inside a function, except where the app is
assembled (the application factory in ``guide/__init__.py`` and the
``init_app`` function each package offers it), which is where Flask's app
factory does its wiring.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "guide"
FACTORY = GUIDE / "__init__.py"


def _late_imports(path: Path) -> list[str]:
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name if function is None else function)
                continue
            if function is not None and function != "init_app" and path != FACTORY:
                names = ([child.module or ""] if isinstance(child, ast.ImportFrom)
                         else [a.name for a in child.names] if isinstance(child, ast.Import)
                         else [])
                if any(name == "guide" or name.startswith("guide.") for name in names):
                    found.append(f"{path.relative_to(GUIDE.parent)}:{child.lineno} in {function}()")
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def test_no_guide_module_is_imported_inside_a_function() -> None:
    late = [hit for path in sorted(GUIDE.rglob("*.py")) if "migrations" not in path.parts
            for hit in _late_imports(path)]
    assert late == [], "move these imports to the top (a cycle? fix the layering):\n" + \
        "\n".join(late)


def test_the_late_import_check_sees_one() -> None:
    tree = "def f():\n    from guide.models import Guide\n\ndef init_app(app):\n    import guide.api\n"
    path = GUIDE / "_probe_late_import.py"
    path.write_text(tree, encoding="utf-8")
    try:
        assert _late_imports(path) == ["guide/_probe_late_import.py:2 in f()"]
    finally:
        path.unlink()


def test_import_linter_contracts_are_kept_with_no_exceptions() -> None:
    config = tomllib.loads((GUIDE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert contracts, "no contracts configured in pyproject.toml"
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == [], \
        "the contracts list no exceptions"
    run = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
                         cwd=GUIDE.parent, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


BELOW_EDGES = ("usecases", "proactive", "automation", "services", "schemas", "models", "content")
REQUEST_STATE = {"request", "session", "g"}


def _request_reads(path: Path) -> list[str]:
    return [f"{path.relative_to(GUIDE.parent)}:{node.lineno}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module == "flask"
            and REQUEST_STATE & {alias.name for alias in node.names}]


def test_only_edges_read_the_request() -> None:
    """Below the edges, what a request says arrives as arguments (``guide.web.caller``)."""
    reads = [hit for package in BELOW_EDGES for path in sorted((GUIDE / package).rglob("*.py"))
             for hit in _request_reads(path)]
    assert reads == [], "pass what the request says down from the edge instead:\n" + \
        "\n".join(reads)


def test_a_workspace_is_found_by_its_key_in_one_place() -> None:
    """``services.workspaces.by_key``; a filter inside a larger query may name the key."""
    lookups = [f"{path.relative_to(GUIDE.parent)}:{number}"
               for path in sorted(GUIDE.rglob("*.py")) if path.name != "workspaces.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if "select(Workspace).where(Workspace.key ==" in line]
    assert lookups == [], "use services.workspaces.by_key:\n" + "\n".join(lookups)
