"""Survey results at scale: ``GET /api/v1/analytics/surveys/<key>`` over 100,000 answers
(not a test).

    GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/surveys.py [--answers 100000]

Generates, in a throwaway database (PostgreSQL when the URL is set, else SQLite), one
NPS survey answered by ``--answers`` users over the last 30 days (each answer a score
row, four in ten with a text follow-up), shown to 20% more users than answered
(``$survey_shown`` events), folds them into the rollups as the worker does (timed
apart), then times the results report (``survey_report``) and the endpoint through the
WSGI app, without the network. Prints a table and writes
docs/BENCHMARKS.md's survey section and bench/results/surveys.json. Target: < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import (  # noqa: E402
    bench_app,
    bench_workspace,
    database,
    percentiles,
    save_results,
    timed,
    write_section,
)

RESULTS = ROOT / "bench" / "results" / "surveys.json"
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:surveys:start -->", "<!-- bench:surveys:end -->"
CHUNK = 5000
SURVEY = {"key": "nps", "kind": "survey", "title": {"en": "How are we doing?"},
          "steps": [{"id": "score", "type": "nps", "title": {"en": "Recommend us?"}},
                    {"id": "why", "type": "text", "title": {"en": "Why?"}}]}


def insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Core inserts, CHUNK rows per statement; the new ids."""
    import sqlalchemy as sa

    ids: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        ids += conn.execute(sa.insert(table).returning(table.c.id),
                            rows[start:start + CHUNK]).scalars().all()
    return ids


def generate(workspace: Any, guide: Any, answers: int, rng: random.Random) -> None:
    from guide.extensions import db
    from guide.models import Account, EndUser, Event, SurveyResponse
    from guide.models.base import utcnow

    now, conn = utcnow(), db.session.connection()
    shown = int(answers * 1.2)
    accounts = insert(conn, Account.__table__, [
        {"workspace_id": workspace.id, "external_id": f"acct-{n}", "traits": {},
         "created_at": now} for n in range(max(1, answers // 50))])
    users = insert(conn, EndUser.__table__, [
        {"workspace_id": workspace.id, "external_id": f"user-{n}", "traits": {},
         "account_id": rng.choice(accounts), "first_seen": now, "last_seen": now, "visits": 2,
         "locale": "en"} for n in range(shown)])
    at = [now - timedelta(seconds=rng.randrange(29 * 86400)) for _ in users]
    insert(conn, Event.__table__, [
        {"workspace_id": workspace.id, "user_id": user, "type": "event:track",
         "name": "$survey_shown", "props": {"survey": "nps"}, "created_at": at[i]}
        for i, user in enumerate(users)])
    events = insert(conn, Event.__table__, [
        {"workspace_id": workspace.id, "user_id": user, "type": "survey:answer",
         "name": "$survey_answered", "props": {"survey": "nps"}, "created_at": at[i]}
        for i, user in enumerate(users[:answers])])
    rows = []
    for i, (user, event) in enumerate(zip(users, events, strict=False)):
        base = {"workspace_id": workspace.id, "guide_id": guide.id, "version": 1,
                "user_id": user, "account_id": None, "event_id": event,
                "answered_at": at[i], "choice": None}
        rows.append({**base, "question": "score", "type": "nps", "score": rng.randint(0, 10),
                     "text": None})
        if rng.random() < 0.4:
            rows.append({**base, "question": "why", "type": "text", "score": None,
                         "text": f"Comment number {i} about exports and dashboards"})
    insert(conn, SurveyResponse.__table__, rows)
    db.session.commit()


def run(url: str, answers: int, repeat: int, seed: int) -> dict[str, Any]:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from guide.analytics.rollup import rollup
    from guide.analytics.surveys import survey_report
    from guide.extensions import db
    from guide.services.settings import create_api_key
    from tests.factories import publish

    app = bench_app(url)
    with app.app_context():
        upgrade()
        workspace = bench_workspace()
        db.session.commit()
        guide = publish(workspace, SURVEY).guide
        started = time.perf_counter()
        generate(workspace, guide, answers, random.Random(seed))
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        rollup(max_batches=None)  # the worker's passes: the shows become sums over days
        rollup_s = time.perf_counter() - started
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE" if conn.dialect.name == "postgresql"
                                 else "ANALYZE"))
        key = create_api_key("bench", workspace)
        db.session.commit()
        client = app.test_client()
        end_day = datetime.now(ZoneInfo(workspace.timezone)).date()
        start_day = end_day - timedelta(days=29)  # the last 30 days
        def endpoint(_: str) -> None:
            response = client.get("/api/v1/analytics/surveys/nps", query_string={
                "start": start_day.isoformat(), "end": end_day.isoformat()},
                headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 200, response.get_json()

        report = survey_report(workspace, "nps", start_day, end_day)
        assert report["responses"] == answers, report["responses"]
        assert report["shown"] == int(answers * 1.2), report["shown"]
        runs = ["x"] * repeat
        timed(endpoint, runs[:2])  # warm: the pool, the published version
        result = {"answers": answers, "rows": report["questions"][0]["answers"]
                  + report["questions"][1]["answers"], "shown": report["shown"],
                  "load_s": round(load_s, 1), "rollup_s": round(rollup_s, 1),
                  "report": percentiles(timed(lambda _: survey_report(
                      workspace, "nps", start_day, end_day), runs)),
                  "endpoint": percentiles(timed(endpoint, runs))}
        db.session.remove()
        db.engine.dispose()
    return result


def section(backend: str, result: dict[str, Any], load: float) -> str:
    return "\n".join([
        START,
        "## Survey results (`bench/surveys.py`)",
        "",
        f"One NPS survey answered by {result['answers']:,} users in the last 30 days "
        f"({result['rows']:,} answer rows, shown to {result['shown']:,} users), on "
        f"{backend}; load average {load:.1f} on {os.cpu_count()} cores. Target: < 300 ms. "
        f"The rollup folded its {result['shown'] + result['answers']:,} events in "
        f"{result['rollup_s']} s before the timings (the worker's passes).",
        "",
        "| | p50 ms | p90 ms | max ms |",
        "|---|---|---|---|",
        *(f"| {name} | {result[key]['p50_ms']} | {result[key]['p90_ms']} | "
          f"{result[key]['max_ms']} |"
          for name, key in (("`survey_report` (the numbers)", "report"),
                            ("`GET /api/v1/analytics/surveys/nps`", "endpoint"))),
        END,
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-doc", action="store_true", help="do not write BENCHMARKS.md")
    args = parser.parse_args()
    postgres = os.environ.get("GUIDE_TEST_DATABASE_URL")
    backend = "postgresql" if postgres else "sqlite"
    with database(backend, postgres) as url:
        result = run(url, args.answers, args.repeat, args.seed)
    load = save_results(RESULTS, {backend: result})
    text = section(backend, result, load)
    print(text)
    if not args.no_doc:
        write_section(DOC, START, END, text)


if __name__ == "__main__":
    main()
