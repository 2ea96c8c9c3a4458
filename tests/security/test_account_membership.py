"""Account membership comes only from a trusted source (issue 12, point 2).

The attack: an end user whose identity token names no account sends
``Guide.group("victim-co")`` from the browser, joins another company's
account, sees its success plan (steps, due dates) and completes its
account-scoped steps with ``Guide.track``. Membership now comes from the
token's signed ``account`` claim or the backend's ``POST /api/v1/group``; a
browser group is taken only for the account the user is already in, or when
the workspace opted in with ``allow_unsigned_groups``.
"""

from __future__ import annotations

from typing import Any

import pytest

from guide.extensions import db
from guide.models import Account, AccountStepCompletion, EndUser, Event
from tests import factories
from tests.api.test_backend_api import new_key
from tests.security.widget_transport import TRANSPORTS, eid, sender

PLAN = {
    "key": "success-plan", "kind": "plan", "title": "Your success plan", "steps": [
        {"id": "kickoff", "title": "Kickoff call", "owner": "vendor", "due_days": 3,
         "complete_when": {"manual": True}, "scope": "account"},
        {"id": "connect", "title": "Connect your warehouse", "owner": "customer", "due_days": 14,
         "complete_when": {"event": "integration_connected"}, "scope": "account"},
    ],
}
VICTIM = {"id": "victim-co", "traits": {"plan": "enterprise"}}


@pytest.fixture
def ws(client):
    """A workspace that requires identity, with a success plan; the victim's admin is in it."""
    ws = factories.make_workspace("tenant", require_identity=True)
    factories.publish(ws, PLAN)
    token = factories.sign(ws, "victim-admin", account=VICTIM)
    assert factories.bootstrap(client, ws, "victim-admin", token=token).status_code == 200
    return ws


@pytest.fixture(params=TRANSPORTS)
def send(request, client, socket_client):
    return sender(request.param, client, socket_client)


def user(external_id: str) -> EndUser | None:
    db.session.expire_all()
    return db.session.scalar(db.select(EndUser).where(EndUser.external_id == external_id))


def accounts() -> list[str]:
    return sorted(db.session.scalars(db.select(Account.external_id)))


def account_traits() -> dict[str, Any]:
    return {row.external_id: row.traits
            for row in db.session.execute(db.select(Account.external_id, Account.traits))}


def victim_steps() -> list[str]:
    return list(db.session.scalars(db.select(AccountStepCompletion.step_id).join(
        Account, Account.id == AccountStepCompletion.account_id).where(
        Account.external_id == "victim-co")))


def boot(client, ws, user_id: str, **body: Any):
    """A bootstrap with a valid identity token that names no account."""
    return factories.bootstrap(client, ws, user_id, token=factories.sign(ws, user_id), **body)


def assert_group_refused(response) -> None:
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "group_not_trusted"
    # It says how to do it right.
    assert "POST /api/v1/group" in error["message"] and '"account"' in error["message"]


def test_a_browser_group_into_another_company_is_refused_and_writes_nothing(client, ws):
    response = boot(client, ws, "mallory", account={"id": "victim-co", "traits": {"plan": "free"}})
    assert_group_refused(response)
    assert user("mallory") is None  # not half-applied: no user, no account, no traits changed
    assert accounts() == ["victim-co"]
    assert db.session.scalar(db.select(Account.traits)) == {"plan": "enterprise"}
    # Nor can the browser create an account of its choosing.
    assert_group_refused(boot(client, ws, "mallory", account={"id": "new-co"}))
    assert accounts() == ["victim-co"]


def test_the_refused_user_sees_no_plan_and_cannot_complete_its_account_steps(client, ws, send):
    boot(client, ws, "mallory")  # a real user of the product, in no account
    assert_group_refused(boot(client, ws, "mallory", account={"id": "victim-co"}))
    assert user("mallory").account_id is None  # not moved
    data = boot(client, ws, "mallory").get_json()
    assert [g["key"] for g in data["guides"]] == [] and data["progress"] == {}
    # Guide.track and a manual completion of the victim's account step both do nothing.
    token = data["socket"]["token"]
    tracked = send(token, "event:track", {"id": eid(), "name": "integration_connected"})
    assert tracked["ok"] and tracked["completed"] == []
    manual = send(token, "step:complete", {"id": eid(), "guide": "success-plan", "step": "connect"})
    assert manual["ok"] is False and manual["error"]["code"] in ("no_account", "step_not_manual")
    assert victim_steps() == []


def test_a_member_by_signed_claim_sees_the_plan_and_completes_account_steps(client, ws, send):
    token = factories.sign(ws, "colleague", account={"id": "victim-co"})
    data = factories.bootstrap(client, ws, "colleague", token=token,
                               account={"id": "victim-co", "traits": {"seats": 9}}).get_json()
    plan = data["progress"]["success-plan"]
    assert set(plan["due"]) == {"kickoff", "connect"}
    ack = send(data["socket"]["token"], "event:track", {"id": eid(), "name": "integration_connected"})
    assert ack["completed"] == [{"guide": "success-plan", "step": "connect"}]
    assert victim_steps() == ["connect"]
    # The browser's traits for the account it was signed into are merged under the signed ones.
    assert db.session.scalar(db.select(Account.traits)) == {"plan": "enterprise", "seats": 9}


