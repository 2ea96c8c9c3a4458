"""The bootstrap floor: the least a server must do to answer a returning user's bootstrap.

A bare Flask endpoint over the same database as Guide, served by gunicorn the
same way (bench/servers.py), doing the work no implementation can skip:

- verify the same identity JWT (HS256 against the workspace's signing secrets,
  ``exp`` and ``sub`` required, ``sub`` matching, the same lifetime bound);
- read the same rows through the DB-API, no ORM: the workspace by its key, the
  user by (workspace, external id), the published guides with their version
  numbers and checksums, the user's progress rows (``STATEMENTS``; a test keeps
  their tables in step with what Guide's bootstrap reads);
- keep version bodies in a per-process cache by (version id, checksum), as Guide
  does (they are immutable), reading a body by primary key only on a miss;
- sign the same socket token (audience, workspace, user, iat, exp) with the
  server's secret, and answer JSON.

What it leaves out is Guide's own choice, not the floor's: marshmallow
validation of the body, audience rules, localization, the offers record,
upserts (a returning user's traits are unchanged), the pool's pre-ping.

Environment: ``FLOOR_DATABASE_URL`` (the URL Guide uses) and ``FLOOR_SECRET_KEY``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import jwt
import sqlalchemy as sa
from flask import Flask, jsonify, request

SOCKET_AUDIENCE = "guide:socket"
SOCKET_TTL = 3600

# Written with %s; SQLite's driver gets ? (paramstyle below).
STATEMENTS = {
    "workspace": "SELECT id, name, default_locale, theme, support_url, help_enabled, "
                 "require_identity, identity_token_max_age, signing_secrets "
                 "FROM workspace WHERE \"key\" = %s",
    "user": "SELECT id, external_id, locale FROM end_user "
            "WHERE workspace_id = %s AND external_id = %s",
    "guides": "SELECT guide.id, guide.\"key\", guide.kind, guide.published_version_id, "
              "guide_version.number, guide_version.checksum FROM guide "
              "JOIN guide_version ON guide_version.id = guide.published_version_id "
              "WHERE guide.workspace_id = %s ORDER BY guide.priority, guide.\"key\"",
    "body": "SELECT body FROM guide_version WHERE id = %s",
    "progress": "SELECT guide_id, state, current_step, completed_steps FROM progress "
                "WHERE user_id = %s",
}


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": 15})
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa.create_engine(url, pool_size=20, max_overflow=10)


def _json(value: Any) -> Any:
    """JSON columns: decoded by psycopg, text from SQLite."""
    return json.loads(value) if isinstance(value, str) else value


class Floor:
    def __init__(self, url: str, secret: str) -> None:
        self.engine = _engine(url)
        self.secret = secret
        qmark = self.engine.dialect.paramstyle == "qmark"
        self.sql = {name: sql.replace("%s", "?") if qmark else sql
                    for name, sql in STATEMENTS.items()}
        self.bodies: dict[tuple[int, str], Any] = {}

    def bootstrap(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        user_id = str(body["user"]["id"])
        conn = self.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute(self.sql["workspace"], (body["app"],))
            ws = cur.fetchone()
            if ws is None:
                return {"error": {"code": "unknown_app", "message": "no such app"}}, 404
            claims = self.verify(body.get("token"), user_id, _json(ws[8]) or [], ws[7])
            if claims is None:
                return {"error": {"code": "identity_invalid", "message": "bad token"}}, 401
            cur.execute(self.sql["user"], (ws[0], user_id))
            user = cur.fetchone()
            if user is None:  # the floor serves returning users only
                return {"error": {"code": "unknown_user", "message": "bootstrap Guide"}}, 404
            cur.execute(self.sql["guides"], (ws[0],))
            guides = [{"key": g[1], "kind": g[2], "version": g[4],
                       "body": self.version_body(cur, g[3], g[5])} for g in cur.fetchall()]
            cur.execute(self.sql["progress"], (user[0],))
            progress = {row[0]: {"state": row[1], "step": row[2],
                                 "completed": _json(row[3])} for row in cur.fetchall()}
            conn.rollback()  # read only: end the transaction, as Guide's request does
        finally:
            conn.close()
        return {
            "user": {"id": user[1], "locale": user[2] or ws[2]},
            "workspace": {"name": ws[1], "locale": ws[2], "theme": _json(ws[3]) or {},
                          "support_url": ws[4], "help_enabled": bool(ws[5])},
            "guides": guides,
            "progress": progress,
            "socket": {"namespace": "/widget", "path": "/socket.io",
                       "token": self.socket_token(ws[0], user[0]), "expires_in": SOCKET_TTL},
        }, 200

    def version_body(self, cur: Any, version_id: int, checksum: str) -> Any:
        key = (version_id, checksum)
        cached = self.bodies.get(key)
        if cached is None:
            cur.execute(self.sql["body"], (version_id,))
            cached = self.bodies[key] = _json(cur.fetchone()[0])
        return cached

    @staticmethod
    def verify(token: Any, user_id: str, secrets: list[str], max_age: int) -> Any:
        for secret in secrets:
            try:
                claims = jwt.decode(token, secret, algorithms=["HS256"], leeway=30,
                                    options={"require": ["exp", "sub"]})
            except jwt.InvalidSignatureError:
                continue
            except jwt.InvalidTokenError:
                return None
            now = time.time()
            issued = claims.get("iat")
            start = min(float(issued), now) if isinstance(issued, int | float) else now
            if str(claims["sub"]) != user_id or float(claims["exp"]) - start > max_age:
                return None
            return claims
        return None

    def socket_token(self, workspace_id: int, user_id: int) -> str:
        now = int(time.time())
        claims = {"aud": SOCKET_AUDIENCE, "ws": workspace_id, "uid": user_id, "iat": now,
                  "exp": now + SOCKET_TTL}
        return jwt.encode(claims, self.secret, algorithm="HS256")


def create_app(url: str, secret: str) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # as Guide
    floor = app.extensions["floor"] = Floor(url, secret)

    @app.post("/floor/bootstrap")
    def bootstrap() -> Any:
        payload, status = floor.bootstrap(request.get_json())
        return jsonify(payload), status

    @app.get("/healthz")
    def healthz() -> Any:
        return {"status": "ok"}

    return app


app = (create_app(os.environ["FLOOR_DATABASE_URL"], os.environ["FLOOR_SECRET_KEY"])
       if "FLOOR_DATABASE_URL" in os.environ else None)
