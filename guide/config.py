"""Configuration, read from ``GUIDE_*`` environment variables.

Every key the server reads is listed here with its default, so this file is
the one place to look. Defaults make ``make demo`` work with no setup at all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SLACK_WEBHOOK_BASE = "https://hooks.slack.com"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"GUIDE_{name}")
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    return int(_env(name) or default)


def _env_float(name: str, default: float) -> float:
    return float(_env(name) or default)


def default_async_mode() -> str:
    """gevent when gevent has monkey-patched this process (its gunicorn worker), else threading.

    Flask-SocketIO would pick gevent whenever it is installed, which breaks an unpatched
    process; the mode follows the server actually running instead.
    """
    import sys

    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"


def _env_list(name: str) -> list[str]:
    value = _env(name, "") or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def sqlite_url(instance_path: str) -> str:
    """The embedded default database: ``instance/guide.db``."""
    return f"sqlite:///{Path(instance_path) / 'guide.db'}"


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(instance_path: str) -> str:
    """A secret kept in ``instance/secret_key`` when GUIDE_SECRET_KEY is not set.

    Generated once, so restarts of a single-node install keep widgets' socket
    tokens valid. Several processes must share it: set GUIDE_SECRET_KEY there.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_env(instance_path: str) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    database_url = normalize_database_url(_env("DATABASE_URL") or sqlite_url(instance_path))
    return {
        # Signs admin sessions and socket tokens. Without it a random key is used,
        # which logs every widget out at each restart: set it in production.
        "SECRET_KEY": _env("SECRET_KEY") or instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        # Socket.IO message queue (e.g. redis://127.0.0.1:6379/0) for several processes.
        "GUIDE_MESSAGE_QUEUE": _env("MESSAGE_QUEUE"),
        "GUIDE_MESSAGE_QUEUE_CHANNEL": _env("MESSAGE_QUEUE_CHANNEL", "guide-socketio"),
        # gevent or threading; by default gevent inside gunicorn's gevent worker (which
        # monkey-patches before loading the app: `make demo` and production), else
        # threading (the Flask CLI, the in-process test client).
        "GUIDE_ASYNC_MODE": _env("ASYNC_MODE") or default_async_mode(),
        # Seconds a socket token issued at bootstrap stays valid; an open socket is
        # disconnected when it passes (the widget bootstraps again for a new one).
        "GUIDE_SOCKET_TOKEN_TTL": int(_env("SOCKET_TOKEN_TTL", "3600") or 3600),
        # Days an admin's "Keep me signed in" cookie lasts (signing out ends it sooner).
        "GUIDE_REMEMBER_DAYS": int(_env("REMEMBER_DAYS", "14") or 14),
        # Admin session and remember cookies only over HTTPS (set it behind TLS).
        "GUIDE_SECURE_COOKIES":
            (_env("SECURE_COOKIES") or "").strip().lower() in {"1", "true", "yes"},
        # Largest accepted HTTP body and Socket.IO frame, in bytes.
        "MAX_CONTENT_LENGTH": int(_env("MAX_PAYLOAD_BYTES", "65536") or 65536),
        # Serve the demo product at /demo/ (the customer's app, for trying Guide out).
        "GUIDE_DEMO": _env_bool("DEMO", True),
        # Extra origins allowed for every workspace (e.g. a staging host), comma separated.
        "GUIDE_EXTRA_ORIGINS": _env_list("EXTRA_ORIGINS"),
        # Where `flask guide content push` reads from by default.
        "GUIDE_CONTENT_DIR": _env("CONTENT_DIR", str(PROJECT_ROOT / "content")),
        # gzip JSON, CSV and HTML responses for clients that accept it (guide/compression.py);
        # off when a proxy in front compresses already.
        "GUIDE_COMPRESS": _env_bool("COMPRESS", True),
        # Where the built widget bundle lives.
        "GUIDE_WIDGET_DIST": _env("WIDGET_DIST", str(PROJECT_ROOT / "static" / "widget" / "dist")),
        **rate_limits(),
        # What one client (an IPv4 address, or an IPv6 /64) may hold open at once:
        # requests in progress and WebSockets; over it, a 429. 0 lifts the cap (the
        # client's address is the X-Forwarded-For one behind GUIDE_TRUSTED_PROXIES).
        "GUIDE_MAX_CONNECTIONS_PER_CLIENT": _env_int("MAX_CONNECTIONS_PER_CLIENT", 200),
        # Group commit (guide/realtime/group_commit.py): socket envelopes arriving while a
        # commit is in flight, or within this many milliseconds of the first, share one
        # transaction (a savepoint each) and one commit; acks still follow the commit.
        # "auto": on under gevent (production, `guide serve`), off in threading mode.
        "GUIDE_GROUP_COMMIT": (_env("GROUP_COMMIT") or "auto").strip().lower(),
        "GUIDE_GROUP_COMMIT_WINDOW_MS": _env_float("GROUP_COMMIT_WINDOW_MS", 1),
        # Seconds a request body (or a response the client does not read) may stall
        # between two packets; then a 408 and the connection is closed.
        "GUIDE_READ_TIMEOUT": _env_float("READ_TIMEOUT", 10),
        # Seconds a WebSocket has to join a namespace with a valid token after it opens;
        # then it is closed (an unauthenticated handshake holds nothing for long).
        "GUIDE_SOCKET_CONNECT_TIMEOUT": _env_float("SOCKET_CONNECT_TIMEOUT", 10),
        # How many reverse proxies (load balancer, nginx) sit in front and set
        # X-Forwarded-For/-Proto/-Host; 0 trusts none of these headers.
        "GUIDE_TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES", "0") or 0),
        # Outbox delivery (webhooks, emails): "embedded" runs it in a thread of the web
        # server (one command, the default); "off" leaves it to `flask guide worker`.
        "GUIDE_WORKER": _env("WORKER", "embedded"),
        # Seconds between polls for due deliveries when idle, and a claimed message's lease
        # (another worker may retry it after that, e.g. when this one was killed).
        "GUIDE_WORKER_INTERVAL": float(_env("WORKER_INTERVAL", "2") or 2),
        "GUIDE_OUTBOX_LEASE": int(_env("OUTBOX_LEASE", "60") or 60),
        # Escalation emails: smtp://user:pass@host:587?starttls=true or smtps://host:465.
        "GUIDE_SMTP_URL": _env("SMTP_URL"),
        # Sender when a workspace's support.email has no "from".
        "GUIDE_SMTP_FROM": _env("SMTP_FROM", "guide@localhost"),
        # Deliver webhooks to loopback/private addresses for every workspace (local tests
        # only; a workspace can allow it for itself with support.allow_private_webhooks).
        "GUIDE_WEBHOOK_ALLOW_PRIVATE": _env_bool("WEBHOOK_ALLOW_PRIVATE", False),
        # Seconds to wait for a webhook receiver to answer.
        "GUIDE_WEBHOOK_TIMEOUT": float(_env("WEBHOOK_TIMEOUT", "10") or 10),
        # An endpoint is disabled after this many messages in a row went dead.
        "GUIDE_WEBHOOK_DISABLE_AFTER": int(_env("WEBHOOK_DISABLE_AFTER", "3") or 3),
        # Where Slack incoming webhooks live: a workspace's Slack URL must start with
        # "<this>/services/" (GovSlack: https://hooks.slack-gov.com; tests: a local receiver).
        "GUIDE_SLACK_WEBHOOK_BASE": (_env("SLACK_WEBHOOK_BASE", SLACK_WEBHOOK_BASE)
                                     or SLACK_WEBHOOK_BASE).rstrip("/"),
        # Who may read /metrics (Prometheus): scrapers sending "Authorization: Bearer
        # <GUIDE_METRICS_TOKEN>", and/or clients from these comma-separated addresses or
        # networks (e.g. 10.0.0.0/8, as seen after GUIDE_TRUSTED_PROXIES); neither: 403.
        "GUIDE_METRICS_TOKEN": _env("METRICS_TOKEN"),
        "GUIDE_METRICS_ALLOW_FROM": _env_list("METRICS_ALLOW_FROM"),
        # This server's public address (https://guide.example.com), for links in emails
        # and webhooks to the support inbox; omitted from them when unset.
        "GUIDE_PUBLIC_URL": _env("PUBLIC_URL"),
    }


