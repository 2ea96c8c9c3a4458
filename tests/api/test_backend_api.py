"""Backend events over REST: track, identify, group and batches, in Guide's and Segment's shapes."""

from __future__ import annotations

import base64

import pytest

from guide.extensions import db
from guide.models import Account, EndUser, Event, Progress, UserMilestone
from tests import factories

SEGMENT_EXTRAS = {
    "anonymousId": "anon-1", "context": {"ip": "1.2.3.4", "library": {"name": "analytics-node"}},
    "integrations": {"All": True}, "sentAt": "2026-11-28T10:00:01.000Z",
    "receivedAt": "2026-11-28T10:00:02.000Z", "originalTimestamp": "2026-11-28T10:00:00.000Z",
    "version": 2, "channel": "server",
}


@pytest.fixture
def key(workspace) -> str:
    """A secret key of the demo workspace (its content has getting-started)."""
    return new_key(workspace)


@pytest.fixture
def auth(key) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_key(ws) -> str:
    secret = ws.create_api_key()
    db.session.commit()
    return secret


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def tracked() -> int:
    """Events recorded from track calls (milestones and stages they reach are events too)."""
    return count(Event, Event.type == "event:track")


def user(external_id: str) -> EndUser:
    db.session.expire_all()
    return db.session.scalars(db.select(EndUser).where(EndUser.external_id == external_id)).one()


def segment_track(**fields) -> dict:
    return {"type": "track", "userId": "ada", "event": "integration_connected",
            "properties": {"source": "postgres"}, "messageId": "ajs-next-0123456789abcdef",
            "timestamp": "2026-11-28T10:00:00.000Z", **SEGMENT_EXTRAS, **fields}


def test_segment_track_completes_the_event_step_and_a_replay_writes_nothing(client, auth):
    response = client.post("/api/v1/track", json=segment_track(), headers=auth)
    assert response.status_code == 200, response.get_json()
    ack = response.get_json()
    assert ack["ok"] and ack["duplicate"] is False
    assert {"guide": "getting-started", "step": "connect-data"} in ack["completed"]
    assert "connect-data" in ack["progress"]["getting-started"]["completed"]
    event = db.session.scalars(db.select(Event).where(Event.type == "event:track")).one()
    assert (event.name, event.props, event.client_id) == (
        "integration_connected", {"source": "postgres"}, "ajs-next-0123456789abcdef")
    assert event.client_at.isoformat() == "2026-11-28T10:00:00+00:00"
    before = (count(Event), count(Progress))

    replay = client.post("/api/v1/track", json=segment_track(), headers=auth).get_json()
    assert replay["ok"] and replay["duplicate"] is True
    assert replay["completed"] == ack["completed"]
    assert (count(Event), count(Progress)) == before


def test_a_long_message_id_is_hashed_and_still_deduplicated(client, auth):
    message_id = "m" * 200
    first = client.post("/api/v1/track", json=segment_track(messageId=message_id), headers=auth)
    second = client.post("/api/v1/track", json=segment_track(messageId=message_id), headers=auth)
    assert first.get_json()["duplicate"] is False and second.get_json()["duplicate"] is True
    assert len(first.get_json()["id"]) == 32 and tracked() == 1


def test_guide_shaped_track_with_and_without_an_id(client, auth):
    call = {"user_id": "bob", "event": "dashboard_created", "props": {"charts": 2},
            "id": "evt-0001-bob", "at": "2026-11-28T09:00:00+01:00"}
    ack = client.post("/api/v1/track", json=call, headers=auth).get_json()
    assert ack["ok"] and ack["id"] == "evt-0001-bob"
    assert {"guide": "getting-started", "step": "create-dashboard"} in ack["completed"]
    # Without an id nothing can be de-duplicated: each call is recorded.
    bare = {"user_id": "bob", "event": "report_exported"}
    acks = [client.post("/api/v1/track", json=bare, headers=auth).get_json() for _ in range(2)]
    assert [a["duplicate"] for a in acks] == [False, False] and acks[0]["id"] != acks[1]["id"]
    assert tracked() == 3


def test_an_id_reused_for_another_event_is_a_409(client, auth):
    client.post("/api/v1/track", json=segment_track(), headers=auth)
    response = client.post("/api/v1/track", json=segment_track(event="other"), headers=auth)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "id_conflict"


