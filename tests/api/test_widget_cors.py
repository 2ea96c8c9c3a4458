"""CORS on every widget API response: errors readable by any requesting origin, data only
by the accepted one, preflights answered for any origin (docs/PROTOCOL.md, "Cross-origin")."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.exceptions import TooManyRequests

from guide.api import widget as widget_api
from tests import factories

ALLOWED = "https://app.acme.com"
STRANGER = "https://evil.example"
ORIGINS = [ALLOWED, STRANGER]


@pytest.fixture
def ws(app) -> Any:
    """Identity enforced, one allowed origin."""
    return factories.make_workspace(allowed_origins=[ALLOWED], require_identity=True)


def assert_readable_by(response: Any, origin: str, status: int, code: str) -> None:
    """The error reached ``origin`` with its code: the header echoes it, and nothing else."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def events(client: Any, origin: str, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/widget/events", json=body, headers={"Origin": origin, **headers})


def test_identity_errors_reach_the_allowed_origin(client, ws):
    """The origin is checked first, so only an allowed origin gets this far."""
    bad_signature = factories.sign(ws, "ada", secret="not-the-workspace-secret-0123456789")
    assert_readable_by(factories.bootstrap(client, ws, "ada", token=bad_signature, origin=ALLOWED),
                       ALLOWED, 401, "identity_invalid")
    assert_readable_by(factories.bootstrap(client, ws, "ada", token=None, origin=ALLOWED),
                       ALLOWED, 401, "identity_required")


@pytest.mark.parametrize("origin", ORIGINS)
def test_bootstrap_errors_reach_any_requesting_origin(client, ws, origin):
    assert_readable_by(client.post("/api/v1/widget/bootstrap", json={"app": "nope", "user": {"id": "u"}},
                                   headers={"Origin": origin}), origin, 404, "unknown_app")
    # webargs validation (flask-smorest's 422, turned into the one 400 shape by guide/errors.py)
    assert_readable_by(client.post("/api/v1/widget/bootstrap", json={"app": ws.key},
                                   headers={"Origin": origin}), origin, 400, "invalid_payload")


def test_origin_not_allowed_is_readable_by_the_refused_origin(client, ws):
    refused = factories.bootstrap(client, ws, "ada", origin=STRANGER)
    assert_readable_by(refused, STRANGER, 403, "origin_not_allowed")
    assert STRANGER in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("origin", ORIGINS)
def test_events_errors_reach_any_requesting_origin(client, app, ws, origin):
    app.config["GUIDE_SOCKET_TOKEN_TTL"] = -60
    expired = factories.socket_token(client, ws, "ada", origin=ALLOWED)
    envelope = {"type": "event:track", "data": {"id": "9d3c0b8e-6d0e-4c55-9f0e-2f1d7f3b6a11",
                                                "name": "x"}}
    assert_readable_by(events(client, origin, {"token": expired, "envelopes": [envelope]}),
                       origin, 401, "socket_token_expired")
    # A host's Array.prototype.toJSON turned the array into a string (issue 11).
    assert_readable_by(events(client, origin, {"token": expired, "envelopes": "[{}]"}),
                       origin, 400, "invalid_payload")
    assert_readable_by(events(client, origin, {"token": "x" * 70_000}),
                       origin, 413, "payload_too_large")


@pytest.mark.parametrize("origin", ORIGINS)
def test_help_errors_reach_any_requesting_origin(client, ws, origin):
    assert_readable_by(client.get("/api/v1/widget/help", headers={"Origin": origin}),
                       origin, 401, "socket_token_missing")
    token = factories.socket_token(client, ws, "ada", origin=ALLOWED)
    missing = client.get("/api/v1/widget/help/no-such-article",
                         headers={"Origin": origin, "Authorization": f"Bearer {token}"})
    if origin == ALLOWED:
        assert_readable_by(missing, origin, 404, "unknown_article")
    else:
        assert_readable_by(missing, origin, 403, "origin_not_allowed")


@pytest.mark.parametrize("origin", ORIGINS)
def test_routing_errors_under_the_widget_prefix_reach_the_origin(client, app, origin):
    """No blueprint matches these, so only an app-level hook can add the header."""
    assert_readable_by(client.get("/api/v1/widget/bootstrap", headers={"Origin": origin}),
                       origin, 405, "method_not_allowed")
    assert_readable_by(client.post("/api/v1/widget/nope", headers={"Origin": origin}),
                       origin, 404, "not_found")


@pytest.mark.parametrize("origin", ORIGINS)
def test_rate_limit_and_server_errors_reach_the_origin(client, ws, monkeypatch, origin):
    """Raised inside the view and answered by app-level error handlers."""
    def too_many(*_: Any) -> Any:
        raise TooManyRequests()

    monkeypatch.setattr(widget_api.bootstrap_service, "bootstrap", too_many)
    assert_readable_by(factories.bootstrap(client, ws, "ada", origin=origin),
                       origin, 429, "rate_limited")

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(widget_api.bootstrap_service, "bootstrap", broken)
    assert_readable_by(factories.bootstrap(client, ws, "ada", origin=origin),
                       origin, 500, "internal_error")


def test_success_is_readable_only_by_the_accepted_origin(client, ws):
    ok = factories.bootstrap(client, ws, "ada", origin=ALLOWED)
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in ok.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in ok.headers
    same_origin = factories.bootstrap(client, ws, "bob")  # no Origin header: nothing to echo
    assert same_origin.status_code == 200
    assert "Access-Control-Allow-Origin" not in same_origin.headers


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("path, method", [
    ("/api/v1/widget/bootstrap", "POST"),
    ("/api/v1/widget/events", "POST"),
    ("/api/v1/widget/help", "GET"),
    ("/api/v1/widget/help/some-article", "GET"),
])
def test_preflights_are_answered_for_any_origin(client, ws, origin, path, method):
    response = client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Methods"] == method
    assert {"Content-Type", "Authorization"} <= {
        h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_other_api_routes_are_left_alone(client, app):
    """The rule is for the widget API only; the backend API is not called from browsers."""
    response = client.get("/api/v1/openapi.json", headers={"Origin": STRANGER})
    assert "Access-Control-Allow-Origin" not in response.headers
