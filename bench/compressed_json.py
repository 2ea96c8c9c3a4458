"""Compressed JSON: each demo user's bootstrap, plain and gzipped, and what gzip costs.

    .venv/bin/python bench/compressed_json.py

In process (Flask's test client, SQLite, the repository's content/ pushed): the
bootstrap each demo user's page sends (their traits, account, /demo/dashboard),
its body plain and as the server sends it with ``Accept-Encoding: gzip``
(guide/compression.py), and the size and CPU time of gzip at levels 1, 5, 6
and 9 on the same body, to show why the level it sends.

Writes bench/results/compressed_json.json and its section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.identities import machine  # noqa: E402
from bench.search import save_results, write_section  # noqa: E402
from guide.compression import LEVEL  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "compressed_json.json"
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:compressed-json:start -->", "<!-- bench:compressed-json:end -->"
LEVELS = (1, 5, 6, 9)
REPEAT = 200


def cost_us(body: bytes, level: int) -> float:
    start = time.process_time()
    for _ in range(REPEAT):
        gzip.compress(body, compresslevel=level, mtime=0)
    return (time.process_time() - start) / REPEAT * 1e6


def brotli_q5(body: bytes) -> dict[str, float]:
    """Brotli at quality 5, for comparison (the server does not send it: ``brotli`` is a
    test dependency only)."""
    import brotli

    start = time.process_time()
    for _ in range(REPEAT):
        packed = brotli.compress(body, quality=5)
    return {"bytes": len(packed), "cpu_us": (time.process_time() - start) / REPEAT * 1e6}


def measure() -> list[dict[str, Any]]:
    from guide import create_app
    from guide.content.push import push_content
    from guide.demo import users
    from tests import factories
    from tests.conftest import CONTENT_DIR, _config, _migrate

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/json.db"
        _migrate(url)
        app = create_app(_config(url, GUIDE_RATE_LIMITS=False))
        rows = []
        with app.app_context():
            push_content(CONTENT_DIR)
            workspace = factories.workspace("demo")
            client = app.test_client()
            for user in users.USERS:
                args = dict(traits=users.user_traits(user), url="/demo/dashboard",
                            account={"id": user["account"],
                                     "traits": users.account_traits(user["account"])})
                plain = factories.bootstrap(client, workspace, user["id"], **args)
                sent = factories.bootstrap(client, workspace, user["id"],
                                           headers={"Accept-Encoding": "gzip"}, **args)
                body = plain.get_data()
                rows.append({
                    "user": user["id"], "plain": len(body), "sent": len(sent.get_data()),
                    "encoding": sent.headers.get("Content-Encoding"),
                    "levels": {level: {"bytes": len(gzip.compress(body, level, mtime=0)),
                                       "cpu_us": cost_us(body, level)} for level in LEVELS},
                    "brotli_q5": brotli_q5(body),
                })
            from guide.extensions import db

            db.engine.dispose()
    return rows


def doc(rows: list[dict[str, Any]], load: float) -> str:
    m = machine()
    lines = [
        START, "## Compressed JSON (`bench/compressed_json.py`)", "",
        f"Measured {m['date']} on {m['cpu']}, load average {load:.1f}, with "
        "`.venv/bin/python bench/compressed_json.py`: each demo user's bootstrap as their "
        "dashboard sends it, in process. Plain is what the server sent before issue #17 (and "
        "still sends without `Accept-Encoding: gzip`); sent is what it sends a browser now "
        f"(level {LEVEL}; level 1 before issue #17's second round). gzip CPU per call: the "
        f"mean of {REPEAT} runs.", "",
        f"| demo user | plain bytes | sent (gzip, level {LEVEL}) | level 1 | level 6 | level 9 | "
        "gzip CPU level " + " / ".join(map(str, LEVELS)) + ", us | "
        "Brotli q5 (not sent), bytes / us |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lv = r["levels"]
        lines.append(
            f"| {r['user']} | {r['plain']:,} | {r['sent']:,} ({r['sent'] / r['plain']:.0%}, "
            f"{r['encoding']}) | {lv[1]['bytes']:,} | {lv[6]['bytes']:,} | {lv[9]['bytes']:,} | "
            + " / ".join(f"{lv[level]['cpu_us']:.0f}" for level in LEVELS)
            + f" | {r['brotli_q5']['bytes']:,} / {r['brotli_q5']['cpu_us']:.0f} |")
    return "\n".join(lines + [END])


def main() -> None:
    rows = measure()
    load = save_results(RESULTS, {"bootstraps": rows})
    text = doc(rows, load)
    print(text)
    write_section(DOC, START, END, text)


if __name__ == "__main__":
    main()
