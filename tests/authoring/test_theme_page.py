"""The theme page (docs/THEME.md): admins save a theme (audited, CSRF-protected), a
low-contrast one is refused with the pair, ratio and minimum and nothing is saved,
viewers see it but cannot change it; the preview frame serves the sample bootstrap."""

from __future__ import annotations

import json

import pytest

from guide.extensions import db
from guide.models import AuditEntry, Workspace
from tests.authoring.forms_util import form_data, soup

PAGE = "/admin/w/demo/theme"
GOOD = {"accent": "#1d4ed8", "background": "#ffffff", "text": "#111827", "radius": "8",
        "font": "Inter, sans-serif", "mode": "auto", "launcher_position": "top-left",
        "launcher_label": "Get going", "dark_enabled": "1", "dark_accent": "#5e5ce6",
        "dark_background": "#0b0f19", "dark_text": "#f9fafb"}


def theme() -> dict:
    db.session.expire_all()
    return db.session.scalars(db.select(Workspace).where(Workspace.key == "demo")).one().theme


def theme_audits() -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "theme.update")))


def test_an_admin_saves_the_form_and_it_is_audited(as_role):
    admin = as_role("admin")
    before = theme()
    response = admin.post(PAGE, GOOD)
    assert response.status_code == 302
    after = theme()
    assert after == {"accent": "#1d4ed8", "background": "#ffffff", "text": "#111827",
                       "radius": 8, "font": "Inter, sans-serif", "mode": "auto",
                       "launcher": {"position": "top-left", "label": "Get going"},
                       "dark": {"accent": "#5e5ce6", "background": "#0b0f19", "text": "#f9fafb"}}
    [entry] = theme_audits()
    assert entry.actor == "admin@example.com" and entry.target == "theme"
    assert {"accent", "dark", "launcher", "mode"} <= set(entry.details["fields"])
    assert entry.details["fields"] == sorted(k for k in after if before.get(k) != after[k])
    # The page shows what was saved, and submitting it unchanged writes no audit entry.
    page = admin.get(PAGE).get_data(as_text=True)
    data = form_data(page, "form#theme-form")
    assert data["launcher_label"] == "Get going" and data["dark_enabled"] == "1"
    assert admin.post(PAGE, data).status_code == 302
    assert len(theme_audits()) == 1


def test_low_contrast_is_refused_with_the_message_and_nothing_is_saved(as_role):
    admin = as_role("admin")
    before = theme()
    response = admin.post(PAGE, {**GOOD, "text": "#999999"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    message = "text #999999 on #ffffff is 2.84:1; needs 4.5:1 (WCAG 2.2 AA)."
    assert soup(html).select_one('[data-testid="error-text"]').text == message
    assert f"The theme was not saved: {message}" in html
    # The form keeps what was typed, so it can be fixed.
    assert form_data(html, "form#theme-form")["text"] == "#999999"
    dark = admin.post(PAGE, {**GOOD, "dark_text": "#333333"})
    assert dark.status_code == 400
    assert "text #333333 on #0b0f19 is" in soup(dark.get_data(as_text=True)).select_one(
        '[data-testid="error-dark.text"]').text
    assert theme() == before and theme_audits() == []


def test_the_json_api_saves_and_refuses_with_the_one_error_shape(as_role):
    admin = as_role("admin")
    headers = {"X-CSRFToken": admin.token}
    ok = admin.client.put(PAGE, json={"accent": "#1d4ed8", "mode": "dark"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json() == {"accent": "#1d4ed8", "mode": "dark"}
    assert admin.get(PAGE, headers={"Accept": "application/json"}).get_json() == ok.get_json()
    bad = admin.client.put(PAGE, json={"accent": "#fde047"}, headers=headers)
    assert bad.status_code == 400
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["fields"]["accent"][0].startswith("button text #ffffff on #fde047 is 1.")
    for body in ([1], {"launcher": {"position": "middle"}}, {"colour": "#fff"}):
        refused = admin.client.put(PAGE, json=body, headers=headers)
        assert refused.status_code == 400, body
    assert theme() == {"accent": "#1d4ed8", "mode": "dark"}


def test_csrf_is_required(as_role):
    admin = as_role("admin")
    before = theme()
    response = admin.client.post(PAGE, data=GOOD)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    response = admin.client.put(PAGE, json={"accent": "#1d4ed8"}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert theme() == before and theme_audits() == []


@pytest.mark.parametrize("role", ["viewer", "author", "publisher"])
def test_members_see_the_theme_but_only_admins_change_it(as_role, role):
    member = as_role(role)
    page = member.get(PAGE)
    assert page.status_code == 200
    html = soup(page.get_data(as_text=True))
    assert html.select_one('[data-testid="theme-save"]') is None
    assert all(f.has_attr("disabled") for f in html.select("form#theme-form fieldset"))
    before = theme()
    assert member.post(PAGE, GOOD).status_code == 403
    assert member.client.put(PAGE, json={"accent": "#1d4ed8"},
                             headers={"X-CSRFToken": member.token}).status_code == 403
    assert theme() == before and theme_audits() == []


def test_the_preview_frame_serves_the_sample_bootstrap_framed_by_the_admin_only(as_role):
    viewer = as_role("viewer")
    response = viewer.get(f"{PAGE}/preview?scene=tour")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self';" in csp
    data = json.loads(soup(response.get_data(as_text=True)).select_one("#preview-data").text)
    assert data["scene"] == "tour"
    assert [g["kind"] for g in data["bootstrap"]["guides"]] == ["checklist", "tour"]
    assert data["bootstrap"]["strings"]["mark_done"]
    assert viewer.get(f"{PAGE}/preview?scene=<x>").status_code == 200
    # Every other admin page still refuses to be framed.
    assert "frame-ancestors 'none'" in viewer.get(PAGE).headers["Content-Security-Policy"]


def test_a_theme_saved_on_the_page_is_pulled_into_workspace_yaml_and_validates(as_role, tmp_path):
    from guide.content.loader import load_content
    from guide.content.pull import pull_content
    from guide.content.yamlfile import parse_yaml

    assert as_role("admin").post(PAGE, GOOD).status_code == 302
    out = tmp_path / "pulled"
    pull_content(out, "demo")
    document = parse_yaml((out / "workspace.yaml").read_text())
    assert document.data["theme"] == theme()
    assert document.data["theme"]["launcher"] == {"position": "top-left", "label": "Get going"}
    assert load_content(out).ok


def test_the_preview_check_answers_the_saved_form_or_the_refusal_and_stores_nothing(as_role):
    """GET theme/check runs Save's check on a draft for the live preview; nothing is stored."""
    viewer = as_role("viewer")
    before = theme()

    def check(draft: object) -> object:
        return viewer.get(f"{PAGE}/check", query_string={"theme": json.dumps(draft)},
                          headers={"Accept": "application/json"})

    ok = check({"accent": "#1d4ed8", "launcher": {"label": "Go"}})
    assert ok.status_code == 200 and ok.get_json() == {"accent": "#1d4ed8", "launcher": {"label": "Go"}}
    refused = check({"text": "#999999"})
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["fields"] == {"text": ["text #999999 on #ffffff is 2.84:1; needs 4.5:1 (WCAG 2.2 AA)."]}
    for bad in ([1], {"radius": "x"}, {"launcher": {"position": "middle"}}):
        assert check(bad).status_code == 400, bad
    for query in ({"theme": "{not json"}, {}):
        answer = viewer.get(f"{PAGE}/check", query_string=query)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_payload"
    assert theme() == before and theme_audits() == []
