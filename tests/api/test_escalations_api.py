"""Support side over REST: list, read, acknowledge/resolve (webhook + nudge), user timelines."""

from __future__ import annotations

import pytest

from guide.extensions import db
from guide.models import Nudge, OutboxMessage
from tests import factories
from tests.support_helpers import configure_support, escalate_http

NS = "/widget"


@pytest.fixture
def api_key(open_workspace) -> dict[str, str]:
    key = open_workspace.create_api_key()
    db.session.commit()
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def escalate(client, open_workspace):
    def _escalate(user: str = "ada", locale: str | None = None, **fields) -> str:
        token = factories.socket_token(client, open_workspace, user, locale=locale)
        result = escalate_http(client, token, **fields)
        assert result["ok"], result
        return result["reference"]
    return _escalate


def test_the_api_needs_a_secret_key(client, open_workspace):
    for path in ("/api/v1/escalations", "/api/v1/escalations/ESC-222222",
                 "/api/v1/users/ada/timeline"):
        response = client.get(path, headers={"Authorization": "Bearer gsk_open.wrong"})
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "api_key_invalid"


def test_list_filter_and_read_one(client, api_key, escalate):
    first, second = escalate(message="First"), escalate(user="bob", message="Second")
    client.patch(f"/api/v1/escalations/{first}", json={"status": "resolved"}, headers=api_key)
    listed = client.get("/api/v1/escalations?status=open", headers=api_key).get_json()
    assert [e["reference"] for e in listed["escalations"]] == [second]
    everything = client.get("/api/v1/escalations", headers=api_key).get_json()["escalations"]
    assert [e["reference"] for e in everything] == [second, first]  # newest first
    one = client.get(f"/api/v1/escalations/{second.lower()}", headers=api_key).get_json()
    assert one["user"] == {"id": "bob"} and one["message"] == "Second"
    assert one["context"]["user"]["id"] == "bob" and "recent_events" in one["context"]
    missing = client.get("/api/v1/escalations/ESC-222222", headers=api_key)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_escalation"


def test_patch_records_history_and_queues_escalation_updated(client, api_key, escalate, open_workspace):
    configure_support(open_workspace, webhooks=["http://127.0.0.1:9/hook"])
    reference = escalate()
    response = client.patch(f"/api/v1/escalations/{reference}",
                            json={"status": "acknowledged", "note": "Looking now"}, headers=api_key)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "acknowledged"
    assert body["history"][0]["from"] == "open" and body["history"][0]["note"] == "Looking now"
    kinds = db.session.scalars(db.select(OutboxMessage.event_type).order_by(OutboxMessage.id)).all()
    assert kinds == ["escalation.created", "escalation.updated"]


@pytest.mark.parametrize("payload", [{"status": "open"}, {"status": "done"}, {}, {"status": "resolved", "x": 1}])
def test_patch_refuses_bad_input(client, api_key, escalate, payload):
    reference = escalate()
    response = client.patch(f"/api/v1/escalations/{reference}", json=payload, headers=api_key)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_payload"
    assert db.session.scalars(db.select(Nudge)).all() == []


def test_a_status_change_nudges_a_connected_user_at_once(client, api_key, escalate, open_workspace, socket_client):
    reference = escalate()
    sock = socket_client(factories.socket_token(client, open_workspace, "ada"))
    sock.get_received(NS)
    client.patch(f"/api/v1/escalations/{reference}", json={"status": "resolved"}, headers=api_key)
    nudges = [m["args"][0] for m in sock.get_received(NS) if m["name"] == "nudge"]
    assert len(nudges) == 1
    assert nudges[0]["reference"] == reference and nudges[0]["status"] == "resolved"
    assert nudges[0]["message"] == f"Your request {reference} has been resolved."
    db.session.expire_all()
    assert db.session.scalars(db.select(Nudge)).one().delivered_at is not None
    # Delivered live: the next connection does not get it again.
    again = socket_client(factories.socket_token(client, open_workspace, "ada"))
    assert [m for m in again.get_received(NS) if m["name"] == "nudge"] == []


def test_an_offline_user_gets_the_nudge_on_their_next_connect(client, api_key, escalate, open_workspace, socket_client):
    reference = escalate(user="carla", locale="fr")
    client.patch(f"/api/v1/escalations/{reference}", json={"status": "acknowledged"}, headers=api_key)
    client.patch(f"/api/v1/escalations/{reference}",
                 json={"status": "resolved", "note": "Fixed on our side"}, headers=api_key)
    assert [n.delivered_at for n in db.session.scalars(db.select(Nudge))] == [None, None]
    sock = socket_client(factories.socket_token(client, open_workspace, "carla"))
    nudges = [m["args"][0] for m in sock.get_received(NS) if m["name"] == "nudge"]
    assert [(n["status"], n["message"]) for n in nudges] == [
        ("acknowledged", f"Le support examine votre demande {reference}."),
        ("resolved", "Fixed on our side")]
    db.session.expire_all()
    assert all(n.delivered_at for n in db.session.scalars(db.select(Nudge)))
    later = socket_client(factories.socket_token(client, open_workspace, "carla"))
    assert [m for m in later.get_received(NS) if m["name"] == "nudge"] == []


def test_the_timeline_tells_one_users_story_in_order(client, api_key, escalate, open_workspace, socket_client):
    import uuid

    sock = socket_client(factories.socket_token(client, open_workspace, "ada",
                                                account={"id": "acme", "traits": {}}))
    sock.emit("step:complete", {"id": str(uuid.uuid4()), "guide": "onboarding", "step": "hello"},
              namespace=NS, callback=True)
    sock.emit("event:track", {"id": str(uuid.uuid4()), "name": "connected"}, namespace=NS, callback=True)
    reference = escalate(message="Stuck on visit")
    client.patch(f"/api/v1/escalations/{reference}", json={"status": "resolved"}, headers=api_key)
    body = client.get("/api/v1/users/ada/timeline", headers=api_key).get_json()
    assert body["user"]["id"] == "ada" and body["account"]["id"] == "acme"
    kinds = [item["kind"] for item in body["items"]]
    assert kinds.index("guide_started") <= kinds.index("escalation") < kinds.index("escalation_status")
    names = [item.get("name") for item in body["items"] if item["kind"] == "event"]
    assert names[:3] == ["onboarding/hello", "connected", "help:escalate"]
    # Bootstrap's offer is bookkeeping, not part of the user's story.
    assert "offer" not in {item.get("type") for item in body["items"]}
    assert [item["at"] for item in body["items"]] == sorted(item["at"] for item in body["items"])
    missing = client.get("/api/v1/users/nobody/timeline", headers=api_key)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_user"
