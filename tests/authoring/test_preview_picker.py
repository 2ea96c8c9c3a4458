"""Preview tokens (only the author's preview sees the draft) and the element picker relay."""

from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_socketio import SocketIOTestClient
from itsdangerous import URLSafeTimedSerializer

from guide.extensions import socketio
from guide.models import Guide
from guide.services import preview as preview_service
from guide.services import versions
from guide.services.authors import remove_role
from guide.services.guides import published_guides
from guide.services.picker import issue_pick_token, relay_pick
from guide.services.preview import apply_preview, issue_preview_token
from tests import factories


@pytest.fixture
def draft(db, workspace, authors):
    guide = db.session.scalar(db.select(Guide).where(Guide.key == "getting-started"))
    body = copy.deepcopy(guide.published_version.body)
    body["steps"][0]["title"] = "Draft title"
    return versions.save_draft(workspace, authors["author"], guide, body)[0]


def first_title(pairs, key="getting-started"):
    return next(v.body["steps"][0]["title"] for g, v in pairs if g.key == key)


def test_the_preview_token_swaps_in_the_draft_for_that_bootstrap_only(workspace, draft, authors):
    token = issue_preview_token(authors["author"], workspace, draft)
    pairs = published_guides(workspace.id)
    result = apply_preview(pairs, token, workspace)
    assert first_title(result.pairs) == "Draft title"
    assert result.info == {"ok": True, "guide": "getting-started", "version": draft.number,
                           "author": "author@example.com"}
    assert len(result.pairs) == len(pairs)
    # Nothing was stored: the next bootstrap without a token gets the published version.
    assert first_title(published_guides(workspace.id)) != "Draft title"
    assert apply_preview(pairs, None, workspace).info is None


def test_an_unpublished_guide_is_added_for_the_preview(db, workspace, authors):
    doc = {"key": "brand-new", "kind": "checklist", "title": "New",
           "steps": [{"id": "a", "title": "A"}]}
    version = versions.create_guide(workspace, authors["author"], doc)
    pairs = published_guides(workspace.id)
    result = apply_preview(pairs, issue_preview_token(authors["author"], workspace, version),
                           workspace)
    assert [g.key for g, _ in result.pairs] == [g.key for g, _ in pairs] + ["brand-new"]


def test_expired_forged_and_foreign_tokens_change_nothing(monkeypatch, db, workspace, draft,
                                                          authors, app):
    pairs = published_guides(workspace.id)
    token = issue_preview_token(authors["author"], workspace, draft)
    other = factories.make_workspace(key="other")
    forged = URLSafeTimedSerializer("not-our-secret", salt=preview_service.SALT).dumps(
        {"a": authors["author"].id, "w": workspace.id, "g": draft.guide_id, "v": draft.id})
    cases = {"preview_invalid": [token[:-2] + "xx", forged], "preview_expired": []}
    for code, tokens in cases.items():
        for bad in tokens:
            result = apply_preview(pairs, bad, workspace)
            assert result.pairs == pairs and result.info["error"]["code"] == code
    assert apply_preview(pairs, token, other).info["error"]["code"] == "preview_invalid"
    monkeypatch.setattr(preview_service, "PREVIEW_TTL", -1)
    assert apply_preview(pairs, token, workspace).info["error"]["code"] == "preview_expired"


def test_an_author_who_lost_access_previews_nothing(workspace, draft, authors):
    token = issue_preview_token(authors["author"], workspace, draft)
    remove_role(authors["admin"], workspace, authors["author"].id)
    result = apply_preview(published_guides(workspace.id), token, workspace)
    assert result.info["ok"] is False


def test_the_preview_button_opens_the_preview_url_with_a_token(as_role, workspace, draft):
    response = as_role("author").post("/admin/w/demo/guides/getting-started/preview")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/demo/dashboard"
    token = parse_qs(location.query)["guide_preview"][0]
    preview = preview_service.verify_preview_token(token, workspace)
    assert preview.version.id == draft.id


