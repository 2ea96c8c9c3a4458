"""One definition per contract: every error body is built by ``guide/errors.py``.

``{"error": {"code", "message", "fields"?}}`` is the one shape a client sees over
HTTP and in socket acks; a body written out by hand elsewhere drifts from it.
Build it with ``errors.error_body`` / ``error_response`` or raise a ``GuideError``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "guide" / "errors.py"}


def _keys(node: ast.Dict) -> dict[str, ast.expr]:
    return {key.value: value for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)}


def _hand_built(node: ast.AST) -> bool:
    """A dict literal ``{"error": {...}}`` or ``{"code": ..., "message": ...}``."""
    if not isinstance(node, ast.Dict):
        return False
    keys = _keys(node)
    return isinstance(keys.get("error"), ast.Dict) or {"code", "message"} <= keys.keys()


def test_error_bodies_are_built_in_errors_module() -> None:
    strays = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"
        for path in sorted((ROOT / "guide").rglob("*.py")) if path not in ALLOWED
        for node in ast.walk(ast.parse(path.read_text()))
        if _hand_built(node)
    ]
    assert not strays, "error body built by hand (use guide.errors.error_body):\n" + "\n".join(
        strays)
