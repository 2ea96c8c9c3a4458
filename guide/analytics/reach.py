"""Unique users over any range of days without a row per user (``analytics_reach``).

A user's days of a (guide, step, metric), in order, form a chain d1 < d2 < ...;
the user did the metric on some day of ``start..end`` iff exactly one of those
days lies in the range with the day before it in the chain (or none) before
``start``. So the rollup keeps, per (day, previous day), how many chains have
that pair, and a range's unique users are a SUM over its days and the previous
days before its start: a read bounded by days, not users (docs/ANALYTICS.md).

A batch's new user-days change the pairs of their chains around them (a late
event may land between two rolled days: the next day's previous day changes).
``add`` finds each new day's rolled neighbours in ``analytics_user_day``, pairs
the touched days again with a window function, and upserts the difference,
in the batch's transaction and before its user-days are written. The
workspace-level rows (active, progressed) are left out: no report reads them so.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa

from guide.analytics.facts import WORKSPACE
from guide.extensions import db
from guide.models import AnalyticsReach
from guide.models.analytics import NO_PREVIOUS

# The batch's user-days (guide, step, metric, day, user) as a table: arrays in binary
# on PostgreSQL (bulk.py says why), a JSON array on SQLite.
_SOURCE = {
    "postgresql": "SELECT * FROM unnest(CAST(%(g)b AS text[]), CAST(%(s)b AS text[]), "
                  "CAST(%(m)b AS text[]), CAST(%(d)b AS date[]), CAST(%(u)b AS integer[]))",
    "sqlite": "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
              "json_extract(value, '$[2]'), json_extract(value, '$[3]'), "
              "json_extract(value, '$[4]') FROM json_each(:rows)",
}
_PARAM = {"postgresql": "%({})s", "sqlite": ":{}"}
_CHAIN = ("x.workspace_id = {ws} AND x.guide_key = b.guide_key AND x.step_id = b.step_id "
          "AND x.metric = b.metric AND x.user_id = b.user_id")
# new: the batch's days not rolled yet (their chain's rolled day on or before them is
# not the same day) with the rolled days just before and after them (an index probe
# each on ix_analytics_user_day_unique; NOT EXISTS became a hash anti join over every
# rolled row of the workspace). touched: those days. Each new day and each rolled day
# after one gets its previous day among the touched ones (prev_now, the true one); a
# rolled day's previous day before the batch (prev_was) is the one among the touched
# rolled days. The difference goes in as +1s and -1s.
_ADD = ("WITH batch (guide_key, step_id, metric, day, user_id) AS ({source}), "
        "probed AS MATERIALIZED (SELECT b.guide_key, b.step_id, b.metric, b.user_id, b.day, "
        "(SELECT x.day FROM analytics_user_day x WHERE " + _CHAIN + " AND x.day <= b.day "
        "ORDER BY x.day DESC LIMIT 1) AS before FROM batch b), "
        "new AS MATERIALIZED (SELECT b.guide_key, b.step_id, b.metric, b.user_id, b.day, "
        "b.before, (SELECT x.day FROM analytics_user_day x WHERE " + _CHAIN + " AND "
        "x.day > b.day ORDER BY x.day LIMIT 1) AS after FROM probed b "
        "WHERE b.before IS NULL OR b.before < b.day), "
        "touched (guide_key, step_id, metric, user_id, day, is_new) AS ("
        "SELECT guide_key, step_id, metric, user_id, day, 1 FROM new "
        "UNION SELECT guide_key, step_id, metric, user_id, before, 0 FROM new "
        "WHERE before IS NOT NULL "
        "UNION SELECT guide_key, step_id, metric, user_id, after, 0 FROM new "
        "WHERE after IS NOT NULL), "
        "chained AS (SELECT guide_key, step_id, metric, day, is_new, lag(day) OVER ("
        "PARTITION BY guide_key, step_id, metric, user_id ORDER BY day) AS prev_now, "
        "lag(day) OVER (PARTITION BY guide_key, step_id, metric, user_id, is_new "
        "ORDER BY day) AS prev_was FROM touched), "
        "delta AS (SELECT guide_key, step_id, metric, day, coalesce(prev_now, {none}) "
        "AS prev_day, 1 AS users FROM chained UNION ALL SELECT guide_key, step_id, metric, "
        "day, coalesce(prev_was, {none}), -1 FROM chained WHERE is_new = 0) "
        "INSERT INTO analytics_reach (workspace_id, guide_key, day, prev_day, step_id, "
        "metric, users) SELECT * FROM (SELECT {ws}, guide_key, day, prev_day, step_id, "
        "metric, sum(users) FROM delta GROUP BY guide_key, day, prev_day, step_id, metric "
        "HAVING sum(users) <> 0) AS changed WHERE true "
        "ON CONFLICT (workspace_id, guide_key, day, prev_day, step_id, metric) "
        "DO UPDATE SET users = analytics_reach.users + excluded.users "
        "RETURNING guide_key, day, prev_day, step_id, metric, users")
_DROP = ("DELETE FROM analytics_reach WHERE workspace_id = {ws} AND guide_key = {g} "
         "AND day = {d} AND prev_day = {p} AND step_id = {s} AND metric = {m} AND users = 0")


def _sql(template: str, dialect: str) -> str:
    names = ("ws", "none", "g", "d", "p", "s", "m")
    return template.format(source=_SOURCE[dialect],
                           **{name: _PARAM[dialect].format(name) for name in names})


_STATEMENTS = {dialect: (_sql(_ADD, dialect), _sql(_DROP, dialect)) for dialect in _SOURCE}


def add(workspace_id: int, user_days: set[tuple[str, str, str, date, int]]) -> None:
    """Count a batch's (guide, step, metric, day, user) in, before they are written to
    ``analytics_user_day`` (in the caller's transaction)."""
    rows = sorted(row for row in user_days if row[0] != WORKSPACE)
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    add_sql, drop_sql = _STATEMENTS[dialect]
    params: dict[str, Any] = {"ws": workspace_id}
    if dialect == "postgresql":
        params.update(none=NO_PREVIOUS, **dict(zip("gsmdu", map(list, zip(*rows, strict=True)),
                                                   strict=True)))
    else:
        params.update(none=NO_PREVIOUS.isoformat(), rows=json.dumps(
            [(g, s, m, d.isoformat(), u) for g, s, m, d, u in rows]))
    run = db.session.connection().exec_driver_sql
    # A pair no chain has any more (a late day landed between two): its row goes.
    gone = [{"ws": workspace_id, "g": g, "d": d, "p": p, "s": s, "m": m}
            for g, d, p, s, m, users in _without_jit(run, add_sql, params) if users == 0]
    if gone:
        run(drop_sql, gone)


def _without_jit(run: Any, sql: str, params: dict[str, Any]) -> list[Any]:
    """PostgreSQL's estimate for a batch (a probe per user-day) passes jit_above_cost, and
    compiling took longer than the statement (170 of 1,100 ms at 8,652 user-days)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return list(run(sql, params))
    # Local to the transaction: a failure rolls the setting back with the batch.
    was = run("SELECT current_setting('jit'), set_config('jit', 'off', true)").scalar()
    rows = list(run(sql, params))
    run("SELECT set_config('jit', %(was)s, true)", {"was": was})
    return rows


def uniques(workspace_id: int, start: date, end: date, guide: str | None = None,
            step: str | None = None) -> Counter[tuple[str, str, str]]:
    """(guide, step, metric) -> the users who did it on some day of ``start..end``, of one
    guide or all (the workspace-level rows are not counted here), of one step or all."""
    r = AnalyticsReach
    where = [r.workspace_id == workspace_id, r.day.between(start, end), r.prev_day < start]
    if guide is not None:
        where.append(r.guide_key == guide)
    if step is not None:
        where.append(r.step_id == step)
    return Counter({(g, s, m): n for g, s, m, n in db.session.execute(
        sa.select(r.guide_key, r.step_id, r.metric, sa.func.sum(r.users))
        .where(*where).group_by(r.guide_key, r.step_id, r.metric))})

