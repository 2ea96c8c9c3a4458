"""Sign-in, members and roles, API keys, settings, the audit log, and `flask guide author`."""

from __future__ import annotations

import pytest

from guide.models import AuditEntry, Author, Workspace
from guide.services.authors import authenticate
from tests.authoring.conftest import PASSWORD, csrf_token, login
from tests.authoring.forms_util import soup


def actions(db):
    return [(e.action, e.target) for e in db.session.scalars(
        db.select(AuditEntry).order_by(AuditEntry.id))]


def test_sign_in_sets_a_strict_session_cookie_and_honours_next(app, authors):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/admin/login?next=/admin/w/demo/audit",
                           data={"email": "Admin@Example.com", "password": PASSWORD,
                                 "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/w/demo/audit"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Content-Security-Policy" in client.get("/admin/w/demo/").headers


def test_next_never_leaves_the_admin(app, authors):
    client = app.test_client()
    response = client.post("/admin/login?next=https://evil.example/", data={
        "email": "admin@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["/admin/w/demo/\r\nSet-Cookie: x=1", "/admin/\nX-Injected: 1",
                                    "/admin/\\evil.example", "/admin/\x7f"])
def test_next_with_control_characters_falls_back_to_the_admin_home(app, authors, target):
    """CR/LF (or DEL, or a backslash some browsers read as a slash) in next= is a 302 home, never a
    500. (NUL anywhere in a query string is refused before any view: tests/api/test_hostile_input.py.)"""
    client = app.test_client()
    response = client.post("/admin/login", query_string={"next": target},
                           data={"email": "admin@example.com", "password": PASSWORD,
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/admin/"


def test_wrong_passwords_are_throttled(app, authors, monkeypatch):
    """After five, the next try waits (details: tests/security/test_login_throttle.py)."""
    from guide.models.base import utcnow
    from guide.services import login_throttle

    frozen = utcnow()
    monkeypatch.setattr(login_throttle, "utcnow", lambda: frozen)
    client = app.test_client()
    for _ in range(5):
        page = login(client, "viewer@example.com", "wrong password")
        assert "Wrong email or password" in page.get_data(as_text=True)
    assert login(client, "viewer@example.com", PASSWORD).status_code == 429


def test_an_admin_invites_a_member_who_joins_and_can_then_sign_in(app, db, workspace, as_role):
    admin = as_role("admin")
    response = admin.post("/admin/w/demo/members", {"email": "new@example.com", "role": "author"})
    link = soup(response.get_data(as_text=True)).select_one(
        '[data-testid="invitation-link"] code').get_text()
    invitee = app.test_client()
    joined = invitee.post(link, data={"password": "a new password", "name": "New",
                                      "csrf_token": csrf_token(invitee)})
    assert joined.status_code == 302 and joined.headers["Location"] == "/admin/w/demo/"
    assert authenticate("new@example.com", "a new password") is not None
    new = db.session.scalar(db.select(Author).where(Author.email == "new@example.com"))
    admin.post(f"/admin/w/demo/members/{new.id}/role", {"role": "publisher"})
    assert ("member.invite", "new@example.com") in actions(db)
    assert ("member.join", "new@example.com") in actions(db)
    assert [e.details for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "role.set", AuditEntry.target == "new@example.com"))][-1] == \
        {"role": "publisher", "previous": "author"}


def test_the_last_admin_cannot_be_demoted_or_removed(app, db, authors, as_role):
    admin = as_role("admin")
    admin.post(f"/admin/w/demo/members/{authors['admin'].id}/role", {"role": "viewer"})
    assert "last admin" in admin.get("/admin/w/demo/members").get_data(as_text=True)
    admin.post(f"/admin/w/demo/members/{authors['admin'].id}/remove")
    assert "last admin" in admin.get("/admin/w/demo/members").get_data(as_text=True)


def test_api_keys_are_shown_once_work_and_can_be_revoked(app, db, workspace, as_role, client):
    admin = as_role("admin")
    page = soup(admin.post("/admin/w/demo/api-keys").get_data(as_text=True))
    key = page.select_one('[data-testid="new-api-key"] code').get_text()
    assert db.session.get(Workspace, workspace.id).has_api_key(key)
    health = client.get("/api/v1/guides/health", headers={"Authorization": f"Bearer {key}"})
    assert health.status_code == 200
    key_id = page.select_one(".keys code").get_text().rstrip("…")
    admin.post(f"/admin/w/demo/api-keys/{key_id}/revoke")
    db.session.expire_all()
    assert not db.session.get(Workspace, workspace.id).has_api_key(key)
    assert [a for a, _ in actions(db) if a.startswith("api_key")] == ["api_key.create",
                                                                       "api_key.revoke"]


def test_settings_and_the_audit_log(app, db, as_role):
    admin = as_role("admin")
    bad = admin.post("/admin/w/demo/settings", {"preview_url": "javascript:alert(1)"})
    assert bad.status_code == 200 and "not allowed" in bad.get_data(as_text=True)
    admin.post("/admin/w/demo/settings", {"preview_url": "https://app.example.com/home"})
    log = soup(admin.get("/admin/w/demo/audit").get_data(as_text=True))
    rows = [r.get_text(" ", strip=True) for r in log.select("[data-testid=audit] tbody tr")]
    assert "settings.update" in rows[0] and "admin@example.com" in rows[0]
    response = admin.post("/admin/w/demo/guides/getting-started/preview")
    assert response.headers["Location"].startswith("https://app.example.com/home?guide_preview=")


def test_cli_creates_authors_idempotently(app, runner, workspace):
    args = ["guide", "author", "create", "cli@example.com", "--workspace", "demo",
            "--role", "publisher"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    password = first.output.split("password: ")[1].strip()
    assert authenticate("cli@example.com", password) is not None
    assert runner.invoke(args=args).exit_code == 1  # exists
    again = runner.invoke(args=[*args, "--exists-ok", "--password", "demo-password"])
    assert again.exit_code == 0 and "updated cli@example.com" in again.output
    assert authenticate("cli@example.com", "demo-password") is not None
    missing = runner.invoke(args=["guide", "author", "create", "x@example.com",
                                  "--workspace", "nope", "--password", "longenough"])
    assert missing.exit_code == 1 and 'No workspace "nope"' in missing.output


def test_an_unknown_guide_or_admin_url_is_the_admins_404_page(app, as_role):
    author = as_role("author")
    for url in ("/admin/w/demo/guides/nosuch", "/admin/no/such/page"):
        response = author.get(url)
        assert (response.status_code, response.mimetype) == (404, "text/html"), url
        page = soup(response.get_data(as_text=True))
        assert page.select_one('link[href$="admin.css"]') is not None, url  # the admin's layout
        assert page.select_one("h1").get_text(strip=True) == "404 · Not Found", url
        assert page.select_one('a[href="/admin/"]') is not None, url
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "nosuch" in author.get("/admin/w/demo/guides/nosuch").get_data(as_text=True)
    french = author.get("/admin/no/such/page", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert soup(french.get_data(as_text=True)).select_one("h1").get_text(strip=True) == (
        "404 · Introuvable")
    signed_out = app.test_client().get("/admin/no/such/page")
    assert signed_out.status_code == 404 and "admin.css" in signed_out.get_data(as_text=True)


def test_the_admins_scripts_still_get_json_errors(as_role):
    author = as_role("author")
    for headers in ({"X-Requested-With": "XMLHttpRequest"}, {"Accept": "application/json"}):
        for url in ("/admin/w/demo/guides/nosuch", "/admin/no/such/page"):
            response = author.get(url, headers=headers)
            assert response.status_code == 404, (url, headers)
            assert response.get_json()["error"]["code"] == "not_found", (url, headers)


def test_admin_pages_name_an_inline_icon_so_browsers_ask_for_no_favicon(as_role, app):
    for page in (as_role("viewer").get("/admin/w/demo/").get_data(as_text=True),
                 app.test_client().get("/admin/login").get_data(as_text=True)):
        assert soup(page).select_one('link[rel="icon"]')["href"] == "data:,"
