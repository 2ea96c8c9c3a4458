"""Success plans as the widget sees them: owner and assignee per step, due dates and
overdue steps in the progress, vendor steps refused, plans only for account members."""

from __future__ import annotations

import uuid
from datetime import timedelta

from guide.extensions import db
from guide.models import Account, UserMilestone
from guide.models.base import utcnow
from tests import factories
from tests.proactive.conftest import LIFECYCLE, set_rules

PLAN = {
    "key": "plan", "kind": "plan", "title": "Your plan", "priority": 0, "steps": [
        {"id": "kickoff", "title": "Kickoff call", "owner": "vendor", "assignee": "Sam",
         "due_days": 3, "complete_when": {"manual": True}, "scope": "account"},
        {"id": "connect", "title": "Connect", "owner": "customer", "due_days": 30,
         "complete_when": {"manual": True}, "scope": "account"},
        {"id": "later", "title": "Later", "owner": "customer",
         "complete_when": {"manual": True}, "scope": "account"},
    ],
}


def boot(client, ws, user_id: str, account: str | None = "acme"):
    response = factories.bootstrap(client, ws, user_id,
                                   **({"account": {"id": account, "traits": {}}} if account else {}))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_plan_shows_owner_assignee_due_dates_and_overdue_steps(client, open_workspace):
    factories.publish(open_workspace, PLAN)
    boot(client, open_workspace, "ada")
    account = db.session.scalar(db.select(Account))
    account.created_at = utcnow() - timedelta(days=5)
    db.session.commit()
    data = boot(client, open_workspace, "ada")
    [plan] = [g for g in data["guides"] if g["key"] == "plan"]
    steps = {s["id"]: (s["owner"], s["assignee"]) for s in plan["steps"]}
    assert steps == {"kickoff": ("vendor", "Sam"), "connect": ("customer", None),
                     "later": ("customer", None)}
    progress = data["progress"]["plan"]
    assert progress["overdue"] == ["kickoff"]
    assert set(progress["due"]) == {"kickoff", "connect"}
    assert progress["due"]["kickoff"] == (account.created_at + timedelta(days=3)).isoformat()


def test_users_without_an_account_do_not_see_plans(client, open_workspace):
    factories.publish(open_workspace, PLAN)
    data = boot(client, open_workspace, "solo", account=None)
    assert "plan" not in [g["key"] for g in data["guides"]]


def test_the_widget_cannot_tick_a_vendor_step_but_can_tick_its_own(
        client, open_workspace, socket_client):
    from tests.realtime.test_widget_socket import NS, ack

    factories.publish(open_workspace, PLAN)
    token = boot(client, open_workspace, "ada")["socket"]["token"]
    sock = socket_client(token)
    assert sock.is_connected(NS)
    refused = ack(sock, "step:complete", {"id": str(uuid.uuid4()), "guide": "plan",
                                          "step": "kickoff"})
    assert refused["ok"] is False and refused["error"]["code"] == "vendor_step"
    done = ack(sock, "step:complete", {"id": str(uuid.uuid4()), "guide": "plan",
                                       "step": "connect"})
    assert done["ok"] and done["progress"]["plan"]["completed"] == ["connect"]
    assert "kickoff" in done["progress"]["plan"]["due"]


def test_a_bootstrap_with_new_traits_reaches_a_trait_milestone(client, open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE)
    factories.bootstrap(client, open_workspace, "ada", traits={"plan": "trial"})
    assert db.session.scalar(db.select(db.func.count()).select_from(UserMilestone)) == 0
    factories.bootstrap(client, open_workspace, "ada", traits={"plan": "pro"})
    assert db.session.scalar(db.select(UserMilestone.key)) == "pro"


def test_the_products_signup_date_counts_as_first_seen(client, open_workspace):
    from guide.models import EndUser

    signed_up = (utcnow() - timedelta(days=40)).date().isoformat()
    factories.bootstrap(client, open_workspace, "grace",
                        traits={"signed_up_at": signed_up},
                        account={"id": "acme", "traits": {"createdAt": 1_700_000_000}})
    user = db.session.scalar(db.select(EndUser))
    assert user.first_seen.date().isoformat() == signed_up
    account = db.session.scalar(db.select(Account))
    assert account.created_at.timestamp() == 1_700_000_000
    # A later or unreadable date changes nothing.
    factories.bootstrap(client, open_workspace, "grace", traits={"signed_up_at": "soon"})
    db.session.expire_all()
    assert db.session.scalar(db.select(EndUser)).first_seen.date().isoformat() == signed_up


def test_an_event_does_not_move_a_plan_for_a_user_without_an_account(open_workspace):
    from tests.proactive.conftest import make_user, track

    plan = {**PLAN, "steps": [{**PLAN["steps"][1], "complete_when": {"event": "connected"}}]}
    factories.publish(open_workspace, plan)
    user = make_user(open_workspace, "solo")
    ack = track(open_workspace, user, "connected")
    assert [c["guide"] for c in ack["completed"]] == ["onboarding"]
    assert "plan" not in ack["progress"]
