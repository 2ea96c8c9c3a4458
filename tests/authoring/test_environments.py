"""The admin's environments page and promote (diff, confirm, audit): docs/ENVIRONMENTS.md."""

from __future__ import annotations

import re
from typing import Any

import pytest

from guide.models import AuditEntry, Guide
from guide.services import environments
from tests import factories


@pytest.fixture
def staging(app: Any, workspace: Any) -> Any:
    return environments.create("test", workspace, {"name": "staging",
                                                   "allowed_origins": ["https://staging.example"]})


def published(ws: Any, key: str) -> Any:
    guide = factories.db.session.scalar(factories.db.select(Guide).where(
        Guide.workspace_id == ws.id, Guide.key == key))
    factories.db.session.refresh(guide) if guide else None
    return guide.published_version if guide else None


def fingerprint(html: str) -> str:
    match = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html)
    assert match, "the promote page has a confirm form"
    return match.group(1)


def test_the_environments_page_lists_app_keys_and_origins(as_role: Any, staging: Any) -> None:
    html = as_role("viewer").get("/admin/w/demo/environments").get_data(as_text=True)
    assert "demo-staging" in html and "https://staging.example" in html
    assert 'name="name"' not in html  # only admins get the create form


def test_an_admin_creates_an_environment(as_role: Any, workspace: Any) -> None:
    admin = as_role("admin")
    response = admin.post("/admin/w/demo/environments",
                          data={"name": "qa", "allowed_origins": "https://qa.example"})
    assert response.status_code == 302
    qa = factories.workspace("demo-qa")
    assert (qa.environment, qa.production_id, qa.allowed_origins) == (
        "qa", workspace.id, ["https://qa.example"])
    assert admin.post("/admin/w/demo/environments", data={"name": "Bad Name"}
                      ).status_code == 302  # refused with a message, not a 500
    assert environments.of(workspace)[-1].environment == "qa"


def test_a_publisher_creating_an_environment_is_refused(as_role: Any, workspace: Any) -> None:
    response = as_role("publisher").post("/admin/w/demo/environments", data={"name": "qa"})
    assert response.status_code == 403


def test_members_reach_the_environment_with_their_production_role(
        as_role: Any, staging: Any) -> None:
    assert as_role("viewer").get("/admin/w/demo-staging/").status_code == 200
    assert as_role("author").get("/admin/w/demo-staging/guides/new").status_code == 200


def test_a_member_of_another_workspace_cannot_reach_the_environment(
        app: Any, as_role: Any, staging: Any) -> None:
    from guide.services.authors import ensure_author
    from tests.authoring.conftest import PASSWORD, AdminClient

    other = factories.make_workspace("other")
    ensure_author("outsider@example.com", PASSWORD, other, "admin")
    outsider = AdminClient(app.test_client(), "outsider@example.com")
    assert outsider.get("/admin/w/demo-staging/").status_code == 403
    assert outsider.get("/admin/w/demo/promote?from=staging").status_code == 403


def test_publish_on_staging_preview_then_promote_shows_in_the_audit_log(
        as_role: Any, workspace: Any, staging: Any) -> None:
    """The issue's "done when": publish to staging, see the diff, promote, read the audit log."""
    publisher = as_role("publisher")
    body = factories.checklist_body("onboarding", title="Staged title")
    factories.publish(staging, body)
    page = publisher.get("/admin/w/demo/promote?from=staging")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="diff-onboarding"' in html and "Staged title" in html
    response = publisher.post("/admin/w/demo/promote",
                              data={"from": "staging", "fingerprint": fingerprint(html)})
    assert response.status_code == 302
    assert published(workspace, "onboarding").body == body
    entry = factories.db.session.scalar(factories.db.select(AuditEntry).where(
        AuditEntry.action == "guide.promote"))
    assert (entry.workspace_id, entry.actor, entry.target) == (
        workspace.id, "publisher@example.com", "onboarding")
    log = as_role("admin").get("/admin/w/demo/audit").get_data(as_text=True)
    assert "guide.promote" in log and "environment: staging" in log


