"""Socket.IO /widget: connect auth, acks after commit, idempotency, pushes, bad payloads."""

from __future__ import annotations

import uuid

import pytest

from guide.extensions import db
from guide.models import AccountStepCompletion, Event, Progress, UserMilestone
from tests import factories

NS = "/widget"


def eid() -> str:
    return str(uuid.uuid4())


def ack(client, event: str, payload) -> dict:
    result = client.emit(event, payload, namespace=NS, callback=True)
    assert isinstance(result, dict), result
    return result


def pushes(client, name: str = "progress") -> list[dict]:
    return [m["args"][0] for m in client.get_received(NS) if m["name"] == name]


@pytest.fixture
def connect(client, open_workspace, socket_client):
    def _connect(user_id: str = "ada", **body):
        token = factories.socket_token(client, open_workspace, user_id, **body)
        sock = socket_client(token)
        assert sock.is_connected(NS), sock.connect_error
        return sock
    return _connect


@pytest.mark.parametrize("token, code", [
    (None, "socket_token_missing"),
    ("garbage", "socket_token_invalid"),
])
def test_connect_without_a_valid_token_is_refused(socket_client, app, token, code):
    sock = socket_client(token)
    assert not sock.is_connected(NS)
    assert sock.connect_error["data"]["code"] == code  # type: ignore[index]


def test_expired_socket_token_is_refused_with_its_reason(socket_client, app, client, open_workspace):
    app.config["GUIDE_SOCKET_TOKEN_TTL"] = -60
    token = factories.socket_token(client, open_workspace)
    sock = socket_client(token)
    assert not sock.is_connected(NS)
    assert sock.connect_error["data"]["code"] == "socket_token_expired"


def test_connect_from_an_origin_the_workspace_does_not_allow_is_refused(app, client, socket_client):
    ws = factories.make_workspace(allowed_origins=["https://app.acme.com"])
    token = factories.socket_token(client, ws, origin="https://app.acme.com")
    assert socket_client(token, origin="https://app.acme.com").is_connected(NS)
    refused = socket_client(token, origin="https://evil.example")
    assert not refused.is_connected(NS)
    assert refused.connect_error["data"]["code"] == "origin_not_allowed"


def test_step_complete_is_acked_with_progress_and_persisted(connect):
    sock = connect()
    result = ack(sock, "step:complete", {"id": (i := eid()), "guide": "onboarding", "step": "hello"})
    assert result["ok"] is True and result["id"] == i and result["duplicate"] is False
    assert result["completed"] == [{"guide": "onboarding", "step": "hello"}]
    progress = result["progress"]["onboarding"]
    assert progress["completed"] == ["hello"] and progress["state"] == "active"
    assert progress["step"] == "connect" and progress["total"] == 4
    db.session.expire_all()
    row = db.session.scalars(db.select(Progress)).one()
    assert row.completed_steps == ["hello"]


def test_replaying_an_envelope_returns_the_original_result_and_writes_nothing(connect):
    sock = connect()
    envelope = {"id": eid(), "guide": "onboarding", "step": "hello"}
    first = ack(sock, "step:complete", envelope)
    again = ack(sock, "step:complete", {**envelope, "at": "2026-01-01T00:00:00Z"})
    assert again["duplicate"] is True
    assert {**again, "duplicate": False} == first
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type == "step:complete")) == 1


def test_reusing_an_id_for_another_envelope_is_a_conflict(connect):
    sock = connect()
    envelope = {"id": eid(), "guide": "onboarding", "step": "hello"}
    ack(sock, "step:complete", envelope)
    result = ack(sock, "step:complete", {**envelope, "step": "team"})
    assert result["ok"] is False and result["error"]["code"] == "id_conflict"
    db.session.expire_all()
    assert db.session.scalar(db.select(Progress)).completed_steps == ["hello"]


@pytest.mark.parametrize("payload, code", [
    ({"guide": "nope", "step": "hello"}, "unknown_guide"),
    ({"guide": "onboarding", "step": "nope"}, "unknown_step"),
    ({"guide": "onboarding", "step": "connect"}, "step_not_manual"),
])
def test_unknown_or_wrong_steps_get_a_negative_ack_and_write_nothing(connect, payload, code):
    sock = connect()
    result = ack(sock, "step:complete", {"id": eid(), **payload})
    assert result == {"ok": False, "error": result["error"]}
    assert result["error"]["code"] == code and result["error"]["message"]
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 0
    assert db.session.scalar(db.select(db.func.count(Progress.id))) == 0


