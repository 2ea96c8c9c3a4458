"""Embedding the widget, done the way a customer's product does it.

Two pieces: the backend signs an identity token for the signed-in user
(``sign_identity``), and every page inlines the loader stub plus the
``Guide.init/identify/group`` calls (templates/demo/_embed.html). Per-user
values reach the page only as a JSON data block, never spliced into script
source, so the page runs under a strict nonce-based CSP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from flask import current_app, request

from guide.demo import users
from guide.models import Workspace
from guide.services import workspaces
from guide.services.earlier_visit import remember_earlier_visit

APP_KEY = "demo"
TOKEN_TTL = timedelta(hours=1)

# Readable equivalent of static/widget/dist/stub.min.js (src/stub.ts), used until
# the widget is built. Same queue format as the real stub: [method, args], which
# the bundle replays on load. SERVER is defined by the embed template.
FALLBACK_STUB = """\
(function(w,d,s){var G=w.Guide;if(G&&(G.nodeType||G.namedItem))G=undefined;G=w.Guide=G||[];\
if(!Array.isArray(G)||G._stub)return;G._stub=true;
["init","identify","group","track","on","off","start","openHelp","destroy"].forEach(function(m){\
G[m]=function(){G.push([m,[].slice.call(arguments)]);};});
var t=d.createElement("script");t.async=true;t.src=s+"/widget/guide.js";\
(d.head||d.documentElement).appendChild(t);})(window,document,SERVER);"""

# stub.min.js contents by path, kept after the first successful read.
_stub_cache: dict[str, str] = {}


def sign_identity(secret: str, user: dict[str, Any]) -> str:
    """Sign the identity token a customer's backend hands to ``Guide.identify``.

    This is all the server-side code a product needs: an HS256 JWT signed with
    the workspace's signing secret (``flask guide workspace secret <key>``
    prints it; keep it on the backend, never in the browser). ``sub`` is the
    user's id in your product, ``exp`` is required, and the ``traits`` (and
    ``account``) claims override whatever the browser sends, so users cannot
    change their plan or role to see other guides.
    """
    now = datetime.now(UTC)
    claims = {
        "sub": user["id"],
        "iat": now,
        "exp": now + TOKEN_TTL,
        "traits": users.user_traits(user),
        "account": {"id": user["account"], "traits": users.account_traits(user["account"])},
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def demo_workspace() -> Workspace | None:
    """The workspace the demo embeds, if ``flask guide content push`` created it."""
    return workspaces.by_key(APP_KEY)


def seed_earlier_visit(user: dict[str, Any]) -> None:
    """A demo user who used the product before (``earlier_visit`` in users.py) meets the
    widget on their second visit, the tours they took then behind them. Nothing happens
    for a user Guide knows already."""
    workspace = demo_workspace()
    earlier = user.get("earlier_visit")
    if workspace is None or earlier is None:
        return
    account = {"id": user["account"], "traits": users.account_traits(user["account"])}
    remember_earlier_visit(workspace, user["id"], users.user_traits(user), account,
                           datetime.now(UTC) - timedelta(days=earlier["days_ago"]),
                           finished=tuple(earlier["finished"]))


def loader_stub() -> str:
    """The loader stub to inline: the built one if present, else the readable fallback."""
    path = str(Path(current_app.config["GUIDE_WIDGET_DIST"]) / "stub.min.js")
    stub = _stub_cache.get(path)
    if stub is None:
        try:
            stub = Path(path).read_text(encoding="utf-8").strip()
        except OSError:
            return FALLBACK_STUB  # not built yet: try again next request
        _stub_cache[path] = stub
    # An inline script ends at the first "</script", wherever it appears.
    return stub.replace("</script", "<\\/script")


def widget_context(user: dict[str, Any]) -> dict[str, Any]:
    """Template variables for the embed: ``guide_config`` and ``guide_stub``, or none.

    ``guide_config`` is None when the demo workspace does not exist yet; the
    page then shows how to create it instead of a widget that cannot load.
    """
    workspace = demo_workspace()
    if workspace is None:
        return {"guide_config": None, "guide_stub": None}
    secret = workspace.signing_secrets[0] if workspace.signing_secrets else None
    config = {
        "appKey": APP_KEY,
        "server": request.url_root.rstrip("/"),
        "user": {"id": user["id"], "traits": users.user_traits(user)},
        "account": {"id": user["account"], "traits": users.account_traits(user["account"])},
        "token": sign_identity(secret, user) if secret else None,
    }
    return {"guide_config": config, "guide_stub": loader_stub()}