def rate_limits() -> dict[str, Any]:
    """Rate limits (docs/DEPLOY.md, "Rate limits"), in Flask-Limiter's notation
    (``20/second;300/minute``); one storage serves the HTTP and socket paths."""
    queue = _env("MESSAGE_QUEUE") or ""
    shared = queue if queue.startswith(("redis://", "rediss://", "unix://")) else None
    return {
        # GUIDE_RATE_LIMITS=off turns every limit off (load tests, benchmarks).
        "GUIDE_RATE_LIMITS": _env_bool("RATE_LIMITS", True),
        # Where the counters live: memory:// (one process) or redis://...; by default the
        # Redis of GUIDE_MESSAGE_QUEUE, so every process of a deployment shares them.
        "GUIDE_RATELIMIT_STORAGE_URL": _env("RATELIMIT_STORAGE_URL", shared or "memory://"),
        # Envelopes (and element picks) per end user, over all their sockets, tabs and HTTP
        # batches together (GUIDE_SOCKET_RATE_LIMIT is the name it had when it was per socket).
        "GUIDE_ENVELOPE_RATE_LIMIT": _env("ENVELOPE_RATE_LIMIT")
        or _env("SOCKET_RATE_LIMIT", "20/second;300/minute"),
        # help:escalate envelopes per end user (each one emails or pages support).
        "GUIDE_ESCALATION_RATE_LIMIT": _env("ESCALATION_RATE_LIMIT", "5/minute;30/hour"),
        # HTTP requests per socket token to /api/v1/widget/events and /help.
        "GUIDE_TOKEN_RATE_LIMIT": _env("TOKEN_RATE_LIMIT", "10/second;300/minute"),
        # Bootstraps per client address (unauthenticated: each may create a user).
        "GUIDE_BOOTSTRAP_RATE_LIMIT": _env("BOOTSTRAP_RATE_LIMIT", "20/second;600/minute"),
    }


