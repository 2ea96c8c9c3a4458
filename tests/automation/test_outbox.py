"""The outbox worker against a real HTTP receiver and a real SMTP server (aiosmtpd).

The worker is driven directly with a controllable clock: a retry is made due
by moving the clock to its next_attempt_at, never by sleeping.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from guide import worker
from guide.extensions import db
from guide.models import OutboxMessage, SupportSettings, WebhookEndpoint
from guide.models.base import utcnow
from tests import factories
from tests.automation.receivers import smtp_server, webhook_receiver
from tests.support_helpers import configure_support, escalate_http


class Clock:
    """Starts five minutes ahead, so messages queued during the test are due at once
    however slow the machine is."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=5)

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def escalate(client, open_workspace):
    token = factories.socket_token(client, open_workspace, "ada")

    def _escalate(**fields) -> dict:
        result = escalate_http(client, token, **fields)
        assert result["ok"], result
        return result
    return _escalate


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def secret(ws) -> str:
    return db.session.get(SupportSettings, ws.id).webhook_secret


def test_a_500_then_200_receiver_gets_the_message_once_after_the_retry(open_workspace, escalate, clock):
    with webhook_receiver(statuses=[500, 200]) as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        reference = escalate()["reference"]
        assert worker.process_due(clock=clock) == 1
        [message] = messages()
        assert (message.status, message.attempts, message.last_error) == ("failed", 1, "HTTP 500: ok")
        assert clock.now + timedelta(seconds=1) <= message.next_attempt_at <= clock.now + timedelta(seconds=5)
        assert worker.process_due(clock=clock) == 0  # not due yet
        clock.now = message.next_attempt_at
        assert worker.process_due(clock=clock) == 1
        [message] = messages()
        assert (message.status, message.attempts) == ("delivered", 2)
        assert len(receiver.requests) == 2
        assert receiver.unique_ids() == {message.message_id}  # stable across retries
        ok = receiver.requests[1]
        body = Webhook(secret(open_workspace)).verify(ok.body, ok.headers)
        assert body["type"] == "escalation.created"
        assert body["data"]["escalation"]["reference"] == reference
        assert body["data"]["escalation"]["context"]["user"]["id"] == "ada"
        assert ok.headers["webhook-signature"].startswith("v1,")
        assert worker.process_due(clock=clock) == 0  # delivered once, never again
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    assert endpoint.failing_since is None and endpoint.last_success_at is not None


def test_a_tampered_body_or_another_secret_does_not_verify(open_workspace, escalate, clock):
    from standardwebhooks.webhooks import WebhookVerificationError

    with webhook_receiver() as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate()
        worker.process_due(clock=clock)
        request = receiver.requests[0]
        with pytest.raises(WebhookVerificationError):
            Webhook(secret(open_workspace)).verify(request.body.replace(b"ada", b"eve"), request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 43).verify(request.body, request.headers)


def test_redirects_are_not_followed_and_count_as_failures(open_workspace, escalate, clock):
    with webhook_receiver(statuses=[302], location="/elsewhere") as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate()
        worker.process_due(clock=clock)
        assert [r.path for r in receiver.requests] == ["/hook"]
        [message] = messages()
        assert message.status == "failed" and message.last_error.startswith("HTTP 302")


def test_loopback_receivers_are_refused_unless_allowed(app, open_workspace, escalate, clock):
    with webhook_receiver() as receiver:
        configure_support(open_workspace, webhooks=[receiver.url], allow_private=False)
        escalate()
        worker.process_due(clock=clock)
        [message] = messages()
        assert message.status == "failed" and "allow_private_webhooks" in message.last_error
        assert receiver.requests == []
        # Allowed by the server's configuration (as the tests do) ...
        app.config["GUIDE_WEBHOOK_ALLOW_PRIVATE"] = True
        clock.now = message.next_attempt_at
        worker.process_due(clock=clock)
        assert messages()[0].status == "delivered" and len(receiver.requests) == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10",
                                  "169.254.169.254", "::1", "0.0.0.0", "100.64.0.1"])
def test_addresses_that_are_not_public_are_refused_at_delivery(host):
    from guide.automation.http import AddressRefused, resolve

    with pytest.raises(AddressRefused, match="loopback/private/reserved"):
        resolve(host, 443, allow_private=False)
    assert resolve(host, 443, allow_private=True)


