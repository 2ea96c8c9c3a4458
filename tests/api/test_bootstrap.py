"""POST /api/v1/widget/bootstrap: identity, origins, audience, localization, bad input."""

from __future__ import annotations

import jwt

from guide.extensions import db
from guide.models import Account, EndUser
from tests import factories


def count_users() -> int:
    return db.session.scalar(db.select(db.func.count(EndUser.id)))


def test_bootstrap_returns_localized_rendered_guides_and_socket_token(client, open_workspace):
    response = factories.bootstrap(client, open_workspace, "ada", locale="fr-CA",
                                   traits={"plan": "trial"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["user"] == {"id": "ada", "locale": "fr-CA"}
    [guide] = data["guides"]
    assert guide["key"] == "onboarding"
    assert guide["title"] == "Démarrage"  # fr-CA falls back to fr
    assert guide["steps"][0]["body_html"] == "<p>Hi <strong>there</strong></p>"
    assert [s["complete_when"]["type"] for s in guide["steps"]] == ["manual", "event", "url", "manual"]
    assert data["progress"] == {}
    assert data["socket"]["namespace"] == "/widget" and data["socket"]["token"]
    assert db.session.scalars(db.select(EndUser)).one().traits == {"plan": "trial"}


def test_bootstrap_unknown_locale_falls_back_to_workspace_default(client, open_workspace):
    data = factories.bootstrap(client, open_workspace, "ada", locale="de").get_json()
    assert data["guides"][0]["title"] == "Onboarding"


def test_bootstrap_merges_traits_and_links_account(client, open_workspace):
    factories.bootstrap(client, open_workspace, "ada", traits={"plan": "trial", "role": "admin"})
    factories.bootstrap(client, open_workspace, "ada", traits={"plan": "pro"},
                        account={"id": "acme", "traits": {"seats": 5}})
    user = db.session.scalars(db.select(EndUser)).one()
    account = db.session.scalars(db.select(Account)).one()
    assert user.traits == {"plan": "pro", "role": "admin"}
    assert user.account_id == account.id and account.traits == {"seats": 5}


def test_unknown_app_key_is_404(client, app):
    response = client.post("/api/v1/widget/bootstrap", json={"app": "nope", "user": {"id": "u"}})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_app"


def test_enforcing_workspace_refuses_missing_token_and_writes_nothing(client, app):
    ws = factories.make_workspace(require_identity=True)
    response = factories.bootstrap(client, ws, "ada", token=None)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "identity_required"
    assert count_users() == 0


def test_forged_expired_unsigned_and_mismatched_tokens_are_refused(client, app):
    ws = factories.make_workspace(require_identity=True)
    unsigned = jwt.encode({"sub": "ada", "exp": 9999999999}, None, algorithm="none")
    cases = {
        "forged": factories.sign(ws, "ada", secret="not-the-workspace-secret-0123456789"),
        "expired": factories.sign(ws, "ada", ttl=-120),
        "alg none": unsigned,
        "other user": factories.sign(ws, "grace"),
        "garbage": "not.a.jwt",
        "no exp": jwt.encode({"sub": "ada"}, ws.signing_secrets[0], algorithm="HS256"),
    }
    for label, token in cases.items():
        response = factories.bootstrap(client, ws, "ada", token=token)
        assert response.status_code == 401, label
        error = response.get_json()["error"]
        assert error["code"] == "identity_invalid", label
        assert error["message"], label
    assert count_users() == 0


def test_token_signed_with_previous_secret_works_after_rotation(client, app):
    ws = factories.make_workspace(require_identity=True)
    old_token = factories.sign(ws, "ada")
    ws.rotate_signing_secret()
    db.session.commit()
    assert factories.bootstrap(client, ws, "ada", token=old_token).status_code == 200
    ws.rotate_signing_secret()  # the first secret is now gone
    db.session.commit()
    assert factories.bootstrap(client, ws, "ada", token=old_token).status_code == 401


def test_signed_traits_override_browser_traits(client, app):
    ws = factories.make_workspace(require_identity=True)
    token = factories.sign(ws, "ada", traits={"plan": "trial"},
                           account={"id": "acme", "traits": {"tier": "gold"}})
    response = factories.bootstrap(client, ws, "ada", token=token, traits={"plan": "enterprise"},
                                   account={"id": "evil", "traits": {}})
    assert response.status_code == 200
    user = db.session.scalars(db.select(EndUser)).one()
    assert user.traits["plan"] == "trial"
    assert db.session.get(Account, user.account_id).external_id == "acme"


def test_audience_rules_filter_guides_by_traits_and_url(client, open_workspace):
    factories.publish(open_workspace, factories.checklist_body(
        "pro-only", priority=5, audience={"all": [{"trait": "plan", "in": ["pro"]},
                                                  {"url": "/app/**"}]}))
    keys = lambda **kw: [g["key"] for g in factories.bootstrap(client, open_workspace, "ada", **kw).get_json()["guides"]]  # noqa: E731
    assert keys(traits={"plan": "trial"}, url="/app/x") == ["onboarding"]
    assert keys(traits={"plan": "pro"}, url="/app/x/y") == ["onboarding", "pro-only"]
    assert keys(traits={"plan": "pro"}, url="/other") == ["onboarding"]


def test_origin_allowlist_applies_to_bootstrap(client, app):
    ws = factories.make_workspace(allowed_origins=["https://app.acme.com"])
    ok = factories.bootstrap(client, ws, "ada", origin="https://app.acme.com")
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.acme.com"
    refused = factories.bootstrap(client, ws, "bob", origin="https://evil.example")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "origin_not_allowed"
    # The refusal itself is readable by the refused origin (an error carries no user data),
    # so its widget can say why instead of reporting a network error.
    assert refused.headers["Access-Control-Allow-Origin"] == "https://evil.example"
    assert count_users() == 1


def test_preflight_is_answered_for_any_origin_and_the_real_request_checked(client, app):
    factories.make_workspace(allowed_origins=["https://app.acme.com"])
    headers = {"Access-Control-Request-Method": "POST"}
    ok = client.options("/api/v1/widget/bootstrap", headers={**headers, "Origin": "https://app.acme.com"})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.acme.com"
    assert "Content-Type" in ok.headers["Access-Control-Allow-Headers"]
    # A preflight names no workspace; the POST that follows is refused with 403 origin_not_allowed.
    other = client.options("/api/v1/widget/bootstrap", headers={**headers, "Origin": "https://evil.example"})
    assert other.status_code == 204
    assert other.headers["Access-Control-Allow-Origin"] == "https://evil.example"


def test_invalid_bodies_get_400_with_fields_and_write_nothing(client, open_workspace):
    bad_bodies = [
        {"app": "open"},
        {"app": "open", "user": {"id": ""}},
        {"app": "open", "user": {"id": 42}},
        {"app": "open", "user": {"id": "ada", "traits": "plan=pro"}},
        {"app": "open", "user": {"id": "ada"}, "surprise": True},
        {"app": "open", "user": {"id": "ada"}, "locale": "<script>"},
        {"app": "open", "user": {"id": "ada", "traits": {f"k{i}": i for i in range(101)}}},
    ]
    for body in bad_bodies:
        response = client.post("/api/v1/widget/bootstrap", json=body)
        assert response.status_code == 400, body
        error = response.get_json()["error"]
        assert error["code"] == "invalid_payload" and error["fields"], body
    assert count_users() == 0


def test_non_json_and_oversized_bodies_are_refused(client, open_workspace):
    response = client.post("/api/v1/widget/bootstrap", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_payload"
    huge = {"app": "open", "user": {"id": "ada", "traits": {"blob": "x" * 70_000}}}
    response = client.post("/api/v1/widget/bootstrap", json=huge)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert count_users() == 0


def test_unknown_api_route_uses_the_error_shape(client, app):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_openapi_document_lists_widget_endpoints(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/widget/bootstrap" in spec["paths"]
    assert "/api/v1/widget/events" in spec["paths"]


def test_locale_trait_beats_the_browser_language(client, open_workspace):
    data = factories.bootstrap(client, open_workspace, "marie", locale="en-US",
                               traits={"locale": "fr"}).get_json()
    assert data["user"]["locale"] == "fr"
    assert data["guides"][0]["title"] == "Démarrage"
    assert data["strings"]["mark_done"] == "Marquer comme fait"


def test_a_hebrew_speaking_user_gets_hebrew_words_and_a_right_to_left_locale(client,
                                                                             open_workspace):
    data = factories.bootstrap(client, open_workspace, "noa", locale="he-IL").get_json()
    # The widget lays out "he" right to left (static/widget/src/locale.ts, its RTL test).
    assert data["user"]["locale"] == "he-IL"
    assert data["strings"]["mark_done"] == "סימון כהושלם"
    assert data["strings"]["steps_done"] == "הושלמו {done} מתוך {total} צעדים"


def test_nul_characters_are_refused_everywhere(client, open_workspace):
    for body in ({"app": "open", "user": {"id": "a\x00b"}},
                 {"app": "open", "user": {"id": "ada", "traits": {"k\x00": 1}}},
                 {"app": "open", "user": {"id": "ada", "traits": {"k": ["x\x00"]}}}):
        response = client.post("/api/v1/widget/bootstrap", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == "invalid_payload"
    assert count_users() == 0


def test_nan_and_infinity_are_refused(client, open_workspace):
    for raw in ('{"app": "open", "user": {"id": "ada", "traits": {"n": NaN}}}',
                '{"app": "open", "user": {"id": "ada", "traits": {"n": [Infinity]}}}'):
        response = client.post("/api/v1/widget/bootstrap", data=raw,
                               content_type="application/json")
        assert response.status_code == 400, raw
        assert response.get_json()["error"]["code"] == "invalid_payload"
    assert count_users() == 0


def test_each_publish_is_seen_at_once_though_versions_are_cached(client, open_workspace):
    from guide.models import Guide

    factories.bootstrap(client, open_workspace, "ada")  # caches version 1 in this process
    factories.publish(open_workspace, factories.checklist_body(title="Second"))
    [guide] = factories.bootstrap(client, open_workspace, "ada").get_json()["guides"]
    assert (guide["version"], guide["title"]) == (2, "Second")
    # A deleted guide's version ids may be given again (SQLite reuses rowids): the
    # cached body of the old version must not come back under the new one.
    db.session.execute(db.delete(Guide))
    db.session.commit()
    factories.publish(open_workspace, factories.checklist_body(title="Third"))
    [guide] = factories.bootstrap(client, open_workspace, "ada").get_json()["guides"]
    assert (guide["version"], guide["title"]) == (1, "Third")
