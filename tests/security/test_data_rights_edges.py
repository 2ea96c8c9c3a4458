"""Data rights from the CLI and the admin: the same export and erasure as the REST API,
the admin's behind the admin role, a typed confirmation and CSRF, all audited."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import Account, AuditEntry, EndUser
from guide.models.author import ROLES
from guide.services import privacy_export
from guide.services.authors import ensure_author
from tests import factories
from tests.authoring.conftest import (  # noqa: F401 (an autouse fixture: a fresh g per request)
    PASSWORD,
    AdminClient,
    _fresh_g_per_request,
)
from tests.security.data_rights_helpers import counts, make_story, payloads


@pytest.fixture
def story(client, workspace):
    factories.publish(workspace, factories.checklist_body())
    return make_story(client, workspace)


@pytest.fixture
def as_role(app, workspace):
    """``as_role("admin")``: a client signed in with that role in the demo workspace."""
    for role in ROLES:
        ensure_author(f"{role}@example.com", PASSWORD, workspace, role)
    return lambda role: AdminClient(app.test_client(), f"{role}@example.com")


def audit_actions() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.actor, e.action) for e in db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id))
        if e.action in ("user.export", "user.delete", "account.export", "account.delete")]


# ---------------------------------------------------------------- CLI


def test_cli_export_writes_every_event_through_the_pages(story, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(privacy_export, "EVENTS_PAGE", 2)  # several pages, one document
    out = tmp_path / "ada.json"
    result = runner.invoke(args=["guide", "users", "export", "ada", "--workspace", "demo",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["user"]["id"] == "ada" and doc["escalations"][0]["reference"] == story.reference
    assert len(doc["events"]["items"]) == doc["events"]["total"] == counts(story)["events"] > 2
    assert doc["events"]["next"] is None
    assert audit_actions() == [("cli", "user.export")]


def test_cli_delete_asks_first_then_erases(story, runner):
    result = runner.invoke(args=["guide", "users", "delete", "ada", "--workspace", "demo"],
                           input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert counts(story)["user"] == 1
    result = runner.invoke(args=["guide", "users", "delete", "ada", "--workspace", "demo"],
                           input="y\n")
    assert result.exit_code == 0, result.output
    assert counts(story) == dict.fromkeys(counts(story), 0)
    assert audit_actions() == [("cli", "user.delete")]
    assert "user.deleted" in [kind for kind, _, _ in payloads()]


def test_cli_account_delete_with_its_users(story, runner):
    result = runner.invoke(args=["guide", "accounts", "delete", "acme", "--workspace", "demo",
                                 "--users", "delete", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser).where(
        EndUser.external_id.in_(["ada", "bob"]))) == 0


def test_cli_names_an_unknown_user_and_exits_non_zero(story, runner):
    result = runner.invoke(args=["guide", "users", "delete", "nobody", "--workspace", "demo",
                                 "--yes"])
    assert result.exit_code == 1 and "No user 'nobody'" in result.output
    result = runner.invoke(args=["guide", "accounts", "export", "acme", "--workspace", "nope"])
    assert result.exit_code == 1


# ---------------------------------------------------------------- admin


def test_only_admins_export_or_erase(story, as_role):
    for role in ("viewer", "author", "publisher"):
        client = as_role(role)
        assert client.get("/admin/w/demo/user?id=ada").status_code == 200
        assert client.get("/admin/w/demo/user/export?id=ada").status_code == 403
        assert client.post("/admin/w/demo/user/delete?id=ada",
                           data={"confirm": "ada"}).status_code == 403
        assert client.post("/admin/w/demo/account/delete?id=acme",
                           data={"confirm": "acme"}).status_code == 403
    assert counts(story)["user"] == 1 and audit_actions() == []


def test_admin_downloads_the_users_export(story, as_role):
    admin = as_role("admin")
    page = admin.get("/admin/w/demo/user?id=ada").get_data(as_text=True)
    assert "/admin/w/demo/user/export?id=ada" in page and "Erase this user" in page
    response = admin.get("/admin/w/demo/user/export?id=ada")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    doc = json.loads(response.get_data(as_text=True))
    assert doc["user"]["id"] == "ada" and len(doc["events"]["items"]) == doc["events"]["total"]
    assert audit_actions() == [("admin@example.com", "user.export")]
    assert admin.get("/admin/w/demo/user/export?id=nobody").status_code == 404


def test_admin_erases_a_user_after_typing_their_id(story, as_role):
    admin = as_role("admin")
    confirm = admin.get("/admin/w/demo/user/delete?id=ada")
    assert confirm.status_code == 200 and "Type" in confirm.get_data(as_text=True)
    mistyped = admin.post("/admin/w/demo/user/delete?id=ada", data={"confirm": "bob"})
    assert mistyped.status_code == 400 and counts(story)["user"] == 1
    forged = admin.client.post("/admin/w/demo/user/delete?id=ada", data={"confirm": "ada"})
    assert forged.status_code == 400 and counts(story)["user"] == 1  # no CSRF token
    done = admin.post("/admin/w/demo/user/delete?id=ada", data={"confirm": "ada"})
    assert done.status_code == 302
    assert counts(story) == dict.fromkeys(counts(story), 0)
    assert audit_actions() == [("admin@example.com", "user.delete")]


def test_admin_erases_an_account_keeping_its_users(story, as_role):
    admin = as_role("admin")
    page = admin.get("/admin/w/demo/accounts/acme").get_data(as_text=True)
    assert "/admin/w/demo/account/delete?id=acme" in page
    assert admin.get("/admin/w/demo/account/export?id=acme").status_code == 200
    done = admin.post("/admin/w/demo/account/delete?id=acme",
                      data={"confirm": "acme", "users": "keep"})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0
    assert counts(story)["user"] == 1
    assert audit_actions() == [("admin@example.com", "account.export"),
                               ("admin@example.com", "account.delete")]
