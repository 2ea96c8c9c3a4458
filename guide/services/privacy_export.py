"""Export everything Guide holds about one end user or one account (docs/PRIVACY.md).

The document is plain JSON. Events can be many, so the REST API returns the
first page of them with the rest of the document and a cursor for the next
pages; ``json_chunks`` writes the whole document, every event included, as a
stream of text for a file or a download, a page of events at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    AuditEntry,
    Author,
    EndUser,
    Escalation,
    Event,
    Guide,
    HelpfulVote,
    Nudge,
    Progress,
    Scenario,
    ScenarioFiring,
    SurveyResponse,
    UserMilestone,
    Workspace,
)
from guide.models.base import isoformat, utcnow
from guide.schemas.users import AccountExportOut, UserExportOut, UserSeenOut
from guide.services import audit, escalations
from guide.services.footprint import (
    Names,
    account_escalations,
    account_events,
    count,
    delivery_view,
    events_page,
    naming_messages,
    subject_digest,
    user_events,
)

EVENTS_PAGE = 1000
PLAN_ACTIONS = ("plan.step_done", "plan.step_undone")


def _external_ids(ids: set[int | None]) -> dict[int, str]:
    ids.discard(None)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(EndUser.id, EndUser.external_id)
                                   .where(EndUser.id.in_(ids))).all())


def _firings(workspace: Workspace, subject_type: str, subject_id: int) -> list[dict[str, Any]]:
    f = ScenarioFiring
    rows = db.session.execute(
        sa.select(f, Scenario.key).join(Scenario, Scenario.id == f.scenario_id)
        .where(f.workspace_id == workspace.id, f.subject_type == subject_type,
               f.subject_id == subject_id).order_by(f.fired_at, f.id))
    return [{"scenario": key, "window": firing.window, "details": firing.details,
             "fired_at": isoformat(firing.fired_at), "held_out": firing.held_out}
            for firing, key in rows]


def _events(where: sa.ColumnElement[bool]) -> dict[str, Any]:
    return {"total": count(Event, where), **events_page(where, 0, EVENTS_PAGE)}


def _deliveries(workspace: Workspace, names: Names) -> list[dict[str, Any]]:
    return [delivery_view(message) for message in naming_messages(workspace, names)]


# ---------------------------------------------------------------- one user


def _progress(user: EndUser) -> list[dict[str, Any]]:
    rows = db.session.execute(sa.select(Progress, Guide.key).join(
        Guide, Guide.id == Progress.guide_id).where(Progress.user_id == user.id)
        .order_by(Guide.key))
    return [{"guide": key, "state": p.state, "current_step": p.current_step,
             "completed_steps": list(p.completed_steps or []),
             "started_at": isoformat(p.started_at), "completed_at": isoformat(p.completed_at),
             "updated_at": isoformat(p.updated_at), "snoozed_until": isoformat(p.snoozed_until),
             "shown_count": p.shown_count, "last_shown_at": isoformat(p.last_shown_at)}
            for p, key in rows]


def _credited(user: EndUser) -> dict[str, list[dict[str, Any]]]:
    """Rows of accounts that name the user as the one who reached or did something."""
    milestones = db.session.execute(
        sa.select(AccountMilestone, Account.external_id)
        .join(Account, Account.id == AccountMilestone.account_id)
        .where(AccountMilestone.user_id == user.id).order_by(AccountMilestone.reached_at))
    steps = db.session.execute(
        sa.select(AccountStepCompletion, Account.external_id, Guide.key)
        .join(Account, Account.id == AccountStepCompletion.account_id)
        .join(Guide, Guide.id == AccountStepCompletion.guide_id)
        .where(AccountStepCompletion.user_id == user.id)
        .order_by(AccountStepCompletion.completed_at))
    return {
        "milestones": [{"account": account, "key": m.key, "source": m.source,
                        "reached_at": isoformat(m.reached_at)} for m, account in milestones],
        "steps": [{"account": account, "guide": guide, "step": s.step_id,
                   "completed_at": isoformat(s.completed_at)} for s, account, guide in steps],
    }


def _nudges(user: EndUser) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Nudge, Scenario.key, Escalation.reference)
        .outerjoin(Scenario, Scenario.id == Nudge.scenario_id)
        .outerjoin(Escalation, Escalation.id == Nudge.escalation_id)
        .where(Nudge.user_id == user.id).order_by(Nudge.created_at, Nudge.id))
    return [{"payload": n.payload, "scenario": scenario, "escalation": reference,
             "created_at": isoformat(n.created_at), "delivered_at": isoformat(n.delivered_at)}
            for n, scenario, reference in rows]


def _answers(user: EndUser) -> dict[str, list[dict[str, Any]]]:
    """Their survey answers and "was this helpful?" votes (docs/SURVEYS.md)."""
    responses = db.session.execute(
        sa.select(SurveyResponse, Guide.key).join(Guide, Guide.id == SurveyResponse.guide_id)
        .where(SurveyResponse.user_id == user.id).order_by(SurveyResponse.id))
    votes = db.session.scalars(sa.select(HelpfulVote).where(HelpfulVote.user_id == user.id)
                               .order_by(HelpfulVote.id))
    return {
        "surveys": [{"survey": key, "version": r.version, "question": r.question,
                     "score": r.score, "choice": r.choice, "text": r.text,
                     "answered_at": isoformat(r.answered_at)} for r, key in responses],
        "helpful": [{"article": v.article, "guide": v.guide, "step": v.step,
                     "helpful": v.helpful, "comment": v.comment,
                     "voted_at": isoformat(v.voted_at)} for v in votes],
    }


def user_export(workspace: Workspace, user: EndUser) -> dict[str, Any]:
    """The user's document, with the first page of their events."""
    milestones = db.session.scalars(sa.select(UserMilestone).where(
        UserMilestone.user_id == user.id).order_by(UserMilestone.reached_at))
    own = db.session.scalars(sa.select(Escalation).where(
        Escalation.workspace_id == workspace.id, Escalation.user_id == user.id)
        .order_by(Escalation.id))
    return {
        "exported_at": isoformat(utcnow()), "workspace": workspace.key,
        "user": UserExportOut().dump(user),
        "progress": _progress(user),
        "milestones": [{"key": m.key, "source": m.source, "reached_at": isoformat(m.reached_at)}
                       for m in milestones],
        "account_records": _credited(user),
        "escalations": [escalations.view(workspace, e) for e in own],
        "nudges": _nudges(user),
        "answers": _answers(user),
        "firings": _firings(workspace, "user", user.id),
        "deliveries": _deliveries(workspace, Names(users={user.external_id})),
        "events": _events(user_events(user)),
    }


