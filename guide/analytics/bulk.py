"""A rollup batch written on PostgreSQL: one statement per table, the rows as arrays.

``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT ...`` sends a batch's rows of a
table as a handful of array parameters. An executemany sent one INSERT per row (2.2
rows per event folded) and the server's work per statement capped the rollup at
about 2,000 events/s; a multi-row VALUES statement built by SQLAlchemy cost more to
compile than to run. The parameters go in binary (``%(name)b``, on the driver's
connection): psycopg's text form of an array escaped every element and cost more than
the statement.
"""

from __future__ import annotations

from typing import Any

from guide.analytics.facts import Run
from guide.analytics.tally import Tally
from guide.extensions import db

_DAILY = (
    "INSERT INTO analytics_daily (workspace_id, guide_key, step_id, metric, day, count) "
    "SELECT %(ws)b, * FROM unnest(CAST(%(g)b AS text[]), CAST(%(s)b AS text[]), "
    "CAST(%(m)b AS text[]), CAST(%(d)b AS date[]), CAST(%(n)b AS bigint[])) "
    "ON CONFLICT (workspace_id, guide_key, metric, step_id, day) "
    "DO UPDATE SET count = analytics_daily.count + excluded.count")
_USERS = (
    "INSERT INTO analytics_user_day (workspace_id, guide_key, step_id, metric, day, user_id) "
    "SELECT %(ws)b, * FROM unnest(CAST(%(g)b AS text[]), CAST(%(s)b AS text[]), "
    "CAST(%(m)b AS text[]), CAST(%(d)b AS date[]), CAST(%(u)b AS integer[])) "
    "ON CONFLICT DO NOTHING")
_DURATIONS = (
    "INSERT INTO analytics_duration (workspace_id, guide_key, step_id, metric, event_id, day, "
    "seconds) SELECT %(ws)b, * FROM unnest(CAST(%(g)b AS text[]), CAST(%(s)b AS text[]), "
    "CAST(%(m)b AS text[]), CAST(%(e)b AS bigint[]), CAST(%(d)b AS date[]), "
    "CAST(%(sec)b AS double precision[])) ON CONFLICT DO NOTHING")
_MOMENTS = (
    "INSERT INTO analytics_moment (workspace_id, event_id, metric, user_id, at, day) "
    "SELECT %(ws)b, * FROM unnest(CAST(%(e)b AS bigint[]), CAST(%(m)b AS text[]), "
    "CAST(%(u)b AS integer[]), CAST(%(at)b AS timestamptz[]), CAST(%(d)b AS date[])) "
    "ON CONFLICT DO NOTHING")
_RUNS = (
    "INSERT INTO analytics_run (workspace_id, user_id, guide_key, started_at, last_step_at) "
    "SELECT %(ws)b, * FROM unnest(CAST(%(u)b AS integer[]), CAST(%(g)b AS text[]), "
    "CAST(%(started)b AS timestamptz[]), CAST(%(last)b AS timestamptz[])) "
    "ON CONFLICT (workspace_id, user_id, guide_key) DO UPDATE SET "
    "started_at = excluded.started_at, last_step_at = excluded.last_step_at")


def _columns(rows: list[tuple[Any, ...]], names: str) -> dict[str, list[Any]]:
    return dict(zip(names.split(), (list(column) for column in zip(*rows, strict=True)),
                    strict=True))


def save(workspace_id: int, tally: Tally, runs: dict[tuple[int, str], Run],
         changed: set[tuple[int, str]]) -> None:
    """``store.save``'s rows, in the caller's transaction (PostgreSQL only)."""
    run, ws = db.session.connection().exec_driver_sql, {"ws": workspace_id}
    if tally.counts:
        run(_DAILY, {**ws, **_columns(
            [(*key, n) for key, n in sorted(tally.counts.items())], "g s m d n")})
    if tally.users:
        run(_USERS, {**ws, **_columns(sorted(tally.users), "g s m d u")})
    if tally.durations:
        run(_DURATIONS, {**ws, **_columns(
            [(*key, day, sec) for key, (day, sec) in sorted(tally.durations.items())],
            "g s m e d sec")})
    if tally.moments:
        run(_MOMENTS, {**ws, **_columns(
            [(e, *moment) for e, moment in sorted(tally.moments.items())], "e m u at d")})
    if changed:
        run(_RUNS, {**ws, **_columns(
            [(u, g, runs[(u, g)].started_at, runs[(u, g)].last_step_at)
             for u, g in sorted(changed)], "u g started last")})
