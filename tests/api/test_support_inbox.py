"""The /support/ inbox: signed into with an admin account (role support or admin, never an
API key), Flask-WTF CSRF on every form, escalations, timelines, webhooks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from guide.extensions import db
from guide.models import Escalation, Nudge, WebhookEndpoint
from guide.models.base import utcnow
from guide.services.authors import ensure_author, remove_role
from tests import factories
from tests.authoring.conftest import (  # noqa: F401 (autouse: g per request)
    PASSWORD,
    AdminClient,
    _fresh_g_per_request,
    csrf_token,
    login,
)
from tests.support_helpers import configure_support, escalate_http

INBOX = "/support/w/open"
SUPPORT = "support@example.com"


@pytest.fixture
def supporter(app, open_workspace):
    """support@example.com, with the support role in the open workspace."""
    return ensure_author(SUPPORT, PASSWORD, open_workspace, "support")[0]


@pytest.fixture
def signed_in(app, supporter) -> AdminClient:
    return AdminClient(app.test_client(), SUPPORT)


@pytest.fixture
def reference(client, open_workspace) -> str:
    token = factories.socket_token(client, open_workspace, "ada", traits={"plan": "trial"})
    result = escalate_http(client, token, message="Export <script>alert(1)</script> fails",
                           guide="onboarding", step="connect", url="/reports")
    return result["reference"]


@pytest.mark.parametrize("path", ["/support/", f"{INBOX}/escalations",
                                  f"{INBOX}/escalations/ESC-222222", f"{INBOX}/users/ada",
                                  f"{INBOX}/webhooks", "/support/escalations/ESC-222222"])
def test_pages_send_to_the_admin_sign_in_and_back(client, open_workspace, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location == f"/admin/login?next={path}"


def test_signing_in_at_the_admin_login_opens_the_inbox(app, client, supporter):
    target = client.get("/support/").location
    response = client.post(target, data={"email": SUPPORT, "password": PASSWORD,
                                         "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.location == "/support/"
    assert client.get("/support/").location == f"{INBOX}/escalations"
    page = client.get(f"{INBOX}/escalations")
    assert page.status_code == 200 and "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert SUPPORT in page.get_data(as_text=True)


def test_an_api_key_no_longer_signs_into_the_inbox(client, open_workspace):
    key = open_workspace.create_api_key()
    db.session.commit()
    token = csrf_token(client)
    assert client.post("/support/signin", data={"api_key": key, "csrf": token,
                                                 "csrf_token": token}).status_code == 404
    for headers, query in (({"Authorization": f"Bearer {key}"}, ""), ({}, f"?api_key={key}")):
        response = client.get(f"{INBOX}/escalations{query}", headers=headers)
        assert response.status_code == 302 and "/admin/login" in response.location
    # ... nor into the admin's sign-in form, as a password of the workspace's key
    refused = client.post("/admin/login", data={"email": "open", "password": key,
                                                "csrf_token": token})
    assert "Wrong email or password" in refused.get_data(as_text=True)
    assert client.get(f"{INBOX}/escalations").status_code == 302


def test_the_inbox_lists_escalations_by_status_escaped(signed_in, reference):
    page = signed_in.get(f"{INBOX}/escalations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and reference in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Onboarding › Connect" in html
    assert reference not in signed_in.get(f"{INBOX}/escalations?status=resolved").get_data(as_text=True)


def test_the_escalation_page_shows_its_context(signed_in, reference):
    html = signed_in.get(f"{INBOX}/escalations/{reference}").get_data(as_text=True)
    for expected in ("<code>/reports</code>", "plan", "trial", "<code>onboarding</code>", "step Connect"):
        assert expected in html, expected
    assert signed_in.get(f"{INBOX}/escalations/ESC-222222").status_code == 404


def test_a_status_change_needs_the_csrf_token(signed_in, reference):
    url = f"{INBOX}/escalations/{reference}/status"
    for data in ({"status": "resolved"}, {"status": "resolved", "csrf_token": "nope"},
                 {"status": "resolved", "csrf": "the old hand-made field"}):
        refused = signed_in.client.post(url, data=data)
        assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert db.session.scalars(db.select(Escalation)).one().status == "open"
    page = signed_in.get(f"{INBOX}/escalations/{reference}").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = signed_in.client.post(url, data={"status": "acknowledged", "note": "On it",
                                            "csrf_token": form_token})
    assert done.status_code == 302 and done.location == f"{INBOX}/escalations/{reference}"
    db.session.expire_all()
    escalation = db.session.scalars(db.select(Escalation)).one()
    assert escalation.status == "acknowledged" and escalation.history[0]["by"] == SUPPORT
    assert db.session.scalars(db.select(Nudge)).one().payload["message"] == "On it"
    assert "On it" in signed_in.get(f"{INBOX}/escalations/{reference}").get_data(as_text=True)


def test_a_wrong_status_is_a_400_page_and_an_unknown_reference_a_404(signed_in, reference):
    wrong = signed_in.post(f"{INBOX}/escalations/{reference}/status", {"status": "closed"})
    assert wrong.status_code == 400 and "acknowledged or resolved" in wrong.get_data(as_text=True)
    missing = signed_in.post(f"{INBOX}/escalations/ESC-222222/status", {"status": "resolved"})
    assert missing.status_code == 404


def test_removing_the_role_closes_the_inbox(app, signed_in, open_workspace, supporter):
    admin = ensure_author("boss@example.com", PASSWORD, open_workspace, "admin")[0]
    assert signed_in.get(f"{INBOX}/escalations").status_code == 200
    remove_role(admin, open_workspace, supporter.id)
    refused = signed_in.get(f"{INBOX}/escalations")
    assert refused.status_code == 403 and "no role in" in refused.get_data(as_text=True)


def test_sign_out_everywhere_signs_every_inbox_out(app, supporter):
    laptop, phone = AdminClient(app.test_client(), SUPPORT), AdminClient(app.test_client(), SUPPORT)
    page = laptop.get(f"{INBOX}/escalations").get_data(as_text=True)
    assert 'action="/admin/logout"' in page and "Sign out everywhere" in page
    assert phone.get(f"{INBOX}/escalations").status_code == 200
    assert laptop.post("/admin/logout").location == "/admin/login"
    for client in (laptop, phone):
        response = client.get(f"{INBOX}/escalations")
        assert response.status_code == 302 and "/admin/login" in response.location


def test_the_user_timeline_page(signed_in, reference):
    html = signed_in.get(f"{INBOX}/users/ada").get_data(as_text=True)
    assert reference in html and "help:escalate" in html
    assert signed_in.get(f"{INBOX}/users/nobody").status_code == 404


def test_disabled_webhook_endpoints_are_flagged(signed_in, open_workspace, reference):
    configure_support(open_workspace, webhooks=["https://hooks.example.com/a"])
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    endpoint.disabled_at, endpoint.disabled_reason = utcnow() - timedelta(hours=1), "failing for 24 hours"
    db.session.commit()
    assert "1 webhook endpoint is disabled" in signed_in.get(f"{INBOX}/escalations").get_data(as_text=True)
    html = signed_in.get(f"{INBOX}/webhooks").get_data(as_text=True)
    assert "DISABLED since" in html and "failing for 24 hours" in html


def test_a_next_parameter_cannot_redirect_elsewhere(client, supporter):
    for target, landing in ((f"{INBOX}/webhooks", f"{INBOX}/webhooks"),
                            ("//evil.example/x", "/admin/"), ("/elsewhere", "/admin/")):
        client.post("/admin/logout", data={"csrf_token": csrf_token(client)})
        response = client.post(f"/admin/login?next={target}", data={
            "email": SUPPORT, "password": PASSWORD, "csrf_token": csrf_token(client)})
        assert response.location == landing, target
    assert client.get("/admin/").location == f"{INBOX}/escalations"


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
    everything = signed_in.get(f"{INBOX}/escalations")
    assert listed(everything) == {reference: "user", proactive["not-connected"]: "scenario",
                                  proactive["plan-late"]: "scenario"}
    html = everything.get_data(as_text=True)
    assert html.count(">Proactive</span>") == 2
    assert "<code class=\"scenario\">not-connected</code>" in html
    assert listed(signed_in.get(f"{INBOX}/escalations?origin=user")) == {reference: "user"}
    only = signed_in.get(f"{INBOX}/escalations?origin=scenario")
    assert set(listed(only)) == {proactive["not-connected"], proactive["plan-late"]}
    assert re.search(r'aria-current="page">\s*Open <span class="count">2</span>',
                     only.get_data(as_text=True))
    assert listed(signed_in.get(f"{INBOX}/escalations?origin=scenario&status=resolved")) == {}
    assert len(listed(signed_in.get(f"{INBOX}/escalations?origin=nonsense"))) == 3


def test_a_proactive_task_shows_the_scenario_beside_the_users_context(signed_in, proactive):
    page = signed_in.get(f"{INBOX}/escalations/{proactive['not-connected']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Proactive" in html and "Why: scenario <code>not-connected</code>" in html
    assert "Not connected after 2 days" in html and "user late" in html
    assert 'milestone</dt><dd data-detail="milestone">connected' in html
    assert ">plan</dt><dd>trial" in html  # the user's traits, from the context snapshot
    account_task = signed_in.get(f"{INBOX}/escalations/{proactive['plan-late']}")
    assert account_task.status_code == 200
    text = account_task.get_data(as_text=True)
    assert "account acme" in text and "plan/kickoff" in text


# ---------------------------------------------------------------- who sees the inbox


def test_a_support_member_sees_the_inbox_and_nothing_of_authoring(signed_in, reference):
    assert signed_in.get(f"{INBOX}/escalations").status_code == 200
    assert signed_in.get(f"{INBOX}/escalations/{reference}").status_code == 200
    for path in ("/admin/w/open/", "/admin/w/open/guides/checklist", "/admin/w/open/accounts",
                 "/admin/w/open/members", "/admin/w/open/settings"):
        refused = signed_in.get(path)
        assert refused.status_code == 403, path
        assert "needs the" in refused.get_data(as_text=True)
    refused = signed_in.post("/admin/w/open/guides/new", {"key": "x", "title": "X"})
    assert refused.status_code == 403
    # the admin's entry page sends them to the one thing they may open
    assert signed_in.get("/admin/").location == f"{INBOX}/escalations"
    assert 'href="/admin/w/open/' not in signed_in.get(f"{INBOX}/escalations").get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "author", "publisher"])
def test_authoring_roles_do_not_see_the_inbox(app, open_workspace, reference, role):
    """Escalations and timelines are the users' personal data: support and admin only."""
    ensure_author(f"{role}@example.com", PASSWORD, open_workspace, role)
    member = AdminClient(app.test_client(), f"{role}@example.com")
    for path in (f"{INBOX}/escalations", f"{INBOX}/escalations/{reference}",
                 f"{INBOX}/users/ada", f"{INBOX}/webhooks"):
        assert member.get(path).status_code == 403, path
    assert member.post(f"{INBOX}/escalations/{reference}/status",
                       {"status": "resolved"}).status_code == 403
    assert member.get(f"/support/escalations/{reference}").status_code == 404
    assert "no role that opens a support inbox" in member.get("/support/").get_data(as_text=True)
    assert "Support inbox" not in member.get("/admin/w/open/").get_data(as_text=True)


