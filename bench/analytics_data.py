"""The analytics benchmark's dataset: millions of events in the shapes the server records.

Every guide gets a *journey template*: the events one user's run of it sends, built
with ``guide.analytics.synthetic`` (the shapes the demo history uses too), each
with a delay after the journey's start and a probability. A journey is a user, a
guide, a start time, a speed (how much the delays stretch) and a depth (how far the
user gets); its events are the template's rows up to that depth that pass their
probability. Journeys are drawn in start-time order, so event ids follow time as
they do in production, until the event budget is spent.

Rows go in without the ORM: PostgreSQL through COPY, SQLite through executemany in
batches of 50,000, JSON and times rendered once per template and per event.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.analytics import synthetic as s

STEPS = 5
BATCH = 50_000
# How fast users drop out of a guide: a journey reaches step d with probability exp(-DROP d).
DROP = 0.35
T0 = datetime(2000, 1, 1, tzinfo=UTC)
SEARCH = "$help_search"
# What users search the help for: 400 queries, the first ones far more often (see
# ``search_props``); one in six finds no article (the articles to write).
TOPICS = ("invite", "export", "sso", "billing", "api key", "webhook", "import csv",
          "dashboard", "permissions", "delete account", "integrations", "reports",
          "password", "custom domain", "notifications", "slack", "filters", "templates",
          "2fa", "audit log")
QUERIES = [json.dumps({"query": f"{how} {topic}".strip(), "results": 0 if n % 6 == 5 else
                       1 + n % 7})
           for n, (how, topic) in enumerate((how, topic) for how in
                                            ("", "how to", "cannot", "where is", "help with",
                                             "error", "setup", "change", "remove", "add",
                                             "why", "what is", "enable", "disable", "limit",
                                             "share", "update", "find", "connect", "missing")
                                            for topic in TOPICS)]


@dataclass(frozen=True)
class Item:
    delay: float  # seconds after the journey's start, before the speed stretches it
    probability: float
    depth: int  # shown to journeys that get at least this far
    type: str
    name: str
    props: str  # JSON
    result: str | None  # JSON
    client: bool


def guide_body(n: int) -> dict[str, Any]:
    """Guide ``n``: a checklist (three in four) or a tour, five steps each."""
    kind = "tour" if n % 4 == 3 else "checklist"
    steps = [{"id": f"s{i}", "title": f"Step {i}"} for i in range(1, STEPS + 1)]
    if kind == "checklist":
        steps = [{**step, "complete_when": {"manual": True}, "scope": "user"} for step in steps]
    else:
        steps = [{**step, "target": f"#t{i}"} for i, step in enumerate(steps, 1)]
    return {"key": f"g{n:03d}", "kind": kind, "title": f"Guide {n}", "priority": n,
            "steps": steps}


def _item(delay: float, probability: float, depth: int, row: dict[str, Any]) -> Item:
    return Item(delay, probability, depth, row["type"], row["name"], json.dumps(row["props"]),
                None if row["result"] is None else json.dumps(row["result"]),
                row["client_at"] is not None)


def template(body: dict[str, Any]) -> list[Item]:
    """The events of one run of the guide, with their delays, probabilities and depths."""
    key, steps = body["key"], [step["id"] for step in body["steps"]]
    items = [_item(0, 1, 0, s.shown(key, T0)),
             _item(1, 1, 0, s.guide_state(key, "active", T0, step=steps[0]
                                          if body["kind"] == "tour" else None))]
    for depth, step in enumerate(steps, 1):
        at = 60.0 * depth
        if body["kind"] == "tour":
            items.append(_item(at - 5, 1, depth, s.guide_state(key, "active", T0, step=step)))
            items.append(_item(at - 4, 0.3 if depth == 2 else 0.03, depth,
                               s.target_missing(key, step, f"#t{depth}", T0)))
            items.append(_item(at, 1, depth, s.shown(key, T0, step)))
        else:
            items.append(_item(at - 30, 0.2, depth, s.help_open(key, step, "article", T0)))
            # Half the readers who open the help search it; the query is drawn per journey.
            items.append(_item(at - 28, 0.1, depth, s.track(SEARCH, T0, {"query": ""})))
            items.append(_item(at - 20, 0.04, depth, s.escalate("", key, step, T0,
                                                                url="/app/page")))
            last = depth == len(steps)
            items.append(_item(at, 1, depth, s.step_complete(
                key, step, T0, done="completed" if last else "active")))
    if body["kind"] == "tour":
        items.append(_item(60.0 * len(steps) + 5, 1, len(steps),
                           s.guide_state(key, "completed", T0, step=steps[-1])))
    else:
        items.append(_item(60.0 * len(steps) + 1, 0.5, len(steps),
                           s.milestone(f"{key}-done", f"guide:{key}", T0)))
    items.append(_item(90.0 * len(steps), 1, len(steps) + 1,
                       s.track("report_viewed", T0)))
    return items


@dataclass
class Plan:
    events: int
    users: int
    guides: int
    accounts: int
    start: datetime
    now: datetime
    seed: int = 42


def journey_events(plan: Plan, templates: list[list[Item]], workspace_id: int,
                   first_user: int) -> Iterator[tuple[Any, ...]]:
    """Event rows in start order until ``plan.events``: (workspace, user, type, name, props,
    result, client_at, created_at)."""
    rng, made = random.Random(plan.seed), 0
    # The slowest journeys stretch over three days: all of them end before ``now``.
    span = (plan.now - timedelta(days=4) - plan.start).total_seconds()
    # Enough journeys to spend the budget, spread over the whole period.
    journeys = math.ceil(1.02 * plan.events / expected_events(templates))
    delivery = s.DELIVERY.total_seconds()
    for j in range(journeys):
        progress = j / journeys
        t0 = plan.start.timestamp() + span * progress
        # Guides by popularity (the first gets 7% of the runs of 200); users among those
        # seen so far.
        guide = min(len(templates) - 1, int(len(templates) * rng.random() ** 2))
        user = first_user + rng.randrange(max(1, int(plan.users * progress) or 1))
        speed = rng.choice((1, 1, 5, 60, 600))
        depth = min(STEPS + 1, int(rng.expovariate(DROP)))
        for item in templates[guide]:
            if item.depth > depth or (item.probability < 1 and rng.random() >= item.probability):
                continue
            at = t0 + item.delay * speed
            props = item.props if item.name != SEARCH else QUERIES[
                int(len(QUERIES) * rng.random() ** 3)]
            created = datetime.fromtimestamp(at + (delivery if item.client else 0), UTC)
            yield (workspace_id, user, item.type, item.name, props, item.result,
                   datetime.fromtimestamp(at, UTC) if item.client else None, created)
            made += 1
            if made >= plan.events:
                return


def expected_events(templates: list[list[Item]]) -> float:
    """Events per journey on average: guide i is drawn with probability
    sqrt((i + 1) / n) - sqrt(i / n) (``int(n * random() ** 2)``), and a journey goes
    d deep or more with probability exp(-DROP * d)."""
    n = len(templates)
    return sum((math.sqrt((i + 1) / n) - math.sqrt(i / n))
               * sum(item.probability * math.exp(-DROP * item.depth) for item in t)
               for i, t in enumerate(templates))


COLUMNS = ("workspace_id", "user_id", "type", "name", "props", "result", "client_at",
           "created_at")


def insert_events(connection: sa.Connection, rows: Iterator[tuple[Any, ...]]) -> int:
    """The event rows; how many."""
    return insert_rows(connection, "event", COLUMNS, rows)


def insert_rows(connection: sa.Connection, table: str, columns: tuple[str, ...],
                rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY (PostgreSQL) or executemany in batches (SQLite); how many rows."""
    raw, count = connection.connection.dbapi_connection, 0
    assert raw is not None
    cursor = raw.cursor()
    if connection.dialect.name == "postgresql":
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in row))
        if len(batch) == BATCH:
            cursor.executemany(sql, batch)
            count, batch = count + len(batch), []
    cursor.executemany(sql, batch)
    return count + len(batch)


