"""``guide/content`` is a file adapter and CLI commands hold no transactions.

Content files are parsed and emitted in ``guide/content``; storing them goes
through the same service functions the admin calls (``guide/services``), so
a push is audited and handles concurrent writers like any other change. A
database session used under ``guide/content``, or a commit in a command,
would be a second write path beside those services.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATABASE = re.compile(r"\bdb\.session\b|\bfrom guide\.extensions import\b.*\bdb\b")
TRANSACTION = re.compile(r"\.(commit|rollback|begin|begin_nested)\(")


def _strays(folder: Path, pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(folder.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]


def test_content_never_touches_the_database() -> None:
    strays = _strays(ROOT / "guide" / "content", DATABASE)
    assert not strays, "database access under guide/content (call a service):\n" + "\n".join(
        strays)


def test_cli_commands_hold_no_transactions() -> None:
    strays = _strays(ROOT / "guide" / "cli", TRANSACTION) + _strays(ROOT / "guide" / "cli",
                                                                    DATABASE)
    assert not strays, "a CLI command commits or queries (call a service):\n" + "\n".join(strays)


def test_views_and_socket_handlers_hold_no_transactions() -> None:
    """The transaction owner is the use case or the service function an edge calls."""
    session = re.compile(r"\bsession\.(commit|rollback|begin|begin_nested)\(")
    strays = [hit for edge in ("api", "authoring", "support", "realtime", "demo")
              for hit in _strays(ROOT / "guide" / edge, session)]
    assert not strays, "an edge commits or rolls back (the service it calls owns that):\n" + \
        "\n".join(strays)
