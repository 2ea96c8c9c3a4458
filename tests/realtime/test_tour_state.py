"""Tours on the server: resume, finish, dismiss, snooze, repeat, and checklist steps waiting for them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from guide.extensions import db
from guide.models import Guide, Progress, UserMilestone
from guide.models.base import utcnow
from tests import factories

NS = "/widget"


def tour_body(**overrides):
    body = {
        "key": "tour", "kind": "tour", "title": "Tour", "milestone": "toured",
        "start": {"url": "/app"},
        "steps": [{"id": "one", "title": "One", "target": "#a", "placement": "bottom"},
                  {"id": "two", "title": "Two", "advance_on": {"url": "/reports"}}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def ws(app):
    ws = factories.make_workspace(key="tours", require_identity=False)
    factories.publish(ws, tour_body())
    factories.publish(ws, factories.checklist_body(
        "with-tour", priority=1, milestone=None,
        steps=[{"id": "take", "title": "Take it", "complete_when": {"tour": "tour"},
                "action": {"label": "Take the tour", "tour": "tour"}, "scope": "user"},
               {"id": "other", "title": "Other", "complete_when": {"manual": True}, "scope": "user"}]))
    return ws


@pytest.fixture
def sock(client, ws, socket_client):
    return socket_client(factories.socket_token(client, ws, "ada"))


def state(sock, **payload):
    result = sock.emit("guide:state", {"id": str(uuid.uuid4()), "guide": "tour", **payload},
                       namespace=NS, callback=True)
    assert result["ok"], result
    return result


def tour_progress() -> Progress:
    db.session.expire_all()
    tour_id = db.select(Guide.id).where(Guide.key == "tour").scalar_subquery()
    return db.session.scalars(db.select(Progress).where(Progress.guide_id == tour_id)).one()


def bootstrap(client, ws):
    return factories.bootstrap(client, ws, "ada", url="/app").get_json()


def test_bootstrap_sends_tours_with_every_default_filled(client, ws):
    data = bootstrap(client, ws)
    tour = next(g for g in data["guides"] if g["key"] == "tour")
    assert (tour["start"], tour["repeat"], tour["snooze_days"]) == ({"url": "/app"}, "once", 1)
    one, two = tour["steps"]
    assert one == {"id": "one", "title": "One", "body_html": "", "target": "#a", "placement": "bottom",
                   "advance_on": {"type": "next"}, "page": None, "wait_ms": 5000,
                   "on_missing": "skip", "spotlight": True, "buttons": ["next", "dismiss"]}
    assert two["target"] is None and two["advance_on"] == {"type": "url", "url": "/reports"}
    assert two["buttons"] == ["back", "next", "dismiss"]
    checklist = next(g for g in data["guides"] if g["key"] == "with-tour")
    assert checklist["steps"][0]["action"] == {"label": "Take the tour", "tour": "tour"}
    assert checklist["steps"][0]["complete_when"] == {"type": "tour", "tour": "tour"}


def test_current_step_is_kept_for_resume(client, sock):
    state(sock, state="active", step="one")
    state(sock, state="active", step="two")
    progress = bootstrap(client, factories.workspace("tours"))["progress"]["tour"]
    assert (progress["state"], progress["step"]) == ("active", "two")
    row = tour_progress()
    assert row.shown_count == 1  # moving between steps is one showing


def test_finishing_the_tour_completes_waiting_checklist_steps_and_its_milestone(client, sock):
    state(sock, state="active", step="one")
    result = state(sock, state="completed", step="two")
    assert result["progress"]["tour"]["state"] == "completed"
    assert result["completed"] == [{"guide": "with-tour", "step": "take"}]
    assert result["progress"]["with-tour"]["completed"] == ["take"]
    assert [m.key for m in db.session.scalars(db.select(UserMilestone))] == ["toured"]
    again = state(sock, state="completed")
    assert again["completed"] == []  # finishing twice completes nothing new


def test_dismissed_tour_does_not_start_again_when_shown_once(client, sock):
    assert bootstrap(client, factories.workspace("tours"))["progress"] == {}
    state(sock, state="active", step="one")
    assert bootstrap(client, factories.workspace("tours"))["progress"]["tour"]["autostart"] is True
    state(sock, state="dismissed")
    progress = bootstrap(client, factories.workspace("tours"))["progress"]["tour"]
    assert (progress["state"], progress["autostart"]) == ("dismissed", False)


def test_snooze_hides_the_tour_until_its_time(client, sock):
    before = utcnow()
    result = state(sock, state="snoozed")
    progress = result["progress"]["tour"]
    assert progress["autostart"] is False
    row = tour_progress()
    assert before + timedelta(days=1) <= row.snoozed_until <= utcnow() + timedelta(days=1)
    row.snoozed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert bootstrap(client, factories.workspace("tours"))["progress"]["tour"]["autostart"] is True


def test_repeat_every_days_with_a_maximum(client, ws, socket_client):
    factories.publish(ws, tour_body(repeat={"every_days": 7, "max": 2}))
    sock = socket_client(factories.socket_token(client, ws, "ada"))
    state(sock, state="active", step="one")
    state(sock, state="completed")
    autostart = lambda: bootstrap(client, ws)["progress"]["tour"]["autostart"]  # noqa: E731
    assert autostart() is False  # shown less than 7 days ago
    row = tour_progress()
    row.last_shown_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert autostart() is True
    state(sock, state="active", step="one")  # second showing: the maximum
    state(sock, state="completed")
    row = tour_progress()
    row.last_shown_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert autostart() is False


def test_a_checklist_cannot_be_reopened_by_the_widget(client, ws, sock):
    sock.emit("step:complete", {"id": str(uuid.uuid4()), "guide": "with-tour", "step": "other"},
              namespace=NS, callback=True)
    state(sock, state="completed")
    result = sock.emit("guide:state", {"id": str(uuid.uuid4()), "guide": "with-tour",
                                       "state": "active"}, namespace=NS, callback=True)
    assert result["progress"]["with-tour"]["state"] == "completed"
