"""The outbox worker: claims due messages with a lease, delivers them, schedules retries.

An edge, like a request handler: it owns one transaction per claim and per
delivery, and calls the features below it (``guide.automation`` delivers,
``guide.proactive`` sweeps). Run by ``flask guide worker`` or embedded in the
server process (``init_app``).

Claiming is one UPDATE that stamps a lease (``locked_until``) and a claim
token (``claimed_by``) on up to N due rows:

- PostgreSQL: the rows are picked by ``SELECT ... FOR UPDATE SKIP LOCKED``
  inside that UPDATE, so concurrent workers take different rows without
  waiting for each other.
- SQLite: a database has one writer at a time, so two claims are simply
  serialized; the second one no longer sees the rows the first leased.

A worker that dies mid-delivery leaves its lease behind; once it expires the
message is due again and another worker delivers it (at least once: receivers
de-duplicate by ``webhook-id``). Results are written only while the claim
token is still ours, so a worker whose lease ran out cannot overwrite a newer
attempt's outcome.

Retries: exponential steps with full jitter (a random delay between 1 s and
the step), for at least 24 hours after the message was created; then the
message is ``dead``. See docs/WEBHOOKS.md.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from guide import analytics
from guide.automation import email, forwarding, slack, webhooks
from guide.extensions import db
from guide.models import IntegrationSettings, OutboxMessage, WebhookEndpoint
from guide.models.base import utcnow
from guide.proactive.sweep import sweep_due
from guide.services.outbox import wake_up
from guide.services.retention import purge_due

log = logging.getLogger("guide.worker")

# Seconds before retry n (the last step repeats): 5s 30s 2m 10m 30m 1h 2h 4h 8h 8h ...
SCHEDULE = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800)
RETRY_FOR = timedelta(hours=24)
BATCH = 10
DUE = ("pending", "failed")
Clock = Callable[[], datetime]


def retry_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Full jitter: uniform between 1 s and the schedule's step for this attempt."""
    step = SCHEDULE[min(max(attempts, 1), len(SCHEDULE)) - 1]
    return (rng or random).uniform(1.0, step)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(worker: str, now: datetime, lease: int, limit: int = BATCH) -> tuple[str, list[int]]:
    """Lease up to ``limit`` due messages; returns the claim token and their ids."""
    token = f"{worker[:40]}/{uuid.uuid4().hex[:16]}"
    due = (sa.select(OutboxMessage.id)
           .where(OutboxMessage.status.in_(DUE), OutboxMessage.next_attempt_at <= now,
                  sa.or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(locked_until=now + timedelta(seconds=lease), claimed_by=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)))
    return token, ids


def _prepare(message: OutboxMessage) -> Callable[[], None]:
    """Everything a delivery reads from the database; the call returned only sends."""
    if message.kind == "webhook":
        endpoint = db.session.get(WebhookEndpoint, message.endpoint_id) \
            if message.endpoint_id else None
        if endpoint is not None and not endpoint.active:
            raise _Abandon(f"endpoint disabled: {endpoint.disabled_reason or 'removed'}")
        return webhooks.prepare(message)
    if message.kind == "email":
        return email.prepare(message)
    # Slack's URL and the write key are read now, never stored in the message.
    settings = db.session.get(IntegrationSettings, message.workspace_id)
    if message.kind == "slack":
        if settings is None or not settings.slack_webhook_url:
            raise _Abandon("Slack is no longer configured for the workspace")
        return slack.prepare(message, settings.slack_webhook_url)
    if message.kind == "segment":
        if settings is None or not settings.forward_write_key:
            raise _Abandon("event forwarding is no longer configured for the workspace")
        return forwarding.prepare(message, settings)
    raise _Abandon(f"unknown kind {message.kind!r}")


class _Abandon(Exception):
    """Do not retry: the message can never be delivered."""


