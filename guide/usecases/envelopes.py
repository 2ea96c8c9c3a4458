"""Envelopes from the widget (socket or HTTP batch): validated, recorded once, acked after commit.

The transaction owner of an envelope: the building blocks it calls record what
changed on the ``Outcome``, and the proactive engine reacts to it before the
one commit (``guide.services.unit``).

Every envelope carries a client UUID. The first time an id is seen, its event
row and every change it causes commit in one transaction, and the ack result
is stored on the event row. A replay of the same id returns that stored
result with ``duplicate: true`` and writes nothing; the same id with a
different payload is refused (``id_conflict``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from guide.errors import Conflict, Forbidden, GuideError, NotFound, error_body, invalid_payload
from guide.extensions import db
from guide.models import Account, EndUser, Event, Guide, GuideVersion
from guide.models.base import utcnow
from guide.proactive import engine
from guide.schemas.plain_envelopes import plain_envelope
from guide.schemas.widget import ENVELOPE_SCHEMAS
from guide.services import idempotency, push
from guide.services import progress as rules
from guide.services.audience import ANY_PAGE, url_matches
from guide.services.escalations import apply_escalate
from guide.services.guides import offered, offered_guides, published_guide
from guide.services.unit import Context, Outcome
from guide.usecases import surveys
from guide.usecases.transactions import AfterCommit, Savepoint, Transaction, Unit


def handle(ctx: Context, kind: str, data: Any) -> dict[str, Any]:
    """Process one envelope in its own transaction and return its ack (never raises)."""
    ack, after_commit = _guarded(ctx, kind, data, Transaction())
    after_commit()
    return ack


def handle_nested(ctx: Context, kind: str, data: Any) -> tuple[dict[str, Any], AfterCommit]:
    """Process one envelope in a SAVEPOINT of a transaction its caller commits (never raises).

    Group commit (guide.realtime.group_commit): several envelopes share one
    transaction, each in its own savepoint, so one that fails is undone alone.
    Returns the ack, to be sent only once the caller has committed, and what to
    run after that commit (pushes to the user's other sockets, the outbox's wake-up).
    """
    return _guarded(ctx, kind, data, Savepoint(db.session.begin_nested()))


def _nothing() -> None:
    return None


def _guarded(ctx: Context, kind: str, data: Any,
             unit: Unit) -> tuple[dict[str, Any], AfterCommit]:
    try:
        return _handle(ctx, kind, data, unit)
    except GuideError as err:
        unit.undo()
        return {"ok": False, **err.to_dict()}, _nothing
    except TRANSIENT:
        unit.undo()
        current_app.logger.exception("envelope %s failed; the client will retry", kind)
        return {"ok": False, **error_body(
            "internal_error", "The server failed to record this; retry later.")}, _nothing
    except Exception:
        unit.undo()
        current_app.logger.exception("envelope %s failed for good", kind)
        return {"ok": False, **error_body(
            "envelope_failed", "The server could not process this envelope and would fail "
            "the same way again; it was logged for the server's operators. Do not resend it.")
        }, _nothing


# Failures worth a retry: the database was unreachable or busy, or a concurrent
# transaction won a race. Anything else escaping an envelope is a bug meeting this
# payload and would fail the same way every time (a lone surrogate, a KeyError on an
# unpublished guide: issue 12), so it gets a permanent code that the widget drops and
# reports instead of resending it forever.
TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.InternalError,
             IntegrityError, sa.exc.TimeoutError, sa.exc.DisconnectionError,
             sa.exc.PendingRollbackError, OSError)


# One instance per envelope type: the schemas keep no state between loads.
_SCHEMAS = {kind: schema() for kind, schema in ENVELOPE_SCHEMAS.items()}


def _handle(ctx: Context, kind: str, data: Any,
            unit: Unit) -> tuple[dict[str, Any], AfterCommit]:
    schema = _SCHEMAS.get(kind)
    if schema is None:
        raise GuideError(f"Unknown envelope type {kind!r}.", code="invalid_payload")
    if not isinstance(data, dict):
        raise GuideError("The envelope must be a JSON object.", code="invalid_payload")
    # What the widget sends all the time loads without marshmallow (same result).
    envelope = plain_envelope(type(schema), data)
    if envelope is None:
        try:
            envelope = schema.load(data)
        except ValidationError as err:
            raise invalid_payload(err) from err
    fingerprint = idempotency.fingerprint(kind, data)
    replay = idempotency.replay(ctx.workspace.id, ctx.user.id, envelope["id"], fingerprint)
    if replay is not None:
        unit.read_only()
        return replay, _nothing
    try:
        ack, outcome = _write(ctx, kind, envelope, fingerprint, unit)
    except IntegrityError:
        # The same id recorded by a concurrent request (another tab, a retry racing the
        # original) after our replay check: its result stands, ours is discarded. On
        # PostgreSQL this surfaces at the event's insert (or a flush before it), which
        # waits for the other transaction, not only at the commit.
        unit.undo()
        replay = idempotency.replay(ctx.workspace.id, ctx.user.id, envelope["id"], fingerprint)
        if replay is None:
            raise
        return replay, _nothing

    def after_commit() -> None:
        push.progress_changed(ctx, outcome, ack["progress"])
        for callback in outcome.after_commit:
            callback()

    return ack, after_commit


def _write(ctx: Context, kind: str, envelope: dict[str, Any], fingerprint: str,
           unit: Unit) -> tuple[dict[str, Any], Outcome]:
    """Apply the envelope and commit it with its event row; its ack and what it changed."""
    event = Event(
        workspace_id=ctx.workspace.id, user_id=ctx.user.id, client_id=envelope["id"], type=kind,
        fingerprint=fingerprint, client_at=envelope.get("at"), created_at=utcnow(),
    )
    outcome = Outcome()
    APPLY[kind](ctx, envelope, event, outcome)
    engine.after_event(ctx, event, outcome)
    ack = {"ok": True, "id": envelope["id"], "duplicate": False,
           "progress": _progress_of(ctx.user, outcome), "completed": outcome.completed,
           **outcome.extra}
    event.result = ack
    idempotency.record(event)
    unit.finish()
    return ack, outcome


def _guide_or_404(ctx: Context, key: str) -> tuple[Guide, GuideVersion]:
    found = published_guide(ctx.workspace.id, key)
    if found is None:
        raise NotFound(f"No published guide {key!r} in this workspace.", code="unknown_guide")
    return found


def _step_or_404(version: GuideVersion, key: str, step_id: str | None) -> dict[str, Any] | None:
    if step_id is None:
        return None
    step = version.step(step_id)
    if step is None:
        raise NotFound(f"Guide {key!r} has no step {step_id!r}.", code="unknown_step")
    return step


def _apply_step_complete(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    guide, version = _guide_or_404(ctx, env["guide"])
    step = _step_or_404(version, guide.key, env["step"])
    assert step is not None
    if guide.kind in surveys.MESSAGE_KINDS:
        raise Conflict(f"{guide.key!r} is a {guide.kind}: its steps are done by its own "
                       "envelopes and events (docs/SURVEYS.md).", code="invalid_state")
    if guide.kind == "plan":
        _check_plan_step(ctx, guide, step)
    _check_offered(ctx, guide, version)
    if step.get("complete_when") and "manual" not in step["complete_when"]:
        raise Conflict(
            f"Step {step['id']!r} completes on its own rule ({step['complete_when']}), "
            "not by a manual completion.",
            code="step_not_manual",
        )
    event.name = f"{guide.key}/{step['id']}"
    event.props = {"guide": guide.key, "step": step["id"]}
    _complete(ctx, guide, version, step, out)


def _check_plan_step(ctx: Context, guide: Guide, step: dict[str, Any]) -> None:
    """A plan's vendor steps are ticked by the vendor's team; plans belong to accounts."""
    if step.get("owner") == "vendor":
        raise Conflict(f"Step {step['id']!r} of {guide.key!r} is done by the vendor's team, "
                       "not from the widget.", code="vendor_step")
    if ctx.user.account_id is None:
        raise Conflict(f"{guide.key!r} is an account's plan and this user has no account "
                       "(Guide.group).", code="no_account")


def _check_offered(ctx: Context, guide: Guide, version: GuideVersion) -> None:
    """Only a guide the server offers this user may be completed or change state.

    The same decision as bootstrap's, on any page (an envelope names none): a
    guide whose audience takes the user only on some pages is theirs to finish
    on another. Authors' previews of drafts stay in the page (the widget sends
    nothing about them), and ``Guide.start`` opens only guides bootstrap listed.
    """
    if not offered(guide, version, ctx.user.traits, _account_traits(ctx.user.account_id),
                   ANY_PAGE, utcnow()):
        raise Forbidden(f"{guide.key!r} is not offered to this user (its audience does not "
                        "include them); nothing was recorded.", code="not_in_audience")


def _complete(
    ctx: Context, guide: Guide, version: GuideVersion, step: dict[str, Any], out: Outcome
) -> None:
    out.touch(guide, version)
    if rules.complete_step(ctx.user, guide, version, step["id"], out):
        out.completed.append({"guide": guide.key, "step": step["id"]})
        if step.get("scope") == "account" and ctx.user.account_id is not None:
            out.account_guides.add(guide.id)
            # Teammates may have just finished the guide through this shared step.
            for teammate, progress in rules.teammates_with_progress(ctx.user, guide):
                rules.refresh_state(teammate, guide, version, progress, utcnow(), out)


def _apply_guide_state(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    guide, version = _guide_or_404(ctx, env["guide"])
    _step_or_404(version, guide.key, env["step"])
    _check_offered(ctx, guide, version)
    if env["state"] == "completed" and guide.kind != "tour":
        raise Conflict(
            f"{guide.key!r} is a checklist: it is completed by its steps, not by guide:state.",
            code="invalid_state",
        )
    event.name = guide.key
    out.touch(guide, version)
    before, before_step = rules.set_state(ctx.user, guide, version, env["state"], env["step"],
                                          out)
    # "from" and a tour's "passed" steps: what event forwarding sends (docs/INTEGRATIONS.md).
    event.props = {"guide": guide.key, "state": env["state"], "step": env["step"],
                   "from": before}
    if guide.kind == "tour":
        passed = rules.tour_steps_passed(version, before, before_step, env["state"],
                                         env["step"])
        if passed:
            event.props["passed"] = passed
    if env["state"] == "completed" and before != "completed":
        _complete_waiting_for(ctx, {"tour": guide.key}, out)


def _complete_waiting_for(ctx: Context, rule: dict[str, Any], out: Outcome) -> None:
    """Complete the user's checklist steps whose ``complete_when`` is ``rule``."""
    for guide, version in _applicable_guides(ctx):
        for step in version.body["steps"]:
            if step.get("complete_when") == rule:
                _complete(ctx, guide, version, step, out)


