"""Inbox sign-in: a workspace's secret API key, kept in a signed, HttpOnly, SameSite=Strict cookie.

Minimal until the authoring issue brings accounts and roles. Only a hash of
the key is in the cookie, and it is checked against the workspace on every
request, so revoking the key (``flask guide workspace api-key --revoke-all``)
signs everyone out. Every POST carries a CSRF token that must match the one
in the signed cookie. Wrong keys are throttled like admin passwords
(``services.login_throttle``): per address, and per workspace the key names.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from guide.extensions import db
from guide.models import Workspace
from guide.models.workspace import hash_api_key, workspace_key_of
from guide.services import login_throttle

COOKIE = "guide_support"
MAX_AGE = 12 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="guide-support")


def read_cookie() -> dict[str, Any]:
    """The cookie's contents (``{}`` when absent, forged or expired)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def write_cookie(response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(COOKIE, _serializer().dumps(data), max_age=MAX_AGE, httponly=True,
                        samesite="Strict", secure=request.is_secure, path="/support")


def csrf_token() -> str:
    """This browser's CSRF token (created on first use; saved by ``after_request``)."""
    data = g.setdefault("support_cookie", read_cookie())
    if "csrf" not in data:
        data["csrf"] = secrets.token_urlsafe(24)
        g.support_cookie_dirty = True
    return str(data["csrf"])


def csrf_ok() -> bool:
    sent = request.form.get("csrf", "")
    expected = read_cookie().get("csrf", "")
    return bool(sent and expected) and hmac.compare_digest(str(sent), str(expected))


def signed_in_workspace() -> Workspace | None:
    data = g.setdefault("support_cookie", read_cookie())
    workspace = db.session.get(Workspace, data.get("ws", 0)) if data.get("ws") else None
    if workspace is None or data.get("key") not in (workspace.api_key_hashes or []):
        return None
    return workspace


def check_api_key(api_key: str) -> Workspace | None:
    """The workspace whose secret API key this is (as guide/api/auth.py checks it)."""
    if "\x00" in api_key:  # not a key (and PostgreSQL refuses NUL in a query)
        return None
    key = workspace_key_of(api_key.strip())
    workspace = db.session.scalar(db.select(Workspace).where(Workspace.key == key)) \
        if key else None
    return workspace if workspace is not None and workspace.has_api_key(api_key.strip()) else None


def check_throttled(api_key: str, address: str | None) -> tuple[Workspace | None, int]:
    """``check_api_key`` under the login throttle: ``(workspace, 0)``, ``(None, 0)`` for a
    wrong key, or ``(None, seconds)`` when the attempt came too early (not checked)."""
    ip = login_throttle.address_key(address)
    keys = {ip: login_throttle.ADDRESS}
    named = workspace_key_of(api_key.strip())
    account = login_throttle.account_key("support", named) if named else None
    if account:
        keys[account] = login_throttle.ACCOUNT
    attempt = login_throttle.begin(keys)
    if attempt.wait:
        return None, attempt.wait
    workspace = check_api_key(api_key)
    if workspace is not None:
        login_throttle.succeeded(account or "", ip)
    return workspace, 0


def sign_in(workspace: Workspace, api_key: str) -> None:
    g.support_cookie = {"ws": workspace.id, "key": hash_api_key(api_key.strip()),
                        "csrf": secrets.token_urlsafe(24)}
    g.support_cookie_dirty = True


def sign_out() -> None:
    g.support_cookie = {"csrf": secrets.token_urlsafe(24)}
    g.support_cookie_dirty = True