def test_the_signed_account_wins_and_the_browsers_other_account_is_ignored(client, ws):
    token = factories.sign(ws, "ada", account={"id": "ada-co"})
    response = factories.bootstrap(client, ws, "ada", token=token,
                                   account={"id": "victim-co", "traits": {"plan": "free"}})
    assert response.status_code == 200
    assert db.session.get(Account, user("ada").account_id).external_id == "ada-co"
    # Traits sent for victim-co went nowhere: neither onto ada-co nor onto victim-co.
    assert account_traits() == {"victim-co": {"plan": "enterprise"}, "ada-co": {}}


def test_membership_from_the_backend_lets_the_browser_group_into_that_account_only(client, ws):
    key = new_key(ws)
    grouped = client.post("/api/v1/group", json={"user_id": "bob", "account_id": "bob-co"},
                          headers={"Authorization": f"Bearer {key}"})
    assert grouped.status_code == 200, grouped.get_json()
    # The page calling Guide.group with the same account, as Segment-style snippets do.
    same = boot(client, ws, "bob", account={"id": "bob-co", "traits": {"seats": 3}})
    assert same.status_code == 200, same.get_json()
    assert "success-plan" in same.get_json()["progress"]
    assert account_traits()["bob-co"] == {"seats": 3}
    # Without Guide.group the backend's membership still holds (and shows the account's plan).
    assert "success-plan" in boot(client, ws, "bob").get_json()["progress"]
    assert_group_refused(boot(client, ws, "bob", account={"id": "victim-co"}))
    assert db.session.get(Account, user("bob").account_id).external_id == "bob-co"


@pytest.mark.parametrize("require_identity", [True, False])
def test_a_workspace_that_opts_in_takes_unsigned_groups(client, app, require_identity):
    ws = factories.make_workspace("loose", require_identity=require_identity,
                                  allow_unsigned_groups=True)
    token = factories.sign(ws, "eve") if require_identity else None
    response = factories.bootstrap(client, ws, "eve", token=token, account={"id": "any-co"})
    assert response.status_code == 200, response.get_json()
    assert db.session.get(Account, user("eve").account_id).external_id == "any-co"


def test_without_require_identity_the_browser_still_cannot_group(client, app):
    """No token at all (an open workspace): there is no signed claim to trust either."""
    ws = factories.make_workspace("open-ws", require_identity=False)
    assert_group_refused(factories.bootstrap(client, ws, "eve", token=None, account={"id": "x-co"}))
    assert user("eve") is None and accounts() == []
    signed = factories.sign(ws, "eve", account={"id": "x-co"})
    assert factories.bootstrap(client, ws, "eve", token=signed).status_code == 200
    assert accounts() == ["x-co"]


@pytest.mark.parametrize("claim", [
    "victim-co", {"id": True}, {"id": ["a"]}, {"id": "x" * 256}, {"id": "co", "traits": "pro"},
])
def test_a_malformed_account_claim_is_a_401_and_writes_nothing(client, ws, claim):
    token = factories.sign(ws, "zed", account=claim)
    response = factories.bootstrap(client, ws, "zed", token=token)
    assert response.status_code == 401, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "identity_invalid" and "account" in error["fields"]
    assert user("zed") is None and accounts() == ["victim-co"]


@pytest.mark.parametrize("claim", [None, {"id": None}, {"id": ""}])
def test_an_account_claim_naming_no_account_means_none(client, ws, claim):
    token = factories.sign(ws, "solo", account=claim)
    assert factories.bootstrap(client, ws, "solo", token=token).status_code == 200
    assert user("solo").account_id is None


def test_no_envelope_can_set_the_account(client, ws, send):
    """The socket and the HTTP batch carry no account: a smuggled field is refused."""
    token = boot(client, ws, "mallory").get_json()["socket"]["token"]
    for kind, data in [("event:track", {"name": "x"}), ("guide:state", {"guide": "success-plan",
                                                                          "state": "active"})]:
        ack = send(token, kind, {"id": eid(), **data, "account": "victim-co"})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload", ack
    assert user("mallory").account_id is None
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(
        Event.user_id == user("mallory").id)) == 0


def test_allow_unsigned_groups_is_a_workspace_yaml_key(app, tmp_path):
    from guide.content.push import push_content
    from guide.services.content_export import workspace_document

    (tmp_path / "guides").mkdir()
    (tmp_path / "workspace.yaml").write_text("key: files\nname: Files\nallow_unsigned_groups: true\n")
    push_content(tmp_path)
    ws = factories.workspace("files")
    assert ws.allow_unsigned_groups is True
    assert workspace_document(ws)["allow_unsigned_groups"] is True
    (tmp_path / "workspace.yaml").write_text("key: files\nname: Files\n")
    push_content(tmp_path)
    db.session.refresh(ws)
    assert ws.allow_unsigned_groups is False  # removed from the file: back to the default
