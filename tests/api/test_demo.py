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


def bootstrap_as(client: Any, user: str) -> dict[str, Any]:
    """The widget's bootstrap on the demo dashboard, as the signed-in ``user``'s page makes it."""
    sign_in(client, user)
    config = guide_config(client.get("/demo/dashboard").text)
    response = client.post("/api/v1/widget/bootstrap", json={
        "app": config["appKey"], "user": config["user"], "account": config["account"],
        "token": config["token"], "url": "/demo/dashboard", "locale": "en",
    })
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def nps_due(boot: dict[str, Any]) -> bool:
    return next(s["due"] for s in boot["surveys"] if s["key"] == "nps")


def test_grace_used_the_product_yesterday_so_her_first_demo_page_is_her_second_visit(
        client, workspace):
    from guide.models import EndUser

    assert nps_due(bootstrap_as(client, "grace"))  # show_when: {visit: 2}, at once
    grace = db.session.scalar(db.select(EndUser).where(EndUser.external_id == "grace"))
    assert grace.visits == 2
    assert grace.traits["email"] == "grace@acme.example"
    tour = bootstrap_as(client, "grace")["progress"]["dashboard-tour"]
    assert tour["state"] == "completed"  # taken yesterday: no tour over the survey
    sign_in(client, "grace")  # signing in again: Guide knows her, nothing is rewritten
    db.session.refresh(grace)
    assert grace.visits == 2 and datetime.now(UTC) - grace.last_seen < timedelta(minutes=5)


def test_a_demo_user_without_an_earlier_visit_starts_on_the_first(client, workspace):
    assert not nps_due(bootstrap_as(client, "hedy"))
    assert users.get_user("hedy").get("earlier_visit") is None


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


def test_the_mail_outbox_lists_the_emails_written_to_the_file_url_escaped(client, app, tmp_path):
    from email.message import EmailMessage

    app.config["GUIDE_SMTP_URL"] = f"file://{tmp_path}"
    message = EmailMessage()
    message["To"], message["From"] = "csm@acme.example", "guide@localhost"
    message["Subject"] = "A detractor <b>at</b> your account"
    message.set_content("Grace Hopper answered 3.")
    (tmp_path / "one.eml").write_bytes(message.as_bytes())
    html = client.get("/demo/mail").text
    assert "csm@acme.example" in html and "Grace Hopper answered 3." in html
    assert "A detractor &lt;b&gt;at&lt;/b&gt; your account" in html
    assert client.get("/demo/").text.count('href="/demo/mail"') == 1  # linked from sign-in


def test_the_mail_outbox_says_how_to_keep_emails_when_they_are_really_sent(client, app):
    app.config["GUIDE_SMTP_URL"] = "smtp://127.0.0.1:25"
    html = client.get("/demo/mail").text
    assert 'data-testid="mail"' not in html and "file:///some/directory" in html
