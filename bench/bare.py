"""The baselines: a bare Flask JSON endpoint and a bare python-socketio ack echo.

Served by gunicorn exactly like Guide (same worker class, same async mode), so
each Guide figure can be given as a ratio against the bare framework on the
same machine in the same run.
"""

from __future__ import annotations

import os

import socketio
from flask import Flask, jsonify, request

flask_app = Flask(__name__)


@flask_app.post("/bare")
def bare() -> object:
    """Parse the same JSON body the bootstrap gets and answer a small JSON document."""
    body = request.get_json()
    return jsonify({"ok": True, "app": body.get("app")})


@flask_app.get("/healthz")
def healthz() -> object:
    return {"status": "ok"}


sio = socketio.Server(async_mode=os.environ.get("GUIDE_ASYNC_MODE", "gevent"),
                      transports=["websocket"], cors_allowed_origins="*")


@sio.on("step:complete", namespace="/widget")
def echo(sid: str, data: object) -> dict[str, object]:
    return {"ok": True, "id": data.get("id") if isinstance(data, dict) else None}


@sio.on("connect", namespace="/widget")
def connect(sid: str, environ: dict[str, object], auth: object = None) -> None:
    return None


app = socketio.WSGIApp(sio, flask_app)
