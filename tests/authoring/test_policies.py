"""Every admin and support inbox route, every method, every role: generated from the
app's URL map.

A route added under /admin/ or /support/ without a declared policy fails
``test_every_admin_and_support_route_declares_a_policy`` (and is refused at run
time); one whose path has an argument this file has no sample for fails too, so
every new route is exercised by the matrix below. The roles are those a member
may have (``ROLES``: the authoring ladder viewer < author < publisher < admin,
and support), plus nobody signed in.
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.routing import Rule

from guide.access import policy_of
from guide.models.author import ROLES, role_allows
from tests.authoring.conftest import AdminClient, csrf_token

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_ARGS = {"workspace": "demo", "key": "getting-started", "author_id": 999_999,
               "key_id": "000000000000", "filename": "admin.css",
               "external_id": "no-such-account", "token": "no-such-invitation",
               "invitation_id": 999_999, "reference": "ESC-222222"}
BLUEPRINTS = ("/admin", "/support")


def protected_rules(app: Any) -> list[Rule]:
    """The rules of both blueprints that share the sign-in and the policies."""
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(BLUEPRINTS)),
                  key=lambda r: (r.endpoint == "admin.logout", r.rule))


def cases(app: Any) -> list[tuple[Rule, str]]:
    return [(rule, method) for rule in protected_rules(app)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]


def undeclared(app: Any) -> list[str]:
    return [f"{method} {rule.rule} ({rule.endpoint})" for rule, method in cases(app)
            if (policy_of(rule.endpoint) or {}).get(method) is None]


def url_of(rule: Rule) -> str:
    missing = set(rule.arguments) - SAMPLE_ARGS.keys()
    assert not missing, f"{rule.rule}: add a sample value for {missing} to SAMPLE_ARGS"
    return rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]


def test_every_admin_and_support_route_declares_a_policy(app):
    endpoints = {rule.endpoint for rule, _ in cases(app)}
    assert len(cases(app)) >= 20
    assert {"support.inbox", "support.escalation", "support.change_status", "support.user",
            "support.webhooks", "support.index", "support.static"} <= endpoints
    assert undeclared(app) == []


@pytest.mark.parametrize("prefix", BLUEPRINTS)
def test_a_route_without_a_policy_is_named_by_the_suite_and_refused(app, as_role, prefix):
    blueprint = "admin" if prefix == "/admin" else "support"
    app.add_url_rule(f"{prefix}/w/<workspace>/probe", endpoint=f"{blueprint}.probe",
                     view_func=lambda workspace: "should never be served")
    assert undeclared(app) == [f"GET {prefix}/w/<workspace>/probe ({blueprint}.probe)"]
    response = as_role("admin").get(f"{prefix}/w/demo/probe")
    assert response.status_code == 403
    assert "declares no access policy" in response.get_data(as_text=True)


def _request(client: Any, method: str, url: str, token: str, xhr: bool = False) -> Any:
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    data = {"csrf_token": token} if method in STATE_CHANGING else None
    return client.open(url, method=method, data=data, headers=headers)


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_route_matrix(app, authors, role):
    """Below the declared level: 403 (or sign in first); at or above it: let through.
    ``support`` reaches the inbox and no authoring level; ``admin`` reaches both."""
    failures = []
    signed_in = AdminClient(app.test_client(), f"{role}@example.com") if role else None
    client = signed_in.client if signed_in else app.test_client()
    token = signed_in.token if signed_in else csrf_token(client)
    for rule, method in cases(app):
        level = policy_of(rule.endpoint)[method]
        url = url_of(rule)
        response = _request(client, method, url, token)
        if level == "public":
            ok = response.status_code not in (401, 403) and not _is_login_redirect(response)
        elif role is None:
            ok = _is_login_redirect(response)
            xhr = _request(client, method, url, token, xhr=True)
            ok = ok and xhr.status_code == 401 and xhr.get_json()["error"]["code"] == "unauthorized"
        elif rule.endpoint == "admin.logout":  # signs out: back to the login page
            ok = _is_login_redirect(response)
        elif level == "login" or role_allows(role, level):
            ok = response.status_code not in (401, 403) and not _is_login_redirect(response)
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append(f"{role} {method} {url} (needs {level}): {response.status_code}")
    assert failures == []


def test_the_matrix_covers_what_each_role_reaches(app):
    """The expectations the matrix applies, spelled out for the two areas."""
    reaches = {role: {level for level in ("viewer", "author", "publisher", "admin", "support")
                      if role_allows(role, level)} for role in (None, *ROLES)}
    assert reaches == {None: set(), "viewer": {"viewer"}, "author": {"viewer", "author"},
                       "publisher": {"viewer", "author", "publisher"},
                       "admin": {"viewer", "author", "publisher", "admin", "support"},
                       "support": {"support"}}
    levels = {policy_of(rule.endpoint)[method] for rule, method in cases(app)
              if rule.rule.startswith("/support/w/")}
    assert levels == {"support"}


def test_csrf_is_enforced_on_every_state_changing_admin_route(app, as_role):
    admin = as_role("admin")
    checked = 0
    for rule, method in cases(app):
        if method not in STATE_CHANGING:
            continue
        url = url_of(rule)
        for data in ({}, {"csrf_token": "forged"}):
            response = admin.client.open(url, method=method, data=data)
            assert response.status_code == 400, (method, url, data, response.status_code)
            assert "CSRF" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 12


def test_the_widget_api_needs_no_csrf_token(app, workspace, client):
    from tests import factories

    assert factories.bootstrap(client, workspace, "ada").status_code == 200


def test_a_member_of_one_workspace_has_no_access_to_another(app, authors, as_role, db):
    from tests import factories

    factories.make_workspace(key="other")
    viewer = as_role("admin")
    assert viewer.get("/admin/w/other/").status_code == 403
    assert viewer.get("/admin/w/nope/").status_code == 404