def test_the_editors_preview_script_gets_the_url_as_json(as_role, workspace, draft):
    """The editor's script asks (XHR) and opens the URL itself: a form's redirect to the
    product's origin is refused by the admin's CSP (form-action 'self')."""
    author = as_role("author")
    editor = author.get("/admin/w/demo/guides/getting-started").get_data(as_text=True)
    assert "form-action 'self'" in author.get("/admin/w/demo/guides/getting-started").headers[
        "Content-Security-Policy"]
    assert 'action="/admin/w/demo/guides/getting-started/preview" target="_blank" data-open-preview' \
        in editor
    response = author.post("/admin/w/demo/guides/getting-started/preview",
                           headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["expires_in"] == preview_service.PREVIEW_TTL
    location = urlsplit(body["url"])
    assert location.path == "/demo/dashboard"
    token = parse_qs(location.query)["guide_preview"][0]
    assert preview_service.verify_preview_token(token, workspace).version.id == draft.id


def test_preview_without_a_preview_url_is_a_json_409_for_the_script(app, as_role, draft):
    app.config["GUIDE_DEMO"] = False  # no demo preview URL to fall back on
    response = as_role("author").post("/admin/w/demo/guides/getting-started/preview",
                                      headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_preview_url"


# ---- the element picker ----

def admin_socket(app, client, origin=None):
    headers = {"Origin": origin} if origin else {}
    return SocketIOTestClient(app, socketio, namespace="/admin", flask_test_client=client,
                              headers=headers)


def start_pick(author_client, field="t-kpis"):
    response = author_client.post("/admin/w/demo/guides/dashboard-tour/pick", {"field": field})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert "guide_pick=" in body["url"] and body["url"].startswith("/demo/dashboard")
    return body["token"]


def test_a_picked_selector_reaches_the_editor_that_asked(app, as_role, workspace):
    author = as_role("author")
    token = start_pick(author)
    editor = admin_socket(app, author.client)
    assert editor.is_connected("/admin")
    assert editor.emit("picker:watch", {"token": token}, namespace="/admin", callback=True) == \
        {"ok": True}
    bystander = admin_socket(app, as_role("publisher").client)
    ack = relay_pick(token, "#kpis", "/demo/dashboard", workspace_id=workspace.id)
    assert ack == {"ok": True}
    [message] = [m for m in editor.get_received("/admin") if m["name"] == "picker:selected"]
    assert message["args"][0] == {"selector": "#kpis", "url": "/demo/dashboard",
                                  "field": "t-kpis", "guide": "dashboard-tour"}
    assert bystander.get_received("/admin") == []
    editor.disconnect("/admin")
    bystander.disconnect("/admin")


def test_bad_picks_are_refused_with_a_reason(app, as_role, workspace):
    token = start_pick(as_role("author"))
    assert relay_pick("forged", "#a", "/")["error"]["code"] == "pick_token_invalid"
    assert relay_pick(token, "#a", "/", workspace_id=workspace.id + 1)["ok"] is False
    assert relay_pick(token, "div[", "/")["error"]["code"] == "invalid_payload"
    assert relay_pick(token, None, "/")["error"]["code"] == "invalid_payload"
    assert relay_pick(token, "#a", 42) == {"ok": True}  # a bad url is dropped, not fatal


def test_only_the_author_who_started_a_pick_can_watch_it(app, authors, as_role):
    token = issue_pick_token(authors["author"].id, 1, "dashboard-tour", "f")
    other = admin_socket(app, as_role("publisher").client)
    ack = other.emit("picker:watch", {"token": token}, namespace="/admin", callback=True)
    assert ack["ok"] is False
    other.disconnect("/admin")


def test_the_admin_socket_needs_a_session_and_the_same_origin(app, as_role):
    assert not admin_socket(app, app.test_client()).is_connected("/admin")
    signed_in = as_role("viewer").client
    assert not admin_socket(app, signed_in, origin="https://evil.example").is_connected("/admin")
    ok = admin_socket(app, signed_in, origin="http://localhost")
    assert ok.is_connected("/admin")
    ok.disconnect("/admin")


def test_bootstrap_with_a_preview_token_serves_the_draft_to_that_browser_only(
        client, workspace, draft, authors):
    token = issue_preview_token(authors["author"], workspace, draft)
    previewing = factories.bootstrap(client, workspace, "author-browser", preview=token).get_json()
    guide = next(g for g in previewing["guides"] if g["key"] == "getting-started")
    assert guide["steps"][0]["title"] == "Draft title"
    assert previewing["preview"]["ok"] is True
    everyone = factories.bootstrap(client, workspace, "someone-else").get_json()
    guide = next(g for g in everyone["guides"] if g["key"] == "getting-started")
    assert guide["steps"][0]["title"] != "Draft title" and "preview" not in everyone
    forged = factories.bootstrap(client, workspace, "x", preview="forged").get_json()
    assert forged["preview"]["ok"] is False