def test_https_to_a_private_address_is_refused_before_connecting(app, open_workspace, escalate, clock):
    with webhook_receiver() as receiver:
        configure_support(open_workspace, webhooks=[receiver.url.replace("http:", "https:")],
                          allow_private=False)
        escalate()
        worker.process_due(clock=clock)
        [message] = messages()
        assert message.status == "failed" and "resolves to 127.0.0.1" in message.last_error
        assert receiver.requests == []


def test_retries_go_on_for_24_hours_then_the_message_is_dead(open_workspace, escalate, clock):
    with webhook_receiver(statuses=[503]) as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate()
        created = messages()[0].created_at
        attempts = 0
        while messages()[0].status != "dead":
            attempts += 1
            assert attempts < 40, "never gave up"
            clock.now = max(clock.now, messages()[0].next_attempt_at)
            worker.process_due(clock=clock)
        assert clock.now - created >= timedelta(hours=24)
        assert len(receiver.requests) == attempts and attempts >= 9
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    assert endpoint.disabled_at is not None  # failing for 24 hours
    assert endpoint.disabled_reason == "failing for 24 hours"


def test_retry_delays_follow_the_schedule_with_full_jitter():
    import random

    rng = random.Random(7)
    for attempt, step in enumerate(worker.SCHEDULE, start=1):
        delays = [worker.retry_delay(attempt, rng) for _ in range(200)]
        assert min(delays) >= 1 and max(delays) <= step
        assert max(delays) > step * 0.8  # the whole range is used
    assert worker.retry_delay(50, rng) <= worker.SCHEDULE[-1]  # capped


def test_a_disabled_endpoint_gets_nothing_new_and_its_backlog_dies(app, open_workspace, escalate, clock):
    app.config["GUIDE_WEBHOOK_DISABLE_AFTER"] = 1
    with webhook_receiver(statuses=[500]) as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate()
        escalate()
        first, second = messages()
        db.session.get(OutboxMessage, first.id).created_at = clock.now - timedelta(hours=25)
        db.session.commit()
        worker.process_due(clock=clock, limit=1)  # the old one goes dead, disabling the endpoint
        endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
        assert endpoint.disabled_at is not None and endpoint.disabled_reason == "1 messages dead in a row"
        worker.process_due(clock=clock)
        assert [m.status for m in messages()] == ["dead", "dead"]
        assert "endpoint disabled" in messages()[1].last_error
        assert len(receiver.requests) == 1
        escalate()
        assert len(messages()) == 2  # nothing queued for a disabled endpoint


def test_a_crashed_workers_message_is_delivered_after_its_lease(app, open_workspace, escalate, clock):
    with webhook_receiver() as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        escalate()
        token, ids = worker.claim("crashed", clock.now, lease=60)  # ...and dies before delivering
        assert len(ids) == 1
        assert worker.process_due("other", clock=clock) == 0  # leased: nobody else takes it
        clock.now += timedelta(seconds=61)
        assert worker.process_due("other", clock=clock) == 1
        assert messages()[0].status == "delivered" and len(receiver.requests) == 1
        # The crashed worker coming back late cannot overwrite the outcome.
        assert worker.process(ids[0], token, clock) == "lost"
        assert messages()[0].status == "delivered"