# ---------------------------------------------------------------- one account


def _audit(account: Account) -> list[dict[str, Any]]:
    """Plan steps ticked for the account by your team (target ``<account>/<plan>/<step>``)."""
    rows = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.workspace_id == account.workspace_id, AuditEntry.action.in_(PLAN_ACTIONS),
        AuditEntry.target.startswith(f"{account.external_id}/", autoescape=True))
        .order_by(AuditEntry.id))
    return [{"action": e.action, "actor": e.actor, "target": e.target, "details": e.details,
             "at": isoformat(e.created_at)} for e in rows if names_account(e, account)]


def names_account(entry: AuditEntry, account: Account) -> bool:
    """Plan keys and step ids have no "/": the account id is what precedes the last two."""
    return (entry.target or "").rsplit("/", 2)[0] == account.external_id


def account_export(workspace: Workspace, account: Account) -> dict[str, Any]:
    """The account's document, with the first page of the events that name it.

    Its users are listed by id; each user's own data is in that user's export.
    """
    users = list(db.session.execute(
        sa.select(EndUser.external_id, EndUser.first_seen, EndUser.last_seen)
        .where(EndUser.account_id == account.id).order_by(EndUser.first_seen, EndUser.id)))
    milestones = list(db.session.scalars(sa.select(AccountMilestone).where(
        AccountMilestone.account_id == account.id).order_by(AccountMilestone.reached_at)))
    steps = list(db.session.execute(
        sa.select(AccountStepCompletion, Guide.key)
        .join(Guide, Guide.id == AccountStepCompletion.guide_id)
        .where(AccountStepCompletion.account_id == account.id)
        .order_by(AccountStepCompletion.completed_at)))
    who = _external_ids({m.user_id for m in milestones} | {s.user_id for s, _ in steps})
    return {
        "exported_at": isoformat(utcnow()), "workspace": workspace.key,
        "account": AccountExportOut().dump(account),
        "users": UserSeenOut(many=True).dump(users),
        "milestones": [{"key": m.key, "source": m.source, "user": who.get(m.user_id),
                        "reached_at": isoformat(m.reached_at)} for m in milestones],
        "plan_steps": [{"guide": guide, "step": s.step_id, "user": who.get(s.user_id),
                        "completed_by": s.completed_by, "completed_at": isoformat(s.completed_at)}
                       for s, guide in steps],
        "escalations": [escalations.view(workspace, e) for e in account_escalations(account)],
        "firings": _firings(workspace, "account", account.id),
        "deliveries": _deliveries(workspace, Names(accounts={account.external_id})),
        "audit": _audit(account),
        "events": _events(account_events(account)),
    }


# ---------------------------------------------------------------- audited exports


def exported(workspace: Workspace, actor: Author | str, subject: EndUser | Account
             ) -> dict[str, Any]:
    """The subject's document, with a ``user.export`` / ``account.export`` audit entry
    (a digest of the id, as for an erasure) committed first: who took a copy, when."""
    kind = "user" if isinstance(subject, EndUser) else "account"
    document = (user_export(workspace, subject) if isinstance(subject, EndUser)
                else account_export(workspace, subject))
    audit.record(workspace.id, actor, f"{kind}.export",
                 subject_digest(workspace, kind, subject.external_id))
    db.session.commit()
    return document


def events_of(subject: EndUser | Account) -> Callable[[int, int], dict[str, Any]]:
    """``page(after, limit)`` over the subject's events, for ``json_chunks``."""
    where = user_events(subject) if isinstance(subject, EndUser) else account_events(subject)
    return lambda after, limit: events_page(where, after, limit)


# ---------------------------------------------------------------- the whole document


def json_chunks(document: dict[str, Any],
                page: Callable[[int, int], dict[str, Any]]) -> Iterator[str]:
    """The document as JSON text with every event in ``events.items``, fetched a page
    at a time with ``page(after, limit)``: memory stays bounded by one page."""
    head = {key: value for key, value in document.items() if key != "events"}
    text = json.dumps(head, ensure_ascii=False)
    yield f'{text[:-1]}, "events": {{"total": {document["events"]["total"]}, "items": ['
    first, after = True, 0
    while True:
        found = page(after, EVENTS_PAGE)
        for item in found["items"]:
            yield ("" if first else ", ") + json.dumps(item, ensure_ascii=False)
            first = False
        if found["next"] is None:
            break
        after = found["next"]
    yield '], "next": null}}\n'
