"""A workspace admin can neither attach another company's author to their workspace
nor learn from the members page whether an email has a Guide account: adding a
member creates an invitation, answered the same whatever the email, that only the
invited person can accept (signed in as that email, or choosing a password)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from guide.models import AuditEntry, Author, AuthorInvitation, AuthorRole
from guide.models.base import utcnow
from guide.services.authors import authenticate, ensure_author, workspaces_of
from tests import factories
from tests.authoring.conftest import (
    PASSWORD,
    AdminClient,
    _fresh_g_per_request,  # noqa: F401 (autouse: g per request)
    csrf_token,
)
from tests.authoring.forms_util import soup

VICTIM = "ceo@victim.example"


@pytest.fixture
def tenants(app, db) -> dict[str, Any]:
    """Two companies on one server: the attacker administers ``evil``, the victim ``good``."""
    evil, good = factories.make_workspace("evil"), factories.make_workspace("good")
    ensure_author("admin@evil.example", PASSWORD, evil, "admin")
    victim, _ = ensure_author(VICTIM, PASSWORD, good, "admin")
    return {"evil": evil, "good": good, "victim": victim,
            "attacker": AdminClient(app.test_client(), "admin@evil.example")}


def invite(admin: AdminClient, email: str, role: str = "viewer", workspace: str = "evil") -> Any:
    return admin.post(f"/admin/w/{workspace}/members", {"email": email, "role": role})


def link_of(response: Any) -> str:
    found = soup(response.get_data(as_text=True)).select_one('[data-testid="invitation-link"] code')
    assert found is not None, response.get_data(as_text=True)
    return found.get_text()


def roles_in(db, workspace) -> dict[str, str]:
    rows = db.session.execute(db.select(Author.email, AuthorRole.role).join(
        AuthorRole, AuthorRole.author_id == Author.id).where(
        AuthorRole.workspace_id == workspace.id))
    return dict(rows.all())


def normalized(response: Any, email: str) -> str:
    """The page with the email, the link's token, row ids and CSRF tokens blanked out."""
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    html = re.sub(r"/admin/invitation/[A-Za-z0-9_-]+", "/admin/invitation/TOKEN", html)
    html = re.sub(r"/invitations/\d+/", "/invitations/ID/", html)  # a row id, server-wide
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)
    html = re.sub(r'<meta name="csrf-token" content="[^"]+"', "<meta", html)
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "WHEN", html)


def test_adding_a_member_answers_the_same_whether_the_email_has_an_account(app, db, tenants):
    attacker = tenants["attacker"]
    existing = invite(attacker, VICTIM)
    # The same page state for the second: the first invitation revoked (and its notice read).
    [first] = db.session.scalars(db.select(AuthorInvitation)).all()
    attacker.post(f"/admin/w/evil/invitations/{first.id}/revoke")
    attacker.get("/admin/w/evil/members")
    fresh = invite(attacker, "nobody@nowhere.example")
    assert existing.status_code == fresh.status_code == 200
    assert normalized(existing, VICTIM) == normalized(fresh, "nobody@nowhere.example")
    # Nothing was created or attached on the way: both are invitations, nothing more.
    assert db.session.scalar(db.select(Author).where(Author.email == "nobody@nowhere.example")) is None
    assert set(roles_in(db, tenants["evil"])) == {"admin@evil.example"}


def test_an_admin_cannot_attach_another_tenants_author(app, db, tenants):
    attacker, victim = tenants["attacker"], tenants["victim"]
    invite(attacker, VICTIM, role="admin")
    # Nor through the role form, with the victim's author id.
    changed = attacker.post(f"/admin/w/evil/members/{victim.id}/role", {"role": "admin"})
    assert changed.status_code == 302
    assert VICTIM not in roles_in(db, tenants["evil"])
    assert [w.key for w, _ in workspaces_of(victim)] == ["good"]


