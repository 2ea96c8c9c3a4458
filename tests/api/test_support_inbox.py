"""The /support/ inbox: sign-in with an API key, CSRF on every form, escalations, timelines, webhooks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from guide.extensions import db
from guide.models import Escalation, Nudge, WebhookEndpoint
from guide.models.base import utcnow
from tests import factories
from tests.support_helpers import configure_support, escalate_http


def csrf(response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


@pytest.fixture
def api_key(open_workspace) -> str:
    key = open_workspace.create_api_key()
    db.session.commit()
    return key


@pytest.fixture
def signed_in(client, api_key):
    page = client.get("/support/signin")
    response = client.post("/support/signin", data={"api_key": api_key, "csrf": csrf(page)})
    assert response.status_code == 302 and response.location.endswith("/support/escalations")
    return client


@pytest.fixture
def reference(client, open_workspace) -> str:
    token = factories.socket_token(client, open_workspace, "ada", traits={"plan": "trial"})
    result = escalate_http(client, token, message="Export <script>alert(1)</script> fails",
                           guide="onboarding", step="connect", url="/reports")
    return result["reference"]


@pytest.mark.parametrize("path", ["/support/escalations", "/support/escalations/ESC-222222",
                                  "/support/users/ada", "/support/webhooks"])
def test_pages_need_sign_in(client, open_workspace, path):
    response = client.get(path)
    assert response.status_code == 302 and "/support/signin?next=" in response.location


def test_sign_in_sets_a_strict_httponly_cookie_and_needs_csrf(client, api_key):
    page = client.get("/support/signin")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/support" in cookie
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    forged = client.post("/support/signin", data={"api_key": api_key, "csrf": "forged"})
    assert forged.status_code == 401 and "expired" in forged.get_data(as_text=True)
    wrong = client.post("/support/signin", data={"api_key": "gsk_open.nope", "csrf": csrf(page)})
    assert wrong.status_code == 401 and "not a valid secret API key" in wrong.get_data(as_text=True)
    assert client.get("/support/escalations").status_code == 302


def test_the_inbox_lists_escalations_by_status_escaped(signed_in, reference):
    page = signed_in.get("/support/escalations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and reference in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Onboarding › Connect" in html
    assert reference not in signed_in.get("/support/escalations?status=resolved").get_data(as_text=True)


def test_the_escalation_page_shows_its_context(signed_in, reference):
    html = signed_in.get(f"/support/escalations/{reference}").get_data(as_text=True)
    for expected in ("<code>/reports</code>", "plan", "trial", "<code>onboarding</code>", "step Connect"):
        assert expected in html, expected
    assert signed_in.get("/support/escalations/ESC-222222").status_code == 404


def test_a_status_change_needs_the_csrf_token(signed_in, reference):
    refused = signed_in.post(f"/support/escalations/{reference}/status",
                             data={"status": "resolved", "csrf": "nope"})
    assert refused.status_code == 400
    assert db.session.scalars(db.select(Escalation)).one().status == "open"
    page = signed_in.get(f"/support/escalations/{reference}")
    done = signed_in.post(f"/support/escalations/{reference}/status",
                          data={"status": "acknowledged", "note": "On it", "csrf": csrf(page)})
    assert done.status_code == 302
    db.session.expire_all()
    escalation = db.session.scalars(db.select(Escalation)).one()
    assert escalation.status == "acknowledged" and escalation.history[0]["by"] == "inbox"
    assert db.session.scalars(db.select(Nudge)).one().payload["message"] == "On it"
    assert "On it" in signed_in.get(f"/support/escalations/{reference}").get_data(as_text=True)


def test_revoking_the_key_signs_the_inbox_out(signed_in, open_workspace, reference):
    open_workspace.api_key_hashes = []
    db.session.commit()
    assert signed_in.get("/support/escalations").status_code == 302


def test_sign_out_needs_csrf_and_ends_the_session(signed_in):
    assert signed_in.post("/support/signout", data={"csrf": "x"}).status_code == 400
    page = signed_in.get("/support/escalations")
    assert signed_in.post("/support/signout", data={"csrf": csrf(page)}).status_code == 302
    assert signed_in.get("/support/escalations").status_code == 302


def test_the_user_timeline_page(signed_in, reference):
    html = signed_in.get("/support/users/ada").get_data(as_text=True)
    assert reference in html and "help:escalate" in html
    assert signed_in.get("/support/users/nobody").status_code == 404


def test_disabled_webhook_endpoints_are_flagged(signed_in, open_workspace, reference):
    configure_support(open_workspace, webhooks=["https://hooks.example.com/a"])
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    endpoint.disabled_at, endpoint.disabled_reason = utcnow() - timedelta(hours=1), "failing for 24 hours"
    db.session.commit()
    assert "1 webhook endpoint is disabled" in signed_in.get("/support/escalations").get_data(as_text=True)
    html = signed_in.get("/support/webhooks").get_data(as_text=True)
    assert "DISABLED since" in html and "failing for 24 hours" in html


def test_a_next_parameter_cannot_redirect_elsewhere(client, api_key):
    page = client.get("/support/signin")
    response = client.post("/support/signin?next=//evil.example/x",
                           data={"api_key": api_key, "csrf": csrf(page)})
    assert response.location.endswith("/support/escalations")


# ---------------------------------------------------------------- proactive tasks


@pytest.fixture
def proactive(open_workspace) -> dict[str, str]:
    """Two tasks opened by scenarios: one for user late (a sweep), one for account acme."""
    from guide.models import Account
    from guide.proactive.sweep import sweep
    from tests.proactive.conftest import LIFECYCLE, make_user, set_rules

    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[
        {"key": "not-connected", "title": "Not connected after 2 days",
         "trigger": {"milestone_missing": "connected", "days": 2},
         "actions": [{"task": {"message": "Has not connected after 2 days."}}]},
        {"key": "plan-late", "trigger": {"plan_overdue": "*"},
         "actions": [{"task": {"message": "A plan step is overdue."}}]}])
    factories.publish(open_workspace, {
        "key": "plan", "kind": "plan", "title": "Plan", "priority": 0, "steps": [
            {"id": "kickoff", "title": "Kickoff", "owner": "vendor", "due_days": 3,
             "complete_when": {"manual": True}, "scope": "account"}]})
    db.session.add(Account(workspace_id=open_workspace.id, external_id="acme", traits={},
                           created_at=utcnow() - timedelta(days=5)))
    make_user(open_workspace, "late", days_ago=3, plan="trial")
    sweep(open_workspace)
    return {e.scenario_key: e.reference for e in db.session.scalars(
        db.select(Escalation).where(Escalation.origin == "scenario"))}


def listed(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    return dict(re.findall(r'data-reference="(ESC-\w+)" data-origin="(\w+)"', html))


def test_proactive_tasks_are_marked_and_filtered(signed_in, reference, proactive):
    assert set(proactive) == {"not-connected", "plan-late"}
    everything = signed_in.get("/support/escalations")
    assert listed(everything) == {reference: "user", proactive["not-connected"]: "scenario",
                                  proactive["plan-late"]: "scenario"}
    html = everything.get_data(as_text=True)
    assert html.count(">Proactive</span>") == 2
    assert "<code class=\"scenario\">not-connected</code>" in html
    assert listed(signed_in.get("/support/escalations?origin=user")) == {reference: "user"}
    only = signed_in.get("/support/escalations?origin=scenario")
    assert set(listed(only)) == {proactive["not-connected"], proactive["plan-late"]}
    assert re.search(r'aria-current="page">\s*Open <span class="count">2</span>',
                     only.get_data(as_text=True))
    assert listed(signed_in.get("/support/escalations?origin=scenario&status=resolved")) == {}
    assert len(listed(signed_in.get("/support/escalations?origin=nonsense"))) == 3


def test_a_proactive_task_shows_the_scenario_beside_the_users_context(signed_in, proactive):
    page = signed_in.get(f"/support/escalations/{proactive['not-connected']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Proactive" in html and "Why: scenario <code>not-connected</code>" in html
    assert "Not connected after 2 days" in html and "user late" in html
    assert "milestone</dt><dd>connected" in html
    assert ">plan</dt><dd>trial" in html  # the user's traits, from the context snapshot
    account_task = signed_in.get(f"/support/escalations/{proactive['plan-late']}")
    assert account_task.status_code == 200
    text = account_task.get_data(as_text=True)
    assert "account acme" in text and "plan/kickoff" in text
