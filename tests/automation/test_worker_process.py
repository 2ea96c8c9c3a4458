"""The worker as it runs for real: `flask guide worker` in a subprocess, and the embedded thread."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

from guide import worker
from guide.extensions import db
from guide.models import OutboxMessage
from guide.models.base import utcnow
from tests import factories
from tests.automation.receivers import webhook_receiver
from tests.live import BIN, ROOT, server_env
from tests.support_helpers import configure_support, escalate_http


def worker_process(database_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = server_env(database_url, tmp_path / "instance", GUIDE_DEMO="0",
                     GUIDE_WEBHOOK_ALLOW_PRIVATE="1", GUIDE_OUTBOX_LEASE="60",
                     GUIDE_WORKER_INTERVAL="0.2")
    return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "guide", "worker"], cwd=ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)


def message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(db.select(OutboxMessage)).one()


def test_a_worker_killed_mid_delivery_still_gets_the_message_delivered(
        client, open_workspace, database_url, tmp_path):
    with webhook_receiver(hold=True) as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate_http(client, factories.socket_token(client, open_workspace, "ada"))
        process = worker_process(database_url, tmp_path)
        try:
            receiver.wait_for(1)  # the worker is inside the POST, the receiver holds it
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            process.stderr.close()  # type: ignore[union-attr]
        leased = message()
        assert leased.status == "pending" and leased.claimed_by is not None
        assert leased.locked_until > utcnow() + timedelta(seconds=30)
        receiver.hold = False
        receiver.release.set()
        # Another worker, once the dead one's lease has expired.
        assert worker.process_due("survivor", clock=lambda: leased.locked_until + timedelta(seconds=1)) == 1
        assert message().status == "delivered"
        assert len(receiver.requests) == 2  # at least once ...
        assert receiver.unique_ids() == {leased.message_id}  # ... and once after de-duplication


def test_sigterm_stops_the_worker_gracefully(database_url, tmp_path, open_workspace):
    process = worker_process(database_url, tmp_path)
    try:
        assert "outbox worker running" in process.stderr.readline()  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()  # type: ignore[union-attr]


def test_the_embedded_worker_delivers_right_after_the_escalation(database_url):
    from guide import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k" * 40,
                      "GUIDE_WORKER": "embedded", "GUIDE_WORKER_INTERVAL": 30.0,
                      "GUIDE_WEBHOOK_ALLOW_PRIVATE": True, "GUIDE_DEMO": False})
    with webhook_receiver() as receiver, app.app_context():
        ws = factories.make_workspace(key="embedded", require_identity=False)
        configure_support(ws, webhooks=[receiver.url])
        client = app.test_client()
        try:
            # The first request starts the thread; the commit wakes it (no 30 s poll).
            escalate_http(client, factories.socket_token(client, ws, "ada"))
            receiver.wait_for(1, timeout=20)
        finally:
            worker.stop_embedded()
            db.session.remove()
            db.engine.dispose()
    assert receiver.requests[0].headers["webhook-id"].startswith("msg_")


def test_a_testing_app_never_starts_the_embedded_worker(database_url):
    import os

    from guide import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k" * 40,
                      "TESTING": True, "GUIDE_WORKER": "embedded", "GUIDE_DEMO": False})
    app.test_client().get("/healthz")
    assert os.getpid() not in worker._embedded  # tests drive the worker themselves
