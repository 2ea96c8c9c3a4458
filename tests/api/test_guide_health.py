"""GET /api/v1/guides/health: broken tour targets reported by widgets, behind a secret key."""

from __future__ import annotations

import uuid

import pytest

from guide.extensions import db
from tests import factories


@pytest.fixture
def ws(app):
    ws = factories.make_workspace(key="health", require_identity=False)
    factories.publish(ws, {"key": "tour", "kind": "tour", "title": "Tour",
                           "steps": [{"id": "one", "title": "One", "target": "#gone"},
                                     {"id": "two", "title": "Two", "target": "#fine"}]})
    return ws


@pytest.fixture
def api_key(ws):
    key = ws.create_api_key()
    db.session.commit()
    return key


def report_missing(client, ws, user, step, selector, url):
    token = factories.socket_token(client, ws, user)
    envelope = {"id": str(uuid.uuid4()), "name": "$target_missing", "url": url,
                "props": {"guide": "tour", "step": step, "selector": selector}}
    response = client.post("/api/v1/widget/events", json={"envelopes": [
        {"type": "event:track", "data": envelope}]}, headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["results"][0]["ok"]


def health(client, key, **query):
    return client.get("/api/v1/guides/health", query_string=query,
                      headers={"Authorization": f"Bearer {key}"})


def test_missing_targets_are_grouped_counted_and_located(client, ws, api_key):
    report_missing(client, ws, "ada", "one", "#gone", "/app/dashboard")
    report_missing(client, ws, "ada", "one", "#gone", "/app/reports")
    report_missing(client, ws, "bob", "one", "#gone", "/app/dashboard")
    report_missing(client, ws, "bob", "two", "#old", "/app")
    response = health(client, api_key)
    assert response.status_code == 200
    first, second = response.get_json()["missing_targets"]
    assert (first["guide"], first["step"], first["selector"]) == ("tour", "one", "#gone")
    assert (first["count"], first["users"]) == (3, 2)
    assert sorted(first["pages"]) == ["/app/dashboard", "/app/reports"]
    assert first["in_published_version"] is True and first["last_seen"]
    # Step two now points at another selector: the old report is flagged as stale.
    assert (second["selector"], second["current_selector"]) == ("#old", "#fine")
    assert second["in_published_version"] is False


def test_health_needs_a_valid_secret_key_of_that_workspace(client, ws, api_key):
    other = factories.make_workspace(key="other")
    other_key = other.create_api_key()
    db.session.commit()
    for key in ("", "gsk_health.wrong", api_key + "x", "not-a-key", other_key.replace("other", "health")):
        response = health(client, key)
        assert response.status_code == 401, key
        assert response.get_json()["error"]["code"] == "api_key_invalid"
    assert health(client, other_key).get_json() == {"missing_targets": []}


def test_bad_query_is_400(client, api_key):
    response = health(client, api_key, days=0)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_payload"


def test_api_key_cli_prints_a_key_that_works_and_can_revoke(client, ws, runner):
    first = runner.invoke(args=["guide", "workspace", "api-key", "health"]).output.strip()
    assert first.startswith("gsk_health.")
    assert health(client, first).status_code == 200
    second = runner.invoke(args=["guide", "workspace", "api-key", "health", "--revoke-all"]).output.strip()
    db.session.expire_all()
    assert health(client, first).status_code == 401
    assert health(client, second).status_code == 200