@pytest.mark.parametrize("payload", [
    None, "hello", 42, [], {},
    {"id": "short", "guide": "onboarding", "step": "hello"},
    {"id": eid(), "guide": 5, "step": "hello"},
    {"id": eid(), "guide": "onboarding", "step": "hello", "extra": 1},
    {"id": eid(), "guide": "onboarding", "step": "hello", "at": "yesterday"},
    {"id": eid(), "guide": "../../etc", "step": "hello"},
])
def test_malformed_envelopes_get_invalid_payload_and_the_socket_keeps_working(connect, payload):
    sock = connect()
    result = ack(sock, "step:complete", payload)
    assert result["ok"] is False and result["error"]["code"] == "invalid_payload"
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 0
    good = ack(sock, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    assert good["ok"] is True


def test_tracked_event_completes_the_matching_step(connect):
    sock = connect()
    result = ack(sock, "event:track", {"id": eid(), "name": "connected", "props": {"source": "pg"}})
    assert result["completed"] == [{"guide": "onboarding", "step": "connect"}]
    event = db.session.scalars(db.select(Event).where(Event.type == "event:track")).one()
    assert event.name == "connected" and event.props == {"source": "pg"}


def test_page_view_completes_a_url_step_only_on_a_matching_page(connect):
    sock = connect()
    miss = ack(sock, "event:track", {"id": eid(), "name": "$page", "url": "/billing"})
    assert miss["ok"] and miss["completed"] == []
    hit = ack(sock, "event:track", {"id": eid(), "name": "$page", "url": "/settings/profile?x=1"})
    assert hit["completed"] == [{"guide": "onboarding", "step": "visit"}]


def test_other_tabs_of_the_user_get_a_progress_push_but_not_the_sender(connect):
    tab1, tab2 = connect(), connect()
    other_user = connect("grace")
    for sock in (tab1, tab2, other_user):
        sock.get_received(NS)
    ack(tab1, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    [push] = pushes(tab2)
    assert push["progress"]["onboarding"]["completed"] == ["hello"]
    assert pushes(tab1) == [] and pushes(other_user) == []


def test_a_user_with_one_tab_costs_no_progress_packet_but_a_second_tab_gets_it(
        connect, monkeypatch):
    from guide.services import push

    sent: list[str] = []
    emit = push.socketio.emit
    monkeypatch.setattr(push.socketio, "emit",
                        lambda event, *a, **kw: (sent.append(event), emit(event, *a, **kw)))
    tab1 = connect()
    ack(tab1, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    assert sent == []  # the room holds only the sender: nothing to encode
    tab2 = connect()
    tab2.get_received(NS)
    ack(tab1, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    assert sent == ["progress"] and len(pushes(tab2)) == 1


def test_with_a_message_queue_the_progress_push_is_always_published(app, monkeypatch):
    """Other processes may hold the user's other tabs: only they know."""
    import socketio

    from guide.extensions import socketio as flask_socketio
    from guide.services import push

    class Queue(socketio.Manager):  # stands for the Redis/Kombu managers (PubSubManager)
        pass

    monkeypatch.setattr(flask_socketio.server, "manager", Queue())
    assert push._nobody_else("user:1", "sid-1") is False


def test_account_step_counts_for_teammates_and_reaches_them_live(connect):
    ada = connect("ada", account={"id": "acme", "traits": {}})
    grace = connect("grace", account={"id": "acme", "traits": {}})
    outsider = connect("alan", account={"id": "other", "traits": {}})
    grace.get_received(NS)
    outsider.get_received(NS)
    result = ack(ada, "step:complete", {"id": eid(), "guide": "onboarding", "step": "team"})
    assert result["progress"]["onboarding"]["completed"] == ["team"]
    [push] = pushes(grace)
    assert push["progress"]["onboarding"]["completed"] == ["team"]
    assert pushes(outsider) == []
    assert db.session.scalar(db.select(db.func.count(AccountStepCompletion.id))) == 1
    # Grace completing the shared step again changes nothing.
    again = ack(grace, "step:complete", {"id": eid(), "guide": "onboarding", "step": "team"})
    assert again["completed"] == []


def test_completing_every_step_completes_the_guide_and_records_the_milestone(connect):
    sock = connect()
    ack(sock, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    ack(sock, "event:track", {"id": eid(), "name": "connected"})
    ack(sock, "event:track", {"id": eid(), "name": "$page", "url": "/settings/a"})
    last = ack(sock, "step:complete", {"id": eid(), "guide": "onboarding", "step": "team"})
    progress = last["progress"]["onboarding"]
    assert progress["state"] == "completed" and progress["completed_at"]
    assert progress["completed"] == ["hello", "connect", "visit", "team"]
    milestone = db.session.scalars(db.select(UserMilestone)).one()
    assert (milestone.key, milestone.source) == ("onboarded", "guide:onboarding")
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type == "milestone")) == 1


def test_guide_state_dismiss_and_current_step(connect):
    sock = connect()
    result = ack(sock, "guide:state", {"id": eid(), "guide": "onboarding", "state": "dismissed",
                                       "step": "visit"})
    assert result["progress"]["onboarding"]["state"] == "dismissed"
    assert result["progress"]["onboarding"]["step"] == "visit"
    bad = ack(sock, "guide:state", {"id": eid(), "guide": "onboarding", "state": "completed"})
    assert bad["error"]["code"] == "invalid_state"  # checklists complete through their steps
    unknown = ack(sock, "guide:state", {"id": eid(), "guide": "onboarding", "state": "exploded"})
    assert unknown["error"]["code"] == "invalid_payload"


def test_progress_survives_into_the_next_bootstrap(connect, client, open_workspace):
    sock = connect()
    ack(sock, "step:complete", {"id": eid(), "guide": "onboarding", "step": "hello"})
    data = factories.bootstrap(client, open_workspace, "ada").get_json()
    assert data["progress"]["onboarding"]["completed"] == ["hello"]
