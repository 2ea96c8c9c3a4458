"""A rollup batch written on PostgreSQL: one statement per table, the rows as arrays.

``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT ...`` sends a batch's rows of a
table as a handful of array parameters. An executemany sent one INSERT per row (2.2
rows per event folded) and the server's work per statement capped the rollup at
about 2,000 events/s; a multi-row VALUES statement built by SQLAlchemy cost more to
compile than to run. Each array goes as one array literal (``{"a","b"}``) joined
here: psycopg's array dumpers, text or binary, handled every element in Python and
cost more than the statement. Keys are quoted, every string in double quotes with
backslashes and quotes escaped, so any text round-trips.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from guide.analytics import durations
from guide.analytics.facts import RUN_COLUMNS, Run
from guide.analytics.tally import Tally
from guide.extensions import db

_DAILY = (
    "INSERT INTO analytics_daily (workspace_id, guide_key, step_id, metric, day, count) "
    "SELECT %(ws)s, * FROM unnest(CAST(%(g)s AS text[]), CAST(%(s)s AS text[]), "
    "CAST(%(m)s AS text[]), CAST(%(d)s AS date[]), CAST(%(n)s AS bigint[])) "
    "ON CONFLICT (workspace_id, guide_key, metric, step_id, day) "
    "DO UPDATE SET count = analytics_daily.count + excluded.count")
_USERS = (
    "INSERT INTO analytics_user_day (workspace_id, guide_key, step_id, metric, day, user_id) "
    "SELECT %(ws)s, * FROM unnest(CAST(%(g)s AS text[]), CAST(%(s)s AS text[]), "
    "CAST(%(m)s AS text[]), CAST(%(d)s AS date[]), CAST(%(u)s AS integer[])) "
    "ON CONFLICT DO NOTHING")
_DURATIONS = (
    "INSERT INTO analytics_duration (workspace_id, guide_key, step_id, metric, event_id, day, "
    "seconds) SELECT %(ws)s, * FROM unnest(CAST(%(g)s AS text[]), CAST(%(s)s AS text[]), "
    "CAST(%(m)s AS text[]), CAST(%(e)s AS bigint[]), CAST(%(d)s AS date[]), "
    "CAST(%(sec)s AS double precision[])) ON CONFLICT DO NOTHING")
_BUCKETS = (
    "INSERT INTO analytics_duration_bucket (workspace_id, guide_key, step_id, metric, day, "
    "bucket, count) SELECT %(ws)s, * FROM unnest(CAST(%(g)s AS text[]), "
    "CAST(%(s)s AS text[]), CAST(%(m)s AS text[]), CAST(%(d)s AS date[]), "
    "CAST(%(b)s AS smallint[]), CAST(%(n)s AS integer[])) "
    "ON CONFLICT (workspace_id, guide_key, day, metric, step_id, bucket) "
    "DO UPDATE SET count = analytics_duration_bucket.count + excluded.count")
_MOMENTS = (
    "INSERT INTO analytics_moment (workspace_id, event_id, metric, user_id, at, day) "
    "SELECT %(ws)s, * FROM unnest(CAST(%(e)s AS bigint[]), CAST(%(m)s AS text[]), "
    "CAST(%(u)s AS integer[]), CAST(%(at)s AS timestamptz[]), CAST(%(d)s AS date[])) "
    "ON CONFLICT DO NOTHING")
_RUNS = (
    "INSERT INTO analytics_run (workspace_id, user_id, guide_key, started_at, last_step_at, "
    "shown_step, shown_at) "
    "SELECT %(ws)s, * FROM unnest(CAST(%(u)s AS integer[]), CAST(%(g)s AS text[]), "
    "CAST(%(started)s AS timestamptz[]), CAST(%(last)s AS timestamptz[]), "
    "CAST(%(shown)s AS text[]), CAST(%(shown_at)s AS timestamptz[])) "
    "ON CONFLICT (workspace_id, user_id, guide_key) DO UPDATE SET "
    "started_at = excluded.started_at, last_step_at = excluded.last_step_at, "
    "shown_step = excluded.shown_step, shown_at = excluded.shown_at")


@functools.lru_cache(maxsize=65536)
def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@functools.lru_cache(maxsize=4096)
def _day(value: date) -> str:
    return value.isoformat()


def _time(value: datetime | None) -> str:
    return "NULL" if value is None else value.isoformat()


def _text(value: str | None) -> str:
    return "NULL" if value is None else _quoted(value)


# How each column's values are written in an array literal, by its name in the statements.
_ENCODE: dict[str, Callable[[Any], str]] = {
    "g": _quoted, "s": _quoted, "m": _quoted, "d": _day, "n": str, "b": str, "u": str, "e": str,
    "sec": repr, "at": _time, "started": _time, "last": _time, "shown": _text,
    "shown_at": _time}


def _columns(rows: list[tuple[Any, ...]], names: str) -> dict[str, str]:
    return {name: "{" + ",".join(map(_ENCODE[name], column)) + "}" for name, column in
            zip(names.split(), zip(*rows, strict=True), strict=True)}


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
        run(_BUCKETS, {**ws, **_columns(
            [(*key, n) for key, n in sorted(durations.buckets(tally.durations).items())],
            "g s m d b n")})
    if tally.moments:
        run(_MOMENTS, {**ws, **_columns(
            [(e, *moment) for e, moment in sorted(tally.moments.items())], "e m u at d")})
    if changed:
        run(_RUNS, {**ws, **_columns(
            [(u, g, *(getattr(runs[(u, g)], name) for name in RUN_COLUMNS))
             for u, g in sorted(changed)],
            "u g started last shown shown_at")})
