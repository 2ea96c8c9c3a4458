"""The rollup's catch-up rate on an existing benchmark database (not a test).

    .venv/bin/python bench/rollup_rate.py --database postgresql://.../guide_bench_copy \\
        --events 300000 [--profile out.prof] [--digest]

Forgets the rollups of the workspace "bench" (``store.reset``; on PostgreSQL, VACUUM
FULL of the rollup tables, so that every run starts from the same unbloated tables),
then times ``rollup.rollup`` over the first ``--events`` events in batches of
``--batch``, as the worker does, with the CPU time per 1,000 events in this process
and in its PostgreSQL backend (when the server runs on this machine): on a shared
machine, the figure that other work changes least. ``--digest`` prints a digest of
every rollup table's rows after the run, to compare two versions of the code on the
same events. Run it on a copy of a database loaded by ``bench/analytics.py``: it
rewrites that database's rollups.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLES = ("analytics_daily", "analytics_user_day", "analytics_duration", "analytics_moment",
          "analytics_run", "analytics_watermark")


def digest(table: str, workspace_id: int) -> tuple[int, str]:
    """(rows, sha256) of a table's rows for the workspace, in primary key order."""
    import sqlalchemy as sa

    from guide.extensions import db

    meta = db.metadata.tables[table]
    columns = [c for c in meta.columns if c.name not in ("rolled_at",)]
    rows = db.session.execute(sa.select(*columns).where(meta.c.workspace_id == workspace_id)
                              .order_by(*meta.primary_key.columns))
    sha, count = hashlib.sha256(), 0
    for row in rows:
        sha.update(repr(tuple(row)).encode())
        count += 1
    return count, sha.hexdigest()[:16]


def backend_cpu(pid: int | None) -> float:
    """CPU seconds of a PostgreSQL backend on this machine (0 when it is elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--now", default=None,
                        help="the dataset's now (default: bench/results/analytics-*-data.json)")
    parser.add_argument("--profile", default=None, help="write a cProfile of the rollup here")
    parser.add_argument("--digest", action="store_true", help="print the tables' digests")
    opts = parser.parse_args()

    import sqlalchemy as sa

    from guide import create_app
    from guide.analytics import store
    from guide.analytics.rollup import rollup
    from guide.extensions import db
    from guide.models import Workspace

    backend = "postgresql" if opts.database.startswith("postgres") else "sqlite"
    now = datetime.fromisoformat(opts.now or json.loads(
        (ROOT / "bench" / "results" / f"analytics-{backend}-data.json").read_text())["now"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": opts.database,
                      "SECRET_KEY": "bench-" + "x" * 32, "GUIDE_DEMO": False,
                      "GUIDE_WORKER": "off"})
    with app.app_context():
        workspace_id = db.session.scalar(sa.select(Workspace.id).where(Workspace.key == "bench"))
        store.reset(workspace_id)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if backend == "postgresql":  # the tables and indexes as a first catch-up finds them
                conn.execute(sa.text("VACUUM FULL " + ", ".join(TABLES)))
                conn.execute(sa.text("VACUUM ANALYZE"))
            else:
                conn.execute(sa.text("ANALYZE"))
        # The rollup runs on the session's connection: the pool's only one, reused.
        pid = (db.session.scalar(sa.text("SELECT pg_backend_pid()"))
               if backend == "postgresql" else None)
        db.session.rollback()
        profile = cProfile.Profile() if opts.profile else None
        server, client = backend_cpu(pid), time.process_time()
        started = time.perf_counter()
        if profile:
            profile.enable()
        rolled = rollup(now + timedelta(minutes=2), workspace_id=workspace_id,
                        batch=opts.batch, max_batches=-(-opts.events // opts.batch))
        if profile:
            profile.disable()
            profile.dump_stats(opts.profile)
        seconds = time.perf_counter() - started
        client, server = time.process_time() - client, backend_cpu(pid) - server
        if pid is not None and pid != db.session.scalar(sa.text("SELECT pg_backend_pid()")):
            server = float("nan")  # another connection did (some of) the work
        per = 1000 * 1000 / max(1, rolled.total)
        result = {"events": rolled.total, "seconds": round(seconds, 2),
                  "events_per_s": round(rolled.total / seconds),
                  "cpu_ms_per_1000": {"python": round(client * per, 1),
                                      "postgresql": round(server * per, 1)}}
        if opts.digest:
            result["digest"] = {table: digest(table, workspace_id) for table in TABLES}
        print(json.dumps(result), flush=True)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
