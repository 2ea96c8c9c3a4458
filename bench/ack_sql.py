"""The ack floor: the statements of one ``step:complete``, without Guide around them.

What Guide's ``step:complete`` sends to the database for a returning user
whose step is already done (the steady state of the closed-loop benchmark,
where every client completes the same step again and again), in order:

- the user and their workspace (``services.sessions.context_of``);
- the replay check by envelope id (``services.idempotency.replay``);
- the published guide by key, with its version's number and checksum;
- the user's progress row ``FOR UPDATE`` (``services.progress``);
- the event row, which is the envelope's record: its fingerprint and ack;
- COMMIT.

(A user's first completion of a step adds ``INSERT ... ON CONFLICT DO NOTHING``
of the progress row and its ``UPDATE``; the benchmark's steady state has neither.)

``STATEMENTS`` holds them as written for pgbench (``:name`` variables; the
guide's id comes back through ``\\gset``). A test (tests/unit/test_bench_ack_floor.py)
compares their shapes with what SQLAlchemy emits for one envelope, on SQLite
and PostgreSQL, so they cannot drift from the code. ``pgbench_script`` renders
them as a pgbench custom script; ``sqlite_loop`` replays them with the standard
library's ``sqlite3`` under the pragmas Guide sets (``guide.models.base``).
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

USER = (
    "SELECT end_user.id, end_user.workspace_id, end_user.external_id, end_user.account_id, "
    "end_user.traits, end_user.locale, end_user.lifecycle_stage, end_user.stage_entered_at, "
    "end_user.first_seen, end_user.last_seen, end_user.visits, end_user.rolled_first_seen, "
    "end_user.rolled_stage, end_user.onboarding_seen, end_user.onboarding_account_id, "
    "end_user.onboarding_stage, end_user.onboarding_stage_at, workspace.id AS id_1, "
    'workspace."key", workspace.name, workspace.default_locale, workspace.allowed_origins, '
    "workspace.require_identity, workspace.allow_unsigned_groups, "
    "workspace.identity_token_max_age, workspace.events_retention_days, workspace.timezone, "
    "workspace.survey_cap_days, workspace.signing_secrets, workspace.support_url, "
    "workspace.help_enabled, workspace.theme, workspace.api_key_hashes, workspace.lifecycle, "
    "workspace.scenario_settings, workspace.environment, workspace.production_id, "
    "workspace.created_at "
    "FROM end_user JOIN workspace ON workspace.id = end_user.workspace_id "
    "WHERE end_user.id = :uid AND workspace.id = :ws"
)
REPLAY = ("SELECT event.fingerprint, event.user_id, event.result FROM event "
          "WHERE event.workspace_id = :ws AND event.client_id = :cid")
GUIDE = ('SELECT guide.id, guide.workspace_id, guide."key", guide.kind, guide.priority, '
         "guide.published_version_id, guide_version.number, guide_version.checksum "
         "FROM guide JOIN guide_version ON guide_version.id = guide.published_version_id "
         'WHERE guide.workspace_id = :ws AND guide."key" = :guide_key')
PROGRESS = (
    "SELECT progress.id, progress.workspace_id, progress.user_id, progress.guide_id, "
    "progress.state, progress.current_step, progress.completed_steps, progress.started_at, "
    "progress.completed_at, progress.updated_at, progress.snoozed_until, "
    "progress.shown_count, progress.last_shown_at FROM progress "
    "WHERE progress.user_id = :uid AND progress.guide_id = :g_id FOR UPDATE"
)
# Guide sends client_at as NULL when the widget gave no clock; pgbench cannot bind a
# NULL variable, so the floor binds created_at's value there: the same work.
EVENT = ("INSERT INTO event (workspace_id, user_id, client_id, type, name, props, fingerprint, "
         "result, client_at, created_at) VALUES (:ws, :uid, :cid, :type, :name, :props, "
         ":fingerprint, :result, :created_at, :created_at) RETURNING event.id")
STATEMENTS = (USER, REPLAY, GUIDE, PROGRESS, EVENT, "COMMIT")

_CAST = re.compile(r"::(?:TIMESTAMP WITH TIME ZONE|\w+)")
_PARAM = re.compile(r"%\(\w+\)s|(?<![:\w]):\w+|\?")


def shape(sql: str) -> str:
    """A statement with its parameters as ``?``, no casts, quotes or extra spaces."""
    sql = _PARAM.sub("?", _CAST.sub("", sql)).replace('"', "")
    return " ".join(sql.split())


def for_dialect(dialect: str) -> list[str]:
    """The floor's statements as the given database gets them from Guide.

    SQLite: Guide opens the write transaction itself (``BEGIN IMMEDIATE``, see
    guide.models.base); SQLAlchemy renders no ``FOR UPDATE`` and takes the event's
    id from the cursor, not from ``RETURNING``. PostgreSQL:
    psycopg sends BEGIN on its own (no cursor execute), as pgbench's BEGIN does.
    """
    if dialect == "sqlite":
        return ["BEGIN IMMEDIATE", *(s.replace(" FOR UPDATE", "").replace(" RETURNING event.id", "")
                                     for s in STATEMENTS)]
    return list(STATEMENTS)


def pgbench_script() -> str:
    """The transaction as a pgbench custom script (run with ``-M prepared``, as psycopg
    prepares statements it runs often). Variables come from ``-D``; ``uid`` is the
    client's own user (``first_uid`` + pgbench's client number), ``cid`` a fresh id."""
    lines = [r"\set uid :first_uid + :client_id % :users",
             r"\set cid random(1000000000000000000, 9000000000000000000)", "BEGIN;"]
    for sql in STATEMENTS:
        lines.append(sql + (r" \gset g_" if sql is GUIDE else ";"))
    return "\n".join(lines) + "\n"


def sqlite_loop(path: str, variables: dict[str, Any], users: int, seconds: float) -> float:
    """Transactions per second of the floor's statements through ``sqlite3``, one loop.

    One connection: SQLite takes one writer at a time (Guide's ``BEGIN IMMEDIATE``
    queues its writers on a process lock), so more loops would only wait on it.
    """
    from guide.config import sqlite_synchronous

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000",
                   f"synchronous={sqlite_synchronous()}"):
        conn.execute(f"PRAGMA {pragma}")
    statements = [s for s in for_dialect("sqlite") if s != "COMMIT"]
    user, replay, guide, progress, event = statements[1:]
    params = dict(variables)
    done, n = 0, 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    try:
        while time.perf_counter() < deadline:
            params["uid"] = variables["first_uid"] + n % users
            params["cid"] = f"floor-{time.time_ns()}-{n}"
            n += 1
            conn.execute(statements[0])
            conn.execute(user, params).fetchone()
            conn.execute(replay, params).fetchone()
            params["g_id"] = conn.execute(guide, params).fetchone()[0]
            conn.execute(progress, params).fetchone()
            conn.execute(event, params)
            conn.execute("COMMIT")
            done += 1
    finally:
        conn.close()
    return done / (time.perf_counter() - started)