def test_an_admin_sees_both_areas(app, open_workspace, reference):
    ensure_author("boss@example.com", PASSWORD, open_workspace, "admin")
    admin = AdminClient(app.test_client(), "boss@example.com")
    assert admin.get(f"{INBOX}/escalations/{reference}").status_code == 200
    assert admin.get("/admin/w/open/").status_code == 200
    assert f'href="{INBOX}/escalations"' in admin.get("/admin/w/open/").get_data(as_text=True)
    assert 'href="/admin/w/open/' in admin.get(f"{INBOX}/escalations").get_data(as_text=True)


def test_links_in_webhooks_and_emails_open_the_escalation_in_its_workspace(
        app, signed_in, reference):
    app.config["GUIDE_PUBLIC_URL"] = "https://guide.example.com"
    from guide.services import escalations

    escalation = db.session.scalars(db.select(Escalation)).one()
    link = escalations.view(escalation_workspace(escalation), escalation)["links"]["inbox"]
    assert link == f"https://guide.example.com/support/escalations/{reference}"
    path = link.removeprefix("https://guide.example.com")
    assert signed_in.get(path).location == f"{INBOX}/escalations/{reference}"
    assert signed_in.get(path.lower()).location == f"{INBOX}/escalations/{reference}"
    assert signed_in.get("/support/escalations/ESC-222222").status_code == 404


def escalation_workspace(escalation):
    from guide.models import Workspace

    return db.session.get(Workspace, escalation.workspace_id)


def test_a_reference_in_another_workspace_is_not_found(app, signed_in, open_workspace):
    other = factories.make_workspace(key="other", require_identity=False)
    factories.publish(other, factories.checklist_body())
    token = factories.socket_token(app.test_client(), other, "eve")
    theirs = escalate_http(app.test_client(), token)["reference"]
    assert signed_in.get(f"/support/escalations/{theirs}").status_code == 404
    assert signed_in.get(f"{INBOX}/escalations/{theirs}").status_code == 404
    assert signed_in.get(f"/support/w/other/escalations/{theirs}").status_code == 403


def test_someone_supporting_several_workspaces_chooses_one(app, signed_in, supporter):
    other = factories.make_workspace(key="other", name="Other Co")
    ensure_author(SUPPORT, PASSWORD, other, "support")
    page = signed_in.get("/support/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="{INBOX}/escalations"' in html and 'href="/support/w/other/escalations"' in html
    assert signed_in.get("/support/w/other/escalations").status_code == 200