def test_concurrent_claims_never_share_a_message(app, open_workspace, escalate, clock):
    configure_support(open_workspace, webhooks=[f"http://127.0.0.1:9/{n}" for n in range(5)])
    for _ in range(4):
        escalate()
    claimed: list[list[int]] = []
    start = threading.Barrier(4)

    def claim_some() -> None:
        with app.app_context():
            start.wait()
            claimed.append(worker.claim(threading.current_thread().name, clock.now, 60, limit=8)[1])
            db.session.remove()

    threads = [threading.Thread(target=claim_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    everything = [i for batch in claimed for i in batch]
    assert len(everything) == len(set(everything)) == 20


def test_escalation_email_is_sent_over_smtp_readably(app, open_workspace, escalate, clock):
    with smtp_server() as (mailbox, port):
        app.config["GUIDE_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
        configure_support(open_workspace, email={"to": ["help@acme.test"], "from": "guide@acme.test",
                                                 "events": ["escalation.created"]})
        reference = escalate(message="Export <script>alert(1)</script> fails", guide="onboarding",
                             step="connect", url="/reports/export")["reference"]
        assert worker.process_due(clock=clock) == 1
        [email] = mailbox.messages
        assert mailbox.envelopes == [("guide@acme.test", ["help@acme.test"])]
        assert email["Subject"] == f"[{reference}] blocked: Export <script>alert(1)</script> fails"
        text = email.get_body(("plain",)).get_content()
        html = email.get_body(("html",)).get_content()
        for expected in ("ada needs help (blocked)", "Page:     /reports/export",
                         'step "Connect" (connect)', "onboarding: not_started, 0 of 4 steps", "Browser:  Werkzeug"):
            assert expected in text, text
        assert "&lt;script&gt;" in html and "<script>" not in html
    assert messages()[0].status == "delivered"


def test_a_file_url_writes_each_email_to_the_directory_instead_of_sending_it(
        app, open_workspace, escalate, clock, tmp_path):
    import email as email_lib
    from email import policy

    app.config["GUIDE_SMTP_URL"] = f"file://{tmp_path}/mail"
    configure_support(open_workspace, email={"to": ["help@acme.test"], "from": None,
                                             "events": ["escalation.created"]})
    reference = escalate(message="Exports fail")["reference"]
    assert worker.process_due(clock=clock) == 1
    [path] = (tmp_path / "mail").iterdir()
    [message] = messages()
    assert path.name == f"{message.message_id}.eml" and message.status == "delivered"
    written = email_lib.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert written["To"] == "help@acme.test"
    assert written["Subject"] == f"[{reference}] blocked: Exports fail"


def test_an_unreachable_smtp_server_is_retried(app, open_workspace, escalate, clock):
    from tests.live import free_port

    app.config["GUIDE_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    configure_support(open_workspace, email={"to": ["help@acme.test"], "from": None,
                                             "events": ["escalation.created"]})
    escalate()
    worker.process_due(clock=clock)
    [message] = messages()
    assert message.status == "failed" and "ConnectionRefusedError" in message.last_error


def test_status_updates_are_delivered_as_escalation_updated(client, open_workspace, escalate, clock):
    from guide.services.escalations import change_status

    with webhook_receiver() as receiver:
        configure_support(open_workspace, webhooks=[receiver.url])
        reference = escalate()["reference"]
        change_status(open_workspace, reference, "acknowledged", "On it")
        assert worker.process_due(clock=clock) == 2
        kinds = [json.loads(r.body)["type"] for r in receiver.requests]
        assert kinds == ["escalation.created", "escalation.updated"]
        updated = json.loads(receiver.requests[1].body)["data"]
        assert updated["change"] == {"from": "open", "to": "acknowledged", "note": "On it"}
        assert updated["escalation"]["status"] == "acknowledged"


def _write_blocked_or_transaction_held(app) -> str | None:
    """While a delivery is in flight: is a database transaction held open?

    SQLite: another writer cannot begin (the worker holds the one write lock).
    PostgreSQL: a connection of this database sits "idle in transaction".
    """
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0.5, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return None
        except sqlite3.OperationalError as error:
            return str(error)
        finally:
            connection.close()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        held = connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    return f"{held} connection(s) idle in transaction" if held else None


@pytest.mark.parametrize("kind", ["webhook", "email"])
def test_no_transaction_is_held_while_a_delivery_waits_on_the_network(app, open_workspace, escalate,
                                                                     clock, kind):
    """A slow receiver (up to the 10 s timeout) must not hold SQLite's one write
    turn, nor a PostgreSQL transaction, from the rest of the server."""
    with webhook_receiver(hold=True) as receiver, smtp_server() as (mailbox, port):
        if kind == "webhook":
            configure_support(open_workspace, webhooks=[receiver.url])
            in_flight = receiver.arrived
        else:
            app.config["GUIDE_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
            configure_support(open_workspace, email={"to": ["help@acme.test"], "from": None,
                                                     "events": ["escalation.created"]})
            mailbox.hold, in_flight = True, mailbox.arrived
        escalate()
        db.session.remove()
        outcome: list[int] = []

        def deliver() -> None:
            with app.app_context():
                outcome.append(worker.process_due("slow", clock=clock))
                db.session.remove()

        thread = threading.Thread(target=deliver)
        thread.start()
        try:
            assert in_flight.wait(15), "the delivery never reached the receiver"
            held = _write_blocked_or_transaction_held(app)
        finally:
            receiver.release.set()
            mailbox.release.set()
            thread.join(30)
        assert held is None, held
        assert outcome == [1] and messages()[0].status == "delivered"
