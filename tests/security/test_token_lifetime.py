"""Tokens do not outlive their purpose: identity tokens valid for longer than the
workspace's identity_token_max_age (24 h by default) are refused, and an open socket
stops acting, and is disconnected, when its socket token expires."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from guide.content.loader import load_file
from guide.demo.embed import sign_identity
from guide.demo.users import USERS
from guide.extensions import db
from guide.models import Event, Progress
from guide.realtime import expiry
from guide.schemas.content import WorkspaceFileSchema
from tests import factories

NS = "/widget"
YEAR = 365 * 86400


@pytest.fixture
def ws(app):
    ws = factories.make_workspace(key="strict", require_identity=True)
    factories.publish(ws, factories.checklist_body())
    return ws


def identify(client, ws, token):
    return factories.bootstrap(client, ws, "ada", token=token)


def signed(ws, **claims) -> str:
    return jwt.encode({"sub": "ada", **claims}, ws.signing_secrets[0], algorithm="HS256")


def test_a_ten_year_identity_token_is_refused_naming_the_limit(client, ws):
    response = identify(client, ws, factories.sign(ws, "ada", ttl=10 * YEAR))
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "identity_invalid"
    assert "3650 days" in error["message"] and "at most 24 hours" in error["message"]
    assert "identity_token_max_age" in error["message"]


def test_a_token_of_24_hours_is_accepted(client, ws):
    assert identify(client, ws, factories.sign(ws, "ada", ttl=86400)).status_code == 200


def test_without_iat_the_lifetime_counts_from_now(client, ws):
    now = int(time.time())
    assert identify(client, ws, signed(ws, exp=now + 10 * YEAR)).status_code == 401
    assert identify(client, ws, signed(ws, exp=now + 3600)).status_code == 200


def test_an_iat_in_the_future_cannot_shorten_the_count(client, ws):
    far = int(time.time()) + 10 * YEAR
    assert identify(client, ws, signed(ws, iat=far - 60, exp=far)).status_code == 401


def test_an_exp_beyond_any_date_is_a_401_not_a_500(client, ws):
    response = identify(client, ws, signed(ws, exp=10**400))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "identity_invalid"


def test_the_workspace_setting_is_honoured(client, ws):
    ws.identity_token_max_age = 3600
    db.session.commit()
    assert identify(client, ws, factories.sign(ws, "ada", ttl=7200)).status_code == 401
    assert identify(client, ws, factories.sign(ws, "ada", ttl=3600)).status_code == 200


def test_workspace_yaml_sets_the_limit_within_bounds(tmp_path):
    path = tmp_path / "workspace.yaml"
    path.write_text("key: acme\nname: Acme\n", encoding="utf-8")
    assert load_file(path, WorkspaceFileSchema())[0]["identity_token_max_age"] == 86400
    path.write_text("key: acme\nname: Acme\nidentity_token_max_age: 3600\n", encoding="utf-8")
    assert load_file(path, WorkspaceFileSchema())[0]["identity_token_max_age"] == 3600
    for bad in ("10", "99999999", "a day"):
        path.write_text(f"key: acme\nname: Acme\nidentity_token_max_age: {bad}\n",
                        encoding="utf-8")
        data, _, errors = load_file(path, WorkspaceFileSchema())
        assert data is None and any("identity_token_max_age" in str(e) for e in errors), bad


def test_the_demo_backend_signs_tokens_within_the_default_limit():
    claims = jwt.decode(sign_identity("s" * 32, USERS[0]), "s" * 32, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] <= 86400


@pytest.fixture
def connected(client, open_workspace, socket_client):
    token = factories.socket_token(client, open_workspace, "ada")
    sock = socket_client(token)
    assert sock.is_connected(NS), sock.connect_error
    return sock


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_a_socket_acting_after_its_token_expired_is_refused_and_disconnected(
        app, connected, monkeypatch):
    ttl = app.config["GUIDE_SOCKET_TOKEN_TTL"]
    monkeypatch.setattr(expiry, "now", lambda: time.time() + ttl + 1)
    for event, data in [("step:complete", {"id": str(uuid.uuid4()), "guide": "onboarding",
                                           "step": "hello"}),
                        ("picker:selected", {"token": "x", "selector": "#a"})]:
        ack = connected.emit(event, data, namespace=NS, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "socket_token_expired", ack
    assert wait_until(lambda: not connected.is_connected(NS))
    db.session.expire_all()
    assert db.session.scalars(db.select(Progress)).all() == []
    assert db.session.scalars(db.select(Event).where(Event.type != "offer")).all() == []


def test_a_socket_acts_normally_until_its_token_expires(app, connected):
    ack = connected.emit("event:track", {"id": str(uuid.uuid4()), "name": "opened"},
                         namespace=NS, callback=True)
    assert ack["ok"] is True, ack
    assert expiry.sweep(time.time()) == 0 and connected.is_connected(NS)


def test_an_idle_socket_is_disconnected_when_its_token_expires(app, connected):
    ttl = app.config["GUIDE_SOCKET_TOKEN_TTL"]
    assert expiry.sweep(time.time() + ttl + 1) == 1
    assert not connected.is_connected(NS)


def test_the_expiry_task_ends_idle_sockets_by_itself(app, client, open_workspace, socket_client):
    """No event needed: the one task per process disconnects the socket at its deadline."""
    app.config["GUIDE_SOCKET_TOKEN_TTL"] = 1
    sock = socket_client(factories.socket_token(client, open_workspace, "ada"))
    assert sock.is_connected(NS), sock.connect_error
    assert wait_until(lambda: not sock.is_connected(NS), timeout=expiry.MAX_SLEEP + 2)


def test_the_http_batch_refuses_an_expired_socket_token_on_every_request(
        app, client, open_workspace):
    app.config["GUIDE_SOCKET_TOKEN_TTL"] = -60
    token = factories.socket_token(client, open_workspace, "ada")
    envelope = {"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "opened"}}
    response = client.post("/api/v1/widget/events", json={"envelopes": [envelope]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "socket_token_expired"