def test_the_invited_author_joins_only_by_accepting_signed_in_as_that_email(app, db, tenants):
    link = link_of(invite(tenants["attacker"], VICTIM, role="author"))
    # Someone else holding the link (here the inviting admin) cannot take the account
    # over by "creating" it with a password of their choosing.
    anonymous = app.test_client()
    taken = anonymous.post(link, data={"password": "attacker-chosen", "csrf_token": csrf_token(anonymous)})
    assert taken.status_code == 400 and "sign in to accept" in taken.get_data(as_text=True)
    assert authenticate(VICTIM, PASSWORD) is not None
    assert authenticate(VICTIM, "attacker-chosen") is None
    # Another signed-in author cannot accept it either.
    other = AdminClient(app.test_client(), "admin@evil.example")
    assert other.post(link).status_code == 400
    assert VICTIM not in roles_in(db, tenants["evil"])
    # The victim, signed in, sees the offer and accepts it: now a member, by consent.
    victim = AdminClient(app.test_client(), VICTIM)
    assert "Accept and join" in victim.get(link).get_data(as_text=True)
    assert victim.post(link).status_code == 302
    assert roles_in(db, tenants["evil"])[VICTIM] == "author"
    assert roles_in(db, tenants["good"])[VICTIM] == "admin"
    joined = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "member.join"))
    assert joined.actor == VICTIM and joined.details == {"role": "author"}


def test_a_new_email_sets_its_own_password_through_the_link(app, db, tenants):
    link = link_of(invite(tenants["attacker"], "New.Person@Example.com", role="publisher"))
    invitee = app.test_client()
    page = invitee.get(link).get_data(as_text=True)
    assert "Sign in to accept" in page and "Create my account and join" in page
    short = invitee.post(link, data={"password": "short", "csrf_token": csrf_token(invitee)})
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)
    joined = invitee.post(link, data={"password": "long enough", "name": "New",
                                      "csrf_token": csrf_token(invitee)})
    assert joined.status_code == 302 and joined.headers["Location"] == "/admin/w/evil/"
    assert authenticate("new.person@example.com", "long enough") is not None
    assert roles_in(db, tenants["evil"])["new.person@example.com"] == "publisher"
    assert invitee.get("/admin/w/evil/").status_code == 200  # signed in


def test_a_link_works_once_and_not_after_it_expires_is_revoked_or_replaced(app, db, tenants):
    attacker = tenants["attacker"]
    used = link_of(invite(attacker, "a@example.com"))
    client = app.test_client()
    client.post(used, data={"password": "long enough", "csrf_token": csrf_token(client)})
    assert app.test_client().get(used).status_code == 404

    expired = link_of(invite(attacker, "b@example.com"))
    db.session.execute(db.update(AuthorInvitation).where(AuthorInvitation.email == "b@example.com")
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert app.test_client().get(expired).status_code == 404

    first = link_of(invite(attacker, "c@example.com"))
    second = link_of(invite(attacker, "c@example.com"))
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    [pending] = db.session.scalars(db.select(AuthorInvitation).where(
        AuthorInvitation.email == "c@example.com")).all()
    assert attacker.post(f"/admin/w/evil/invitations/{pending.id}/revoke").status_code == 302
    assert app.test_client().get(second).status_code == 404
    assert "no longer works" in attacker.get("/admin/w/evil/members").get_data(as_text=True)


def test_another_workspaces_invitation_cannot_be_revoked(app, db, tenants):
    good_admin = AdminClient(app.test_client(), VICTIM)
    link = link_of(invite(good_admin, "d@example.com", workspace="good"))
    [pending] = db.session.scalars(db.select(AuthorInvitation)).all()
    tenants["attacker"].post(f"/admin/w/evil/invitations/{pending.id}/revoke")
    assert app.test_client().get(link).status_code == 200


def test_only_the_token_hash_is_stored(app, db, tenants):
    link = link_of(invite(tenants["attacker"], "e@example.com"))
    token = link.rsplit("/", 1)[1]
    [stored] = db.session.scalars(db.select(AuthorInvitation)).all()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