def sqlite_synchronous() -> str:
    """GUIDE_SQLITE_SYNCHRONOUS: NORMAL (default) or FULL.

    In WAL mode NORMAL keeps every committed (so acknowledged) write through a
    crash or kill -9 of the server; only a power loss or OS crash can lose the
    last transactions. FULL also covers those, at the price of an fsync per commit.
    Read when SQLite opens a connection (models.base), which has no app at hand.
    """
    value = (_env("SQLITE_SYNCHRONOUS") or "NORMAL").upper()
    return value if value in ("NORMAL", "FULL") else "NORMAL"


def engine_options(database_url: str) -> dict[str, Any]:
    """Per-backend engine options; SQLite pragmas are set on connect (see models.base)."""
    if database_url.startswith("sqlite"):
        # A busy writer makes others wait instead of failing at once.
        return {"connect_args": {"timeout": 15}}
    # A gevent process serves many requests at once, each holding a connection for
    # its transaction. With SQLAlchemy's default pool (5, plus 10 overflow connections
    # closed as soon as they are returned) most requests under load opened a new
    # connection, a process fork on the database server each time. Per process; keep
    # processes x (size + overflow) under the server's max_connections.
    return {
        "pool_pre_ping": True,
        # GUIDE_DB_POOL_SIZE: connections kept open per process (default 20).
        "pool_size": int(_env("DB_POOL_SIZE", "20") or 20),
        # GUIDE_DB_MAX_OVERFLOW: extra connections opened at peaks, closed after use
        # (default 10); requests beyond size + overflow wait for a free connection.
        "max_overflow": int(_env("DB_MAX_OVERFLOW", "10") or 10),
    }
