"""The per-user envelope rate limit with retry_after, and the Prometheus metrics it all feeds."""

from __future__ import annotations

import uuid

import pytest

from guide.extensions import db
from guide.models import Event
from tests import factories

NS = "/widget"


@pytest.fixture
def sock(app, client, open_workspace, socket_client):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "5/minute"
    return socket_client(factories.socket_token(client, open_workspace, "flood"))


def track(sock, name="tick"):
    return sock.emit("event:track", {"id": str(uuid.uuid4()), "name": name}, namespace=NS,
                     callback=True)


def test_a_flood_gets_negative_acks_with_retry_after_and_writes_nothing_more(sock):
    acks = [track(sock) for _ in range(8)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    error = acks[-1]["error"]
    assert error["code"] == "rate_limited" and 0 < error["retry_after"] <= 60
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 5


def test_another_user_has_a_budget_of_their_own(sock, client, open_workspace, socket_client):
    for _ in range(6):
        track(sock)
    other = socket_client(factories.socket_token(client, open_workspace, "calm"))
    assert track(other)["ok"] is True


def test_metrics_count_connections_envelopes_and_ack_latency(app, sock, client):
    app.config["GUIDE_METRICS_ALLOW_FROM"] = ["127.0.0.1"]  # the test client's address
    track(sock)
    sock.emit("step:complete", {"id": "bad"}, namespace=NS, callback=True)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'guide_envelopes_total{outcome="ok",type="event:track"}' in text
    assert 'guide_envelopes_total{outcome="invalid_payload",type="step:complete"}' in text
    assert 'guide_ack_latency_seconds_bucket{le="0.5",type="event:track"}' in text
    assert "guide_outbox_backlog 0.0" in text
    connections = float(text.split("\nguide_socket_connections ")[1].split("\n")[0])
    assert connections >= 1
    sock.disconnect(NS)
    text = client.get("/metrics").get_data(as_text=True)
    assert float(text.split("\nguide_socket_connections ")[1].split("\n")[0]) == connections - 1
