"""Success plans and lifecycle over REST: due dates, overdue steps, vendor steps, live pushes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from guide.extensions import db
from guide.models import Account, AccountStepCompletion, AuditEntry, Event, Guide, Progress
from guide.models.base import isoformat, utcnow
from tests import factories
from tests.api.test_backend_api import new_key

NS = "/widget"
PLAN = "/api/v1/accounts/acme/plans"


@pytest.fixture
def auth(workspace) -> dict[str, str]:
    """The demo workspace (its onboarding-plan is due 3, 7, 10, 14 and 21 days in)."""
    return {"Authorization": f"Bearer {new_key(workspace)}"}


@pytest.fixture
def acme(client, auth) -> Account:
    """Account acme with user ada, started 12 days ago."""
    client.post("/api/v1/group", json={"user_id": "ada", "account_id": "acme"}, headers=auth)
    account = db.session.scalars(db.select(Account).where(Account.external_id == "acme")).one()
    account.created_at = utcnow() - timedelta(days=12)
    db.session.commit()
    return account


def track(client, auth, event: str, user: str = "ada") -> dict:
    return client.post("/api/v1/track", json={"user_id": user, "event": event},
                       headers=auth).get_json()


def mark(client, auth, step: str, **body):
    return client.post(f"{PLAN}/onboarding-plan/steps/{step}", json=body, headers=auth)


def steps_of(plan: dict) -> dict[str, dict]:
    return {step["id"]: step for step in plan["steps"]}


def test_plan_view_has_due_dates_overdue_steps_and_who_did_what(client, auth, acme):
    track(client, auth, "integration_connected")  # ada connects: a customer step, done
    body = client.get(PLAN, headers=auth).get_json()
    assert body["account"] == "acme" and [p["key"] for p in body["plans"]] == ["onboarding-plan"]
    plan = body["plans"][0]
    assert plan["title"] == "Your onboarding plan"
    assert (plan["total"], plan["done"], plan["overdue"]) == (5, 1, 2)
    steps = steps_of(plan)
    for step_id, days in {"kickoff-call": 3, "connect-data": 7, "first-report": 21}.items():
        assert steps[step_id]["due_at"] == isoformat(acme.created_at + timedelta(days=days))
    assert {s for s, step in steps.items() if step["overdue"]} == {"kickoff-call", "data-review"}
    assert steps["kickoff-call"] == {**steps["kickoff-call"], "owner": "vendor",
                                     "assignee": "Your success manager", "done": False,
                                     "completed_by": None, "completed_at": None}
    connect = steps["connect-data"]
    assert connect["done"] and not connect["overdue"] and connect["completed_by"] == "ada"
    assert connect["owner"] == "customer" and connect["completed_at"]


def test_a_vendor_step_done_over_the_api_is_recorded_and_pushed_live(
        client, auth, acme, workspace, socket_client):
    token = factories.socket_token(client, workspace, "ada", account={"id": "acme"})
    sock = socket_client(token)
    sock.get_received(NS)

    response = mark(client, auth, "kickoff-call", done=True, by="sam@vendor.example")
    assert response.status_code == 200, response.get_json()
    step = steps_of(response.get_json())["kickoff-call"]
    assert step["done"] and step["completed_by"] == "sam@vendor.example" and not step["overdue"]
    row = db.session.scalars(db.select(AccountStepCompletion)).one()
    assert (row.completed_by, row.user_id, row.account_id) == ("sam@vendor.example", None, acme.id)
    event = db.session.scalars(db.select(Event).where(Event.type == "plan")).one()
    assert event.name == "onboarding-plan/kickoff-call"
    assert event.props == {"account": "acme", "by": "sam@vendor.example", "done": True}
    # (The workspace fixture's content push has its own entries.)
    audit = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action.like("plan.%"))).one()
    assert (audit.actor, audit.action, audit.target) == (
        "api", "plan.step_done", "acme/onboarding-plan/kickoff-call")
    pushed = [m["args"][0] for m in sock.get_received(NS) if m["name"] == "progress"]
    assert pushed and "kickoff-call" in pushed[-1]["progress"]["onboarding-plan"]["completed"]

    # Marking it again changes nothing, records nothing and pushes nothing.
    assert mark(client, auth, "kickoff-call", by="sam@vendor.example").status_code == 200
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type == "plan")) == 1
    assert not [m for m in sock.get_received(NS) if m["name"] == "progress"]

    undone = mark(client, auth, "kickoff-call", done=False, by="sam@vendor.example")
    step = steps_of(undone.get_json())["kickoff-call"]
    assert not step["done"] and step["overdue"] and step["completed_by"] is None
    assert db.session.scalars(db.select(AccountStepCompletion)).all() == []
    pushed = [m["args"][0] for m in sock.get_received(NS) if m["name"] == "progress"]
    assert pushed and "kickoff-call" not in pushed[-1]["progress"]["onboarding-plan"]["completed"]


def test_the_last_step_completes_the_plan_for_its_users_and_taking_one_back_reopens_it(
        client, auth, acme):
    track(client, auth, "integration_connected")  # ada now has progress on the plan
    for step in ("kickoff-call", "data-review", "invite-team", "first-report"):
        assert mark(client, auth, step, by="sam@vendor.example").status_code == 200
    completed = plan_progress()
    assert (completed.state, completed.current_step) == ("completed", None)
    mark(client, auth, "data-review", done=False)
    reopened = plan_progress()
    assert (reopened.state, reopened.current_step, reopened.completed_at) == (
        "active", "data-review", None)


def plan_progress() -> Progress:
    db.session.expire_all()
    return db.session.scalars(db.select(Progress).join(Guide, Guide.id == Progress.guide_id)
                              .where(Guide.key == "onboarding-plan")).one()


def test_unknown_accounts_plans_and_steps_and_bad_bodies(client, auth, acme):
    cases = [
        ("/api/v1/accounts/nobody/plans/onboarding-plan/steps/kickoff-call", {},
         404, "unknown_account"),
        (f"{PLAN}/getting-started/steps/welcome", {}, 404, "unknown_guide"),  # not a plan
        (f"{PLAN}/nope/steps/kickoff-call", {}, 404, "unknown_guide"),
        (f"{PLAN}/onboarding-plan/steps/nope", {}, 404, "unknown_step"),
        (f"{PLAN}/onboarding-plan/steps/kickoff-call", {"done": "yes"}, 400, "invalid_payload"),
        (f"{PLAN}/onboarding-plan/steps/kickoff-call", {"by": ""}, 400, "invalid_payload"),
    ]
    for path, body, status, code in cases:
        response = client.post(path, json=body, headers=auth)
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert client.get("/api/v1/accounts/nobody/plans", headers=auth).status_code == 404
    for path in (PLAN, "/api/v1/accounts/acme/lifecycle", "/api/v1/users/ada/lifecycle"):
        assert client.get(path).status_code == 401
    assert client.post(f"{PLAN}/onboarding-plan/steps/kickoff-call", json={}).status_code == 401
    assert db.session.scalars(db.select(AccountStepCompletion)).all() == []


def test_lifecycle_of_a_user_and_their_account(client, auth, acme):
    before = client.get("/api/v1/users/ada/lifecycle", headers=auth).get_json()
    assert before["stage"] == "signed_up" and before["milestones"] == []
    track(client, auth, "integration_connected")
    user = client.get("/api/v1/users/ada/lifecycle", headers=auth).get_json()
    assert user["stage"] == "set_up" and user["first_seen"]
    [milestone] = user["milestones"]
    assert milestone["key"] == "data_connected"
    assert milestone["source"] == "event:integration_connected"
    assert milestone["time_to_value_seconds"] >= 0
    account = client.get("/api/v1/accounts/acme/lifecycle", headers=auth).get_json()
    assert account["stage"] == "set_up"
    assert [m["key"] for m in account["milestones"]] == ["data_connected"]
    missing = client.get("/api/v1/users/nobody/lifecycle", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_user"