def _apply_track(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    event.name, event.props, event.url = env["name"], env["props"], env["url"]
    page = env["url"] if env["name"] == "$page" else None
    if env["name"] in surveys.TRACKED:
        surveys.track(ctx, env["name"], env["props"])
    for guide, version in _applicable_guides(ctx):
        for step in version.body["steps"]:
            rule = step.get("complete_when") or {}
            if rule.get("event") == env["name"] or (
                page is not None and "url" in rule and url_matches(rule["url"], page)
            ):
                _complete(ctx, guide, version, step, out)


def _applicable_guides(ctx: Context) -> list[tuple[Guide, GuideVersion]]:
    """Published guides offered to this user (``_check_offered``'s decision, for each)."""
    return offered_guides(ctx.workspace.id, ctx.user.traits,
                          _account_traits(ctx.user.account_id), ANY_PAGE)


def _account_traits(account_id: int | None) -> dict[str, Any] | None:
    """The user's account's traits; None when they have no account."""
    account = db.session.get(Account, account_id) if account_id else None
    return account.traits if account else None


def _progress_of(user: EndUser, out: Outcome) -> dict[str, Any]:
    # The touched progress rows are in the session (read under lock by the rules), so
    # this costs no progress query; the commit flushes them with the event.
    return rules.progress_map(user, list(out.touched.values()))


APPLY = {
    "step:complete": _apply_step_complete,
    "guide:state": _apply_guide_state,
    "event:track": _apply_track,
    "help:escalate": apply_escalate,
    "survey:answer": surveys.apply_answer,
    "feedback:helpful": surveys.apply_helpful,
}