def test_a_viewer_sees_the_diff_but_cannot_promote(as_role: Any, workspace: Any,
                                                  staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding"))
    viewer = as_role("viewer")
    html = viewer.get("/admin/w/demo/promote?from=staging").get_data(as_text=True)
    assert 'data-testid="promote"' not in html
    response = viewer.post("/admin/w/demo/promote", data={"from": "staging",
                                                          "fingerprint": "x"})
    assert response.status_code == 403
    assert published(workspace, "onboarding") is None


def test_promote_without_a_csrf_token_is_refused(as_role: Any, workspace: Any,
                                                 staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding"))
    publisher = as_role("publisher")
    response = publisher.client.post("/admin/w/demo/promote", data={"from": "staging"})
    assert response.status_code == 400
    assert published(workspace, "onboarding") is None


def test_a_promote_of_a_diff_that_changed_since_is_refused(as_role: Any, workspace: Any,
                                                          staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding", title="Reviewed"))
    publisher = as_role("publisher")
    seen = fingerprint(publisher.get("/admin/w/demo/promote?from=staging").get_data(as_text=True))
    factories.publish(staging, factories.checklist_body("onboarding", title="Unreviewed"))
    response = publisher.post("/admin/w/demo/promote", data={"from": "staging",
                                                             "fingerprint": seen},
                              follow_redirects=True)
    assert "changed since you saw the diff" in response.get_data(as_text=True)
    assert published(workspace, "onboarding") is None


def test_promote_from_an_unknown_environment_is_a_message_not_a_500(
        as_role: Any, workspace: Any) -> None:
    response = as_role("publisher").get("/admin/w/demo/promote?from=nope",
                                        follow_redirects=True)
    assert response.status_code == 200
    assert "no environment &#34;nope&#34;" in response.get_data(as_text=True)


def test_an_admin_sets_an_environments_origins_on_its_settings_page(
        as_role: Any, staging: Any) -> None:
    admin = as_role("admin")
    page = admin.get("/admin/w/demo-staging/settings").get_data(as_text=True)
    assert 'action="/admin/w/demo-staging/settings/origins"' in page
    assert ">https://staging.example</textarea>" in page
    response = admin.post("/admin/w/demo-staging/settings/origins", data={
        "allowed_origins": "https://staging.example\r\nHTTP://127.0.0.1:8080/"})
    assert response.status_code == 302
    factories.db.session.refresh(staging)
    assert staging.allowed_origins == ["https://staging.example", "http://127.0.0.1:8080"]
    assert "Allowed origins saved." in admin.get("/admin/w/demo-staging/settings").get_data(
        as_text=True)
    audit = admin.get("/admin/w/demo-staging/audit").get_data(as_text=True)
    assert "settings.update" in audit and "allowed_origins" in audit
    # A bad origin: the form again with the message, nothing changed.
    bad = admin.post("/admin/w/demo-staging/settings/origins",
                     data={"allowed_origins": "https://ok.example staging.example"})
    assert bad.status_code == 400
    assert "&#34;staging.example&#34; is not an origin" in bad.get_data(as_text=True)
    factories.db.session.refresh(staging)
    assert staging.allowed_origins == ["https://staging.example", "http://127.0.0.1:8080"]


def test_origins_need_the_csrf_token_an_admin_and_an_environment(
        app: Any, as_role: Any, workspace: Any, staging: Any) -> None:
    admin = as_role("admin")
    forged = admin.client.post("/admin/w/demo-staging/settings/origins",
                               data={"allowed_origins": "https://evil.example"})
    assert forged.status_code == 400
    assert as_role("publisher").post("/admin/w/demo-staging/settings/origins", data={
        "allowed_origins": "https://evil.example"}).status_code == 403
    production = admin.post("/admin/w/demo/settings/origins",
                            data={"allowed_origins": "https://evil.example"})
    assert production.status_code == 400 and "workspace.yaml" in production.get_data(as_text=True)
    assert 'action="/admin/w/demo/settings/origins"' not in admin.get(
        "/admin/w/demo/settings").get_data(as_text=True)
    factories.db.session.refresh(staging)
    factories.db.session.refresh(workspace)
    assert staging.allowed_origins == ["https://staging.example"]
    assert "https://evil.example" not in (workspace.allowed_origins or [])
