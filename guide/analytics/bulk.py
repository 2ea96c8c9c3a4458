"""A rollup batch written on PostgreSQL: one statement per table, the rows as arrays.

``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT ...`` sends a batch's rows of a
table as a handful of array parameters. An executemany sent one INSERT per row (2.2
rows per event folded) and the server's work per statement capped the rollup at
about 2,000 events/s; a multi-row VALUES statement built by SQLAlchemy cost more to
compile than to run.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guide.analytics.facts import Run
from guide.analytics.tally import Tally
from guide.extensions import db

_DAILY = sa.text(
    "INSERT INTO analytics_daily (workspace_id, guide_key, step_id, metric, day, count) "
    "SELECT :ws, * FROM unnest(CAST(:g AS text[]), CAST(:s AS text[]), CAST(:m AS text[]), "
    "CAST(:d AS date[]), CAST(:n AS bigint[])) "
    "ON CONFLICT (workspace_id, guide_key, metric, step_id, day) "
    "DO UPDATE SET count = analytics_daily.count + excluded.count")
_USERS = sa.text(
    "INSERT INTO analytics_user_day (workspace_id, guide_key, step_id, metric, day, user_id) "
    "SELECT :ws, * FROM unnest(CAST(:g AS text[]), CAST(:s AS text[]), CAST(:m AS text[]), "
    "CAST(:d AS date[]), CAST(:u AS integer[])) ON CONFLICT DO NOTHING")
_DURATIONS = sa.text(
    "INSERT INTO analytics_duration (workspace_id, guide_key, step_id, metric, event_id, day, "
    "seconds) SELECT :ws, * FROM unnest(CAST(:g AS text[]), CAST(:s AS text[]), "
    "CAST(:m AS text[]), CAST(:e AS bigint[]), CAST(:d AS date[]), "
    "CAST(:sec AS double precision[])) ON CONFLICT DO NOTHING")
_MOMENTS = sa.text(
    "INSERT INTO analytics_moment (workspace_id, event_id, metric, user_id, at, day) "
    "SELECT :ws, * FROM unnest(CAST(:e AS bigint[]), CAST(:m AS text[]), "
    "CAST(:u AS integer[]), CAST(:at AS timestamptz[]), CAST(:d AS date[])) "
    "ON CONFLICT DO NOTHING")
_RUNS = sa.text(
    "INSERT INTO analytics_run (workspace_id, user_id, guide_key, started_at, last_step_at) "
    "SELECT :ws, * FROM unnest(CAST(:u AS integer[]), CAST(:g AS text[]), "
    "CAST(:started AS timestamptz[]), CAST(:last AS timestamptz[])) "
    "ON CONFLICT (workspace_id, user_id, guide_key) DO UPDATE SET "
    "started_at = excluded.started_at, last_step_at = excluded.last_step_at")


def _columns(rows: list[tuple[Any, ...]], names: str) -> dict[str, list[Any]]:
    return dict(zip(names.split(), (list(column) for column in zip(*rows, strict=True)),
                    strict=True))


def save(workspace_id: int, tally: Tally, runs: dict[tuple[int, str], Run],
         changed: set[tuple[int, str]]) -> None:
    """``store.save``'s rows, in the caller's transaction (PostgreSQL only)."""
    connection, ws = db.session.connection(), {"ws": workspace_id}
    if tally.counts:
        connection.execute(_DAILY, {**ws, **_columns(
            [(*key, n) for key, n in sorted(tally.counts.items())], "g s m d n")})
    if tally.users:
        connection.execute(_USERS, {**ws, **_columns(sorted(tally.users), "g s m d u")})
    if tally.durations:
        connection.execute(_DURATIONS, {**ws, **_columns(
            [(*key, day, sec) for key, (day, sec) in sorted(tally.durations.items())],
            "g s m e d sec")})
    if tally.moments:
        connection.execute(_MOMENTS, {**ws, **_columns(
            [(e, *moment) for e, moment in sorted(tally.moments.items())], "e m u at d")})
    if changed:
        connection.execute(_RUNS, {**ws, **_columns(
            [(u, g, runs[(u, g)].started_at, runs[(u, g)].last_step_at)
             for u, g in sorted(changed)], "u g started last")})
