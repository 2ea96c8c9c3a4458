"""POST /api/v1/widget/events: the HTTP path for the same envelopes."""

from __future__ import annotations

import uuid

from guide.extensions import db
from guide.models import Event
from tests import factories


def post(client, token, envelopes, header=True):
    headers = {"Authorization": f"Bearer {token}"} if header else {}
    body = {"envelopes": envelopes} if header else {"token": token, "envelopes": envelopes}
    return client.post("/api/v1/widget/events", json=body, headers=headers)


def test_batch_gives_one_result_per_envelope_in_order(client, open_workspace):
    token = factories.socket_token(client, open_workspace)
    done = {"id": str(uuid.uuid4()), "guide": "onboarding", "step": "hello"}
    response = post(client, token, [
        {"type": "step:complete", "data": done},
        {"type": "step:complete", "data": {"id": str(uuid.uuid4()), "guide": "x", "step": "y"}},
        {"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "connected"}},
        {"type": "step:complete", "data": done},
    ])
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["ok"] for r in results] == [True, False, True, True]
    assert results[1]["error"]["code"] == "unknown_guide"
    assert results[2]["completed"] == [{"guide": "onboarding", "step": "connect"}]
    assert results[3]["duplicate"] is True
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 2


def test_beacon_style_token_in_body_is_accepted(client, open_workspace):
    token = factories.socket_token(client, open_workspace)
    response = post(client, token, [{"type": "event:track",
                                     "data": {"id": str(uuid.uuid4()), "name": "x"}}], header=False)
    assert response.status_code == 200 and response.get_json()["results"][0]["ok"]


def test_batch_without_a_valid_token_is_401_and_writes_nothing(client, open_workspace):
    envelopes = [{"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "x"}}]
    for token in ("", "forged"):
        response = post(client, token, envelopes)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"].startswith("socket_token_")
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 0


def test_batch_shape_errors_are_400(client, open_workspace):
    token = factories.socket_token(client, open_workspace)
    for envelopes in ([], [{"type": "nope", "data": {}}], [{"type": "event:track"}],
                      [{"type": "event:track", "data": {}}] * 101):
        response = post(client, token, envelopes)
        assert response.status_code == 400, envelopes
        assert response.get_json()["error"]["code"] == "invalid_payload"


def test_sendbeacon_text_plain_json_is_accepted(client, open_workspace):
    import json

    token = factories.socket_token(client, open_workspace)
    body = json.dumps({"token": token, "envelopes": [
        {"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "left_page"}}]})
    response = client.post("/api/v1/widget/events", data=body, content_type="text/plain;charset=UTF-8")
    assert response.status_code == 200 and response.get_json()["results"][0]["ok"]
    garbage = client.post("/api/v1/widget/events", data="{nope", content_type="text/plain")
    assert garbage.status_code == 400
    assert garbage.get_json()["error"]["code"] == "invalid_payload"


def test_a_widget_without_a_socket_gets_its_waiting_nudges_once_when_it_asks(client, open_workspace):
    """A page whose CSP refuses WebSockets never connects: its batches carry the nudges."""
    from guide.models import EndUser, Nudge
    from guide.models.base import utcnow

    token = factories.socket_token(client, open_workspace)
    user = db.session.scalars(db.select(EndUser)).one()
    db.session.add(Nudge(workspace_id=open_workspace.id, user_id=user.id, created_at=utcnow(),
                         payload={"message": "Want a hand connecting your data?"}))
    db.session.commit()
    track = {"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "x"}}

    # A beacon (or any batch that does not ask) leaves the nudge waiting: nobody reads its answer.
    assert "nudges" not in post(client, token, [track]).get_json()
    asked = client.post("/api/v1/widget/events", json={"envelopes": [], "nudges": True},
                        headers={"Authorization": f"Bearer {token}"})
    assert asked.status_code == 200
    body = asked.get_json()
    assert body["results"] == []
    assert [n["message"] for n in body["nudges"]] == ["Want a hand connecting your data?"]
    assert isinstance(body["nudges"][0]["id"], int)
    assert db.session.scalars(db.select(Nudge)).one().delivered_at is not None
    again = client.post("/api/v1/widget/events", json={"envelopes": [], "nudges": True},
                        headers={"Authorization": f"Bearer {token}"})
    assert again.get_json()["nudges"] == []
