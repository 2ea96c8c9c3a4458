"""Data rights over REST: export and erase an end user or an account (docs/PRIVACY.md).

Export holds everything Guide keeps about them; erasure removes or anonymizes
every table in one transaction (a failure midway leaves everything as it was),
queues a ``user.deleted`` / ``account.deleted`` webhook and an audit entry
without the id; another workspace's key can do neither.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    AuditEntry,
    EndUser,
    Escalation,
    Event,
    ScenarioFiring,
)
from guide.services import privacy
from guide.services.authors import ensure_author
from guide.services.footprint import subject_digest
from tests import factories
from tests.authoring.conftest import (  # noqa: F401 (autouse: g per request)
    PASSWORD,
    AdminClient,
    _fresh_g_per_request,
)
from tests.security.data_rights_helpers import (
    api_key,
    counts,
    make_story,
    payloads,
    waiting_naming,
)


@pytest.fixture
def story(client, open_workspace):
    return make_story(client, open_workspace)


def test_user_export_holds_everything_guide_keeps_about_them(client, story):
    response = client.get("/api/v1/users/ada/export", headers=story.auth)
    assert response.status_code == 200, response.get_json()
    doc = response.get_json()
    assert doc["workspace"] == "open"
    assert doc["user"]["id"] == "ada" and doc["user"]["account"] == "acme"
    assert doc["user"]["traits"]["email"] == "ada@acme.test"
    [progress] = doc["progress"]
    assert progress["guide"] == "onboarding" and "hello" in progress["completed_steps"]
    assert [m["key"] for m in doc["milestones"]] == ["activated"]
    assert doc["account_records"]["steps"][0]["step"] == "team"
    assert doc["account_records"]["milestones"][0]["key"] == "activated"
    [escalation] = doc["escalations"]
    assert escalation["reference"] == story.reference
    assert escalation["context"]["user"]["traits"]["email"] == "ada@acme.test"
    assert doc["nudges"][0]["payload"] == {"message": "Hi Ada"}
    assert [(f["scenario"], f["held_out"]) for f in doc["firings"]] == [("nudge-trial", False)]
    kinds = {d["event_type"] for d in doc["deliveries"]}
    assert {"escalation.created", "milestone.reached"} <= kinds
    assert "scenario.fired" not in kinds  # the account's, not Ada's
    assert all(d["target"] == "https://hooks.example.com/guide" for d in doc["deliveries"])
    names = [e["name"] for e in doc["events"]["items"]]
    assert {"connected", "help:escalate", "activated"} <= set(names)
    assert doc["events"]["total"] == len(names) and doc["events"]["next"] is None


def test_export_events_page_through_a_cursor(client, story):
    token = factories.socket_token(client, story.ws, "ada")
    for n in range(5):
        client.post("/api/v1/widget/events", headers={"Authorization": f"Bearer {token}"},
                    json={"envelopes": [{"type": "event:track",
                                         "data": {"id": f"page-event-{n:04d}", "name": "x"}}]})
    total = client.get("/api/v1/users/ada/export", headers=story.auth).get_json()["events"]["total"]
    seen, after = [], 0
    while after is not None:
        page = client.get(f"/api/v1/users/ada/export/events?after={after}&limit=2",
                          headers=story.auth).get_json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        after = page["next"]
    assert len(seen) == total >= 8
    assert [e["client_id"] for e in seen if e["name"] == "x"] == [f"page-event-{n:04d}"
                                                                  for n in range(5)]
    bad = client.get("/api/v1/users/ada/export/events?limit=0", headers=story.auth)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_payload"


def test_account_export_holds_its_rows_and_the_events_naming_it(client, story):
    token_headers = story.auth
    client.post("/api/v1/accounts/acme/plans/onboarding/steps/team", json={}, headers=token_headers)
    doc = client.get("/api/v1/accounts/acme/export", headers=story.auth).get_json()
    assert doc["account"]["id"] == "acme" and doc["account"]["traits"]["name"] == "Acme"
    assert [u["id"] for u in doc["users"]] == ["ada", "bob"]
    assert doc["milestones"][0] == {**doc["milestones"][0], "key": "activated", "user": "ada"}
    assert doc["plan_steps"][0]["step"] == "team" and doc["plan_steps"][0]["user"] == "ada"
    assert doc["escalations"][0]["reference"] == story.reference
    assert [f["scenario"] for f in doc["firings"]] == ["nudge-trial"]
    assert "scenario.fired" in {d["event_type"] for d in doc["deliveries"]}


def test_deleting_a_user_erases_every_table_in_one_go(client, story):
    before = counts(story)
    assert all(before.values()), before  # the story touches every table
    response = client.delete("/api/v1/users/ada", headers=story.auth)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["user"] == "ada" and result["users"] == 1
    assert result["events"] == before["events"] and result["escalations_anonymized"] == 1
    assert counts(story) == dict.fromkeys(before, 0)
    # Bob and the account are untouched; the account keeps its milestone, credited to no one.
    assert db.session.get(EndUser, story.bob) is not None
    assert db.session.scalars(sa.select(AccountMilestone)).one().user_id is None
    assert db.session.scalars(sa.select(AccountStepCompletion)).one().user_id is None
    assert client.get("/api/v1/users/ada/export", headers=story.auth).status_code == 404


def test_an_erased_users_escalation_stays_as_a_record_without_them(client, story,
                                                                   open_workspace):
    client.delete("/api/v1/users/ada", headers=story.auth)
    escalation = db.session.scalars(sa.select(Escalation)).one()
    assert escalation.reference == story.reference and escalation.user_id is None
    assert escalation.message == "(erased)" and escalation.url is None
    assert escalation.context["erased"] is True and set(escalation.context) <= {"erased", "guide"}
    assert "ada" not in json.dumps(escalation.context)
    api = client.get(f"/api/v1/escalations/{story.reference}", headers=story.auth).get_json()
    assert api["user"] is None and api["account"] is None
    ensure_author("support@example.com", PASSWORD, open_workspace, "support")
    inbox = AdminClient(client, "support@example.com").get(
        f"/support/w/{open_workspace.key}/escalations/{story.reference}")
    assert inbox.status_code == 200
    html = inbox.get_data(as_text=True)
    assert "Erased on request" in html and "Ada Lovelace" not in html and "ada@" not in html


def test_waiting_webhooks_naming_the_user_are_dropped_and_sent_ones_scrubbed(client, story):
    assert waiting_naming("ada")
    client.delete("/api/v1/users/ada", headers=story.auth)
    assert waiting_naming("ada") == []
    sent = [p for kind, status, p in payloads() if status == "delivered"]
    assert sent == [{"type": "escalation.created", "timestamp": sent[0]["timestamp"],
                     "data": {"erased": True}}]
    # The account's own waiting scenario webhook does not name Ada: it stays.
    assert [k for k, s, _ in payloads() if s == "pending" and k == "scenario.fired"]


def test_user_deleted_webhook_and_audit_entry_carry_no_personal_data(client, story):
    client.delete("/api/v1/users/ada", headers=story.auth)
    [hook] = [p for kind, _, p in payloads() if kind == "user.deleted"]
    assert hook["data"] == {"user": {"id": "ada"}, "deleted_at": hook["data"]["deleted_at"]}
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "user.delete")).one()
    assert entry.actor == "api" and entry.target == subject_digest(story.ws, "user", "ada")
    assert entry.details["events"] > 0
    assert "ada" not in json.dumps([entry.target, entry.details])


def test_a_failure_midway_rolls_back_the_whole_erasure(client, story, monkeypatch):
    before = counts(story)
    messages = payloads()

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk full")

    # After events, progress and the user row are deleted, before the outbox and the audit.
    monkeypatch.setattr(privacy, "_scrub_outbox", boom)
    user = db.session.get(EndUser, story.ada)
    with pytest.raises(RuntimeError):
        privacy.erase_user(story.ws, user, "api")
    assert counts(story) == before
    assert payloads() == messages
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_deleting_an_account_keeps_its_users_outside_any_account(client, story):
    response = client.delete("/api/v1/accounts/acme", headers=story.auth)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["account"] == "acme" and result["users_kept"] == 2 and result["users"] == 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0
    assert db.session.get(EndUser, story.ada).account_id is None
    for model in (AccountMilestone, AccountStepCompletion):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioFiring).where(
        ScenarioFiring.subject_type == "account")) == 0
    escalation = db.session.scalars(sa.select(Escalation)).one()
    assert escalation.user_id == story.ada and escalation.context["account"] is None
    assert waiting_naming("acme") == []
    kinds = [kind for kind, _, _ in payloads()]
    assert "account.deleted" in kinds and "user.deleted" not in kinds


def test_deleting_an_account_with_its_users_erases_them_too(client, story):
    response = client.delete("/api/v1/accounts/acme?users=delete", headers=story.auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["users"] == 2
    assert counts(story) == dict.fromkeys(counts(story), 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser)) == 0
    deleted = sorted(p["data"]["user"]["id"] for k, _, p in payloads() if k == "user.deleted")
    assert deleted == ["ada", "bob"]


def test_an_account_deletion_scrubs_plan_audit_entries_and_events(client, story):
    client.post("/api/v1/accounts/acme/plans/onboarding/steps/team", json={}, headers=story.auth)
    client.delete("/api/v1/accounts/acme", headers=story.auth)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.props["account"].as_string() == "acme")) == 0
    targets = [e.target or "" for e in db.session.scalars(sa.select(AuditEntry))]
    assert not any(t.startswith("acme/") for t in targets)


@pytest.mark.parametrize("method,url", [
    ("get", "/api/v1/users/ada/export"), ("get", "/api/v1/users/ada/export/events"),
    ("delete", "/api/v1/users/ada"), ("get", "/api/v1/accounts/acme/export"),
    ("get", "/api/v1/accounts/acme/export/events"), ("delete", "/api/v1/accounts/acme"),
])
def test_another_workspaces_key_can_neither_export_nor_erase(client, story, method, url):
    other = factories.make_workspace(key="other", require_identity=False)
    response = getattr(client, method)(url, headers=api_key(other))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] in ("unknown_user", "unknown_account")
    assert getattr(client, method)(url).status_code == 401
    assert counts(story)["user"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 1


def test_unknown_ids_are_404_in_the_one_error_shape(client, story):
    for method, url in (("get", "/api/v1/users/nobody/export"), ("delete", "/api/v1/users/nobody"),
                        ("delete", "/api/v1/accounts/nobody")):
        response = getattr(client, method)(url, headers=story.auth)
        assert response.status_code == 404
        assert set(response.get_json()["error"]) == {"code", "message"}
    bad = client.delete("/api/v1/accounts/acme?users=maybe", headers=story.auth)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_payload"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 1


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"delete"} <= set(paths["/api/v1/users/{user_id}"])
    assert {"get"} <= set(paths["/api/v1/accounts/{account_id}/export"])
    assert "/api/v1/users/{user_id}/export/events" in paths
