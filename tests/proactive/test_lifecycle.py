"""Milestones and lifecycle stages: reached once, recorded with time and source, stages
move forward only, accounts follow their first user, changes go out as webhooks."""

from __future__ import annotations

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    Event,
    OutboxMessage,
    UserMilestone,
    WebhookEndpoint,
)
from guide.proactive import lifecycle, lifecycle_views
from tests.proactive.conftest import make_user, send, track


def milestones(user) -> dict[str, str]:
    rows = db.session.scalars(db.select(UserMilestone).where(UserMilestone.user_id == user.id))
    return {row.key: row.source for row in rows}


def test_stages_advance_as_milestones_are_reached(ws):
    user = make_user(ws)
    assert lifecycle_views.user_lifecycle(user)["stage"] == "signed_up"
    track(ws, user, "connected")
    assert user.lifecycle_stage == "set_up"
    send(ws, user, "step:complete", guide="onboarding", step="hello")
    assert user.lifecycle_stage == "activated"
    assert milestones(user) == {"connected": "event:connected",
                                "greeted": "step:onboarding/hello"}
    stages = db.session.scalars(db.select(Event.props).where(
        Event.user_id == user.id, Event.type == "stage").order_by(Event.id)).all()
    assert [(s["from"], s["to"]) for s in stages] == [("signed_up", "set_up"),
                                                      ("set_up", "activated")]
    view = lifecycle_views.user_lifecycle(user)
    assert [m["key"] for m in view["milestones"]] == ["connected", "greeted"]
    assert all(m["time_to_value_seconds"] >= 0 for m in view["milestones"])


def test_a_guide_milestone_completes_the_lifecycle(ws):
    user = make_user(ws)
    track(ws, user, "connected")
    send(ws, user, "step:complete", guide="onboarding", step="hello")
    send(ws, user, "event:track", name="$page", props={}, url="/settings/profile")
    send(ws, user, "step:complete", guide="onboarding", step="team")
    assert milestones(user)["onboarded"] == "guide:onboarding"
    assert user.lifecycle_stage == "adopted"


def test_a_milestone_is_reached_once(ws):
    user = make_user(ws)
    track(ws, user, "connected")
    track(ws, user, "connected")
    assert db.session.scalar(db.select(db.func.count()).select_from(UserMilestone)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Event).where(
        Event.type == "milestone")) == 1


def test_an_event_count_milestone_waits_for_the_count(ws):
    user = make_user(ws)
    track(ws, user, "exported")
    track(ws, user, "exported")
    assert "exporter" not in milestones(user)
    track(ws, user, "exported")
    assert milestones(user)["exporter"] == "event:exported"


def test_trait_milestones_and_stages_never_move_back(ws):
    user = make_user(ws, plan="pro")
    lifecycle.traits_changed(user)
    track(ws, user, "connected")
    db.session.commit()
    assert milestones(user) == {"pro": "traits", "connected": "event:connected"}
    user.traits = {"plan": "free"}
    lifecycle.traits_changed(user)
    db.session.commit()
    assert user.lifecycle_stage == "set_up"
    assert "pro" in milestones(user)


def test_the_account_reaches_a_milestone_with_its_first_user(ws):
    account = Account(workspace_id=ws.id, external_id="acme", traits={})
    db.session.add(account)
    db.session.commit()
    ada = make_user(ws, "ada", account=account)
    grace = make_user(ws, "grace", account=account)
    track(ws, ada, "connected")
    track(ws, grace, "connected")
    rows = db.session.scalars(db.select(AccountMilestone)).all()
    assert [(r.key, r.user_id) for r in rows] == [("connected", ada.id)]
    assert account.lifecycle_stage == "set_up"
    assert lifecycle_views.account_lifecycle(account)["milestones"][0]["key"] == "connected"


def test_milestones_and_stage_changes_are_sent_as_webhooks(ws):
    db.session.add(WebhookEndpoint(workspace_id=ws.id, url="https://hooks.example/guide",
                                   events=["milestone.reached", "lifecycle.stage_changed"]))
    db.session.commit()
    user = make_user(ws)
    track(ws, user, "connected")
    sent = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.event_type for m in sent] == ["milestone.reached", "lifecycle.stage_changed"]
    assert sent[0].payload["data"]["milestone"] == "connected"
    assert sent[0].payload["data"]["user"] == {"id": "ada", "account": None}
    assert sent[1].payload["data"]["from"] == "signed_up"
    assert sent[1].payload["data"]["to"] == "set_up"


def test_without_a_lifecycle_guide_milestones_still_count(open_workspace):
    user = make_user(open_workspace)
    for step in ("hello", "team"):
        send(open_workspace, user, "step:complete", guide="onboarding", step=step)
    track(open_workspace, user, "connected")
    send(open_workspace, user, "event:track", name="$page", props={}, url="/settings/x")
    assert milestones(user) == {"onboarded": "guide:onboarding"}
    assert user.lifecycle_stage is None


def test_a_user_joining_an_account_brings_their_milestones(ws):
    user = make_user(ws)
    track(ws, user, "connected")
    account = Account(workspace_id=ws.id, external_id="acme", traits={})
    db.session.add(account)
    db.session.flush()
    user.account_id = account.id
    lifecycle.traits_changed(user)
    db.session.commit()
    assert [m.key for m in db.session.scalars(db.select(AccountMilestone))] == ["connected"]
    assert account.lifecycle_stage == "set_up"