def _sqlite_time(value: datetime | None) -> str | None:
    """As SQLAlchemy stores a UTC datetime in SQLite."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_people(connection: sa.Connection, plan: Plan, workspace_id: int) -> int:
    """Accounts and users, first seen evenly over the period; the first user's id."""
    span = (plan.now - plan.start).total_seconds()
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    pg = connection.dialect.name == "postgresql"
    mark = "%s" if pg else "?"

    def when(n: int, total: int) -> Any:
        value = plan.start + timedelta(seconds=span * n / total)
        return value if pg else _sqlite_time(value)

    cursor.executemany(
        f"INSERT INTO account (workspace_id, external_id, traits, created_at, updated_at) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
        [(workspace_id, f"a{n}", json.dumps({"name": f"Account {n}", "csm": f"csm{n % 8}"}),
          when(n, plan.accounts), when(n, plan.accounts))
         for n in range(plan.accounts)])
    first_account = connection.scalar(sa.text(
        "SELECT min(id) FROM account WHERE workspace_id = :w"), {"w": workspace_id})
    sql = (f"INSERT INTO end_user (workspace_id, external_id, account_id, traits, first_seen, "
           f"last_seen) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})")
    for start in range(0, plan.users, BATCH):
        cursor.executemany(sql, [
            (workspace_id, f"u{n}", first_account + n % plan.accounts, "{}",
             when(n, plan.users), when(n, plan.users))
            for n in range(start, min(plan.users, start + BATCH))])
    return int(connection.scalar(sa.text(
        "SELECT min(id) FROM end_user WHERE workspace_id = :w"), {"w": workspace_id}))


def insert_escalations(connection: sa.Connection, workspace_id: int) -> int:
    """The ``escalation`` row of every ``help:escalate`` event (where escalations start)."""
    if connection.dialect.name == "postgresql":
        field, empty, listed = "props->>'{}'", "'{}'::jsonb", "'[]'::jsonb"
    else:
        field, empty, listed = "json_extract(props, '$.{}')", "'{}'", "'[]'"
    result = connection.execute(sa.text(
        "INSERT INTO escalation (workspace_id, user_id, reference, message, severity, status, "
        "origin, guide_key, step_id, article_key, url, context, history, created_at, "
        f"updated_at) SELECT workspace_id, user_id, 'B' || id, 'Stuck', 'blocked', 'open', "
        f"'user', {field.format('guide')}, {field.format('step')}, NULL, url, {empty}, "
        f"{listed}, created_at, created_at FROM event "
        "WHERE workspace_id = :w AND type = 'help:escalate'"), {"w": workspace_id})
    return int(result.rowcount or 0)
