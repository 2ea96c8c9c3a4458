"""What a firing does: nudges, webhooks, emails, support tasks, traits and tags.

Each action runs for a whole batch of firings at once (the sweep may fire for
thousands of subjects), in the caller's transaction: a webhook or email is an
outbox row, so it exists exactly when the firing does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from guide.extensions import db
from guide.models import Account, EndUser, Nudge, Workspace
from guide.models.base import isoformat
from guide.proactive.rules import Rule, settings_of
from guide.proactive.subjects import Match, describe
from guide.services import nudges, outbox
from guide.services.escalations import open_task
from guide.services.localize import localize

Later = list[Callable[[], None]]
EMAIL_TRAITS = {"csm": "csm_email", "owner": "owner_email"}


def run_actions(workspace: Workspace, rule: Rule, fired: list[Match], now: datetime,
                after_commit: Later) -> None:
    queued = False
    for action in rule.body["actions"]:
        kind, spec = next(iter(action.items()))
        if kind == "nudge":
            _nudge(workspace, rule, fired, spec, now, after_commit)
        elif kind == "webhook":
            queued |= bool(outbox.enqueue_many(workspace, "scenario.fired", [
                {**describe(rule, m, now), **(spec.get("data") or {})} for m in fired]))
        elif kind == "email":
            queued |= _email(workspace, rule, fired, spec, now)
        elif kind == "task":
            queued |= _task(workspace, rule, fired, spec, now)
        elif kind == "set_trait":
            _traits(fired, lambda traits, s=spec: {**traits, s["key"]: s["value"]})
        elif kind == "tag":
            _traits(fired, lambda traits, tag=spec: {**traits, "tags": _with_tag(traits, tag)})
    if queued:
        after_commit.append(outbox.wake_up.set)


def _with_tag(traits: dict[str, Any], tag: str) -> list[Any]:
    tags = traits.get("tags")
    tags = list(tags) if isinstance(tags, list) else []
    return tags if tag in tags else [*tags, tag]


# ---------------------------------------------------------------- nudges


def _nudge(workspace: Workspace, rule: Rule, fired: list[Match], spec: dict[str, Any],
           now: datetime, after_commit: Later) -> None:
    """One nudge per user (every user of an account subject), within the daily cap."""
    targets = _users_of(fired)
    cap = settings_of(workspace.scenario_settings)["max_nudges_per_day"]
    sent_today = dict(db.session.execute(
        sa.select(Nudge.user_id, sa.func.count())
        .where(Nudge.user_id.in_([user_id for user_id, _ in targets]),
               Nudge.scenario_id.is_not(None), Nudge.created_at > now - timedelta(days=1))
        .group_by(Nudge.user_id)).all()) if targets else {}
    rows = []
    for user_id, locale in targets:
        if sent_today.get(user_id, 0) >= cap:
            continue
        payload = {
            "message": localize(spec["message"], locale or workspace.default_locale,
                                workspace.default_locale) or "",
            "mode": spec.get("mode", "card"), "scenario": rule.key,
            **{name: spec[name] for name in ("guide", "step") if name in spec},
        }
        if spec.get("title"):
            payload["title"] = localize(spec["title"], locale or workspace.default_locale,
                                        workspace.default_locale)
        rows.append({"workspace_id": workspace.id, "user_id": user_id, "scenario_id": rule.id,
                     "payload": payload, "created_at": now})
    if not rows:
        return
    db.session.execute(sa.insert(Nudge.__table__), rows)
    after_commit.append(lambda: _send_nudges(rule, now))


def _send_nudges(rule: Rule, now: datetime) -> None:
    """After commit: the nudges this firing wrote (this scenario, stamped ``now``) go out."""
    nudges.send_many(list(db.session.execute(
        sa.select(Nudge.id, Nudge.user_id, Nudge.payload)
        .where(Nudge.scenario_id == rule.id, Nudge.created_at == now).order_by(Nudge.id))))


def _users_of(fired: list[Match]) -> list[tuple[int, str | None]]:
    """(user id, locale) of each user subject, and of every user of each account subject."""
    users = [(m.subject.id, m.subject.locale) for m in fired if m.subject.type == "user"]
    accounts = [m.subject.id for m in fired if m.subject.type == "account"]
    if accounts:
        users += [(id, locale) for id, locale in db.session.execute(
            sa.select(EndUser.id, EndUser.locale).where(EndUser.account_id.in_(accounts)))]
    return users


# ---------------------------------------------------------------- email and tasks


def _email(workspace: Workspace, rule: Rule, fired: list[Match], spec: dict[str, Any],
           now: datetime) -> bool:
    if not current_app.config["GUIDE_SMTP_URL"]:
        current_app.logger.warning("scenario %s sends email but GUIDE_SMTP_URL is not set; "
                                   "no email queued", rule.key)
        return False
    rows = []
    for match in fired:
        to = _address(spec["to"], match.subject.account_traits)
        if to is None:
            current_app.logger.info("scenario %s: no %s address for %s", rule.key, spec["to"],
                                    match.subject.external_id)
            continue
        data = {**describe(rule, match, now),
                "email": {"subject": spec["subject"], "text": spec.get("text")}}
        rows.append(outbox.message_row(
            workspace, "email", to, "scenario.fired",
            {"type": "scenario.fired", "timestamp": isoformat(now), "data": data}, now))
    return bool(outbox.insert_messages(rows))


def _address(to: str, account_traits: dict[str, Any]) -> str | None:
    if to not in EMAIL_TRAITS:
        return to
    value = account_traits.get(EMAIL_TRAITS[to])
    return value if isinstance(value, str) and "@" in value and len(value) <= 320 else None


def _task(workspace: Workspace, rule: Rule, fired: list[Match], spec: dict[str, Any],
          now: datetime) -> bool:
    queued = False
    for match in fired:
        user = db.session.get(EndUser, match.subject.id) if match.subject.type == "user" else None
        account = (db.session.get(Account, match.subject.id)
                   if match.subject.type == "account" else None)
        queued |= open_task(workspace, user, account, spec["message"], rule.key,
                            describe(rule, match, now), now)
    return queued


def _traits(fired: list[Match], change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    for match in fired:
        model = EndUser if match.subject.type == "user" else Account
        row = db.session.get(model, match.subject.id)
        if row is not None:
            row.traits = change(dict(row.traits or {}))