def test_identify_creates_then_merges_traits(client, auth):
    call = {"user_id": "cy", "traits": {"plan": "trial", "role": "admin"},
            "account_id": "acme", "account_traits": {"seats": 5}, "locale": "fr-CA"}
    body = client.post("/api/v1/identify", json=call, headers=auth).get_json()
    assert body == {"ok": True, "user": {"id": "cy", "account": "acme", "stage": "signed_up",
                                         "traits": {"plan": "trial", "role": "admin"}}}
    assert user("cy").locale == "fr-CA"
    segment = {"type": "identify", "userId": "cy", "traits": {"plan": "pro"}, **SEGMENT_EXTRAS}
    body = client.post("/api/v1/identify", json=segment, headers=auth).get_json()
    assert body["user"]["traits"] == {"plan": "pro", "role": "admin"}
    assert body["user"]["account"] == "acme"  # identify without an account keeps it
    assert user("cy").locale == "fr-CA"
    # lifecycle.yaml's "paying" is a trait milestone: reached in identify's transaction.
    reached = db.session.scalars(db.select(UserMilestone).where(
        UserMilestone.user_id == user("cy").id)).all()
    assert [(m.key, m.source) for m in reached] == [("paying", "traits")]
    account = db.session.scalars(db.select(Account)).one()
    assert account.traits == {"seats": 5}


def test_numeric_segment_ids_are_read_as_strings(client, auth):
    body = client.post("/api/v1/group", json={"type": "group", "userId": 42, "groupId": 7},
                       headers=auth).get_json()
    assert body["user"]["id"] == "42" and body["user"]["account"] == "7"


def test_group_puts_the_user_in_the_account(client, auth):
    segment = {"type": "group", "userId": "dee", "groupId": "globex",
               "traits": {"name": "Globex", "plan": "enterprise"}, **SEGMENT_EXTRAS}
    body = client.post("/api/v1/group", json=segment, headers=auth).get_json()
    assert body["ok"] and body["user"]["account"] == "globex"
    account = db.session.scalars(db.select(Account).where(Account.external_id == "globex")).one()
    assert user("dee").account_id == account.id and account.traits["plan"] == "enterprise"
    moved = client.post("/api/v1/group", json={"user_id": "dee", "account_id": "initech"},
                        headers=auth).get_json()
    assert moved["user"]["account"] == "initech"


def test_batch_answers_each_call_in_order(client, auth):
    calls = [
        {"type": "identify", "userId": "gus", "traits": {"plan": "trial"}, **SEGMENT_EXTRAS},
        {"type": "group", "user_id": "gus", "account_id": "acme"},
        segment_track(userId="gus"),
        {"type": "track", "userId": "gus", "properties": {}},  # no event name
        {"type": "page", "userId": "gus", "name": "Home"},
        {"type": "track", "anonymousId": "anon-9", "event": "x"},
        {"type": "track", "user_id": "gus", "event": "dashboard_created", "id": "evt-gus-0001"},
    ]
    response = client.post("/api/v1/batch", json={"batch": calls, "sentAt": "x",
                                                  "context": {}}, headers=auth)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["ok"] for r in results] == [True, True, True, False, False, False, True]
    assert results[1]["user"] == {"id": "gus", "account": "acme", "stage": "signed_up",
                                  "traits": {"plan": "trial"}}
    assert {"guide": "getting-started", "step": "connect-data"} in results[2]["completed"]
    assert results[3]["error"]["code"] == "invalid_payload"
    assert "event" in results[3]["error"]["fields"]
    assert results[4]["error"]["code"] == "unsupported_type"
    assert results[5]["error"]["code"] == "user_required"
    assert {"guide": "getting-started", "step": "create-dashboard"} in results[6]["completed"]
    assert tracked() == 2 and user("gus").traits == {"plan": "trial"}


def test_a_call_failing_on_the_server_does_not_lose_the_rest_of_the_batch(
        client, auth, monkeypatch):
    from guide.usecases import backend

    def broken(workspace, call):
        raise RuntimeError("database went away")

    monkeypatch.setitem(backend.CALLS, "identify", broken)
    response = client.post("/api/v1/batch", json=[
        {"type": "identify", "user_id": "ivy"}, segment_track(userId="ivy")], headers=auth)
    first, second = response.get_json()["results"]
    assert response.status_code == 200 and first["error"]["code"] == "internal_error"
    assert second["ok"] and tracked() == 1


