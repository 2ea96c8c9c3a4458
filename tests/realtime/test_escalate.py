"""help:escalate: recorded once with a server-made context, deliveries queued, acked after commit."""

from __future__ import annotations

import re
import uuid

import pytest

from guide.extensions import db
from guide.models import Escalation, Event, OutboxMessage
from tests import factories
from tests.support_helpers import configure_support, escalate_http, escalate_payload

NS = "/widget"


@pytest.fixture
def sock(app, client, open_workspace):
    from guide.extensions import socketio
    from tests.socket_client import WidgetTestClient

    # The context test sends 25 envelopes in a row, faster than the default socket limit.
    app.config["GUIDE_RATE_LIMITS"] = False
    token = factories.socket_token(client, open_workspace, "ada", traits={"plan": "trial"},
                                   account={"id": "acme", "traits": {"seats": 3}}, locale="fr-FR")
    connection = WidgetTestClient(app, socketio, namespace=NS, auth={"token": token},
                                  headers={"User-Agent": "Mozilla/5.0 (Test) Chrome/140"})
    assert connection.is_connected(NS), connection.connect_error
    yield connection
    connection.disconnect(NS)


def ack(sock, event: str, payload: dict) -> dict:
    result = sock.emit(event, payload, namespace=NS, callback=True)
    assert isinstance(result, dict), result
    return result


def counts() -> tuple[int, int, int]:
    """Escalations, recorded envelopes (not bootstrap's offers) and outbox messages."""
    db.session.expire_all()
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))  # type: ignore[return-value]
                 for model, where in ((Escalation, ()), (Event, (Event.type != "offer",)),
                                      (OutboxMessage, ())))


def test_escalation_is_acked_with_a_reference_and_queues_every_delivery(app, sock, open_workspace):
    app.config["GUIDE_SMTP_URL"] = "smtp://127.0.0.1:1"
    configure_support(open_workspace, webhooks=["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"],
                      email={"to": ["help@acme.test"], "from": None, "events": ["escalation.created"]})
    result = ack(sock, "help:escalate", escalate_payload(guide="onboarding", step="connect",
                                                         url="/settings/db"))
    assert result["ok"] is True and result["duplicate"] is False
    assert re.fullmatch(r"ESC-[2-9A-HJKMNP-TV-Z]{6}", result["reference"])
    assert result["status"] == "open"
    row = db.session.scalars(db.select(Escalation)).one()
    assert (row.reference, row.status, row.guide_key, row.step_id, row.url) == (
        result["reference"], "open", "onboarding", "connect", "/settings/db")
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.target, m.status) for m in messages] == [
        ("webhook", "http://127.0.0.1:9/a", "pending"), ("webhook", "http://127.0.0.1:9/b", "pending"),
        ("email", "help@acme.test", "pending")]
    assert all(m.payload["data"]["escalation"]["reference"] == row.reference for m in messages)
    assert len({m.message_id for m in messages}) == 3


def test_the_context_snapshot_is_assembled_on_the_server(sock, open_workspace):
    ack(sock, "step:complete", {"id": str(uuid.uuid4()), "guide": "onboarding", "step": "hello"})
    for n in range(22):
        ack(sock, "event:track", {"id": str(uuid.uuid4()), "name": f"clicked_{n}", "url": "/x"})
    ack(sock, "event:track", {"id": str(uuid.uuid4()), "name": "$target_missing", "url": "/app",
                              "props": {"guide": "tour", "step": "one", "selector": "#gone"}})
    result = ack(sock, "help:escalate", escalate_payload(url="/settings/db", article="db-help"))
    context = db.session.scalars(db.select(Escalation)).one().context
    assert result["ok"]
    assert context["user"]["id"] == "ada" and context["user"]["traits"]["plan"] == "trial"
    assert context["account"] == {"id": "acme", "traits": {"seats": 3}}
    assert context["url"] == "/settings/db" and context["locale"] == "fr-FR"
    assert context["article"] == "db-help"
    assert context["user_agent"] == "Mozilla/5.0 (Test) Chrome/140"  # the socket's handshake
    # No guide named: the one the user is active on, with its current step.
    assert context["guide"]["key"] == "onboarding" and context["guide"]["step"]["id"] == "connect"
    assert context["progress"]["onboarding"]["completed"] == ["hello"]
    assert len(context["recent_events"]) == 20
    assert context["recent_events"][0]["name"] == "$target_missing"
    assert [e["props"]["selector"] for e in context["target_missing"]] == ["#gone"]


def test_the_recent_events_leave_out_bootstraps_offers(sock):
    ack(sock, "event:track", {"id": str(uuid.uuid4()), "name": "clicked", "url": "/x"})
    assert ack(sock, "help:escalate", escalate_payload())["ok"]
    context = db.session.scalars(db.select(Escalation)).one().context
    assert db.session.scalars(db.select(Event.name).where(Event.type == "offer")).all() == [
        "onboarding"]
    assert "offer" not in {e["type"] for e in context["recent_events"]}
    assert "clicked" in {e["name"] for e in context["recent_events"]}


def test_client_sent_context_is_not_trusted(sock):
    payload = escalate_payload()
    payload["user"] = {"id": "someone-else"}
    result = ack(sock, "help:escalate", payload)
    assert result["ok"] is False and result["error"]["code"] == "invalid_payload"
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("fields, code", [
    ({"message": ""}, "invalid_payload"),
    ({"message": "   \n "}, "invalid_payload"),
    ({"message": "x" * 5001}, "invalid_payload"),
    ({"severity": "urgent"}, "invalid_payload"),
    ({"step": "connect"}, "invalid_payload"),            # a step needs its guide
    # A guide or step not published is no refusal: tests/security/test_envelope_outcomes.py
])
def test_bad_escalations_are_refused_and_write_nothing(app, sock, open_workspace, fields, code):
    configure_support(open_workspace, webhooks=["http://127.0.0.1:9/a"])
    result = ack(sock, "help:escalate", escalate_payload(**fields))
    assert result["ok"] is False and result["error"]["code"] == code, result
    assert counts() == (0, 0, 0)


def test_a_5000_character_message_is_fine(sock):
    assert ack(sock, "help:escalate", escalate_payload(message="x" * 5000))["ok"] is True


def test_a_replayed_escalation_returns_the_same_reference_and_writes_nothing(sock, open_workspace):
    configure_support(open_workspace, webhooks=["http://127.0.0.1:9/a"])
    payload = escalate_payload()
    first = ack(sock, "help:escalate", payload)
    again = ack(sock, "help:escalate", payload)
    assert again["duplicate"] is True and again["reference"] == first["reference"]
    assert counts() == (1, 1, 1)


def test_the_http_batch_path_escalates_too_with_its_user_agent(client, open_workspace):
    open_workspace.support_url = "https://desk.example/new?ref={reference}&s={summary}"
    db.session.commit()
    token = factories.socket_token(client, open_workspace, "bob")
    result = escalate_http(client, token, {"User-Agent": "Firefox/140"},
                           message="Export fails\nsecond line")
    assert result["ok"] is True
    assert result["support_url"] == (
        f"https://desk.example/new?ref={result['reference']}&s=Export%20fails")
    assert db.session.scalars(db.select(Escalation)).one().context["user_agent"] == "Firefox/140"
