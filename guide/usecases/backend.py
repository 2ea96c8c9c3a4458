"""What a product's backend reports: track, identify, group (docs/API.md).

``track`` is the widget's ``event:track`` envelope sent for the user, through
the same service (``guide.usecases.envelopes``), so steps complete,
milestones advance and scenarios fire exactly as when the browser reports
the event. ``identify`` and ``group`` upsert like the widget's bootstrap
(``guide.services.users``) and evaluate trait milestones in the same
transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from flask import current_app
from marshmallow import ValidationError

from guide.errors import GuideError, error_body, invalid_payload
from guide.extensions import db
from guide.models import EndUser, Workspace
from guide.proactive import lifecycle
from guide.schemas.backend import CALL_SCHEMAS
from guide.schemas.users import IdentifiedUserOut
from guide.schemas.widget import ENVELOPE_ID_FORMAT
from guide.services.unit import Context
from guide.services.users import trait_locale, upsert_account, upsert_user
from guide.usecases import envelopes

# A refused envelope's error code -> the HTTP status of the backend call.
ACK_STATUS = {"invalid_payload": 400, "id_conflict": 409, "internal_error": 500}


def envelope_id(call_id: str | None) -> str:
    """The envelope id of a call: its own id when it fits, else a stable hash of it.

    A replayed messageId therefore maps to the same envelope and is recorded
    once; without an id every call is new (nothing to de-duplicate on).
    """
    if call_id is None:
        return uuid.uuid4().hex
    if ENVELOPE_ID_FORMAT.match(call_id):
        return call_id
    return hashlib.sha256(call_id.encode()).hexdigest()[:32]


def track(workspace: Workspace, call: dict[str, Any]) -> dict[str, Any]:
    """Record an event for the user (created if unknown); the envelope's ack, or raise."""
    user = _user(workspace, call["user_id"])
    data = {"id": envelope_id(call["id"]), "name": call["event"], "props": call["props"],
            "url": None}
    if call["at"] is not None:
        data["at"] = call["at"].isoformat()
    ack = envelopes.handle(Context(workspace=workspace, user=user), "event:track", data)
    if not ack["ok"]:
        error = ack["error"]
        raise GuideError(error["message"], code=error["code"], fields=error.get("fields"),
                         status=ACK_STATUS.get(error["code"], 400))
    return ack


def identify(workspace: Workspace, call: dict[str, Any]) -> dict[str, Any]:
    """Upsert the user (and the account named with it), merging traits."""
    account = None
    if call["account_id"]:
        account, _ = upsert_account(workspace, {"id": call["account_id"],
                                                "traits": call["account_traits"]})
    locale = call["locale"] or trait_locale(call["traits"])
    user, _ = upsert_user(workspace, call["user_id"], call["traits"], account, locale)
    return _commit_traits(user)


def group(workspace: Workspace, call: dict[str, Any]) -> dict[str, Any]:
    """Upsert the account with its traits and make it the user's account."""
    account, _ = upsert_account(workspace, {"id": call["account_id"], "traits": call["traits"]})
    user, _ = upsert_user(workspace, call["user_id"], {}, account, None)
    return _commit_traits(user)


CALLS = {"track": track, "identify": identify, "group": group}


def batch(workspace: Workspace, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each call in order, each with its own result: one bad call does not stop the rest."""
    return [_batch_item(workspace, item) for item in items]


def _batch_item(workspace: Workspace, item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("type")
    if kind not in CALLS:
        return {"ok": False, **error_body(
            "unsupported_type",
            f"Calls of type {kind!r} are not recorded; send track, identify or group.")}
    try:
        return CALLS[kind](workspace, CALL_SCHEMAS[kind]().load(item))
    except ValidationError as err:
        return {"ok": False, **invalid_payload(err).to_dict()}
    except GuideError as err:
        db.session.rollback()
        return {"ok": False, **err.to_dict()}
    except Exception:
        # One call failing on the server must not lose the answers of the others.
        db.session.rollback()
        current_app.logger.exception("backend %s call failed", kind)
        return {"ok": False, **error_body(
            "internal_error", "The server failed to record this call; retry it later.")}


def _user(workspace: Workspace, external_id: str) -> EndUser:
    """The user, created if Guide has not seen them yet (as a widget bootstrap would)."""
    user, wrote = upsert_user(workspace, external_id, {}, None, None)
    if wrote:
        db.session.commit()
    return user


def _commit_traits(user: EndUser) -> dict[str, Any]:
    # Trait milestones are evaluated in this transaction: they commit with the traits.
    lifecycle.traits_changed(user)
    db.session.commit()
    return {"ok": True, "user": user_view(user)}


def user_view(user: EndUser) -> dict[str, Any]:
    """The user as stored now; ``stage`` is the lifecycle's first until they move on."""
    life = lifecycle.lifecycle_of(db.session.get(Workspace, user.workspace_id))
    return IdentifiedUserOut(first_stage=life.first_stage if life else None).dump(user)
