"""A user and an account with something in every table that holds data about them.

Ada and Bob are users of the account acme in the workspace "open"; Ada did
everything (steps, events, a milestone, an escalation, a nudge, firings,
webhooks waiting and sent), Bob only exists. ``counts`` reads how many rows
of each kind name Ada or acme, so a test can show they are gone.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    EndUser,
    Escalation,
    Event,
    Nudge,
    OutboxMessage,
    Progress,
    Scenario,
    ScenarioFiring,
    SupportSettings,
    UserMilestone,
    WebhookEndpoint,
    Workspace,
)
from guide.models.base import utcnow
from guide.proactive import lifecycle
from guide.schemas.support import DATA_EVENTS, WEBHOOK_EVENTS
from guide.services import outbox
from tests import factories
from tests.support_helpers import escalate_http

HOOK = "https://hooks.example.com/guide"


@dataclass
class Story:
    ws: Workspace
    auth: dict[str, str]
    ada: int
    bob: int
    acme: int
    reference: str


def api_key(ws: Workspace) -> dict[str, str]:
    key = ws.create_api_key()
    db.session.commit()
    return {"Authorization": f"Bearer {key}"}


def subscribe_everything(ws: Workspace) -> None:
    if db.session.get(SupportSettings, ws.id) is None:
        db.session.add(SupportSettings(workspace_id=ws.id, allow_private_webhooks=False))
    db.session.add(WebhookEndpoint(workspace_id=ws.id, url=HOOK, events=list(WEBHOOK_EVENTS)))
    db.session.commit()


def envelopes(client: Any, token: str, *items: tuple[str, dict[str, Any]]) -> list[Any]:
    response = client.post("/api/v1/widget/events", headers={"Authorization": f"Bearer {token}"},
                           json={"envelopes": [{"type": kind, "data": {"id": str(uuid.uuid4()),
                                                                      **data}}
                                               for kind, data in items]})
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert all(r["ok"] for r in results), results
    return results


def user_id(external_id: str) -> int:
    return db.session.scalar(sa.select(EndUser.id).where(EndUser.external_id == external_id))


def make_story(client: Any, ws: Workspace) -> Story:
    auth = api_key(ws)
    subscribe_everything(ws)
    for name in ("ada", "bob"):
        response = client.post("/api/v1/identify", headers=auth, json={
            "user_id": name, "traits": {"email": f"{name}@acme.test", "plan": "trial"},
            "account_id": "acme", "account_traits": {"name": "Acme", "csm_email": "cs@v.test"}})
        assert response.status_code == 200, response.get_json()
    token = factories.socket_token(client, ws, "ada")
    envelopes(client, token, ("step:complete", {"guide": "onboarding", "step": "hello"}),
              ("event:track", {"name": "connected", "props": {"source": "postgres"}}),
              ("step:complete", {"guide": "onboarding", "step": "team"}))
    reference = escalate_http(client, token, message="Ada Lovelace here: it fails",
                              url="/app/settings?email=ada@acme.test")["reference"]
    ada, bob = user_id("ada"), user_id("bob")
    acme = db.session.scalar(sa.select(Account.id).where(Account.external_id == "acme"))
    now = utcnow()
    lifecycle.reach(db.session.get(EndUser, ada), "activated", "test", now)
    scenario = Scenario(workspace_id=ws.id, key="nudge-trial", body={"trigger": {}}, configured=False)
    db.session.add(scenario)
    db.session.flush()
    db.session.add_all([
        ScenarioFiring(workspace_id=ws.id, scenario_id=scenario.id, subject_type="user",
                       subject_id=ada, window="once", details={"why": "test"}),
        ScenarioFiring(workspace_id=ws.id, scenario_id=scenario.id, subject_type="account",
                       subject_id=acme, window="once", details={"why": "test"}),
        Nudge(workspace_id=ws.id, user_id=ada, scenario_id=scenario.id,
              payload={"message": "Hi Ada"}),
    ])
    outbox.enqueue(ws, "scenario.fired", {"scenario": "nudge-trial", "subject": "account",
                                          "account": {"id": "acme"}})
    db.session.commit()
    # One of Ada's webhooks has been sent already: its payload stays, scrubbed.
    sent = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.event_type == "escalation.created")).one()
    sent.status, sent.delivered_at = "delivered", now
    db.session.commit()
    return Story(ws, auth, ada, bob, acme, reference)


def counts(story: Story) -> dict[str, int]:
    """Rows about Ada (and acme) in every table that can hold them."""
    def n(model: Any, *where: Any) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    db.session.expire_all()
    return {
        "user": n(EndUser, EndUser.id == story.ada),
        "events": n(Event, Event.user_id == story.ada),
        "progress": n(Progress, Progress.user_id == story.ada),
        "milestones": n(UserMilestone, UserMilestone.user_id == story.ada),
        "nudges": n(Nudge, Nudge.user_id == story.ada),
        "firings": n(ScenarioFiring, ScenarioFiring.subject_type == "user",
                     ScenarioFiring.subject_id == story.ada),
        "escalations": n(Escalation, Escalation.user_id == story.ada),
        "credited": n(AccountMilestone, AccountMilestone.user_id == story.ada)
        + n(AccountStepCompletion, AccountStepCompletion.user_id == story.ada),
        "waiting_naming_ada": len(waiting_naming("ada")),
    }


def payloads() -> list[tuple[str, str, dict[str, Any]]]:
    db.session.expire_all()
    return [(m.event_type, m.status, m.payload) for m in db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def waiting_naming(external_id: str) -> list[dict[str, Any]]:
    """Waiting messages (other than the erasure's own) whose JSON holds the id anywhere."""
    return [p for kind, status, p in payloads()
            if kind not in DATA_EVENTS and status in ("pending", "failed")
            and f'"{external_id}"' in json.dumps(p)]
