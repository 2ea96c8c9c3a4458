"""The envelopes of surveys and messages (docs/SURVEYS.md, section 3).

``survey:answer`` and ``feedback:helpful`` are applied like every envelope
(``guide.usecases.envelopes``: validated, recorded once by client id, acked
after commit); ``track`` moves a survey's or message's progress for the ``$``
events the widget sends when it shows, opens or dismisses one.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from guide.errors import Forbidden, NotFound, invalid_payload
from guide.extensions import db
from guide.models import Account, Event, Guide, HelpArticle
from guide.models.base import isoformat, utcnow
from guide.proactive import feedback
from guide.services import outbox, surveys
from guide.services.audience import ANY_PAGE
from guide.services.guides import offered, published_guide
from guide.services.messages import LISTS
from guide.services.progress import get_or_create_progress
from guide.services.unit import Context, Outcome

# Kinds whose progress only these envelopes and events move (not step:complete).
MESSAGE_KINDS = tuple(LISTS)


def apply_answer(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    guide, version = surveys.survey_version(ctx.workspace.id, env["survey"], env["version"])
    account = db.session.get(Account, ctx.user.account_id) if ctx.user.account_id else None
    now = utcnow()
    if not offered(guide, version, ctx.user.traits, account.traits if account else None,
                   ANY_PAGE, now):
        raise Forbidden(f"{guide.key!r} is not offered to this user (its audience does not "
                        "include them); nothing was recorded.", code="not_in_audience")
    errors = surveys.answer_errors(version.body, env["answers"])
    if errors:
        raise invalid_payload(ValidationError({"answers": errors}))
    at = surveys.answered_at(env.get("at"), now)
    event.name = guide.key
    event.props = {"survey": guide.key, "version": version.number}
    _written(event)
    surveys.record_answer(ctx.user, guide, version, env["answers"], env.get("comment"),
                          event.id, at)
    score = surveys.nps_score(version, env["answers"])
    if score is not None:
        surveys.set_account_nps(ctx.user.account_id, score, at)
    data = {"survey": guide.key, "version": version.number, "user": {"id": ctx.user.external_id},
            "account": account.external_id if account else None, "answers": env["answers"],
            "score": score, "comment": env.get("comment"), "answered_at": isoformat(at)}
    if outbox.enqueue(ctx.workspace, "survey.answered", data):
        out.after_commit.append(outbox.wake_up.set)
    out.after_commit += feedback.survey_answered(
        ctx.workspace, event, version.body, env["answers"], data, now)
    out.extra["answered"] = {"survey": guide.key, "version": version.number}


def apply_helpful(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    if env.get("article"):
        _article_or_404(ctx.workspace.id, env["article"])
    else:
        found = published_guide(ctx.workspace.id, env["guide"])
        if found is None or found[1].step(env["step"]) is None:
            raise NotFound(f"No published step {env['guide']}/{env['step']}.",
                           code="unknown_step")
    now = utcnow()
    event.name = "$helpful"
    event.props = {name: env.get(name) for name in ("article", "guide", "step", "helpful")}
    _written(event)
    votes = surveys.record_vote(ctx.user, env, event.id, surveys.answered_at(env.get("at"), now))
    if votes:
        out.after_commit += feedback.article_unhelpful(
            ctx.workspace, event, env["article"], votes, env.get("comment"), now)


def _article_or_404(workspace_id: int, key: str) -> None:
    found = db.session.scalar(db.select(HelpArticle.id).where(
        HelpArticle.workspace_id == workspace_id, HelpArticle.key == key))
    if found is None:
        raise NotFound(f"No help article {key!r} in this workspace.", code="unknown_article")


def _written(event: Event) -> None:
    """The event row now: the answer's rows refer to it, and a task's context shows it."""
    db.session.add(event)
    db.session.flush()


# $ event -> (the prop naming the item, its kind, the progress change).
TRACKED = {
    "$survey_shown": ("survey", "survey", "shown"),
    "$survey_dismissed": ("survey", "survey", "dismissed"),
    "$announcement_seen": ("announcement", "announcement", "seen"),
    "$announcement_clicked": ("announcement", "announcement", "completed"),
    "$announcement_dismissed": ("announcement", "announcement", "dismissed"),
    "$hotspot_opened": ("hotspot", "hotspot", "opened"),
    "$hotspot_dismissed": ("hotspot", "hotspot", "dismissed"),
}


def track(ctx: Context, name: str, props: dict[str, Any]) -> None:
    """Move the progress of the survey or message a ``$`` event names (if it is published)."""
    prop, kind, change = TRACKED[name]
    key = props.get(prop)
    found = published_guide(ctx.workspace.id, key) if isinstance(key, str) else None
    if found is None or found[0].kind != kind:
        return
    guide = db.session.get(Guide, found[0].id)
    assert guide is not None
    progress = get_or_create_progress(ctx.user, guide)
    now = utcnow()
    once = found[1].body.get("frequency", "once") == "once"
    if progress.state == "completed" and (kind != "survey" or once):
        return  # answered or clicked: stays so (an every_days survey may be asked again)
    if change == "shown":
        progress.state = "active"
        progress.shown_count = (progress.shown_count or 0) + 1
        progress.last_shown_at = now
        progress.started_at = progress.started_at or now
    elif change == "seen" and progress.state == "not_started":
        progress.state, progress.started_at = "active", now
    elif change == "opened" and found[1].step(str(props.get("step"))) is not None:
        progress.state = "active" if progress.state == "not_started" else progress.state
        if props["step"] not in progress.completed_steps:
            progress.completed_steps = [*progress.completed_steps, props["step"]]
    elif change in ("dismissed", "completed"):
        progress.state = change
        progress.completed_at = now if change == "completed" else progress.completed_at
    progress.updated_at = now