def test_batch_as_a_bare_array_and_its_limits(client, auth):
    one = {"type": "identify", "user_id": "hal"}
    assert client.post("/api/v1/batch", json=[one], headers=auth).status_code == 200
    for body in ({"batch": []}, {"batch": [one] * 101}, {}, {"batch": "x"}, {"batch": [1]},
                 {"batch": [one], "extra": 1}):
        response = client.post("/api/v1/batch", json=body, headers=auth)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == "invalid_payload"


def basic(key: str, password: str = "") -> dict[str, str]:
    token = base64.b64encode(f"{key}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_the_endpoints_need_the_workspace_secret_key(client, key):
    call = {"user_id": "ida", "traits": {}}
    for headers in ({}, {"Authorization": "Bearer gsk_demo.wrong"}, basic("gsk_demo.wrong"),
                    {"Authorization": "Basic !!!"}, {"Authorization": key}):
        for path in ("/api/v1/identify", "/api/v1/track", "/api/v1/group", "/api/v1/batch"):
            # Checked before the body: this body is wrong for three of the four paths.
            response = client.post(path, json=call, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.get_json()["error"]["code"] == "api_key_invalid"
    assert count(EndUser) == 0
    response = client.post("/api/v1/identify", json=call, headers=basic(key))
    assert response.status_code == 200 and response.get_json()["user"]["id"] == "ida"


def test_another_workspaces_key_writes_to_that_workspace_only(client, workspace):
    other = factories.make_workspace(key="other")
    other_key = new_key(other)
    response = client.post("/api/v1/identify", json={"user_id": "ida"},
                           headers={"Authorization": f"Bearer {other_key}"})
    assert response.status_code == 200
    assert [u.workspace_id for u in db.session.scalars(db.select(EndUser))] == [other.id]
    forged = other_key.replace("gsk_other.", "gsk_demo.")
    response = client.post("/api/v1/identify", json={"user_id": "ida"},
                           headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_call_with_only_an_anonymous_id_is_refused(client, auth):
    for path, call in (
        ("/api/v1/track", {"type": "track", "anonymousId": "anon-1", "event": "x"}),
        ("/api/v1/identify", {"type": "identify", "anonymousId": "anon-1", "traits": {"a": 1}}),
        ("/api/v1/group", {"anonymousId": "anon-1", "groupId": "acme"}),
    ):
        response = client.post(path, json=call, headers=auth)
        assert response.status_code == 400, path
        error = response.get_json()["error"]
        assert error["code"] == "user_required" and "anonymousId" in error["message"]
    assert count(EndUser) == 0


@pytest.mark.parametrize("body", [
    "not json", "[]", '"a string"', "null", '{"user_id": "x", "event": "e", "props": {"a": NaN}}',
    '{"user_id": "x", "event": "bad name!"}', '{"user_id": "", "event": "e"}',
    '{"user_id": "x", "event": "e", "unknown": 1}', '{"type": "identify", "userId": "x"}',
    '{"user_id": "x", "event": "e", "at": "yesterday"}',
    '{"user_id": "x", "event": "e", "props": {"k\\u0000": 1}}',
])
def test_garbage_bodies_are_400_never_500(client, auth, body):
    response = client.post("/api/v1/track", data=body, content_type="application/json",
                           headers=auth)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_payload"
    assert tracked() == 0


def test_too_many_props_and_oversized_bodies(client, auth, app):
    props = {f"k{i}": i for i in range(51)}
    response = client.post("/api/v1/track", json={"user_id": "x", "event": "e", "props": props},
                           headers=auth)
    assert response.status_code == 400 and "props" in response.get_json()["error"]["fields"]
    traits = {"blob": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post("/api/v1/identify", json={"user_id": "x", "traits": traits},
                           headers=auth)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert count(EndUser) == 0


def test_the_openapi_document_lists_the_backend_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/track", "/api/v1/identify", "/api/v1/group", "/api/v1/batch"):
        assert "post" in paths[path]