def process(message_id: int, token: str, clock: Clock) -> str:
    """Deliver one claimed message and record the outcome; returns its new status."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.claimed_by != token:
        return "lost"
    attempts, endpoint_id = message.attempts + 1, message.endpoint_id
    created_at = message.created_at
    what = f"{message.kind} {message.target}"
    error, abandon = None, False
    try:
        send = _prepare(message)
        # End the read transaction before the network: a receiver that takes its
        # time must not hold SQLite's one write turn (or a PostgreSQL transaction).
        db.session.rollback()
        send()
    except _Abandon as exc:
        error, abandon = str(exc), True
    except Exception as exc:  # every failure is retried: network, TLS, refused, non-2xx
        error = f"{type(exc).__name__}: {exc}" if not isinstance(
            exc, webhooks.DeliveryFailed) else str(exc)
    now = clock()
    if error is None:
        values = {"status": "delivered", "delivered_at": now, "last_error": None}
    elif abandon or now - created_at >= RETRY_FOR:
        values = {"status": "dead", "last_error": error[:1000]}
    else:
        values = {"status": "failed", "last_error": error[:1000],
                  "next_attempt_at": now + timedelta(seconds=retry_delay(attempts))}
    db.session.rollback()  # end the read transaction; the write below re-checks the claim
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == token)
        .values(attempts=attempts, locked_until=None, claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        log.warning("outbox %s: lease lost during delivery; outcome dropped", message_id)
        return "lost"
    if endpoint_id is not None:
        _endpoint_health(endpoint_id, values["status"], error, now)
    db.session.commit()
    if error:
        log.info("outbox %s (%s): %s, attempt %d: %s", message_id, what, values["status"],
                 attempts, error)
    return values["status"]


def _endpoint_health(endpoint_id: int, status: str, error: str | None, now: datetime) -> None:
    """Healthy again on success; disabled after N dead messages or 24 h of failures."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return
    if status == "delivered":
        endpoint.consecutive_dead, endpoint.failing_since = 0, None
        endpoint.last_success_at, endpoint.last_error = now, None
        return
    endpoint.failing_since = endpoint.failing_since or now
    endpoint.last_error = (error or "")[:500]
    if status == "dead":
        endpoint.consecutive_dead += 1
    limit = current_app.config["GUIDE_WEBHOOK_DISABLE_AFTER"]
    if endpoint.disabled_at is None and (
        endpoint.consecutive_dead >= limit or now - endpoint.failing_since >= RETRY_FOR
    ):
        endpoint.disabled_at = now
        endpoint.disabled_reason = (f"{endpoint.consecutive_dead} messages dead in a row"
                                    if endpoint.consecutive_dead >= limit
                                    else "failing for 24 hours")
        log.warning("webhook endpoint %s disabled: %s", endpoint.url, endpoint.disabled_reason)


def process_due(worker: str | None = None, clock: Clock = utcnow, limit: int = BATCH) -> int:
    """Claim and deliver what is due now; returns how many messages were attempted."""
    lease = current_app.config["GUIDE_OUTBOX_LEASE"]
    token, ids = claim(worker or worker_name(), clock(), lease, limit)
    for message_id in ids:
        process(message_id, token, clock)
    return len(ids)


def run(app: Flask, stop: threading.Event) -> None:
    """Deliver until ``stop`` is set, finishing the message in hand (graceful SIGTERM)."""
    interval = app.config["GUIDE_WORKER_INTERVAL"]
    name = worker_name()
    log.info("outbox worker %s started", name)
    while not stop.is_set():
        done = 0
        # Cleared before looking, so a commit that wakes us while we look is not lost.
        wake_up.clear()
        with app.app_context():
            try:
                done = process_due(name)
            except Exception:
                log.exception("outbox worker: delivery round failed; retrying")
                db.session.rollback()
            try:
                # Time-based scenarios, each workspace every sweep_seconds.
                sweep_due()
            except Exception:
                log.exception("scenario sweep failed; retrying next round")
                db.session.rollback()
            try:
                # New events folded into the analytics rollups, a bounded number of batches.
                # Before the retention: it deletes only what the rollups absorbed.
                analytics.rollup_due()
            except Exception:
                log.exception("analytics rollup failed; retrying next round")
                db.session.rollback()
            try:
                # Scenario firings whose goal window closed: converted or not, written once.
                # Before the retention too: an event goal's events may be purged after it.
                analytics.settle_due()
            except Exception:
                log.exception("scenario settling failed; retrying next round")
                db.session.rollback()
            try:
                # New settled events queued for the workspaces that forward them (Segment).
                # Before the retention, which may purge them.
                forwarding.forward_due()
            except Exception:
                log.exception("event forwarding failed; retrying next round")
                db.session.rollback()
            try:
                # Events past events_retention_days, a bounded number of batches a round.
                purge_due()
            except Exception:
                log.exception("event retention failed; retrying next round")
                db.session.rollback()
            finally:
                db.session.remove()
        if done == 0:
            wake_up.wait(interval)
    log.info("outbox worker %s stopped", name)


_embedded_lock = threading.Lock()
_embedded: dict[int, tuple[threading.Thread, threading.Event]] = {}


def start_embedded(app: Flask) -> threading.Thread:
    """One background worker thread per process (re-created after a fork)."""
    with _embedded_lock:
        thread, _ = _embedded.get(os.getpid(), (None, None))
        if thread is None or not thread.is_alive():
            stop = threading.Event()
            thread = threading.Thread(target=run, args=(app, stop), name="guide-outbox",
                                      daemon=True)
            thread.start()
            _embedded[os.getpid()] = (thread, stop)
        return thread


def stop_embedded(timeout: float = 10) -> None:
    """Stop this process's embedded worker after the message in hand (tests, shutdown)."""
    with _embedded_lock:
        thread, stop = _embedded.pop(os.getpid(), (None, None))
    if thread is not None and stop is not None:
        stop.set()
        wake_up.set()
        thread.join(timeout)


def init_app(app: Flask) -> None:
    """Embedded tier: start the worker with the first request (never in CLI commands)."""
    @app.before_request
    def _ensure_worker() -> None:
        if os.getpid() not in _embedded:
            start_embedded(app)
