"""One definition per contract: ``GUIDE_*`` settings are read in ``guide/config.py`` only.

A setting read anywhere else escapes the one list of keys and defaults that
operators (and ``docs/DEPLOY.md``) rely on; read it in ``config.py`` and use
``current_app.config`` (or a ``guide.config`` function) where it is needed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r"\bos\.environ\b|\bgetenv\b|\bfrom os import environ\b")
ALLOWED = {ROOT / "guide" / "config.py"}


def _sources() -> list[Path]:
    return [*sorted((ROOT / "guide").rglob("*.py")), ROOT / "wsgi.py"]


def test_environment_is_read_only_in_config() -> None:
    strays = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources() if path not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ENV_READ.search(line)
    ]
    assert not strays, "environment read outside guide/config.py:\n" + "\n".join(strays)
