"""The ``/widget`` namespace: connect with a socket token, send envelopes with acks."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, join_room

from guide import metrics, ratelimit
from guide.errors import GuideError, error_body
from guide.extensions import socketio
from guide.models.user import account_room, workspace_room
from guide.realtime import expiry, group_commit
from guide.services import nudges
from guide.services.picker import relay_pick
from guide.services.sessions import socket_session
from guide.web import caller

NAMESPACE = "/widget"
# Envelopes in one `envelopes` emit, as in one HTTP batch (docs/PROTOCOL.md section 3).
MAX_BATCH = 100
_BATCH_SHAPE = ('An "envelopes" event takes {"envelopes": [{"type": "event:track", '
                f'"data": {{...}}}}, ...]}} with 1-{MAX_BATCH} envelopes. Nothing was recorded.')


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Refuse bad tokens and origins with ``{code, message}``; join the user's rooms."""
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        ctx, expires_at = socket_session(token, caller(), request.sid)
    except GuideError as err:
        raise ConnectionRefusedError(err.message, err.to_dict()["error"]) from err
    session["workspace_id"] = ctx.workspace.id
    session["user_id"] = ctx.user.id
    join_room(ctx.user.room)
    join_room(workspace_room(ctx.workspace.id))
    if ctx.user.account_id is not None:
        join_room(account_room(ctx.user.account_id))
    # Status changes of the user's escalations made while they were away.
    nudges.deliver_pending(ctx.user, request.sid)
    metrics.CONNECTIONS.inc()
    expiry.watch(request.sid, NAMESPACE, expires_at)  # ended when the token expires


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_: Any) -> None:
    if "user_id" in session:  # a refused connection was never counted
        metrics.CONNECTIONS.dec()
    expiry.forget(request.sid)


def _refusal(kind: str) -> dict[str, Any] | None:
    """Over the user's budget (shared by their every socket, process and HTTP batch)?"""
    return ratelimit.envelope_refusal(session.get("workspace_id", 0), session.get("user_id", 0),
                                      kind)


def _envelope(kind: str, data: Any) -> dict[str, Any]:
    expired = expiry.refusal(request.sid)
    if expired is not None:
        return expired
    return _handled(kind, data)


def _handled(kind: str, data: Any) -> dict[str, Any]:
    """One envelope on a live token: its budget, then its write, acked once committed
    (with others' under group commit, guide.realtime.group_commit)."""
    refused = _refusal(kind)
    if refused is not None:
        return refused
    started = time.perf_counter()
    ack = group_commit.handle(group_commit.Item(
        session.get("user_id", 0), session.get("workspace_id", 0), request.sid,
        request.headers.get("User-Agent"), kind, data))
    metrics.observe(kind, ack, time.perf_counter() - started)
    return ack


@socketio.on("step:complete", namespace=NAMESPACE)
def on_step_complete(data: Any = None) -> dict[str, Any]:
    return _envelope("step:complete", data)


@socketio.on("guide:state", namespace=NAMESPACE)
def on_guide_state(data: Any = None) -> dict[str, Any]:
    return _envelope("guide:state", data)


@socketio.on("event:track", namespace=NAMESPACE)
def on_track(data: Any = None) -> dict[str, Any]:
    return _envelope("event:track", data)


@socketio.on("help:escalate", namespace=NAMESPACE)
def on_escalate(data: Any = None) -> dict[str, Any]:
    return _envelope("help:escalate", data)


@socketio.on("survey:answer", namespace=NAMESPACE)
def on_survey_answer(data: Any = None) -> dict[str, Any]:
    return _envelope("survey:answer", data)


@socketio.on("feedback:helpful", namespace=NAMESPACE)
def on_helpful(data: Any = None) -> dict[str, Any]:
    return _envelope("feedback:helpful", data)


@socketio.on("envelopes", namespace=NAMESPACE)
def on_envelopes(data: Any = None) -> dict[str, Any]:
    """Several envelopes in one emit (the widget batches its views): one result each, in order.

    Each is handled, committed and counted against the user's budget as if sent
    alone; the answer comes once all are committed. A batch refused as a whole (an
    expired token, not a list of 1-100 ``{type, data}``) gets one negative ack.
    """
    expired = expiry.refusal(request.sid)
    if expired is not None:
        return expired
    items = data.get("envelopes") if isinstance(data, dict) else None
    if not (isinstance(items, list) and 0 < len(items) <= MAX_BATCH
            and all(isinstance(i, dict) and isinstance(i.get("type"), str) for i in items)):
        return {"ok": False, **error_body("invalid_payload", _BATCH_SHAPE)}
    return {"ok": True, "results": [_handled(i["type"], i.get("data")) for i in items]}


@socketio.on("picker:selected", namespace=NAMESPACE)
def on_picker_selected(data: Any = None) -> dict[str, Any]:
    """An author's element picker chose a selector: relay it to their editor (/admin)."""
    expired = expiry.refusal(request.sid)
    if expired is not None:
        return expired
    refused = _refusal("picker:selected")
    if refused is not None:
        return refused
    data = data if isinstance(data, dict) else {}
    return relay_pick(data.get("token"), data.get("selector"), data.get("url"),
                      workspace_id=session.get("workspace_id"))


@socketio.on("*", namespace=NAMESPACE)
def on_unroutable(event: Any, *args: Any) -> dict[str, Any]:
    """Nack whatever no handler above takes, so the widget drops and reports it.

    Without an ack the widget retries the envelope forever. python-socketio takes
    ``data[0]`` as the event and ``data[1:]`` as its arguments without checking that
    the packet's data is an array: when a host page's Prototype-style
    ``Array.prototype.toJSON`` made the widget send ``42/widget,0"[\\"step:complete\\",..]"``,
    the event was ``"["`` and every other character an argument (issue 11). A packet
    whose data cannot be indexed (an object, a number, ``[]``) fails inside
    python-socketio before any handler runs, so it cannot be acked from here.
    """
    name, as_string = _event_name(event, args)
    if as_string:
        message = (f"Event {name!r} arrived as one JSON string instead of the array "
                   "[event, payload]: something on the page changed how arrays are "
                   "serialized (e.g. Array.prototype.toJSON). Nothing was recorded.")
    else:
        message = f"Unknown event {name!r} on {NAMESPACE}. Nothing was recorded."
    return {"ok": False, **error_body("invalid_payload", message)}


def _event_name(event: Any, args: tuple[Any, ...]) -> tuple[str, bool]:
    """The event the client meant, and whether the packet's data was a string.

    A string arrives as its first character (the event) and one argument per other
    character; joined again, it is the JSON the client serialized.
    """
    chars = isinstance(event, str) and len(event) == 1 and bool(args) and all(
        isinstance(a, str) and len(a) == 1 for a in args)
    if not chars:
        return str(event)[:100], False
    text = event + "".join(args)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    name = data[0] if isinstance(data, list) and data else text
    return str(name)[:100], True
