"""/demo/: the fake customer product, its sign-in, and how it embeds the widget."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from guide.demo import embed, users
from guide.extensions import db

PAGES = ["/demo/dashboard", "/demo/integrations", "/demo/settings"]
CONFIG_RE = re.compile(r'<script type="application/json" id="guide-config">(.*?)</script>', re.S)


def sign_in(client: Any, user: str = "ada") -> None:
    response = client.post("/demo/login", data={"user": user})
    assert response.status_code == 302


def guide_config(html: str) -> dict[str, Any]:
    match = CONFIG_RE.search(html)
    assert match, "the page has no #guide-config block"
    return json.loads(match.group(1))


def test_picker_lists_every_demo_user_with_a_sign_in_form(client, workspace):
    response = client.get("/demo/")
    assert response.status_code == 200
    html = response.text
    for user in users.USERS:
        assert user["name"] in html
        assert f'name="user" value="{user["id"]}"' in html
        assert users.signup_date(user).isoformat() in html
    assert 'action="/demo/login"' in html
    assert "guide-config" not in html  # nobody to identify yet


def test_login_sets_the_session_and_redirects_to_the_dashboard(client, workspace):
    response = client.post("/demo/login", data={"user": "grace"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demo/dashboard")
    with client.session_transaction() as session:
        assert session["demo_user"] == "grace"
    assert client.get("/demo/").headers["Location"].endswith("/demo/dashboard")


def test_login_with_an_unknown_user_is_400(client, workspace):
    assert client.post("/demo/login", data={"user": "mallory"}).status_code == 400
    assert client.post("/demo/login", data={}).status_code == 400
    with client.session_transaction() as session:
        assert "demo_user" not in session


@pytest.mark.parametrize("path", PAGES)
def test_pages_require_sign_in(client, workspace, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demo/")


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_show_the_user_and_embed_the_widget(client, workspace, path):
    sign_in(client, "marie")
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    assert "Marie Curie" in html and "Switch user" in html
    assert 'aria-current="page"' in html
    assert "Guide.init({appKey: c.appKey, server: SERVER})" in html
    assert "Guide.identify(c.user.id, c.user.traits, {token: c.token})" in html
    assert "Guide.group(c.account.id, c.account.traits)" in html
    config = guide_config(html)
    assert config["appKey"] == "demo"
    assert config["server"] == "http://localhost"
    assert config["user"] == {"id": "marie", "traits": users.user_traits(users.get_user("marie"))}
    assert config["account"]["id"] == "radium"
    assert response.headers["Cache-Control"] == "no-store"


def test_identity_token_verifies_with_the_workspace_secret(client, workspace):
    sign_in(client, "ada")
    config = guide_config(client.get("/demo/dashboard").text)
    claims = jwt.decode(config["token"], workspace.signing_secrets[0], algorithms=["HS256"])
    ada = users.get_user("ada")
    assert claims["sub"] == "ada"
    assert claims["traits"] == users.user_traits(ada)
    assert claims["traits"]["plan"] == "trial" and claims["traits"]["role"] == "admin"
    assert claims["account"] == {"id": "acme", "traits": users.account_traits("acme")}
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    assert timedelta(minutes=55) < expires - datetime.now(UTC) <= timedelta(hours=1)


def test_identity_token_is_accepted_by_bootstrap(client, workspace):
    sign_in(client, "alan")
    config = guide_config(client.get("/demo/dashboard").text)
    response = client.post("/api/v1/widget/bootstrap", json={
        "app": config["appKey"], "user": config["user"], "account": config["account"],
        "token": config["token"], "url": "/demo/dashboard", "locale": "en",
    })
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["user"]["id"] == "alan"


def test_sign_identity_claims():
    user = users.get_user("grace")
    token = embed.sign_identity("a-long-enough-secret-for-hs256-0123456789", user)
    claims = jwt.decode(token, "a-long-enough-secret-for-hs256-0123456789", algorithms=["HS256"])
    assert claims["sub"] == "grace"
    assert claims["traits"]["signed_up_at"] == users.signup_date(user).isoformat()
    assert claims["exp"] - claims["iat"] == 3600


def test_csp_is_strict_and_its_nonce_allows_only_the_embed_script(client, workspace):
    sign_in(client)
    response = client.get("/demo/dashboard")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert "style-src 'self';" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "connect-src 'self' ws://localhost wss://localhost" in csp
    html = response.text
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    executable = [attrs for attrs in inline if "application/json" not in attrs]
    assert executable == [f' nonce="{nonce}"']
    assert "style=" not in html
    again = client.get("/demo/dashboard").headers["Content-Security-Policy"]
    assert nonce not in again


def test_picker_has_the_csp_too(client, workspace):
    assert "script-src 'self' 'nonce-" in client.get("/demo/").headers["Content-Security-Policy"]


def test_embed_inlines_the_built_stub_when_present(client, workspace, app, tmp_path):
    (tmp_path / "stub.min.js").write_text('(()=>{window.BUILT_STUB=1;/*</script>*/})();\n')
    app.config["GUIDE_WIDGET_DIST"] = str(tmp_path)
    sign_in(client)
    html = client.get("/demo/dashboard").text
    assert "window.BUILT_STUB=1;/*<\\/script>*/" in html


def test_embed_falls_back_to_the_readable_stub_when_not_built(client, workspace, app, tmp_path):
    app.config["GUIDE_WIDGET_DIST"] = str(tmp_path / "missing")
    sign_in(client)
    html = client.get("/demo/dashboard").text
    assert embed.FALLBACK_STUB in html
    assert '"/widget/guide.js"' in html


def test_pages_without_the_demo_workspace_show_how_to_create_it(client, app):
    sign_in(client)
    html = client.get("/demo/dashboard").text
    assert "flask guide content push" in html
    assert "guide-config" not in html and "Guide.init" not in html


def test_tracking_hooks_exist_on_the_pages(client, workspace):
    sign_in(client)
    assert 'id="new-dashboard"' in client.get("/demo/dashboard").text
    assert 'id="new"' in client.get("/demo/dashboard").text
    assert 'data-integration="postgres"' in client.get("/demo/integrations").text
    assert 'id="team"' in client.get("/demo/settings").text
    script = client.get("/demo/static/demo.js")
    assert script.status_code == 200
    assert 'guide("track", "dashboard_created", {source: "demo"})' in script.text
    assert 'guide("track", "integration_connected", {integration: key})' in script.text
    script.close()


def test_logout_clears_only_the_demo_user(client, workspace):
    sign_in(client)
    with client.session_transaction() as session:
        session["other"] = "kept"
    response = client.post("/demo/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/demo/")
    with client.session_transaction() as session:
        assert "demo_user" not in session and session["other"] == "kept"
    assert client.get("/demo/dashboard").status_code == 302


def test_settings_lists_teammates_of_the_same_account(client, workspace):
    sign_in(client, "ada")
    html = client.get("/demo/settings").text
    assert "Grace Hopper" in html and "Marie Curie" not in html


def test_a_session_for_a_removed_user_is_treated_as_signed_out(client, workspace):
    with client.session_transaction() as session:
        session["demo_user"] = "ghost"
    assert client.get("/demo/dashboard").headers["Location"].endswith("/demo/")


def test_workspace_lookup_uses_the_demo_key(app, workspace):
    assert embed.demo_workspace().id == workspace.id
    workspace.key = "renamed"
    db.session.commit()
    assert embed.demo_workspace() is None
