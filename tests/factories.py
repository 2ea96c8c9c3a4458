"""Test data: workspaces, published guides, identity tokens, bootstrap calls."""

from __future__ import annotations

import time
from typing import Any

import jwt

from guide.extensions import db
from guide.models import Guide, GuideVersion, Workspace
from guide.models.base import body_checksum


def workspace(key: str) -> Workspace:
    return db.session.scalars(db.select(Workspace).where(Workspace.key == key)).one()


def make_workspace(key: str = "acme", **fields: Any) -> Workspace:
    ws = Workspace(key=key, name=fields.pop("name", key.title()), **fields)
    ws.ensure_signing_secret()
    db.session.add(ws)
    db.session.commit()
    return ws


def checklist_body(key: str = "onboarding", **overrides: Any) -> dict[str, Any]:
    body = {
        "key": key,
        "kind": "checklist",
        "title": {"en": "Onboarding", "fr": "Démarrage"},
        "priority": 0,
        "milestone": "onboarded",
        "steps": [
            {"id": "hello", "title": "Say hello", "body": "Hi **there**", "complete_when": {"manual": True}, "scope": "user"},
            {"id": "connect", "title": "Connect", "complete_when": {"event": "connected"}, "scope": "user"},
            {"id": "visit", "title": "Visit settings", "complete_when": {"url": "/settings/**"}, "scope": "user"},
            {"id": "team", "title": "Invite", "complete_when": {"manual": True}, "scope": "account"},
        ],
    }
    body.update(overrides)
    return body


def publish(ws: Workspace, body: dict[str, Any]) -> GuideVersion:
    """Publish a guide body directly (content loading has its own tests)."""
    guide = db.session.scalars(
        db.select(Guide).where(Guide.workspace_id == ws.id, Guide.key == body["key"])
    ).first()
    if guide is None:
        guide = Guide(workspace_id=ws.id, key=body["key"], kind=body["kind"])
        db.session.add(guide)
        db.session.flush()
    number = 1 + (db.session.scalar(
        db.select(db.func.max(GuideVersion.number)).where(GuideVersion.guide_id == guide.id)
    ) or 0)
    checksum = body_checksum(body)
    version = GuideVersion(guide_id=guide.id, number=number, state="published", body=body,
                           checksum=checksum)
    db.session.add(version)
    db.session.flush()
    guide.published_version_id = version.id
    guide.priority = body.get("priority", 0)
    db.session.commit()
    return version


def sign(ws: Workspace, sub: str, *, ttl: int = 300, secret: str | None = None,
         **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": sub, "iat": now, "exp": now + ttl, **claims}
    return jwt.encode(payload, secret or ws.signing_secrets[0], algorithm="HS256")


def bootstrap(client: Any, ws: Workspace, user_id: str = "u1", *, token: Any = "sign",
              origin: str | None = None, headers: dict[str, str] | None = None,
              **body: Any) -> Any:
    """POST a bootstrap for ``user_id``; ``token="sign"`` signs a valid identity token.

    The signed token names the ``account`` sent, as the product's backend would:
    membership comes only from a trusted source (tests/security/test_account_membership.py).
    """
    if token == "sign":
        account = body.get("account")
        token = sign(ws, user_id, **({"account": {"id": account["id"]}} if account else {}))
    payload = {"app": ws.key, "user": {"id": user_id, "traits": body.pop("traits", {})},
               "token": token, **body}
    headers = {**(headers or {}), **({"Origin": origin} if origin else {})}
    return client.post("/api/v1/widget/bootstrap", json=payload, headers=headers)


def socket_token(client: Any, ws: Workspace, user_id: str = "u1", **body: Any) -> str:
    response = bootstrap(client, ws, user_id, **body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["socket"]["token"]
