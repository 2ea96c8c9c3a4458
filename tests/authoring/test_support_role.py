"""The ``support`` role beside the authoring ladder: an admin gives it in Members or by
invitation, ``flask guide author create --role support`` too, and it lands people in
the support inbox, never in authoring."""

from __future__ import annotations

from typing import Any

import pytest

from guide.errors import InvalidPayload
from guide.models import Author, AuthorRole
from guide.models.author import role_allows, role_rank
from guide.services import invitations
from guide.services.authors import check_role
from tests.authoring.conftest import PASSWORD, AdminClient, csrf_token
from tests.authoring.forms_util import soup


def role_in(db: Any, workspace: Any, email: str) -> str | None:
    return db.session.scalar(db.select(AuthorRole.role).join(
        Author, AuthorRole.author_id == Author.id).where(
        Author.email == email, AuthorRole.workspace_id == workspace.id))


def test_support_has_no_authoring_rank_and_admin_reaches_the_inbox():
    assert role_rank("support") == 0 and role_rank(None) == 0
    assert [role_rank(r) for r in ("viewer", "author", "publisher", "admin")] == [1, 2, 3, 4]
    assert role_allows("support", "support") and role_allows("admin", "support")
    assert not any(role_allows(r, "support") for r in (None, "viewer", "author", "publisher"))
    assert not any(role_allows("support", level)
                   for level in ("viewer", "author", "publisher", "admin"))


def test_the_members_page_offers_and_sets_the_support_role(app, db, workspace, authors, as_role):
    admin = as_role("admin")
    page = soup(admin.get("/admin/w/demo/members").get_data(as_text=True))
    invite_roles = [o.get_text() for o in page.select('form select[name="role"]')[-1].select("option")]
    assert "support" in invite_roles
    viewer = authors["viewer"]
    response = admin.post(f"/admin/w/demo/members/{viewer.id}/role", {"role": "support"})
    assert response.status_code == 302
    assert role_in(db, workspace, "viewer@example.com") == "support"
    member = as_role("viewer")  # the email says viewer; the role is now support
    assert member.get("/admin/w/demo/").status_code == 403
    assert member.get("/support/w/demo/escalations").status_code == 200


def test_an_invitation_as_support_lands_in_the_inbox(app, db, workspace, authors, as_role):
    admin = as_role("admin")
    response = admin.post("/admin/w/demo/members", {"email": "Help@Example.com", "role": "support"})
    link = soup(response.get_data(as_text=True)).select_one(
        '[data-testid="invitation-link"] code').get_text()
    assert [i.role for i in invitations.pending(workspace)] == ["support"]
    invitee = app.test_client()
    joined = invitee.post(link, data={"password": "long enough", "csrf_token": csrf_token(invitee)})
    assert joined.status_code == 302 and joined.headers["Location"] == "/support/w/demo/escalations"
    assert role_in(db, workspace, "help@example.com") == "support"
    assert invitee.get("/support/w/demo/escalations").status_code == 200
    assert invitee.get("/admin/w/demo/").status_code == 403


def test_an_unknown_role_is_still_refused(app, db, workspace, authors, as_role):
    admin = as_role("admin")
    admin.post("/admin/w/demo/members", {"email": "x@example.com", "role": "superuser"})
    assert invitations.pending(workspace) == []
    with pytest.raises(InvalidPayload, match="one of: viewer, author, publisher, admin, support"):
        check_role("superuser")


def test_cli_creates_a_support_member(app, runner, workspace):
    result = runner.invoke(args=["guide", "author", "create", "help@example.com", "--workspace",
                                 "demo", "--role", "support", "--password", PASSWORD])
    assert result.exit_code == 0 and "support in demo" in result.output, result.output
    member = AdminClient(app.test_client(), "help@example.com")
    assert member.get("/admin/").headers["Location"] == "/support/w/demo/escalations"
    assert member.get("/support/").headers["Location"] == "/support/w/demo/escalations"
