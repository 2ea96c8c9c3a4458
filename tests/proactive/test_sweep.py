"""The sweep, driven by an injected clock: time-based triggers fire once, a second
sweep fires nothing, a dry run acts on nobody, and actions arrive at a real receiver."""

from __future__ import annotations

import json
from datetime import timedelta

from guide.extensions import db
from guide.models import (
    Account,
    AccountStepCompletion,
    Escalation,
    Event,
    Guide,
    Nudge,
    OutboxMessage,
    Progress,
    ScenarioFiring,
    WebhookEndpoint,
)
from guide.models.base import utcnow
from guide.proactive.sweep import sweep
from guide.worker import process_due
from tests import factories
from tests.automation.receivers import webhook_receiver
from tests.proactive.conftest import LIFECYCLE, make_user, send, set_rules, track
from tests.support_helpers import configure_support

NOT_CONNECTED = {
    "key": "not-connected", "trigger": {"milestone_missing": "connected", "days": 2},
    "actions": [{"nudge": {"message": "Connect your data?", "guide": "onboarding"}},
                {"webhook": {"data": {"team": "growth"}}}],
}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def fired(reports) -> dict[str, int]:
    return {r.scenario: r.fired for r in reports}


def test_milestone_missing_fires_after_n_days_and_a_second_sweep_fires_nothing(open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    late = make_user(open_workspace, "late", days_ago=3)
    make_user(open_workspace, "new", days_ago=1)
    done = make_user(open_workspace, "done", days_ago=5)
    track(open_workspace, done, "connected")
    now = utcnow()
    assert fired(sweep(open_workspace, now)) == {"not-connected": 1}
    assert [f.subject_id for f in db.session.scalars(db.select(ScenarioFiring))] == [late.id]
    assert fired(sweep(open_workspace, now)) == {"not-connected": 0}
    # Two days later the newer user is due too; the first is not fired again.
    assert fired(sweep(open_workspace, now + timedelta(days=2))) == {"not-connected": 1}
    assert count(ScenarioFiring) == 2 and count(Nudge) == 2


def test_a_dry_run_lists_matches_and_records_nothing(open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    make_user(open_workspace, "late", days_ago=3)
    [report] = sweep(open_workspace, dry_run=True)
    assert (report.matched, report.fired) == (1, 0)
    assert report.subjects == [{"user": {"id": "late", "account": None}, "window": "once",
                                "details": {"milestone": "connected", "days": 2},
                                "held_out": False}]
    assert count(ScenarioFiring) == count(Nudge) == count(OutboxMessage) == 0


def test_after_stage_counts_from_entering_the_stage(open_workspace):
    scenario = {**NOT_CONNECTED, "key": "no-greeting",
                "trigger": {"milestone_missing": "greeted", "days": 3, "after_stage": "set_up"}}
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[scenario])
    user = make_user(open_workspace, days_ago=30)
    track(open_workspace, user, "connected")
    assert fired(sweep(open_workspace, utcnow() + timedelta(days=2))) == {"no-greeting": 0}
    assert fired(sweep(open_workspace, utcnow() + timedelta(days=4))) == {"no-greeting": 1}


def test_a_stalled_guide_fires_again_only_after_new_progress(open_workspace):
    set_rules(open_workspace, scenarios=[{
        "key": "stalled", "trigger": {"guide_stalled": "onboarding", "days": 3},
        "max_per_subject": 3, "actions": [{"nudge": {"message": "Pick up where you left?"}}]}])
    user = make_user(open_workspace)
    send(open_workspace, user, "step:complete", guide="onboarding", step="hello")
    now = utcnow()
    assert fired(sweep(open_workspace, now + timedelta(days=2))) == {"stalled": 0}
    assert fired(sweep(open_workspace, now + timedelta(days=4))) == {"stalled": 1}
    assert fired(sweep(open_workspace, now + timedelta(days=9))) == {"stalled": 0}
    progress = db.session.scalar(db.select(Progress))
    progress.updated_at = now + timedelta(days=10)  # new progress, then a new stall
    db.session.commit()
    assert fired(sweep(open_workspace, now + timedelta(days=14))) == {"stalled": 1}
    windows = [f.window for f in db.session.scalars(db.select(ScenarioFiring))]
    assert len(set(windows)) == 2


def test_inactive_users_are_those_who_never_did_anything(open_workspace):
    set_rules(open_workspace, scenarios=[{
        "key": "silent", "trigger": {"inactive": True, "days": 7},
        "actions": [{"task": {"message": "Signed up a week ago, never used it."}}]}])
    silent = make_user(open_workspace, "silent", days_ago=8)
    browsing = make_user(open_workspace, "browsing", days_ago=8)
    send(open_workspace, browsing, "event:track", name="$page", props={}, url="/home")
    busy = make_user(open_workspace, "busy", days_ago=8)
    track(open_workspace, busy, "report_viewed")
    assert fired(sweep(open_workspace)) == {"silent": 2}
    users = {e.user_id for e in db.session.scalars(db.select(Escalation))}
    assert users == {silent.id, browsing.id}


def test_answering_a_survey_is_activity(open_workspace):
    factories.publish(open_workspace, {"key": "nps", "kind": "survey", "title": "NPS",
                                       "priority": 0, "steps": [
                                           {"id": "score", "title": "Score?", "type": "nps"}]})
    set_rules(open_workspace, scenarios=[{
        "key": "silent", "trigger": {"inactive": True, "days": 7},
        "actions": [{"task": {"message": "Signed up a week ago, never used it."}}]}])
    make_user(open_workspace, "silent", days_ago=8)
    answered = make_user(open_workspace, "answered", days_ago=8)
    send(open_workspace, answered, "survey:answer", survey="nps", version=1,
         answers={"score": 8})
    assert fired(sweep(open_workspace)) == {"silent": 1}


def test_an_overdue_plan_step_fires_for_the_account_and_nudges_its_users(open_workspace, app):
    app.config["GUIDE_SMTP_URL"] = "smtp://127.0.0.1:1"
    factories.publish(open_workspace, {
        "key": "plan", "kind": "plan", "title": "Plan", "priority": 0, "steps": [
            {"id": "kickoff", "title": "Kickoff", "owner": "vendor", "due_days": 3,
             "complete_when": {"manual": True}, "scope": "account"},
            {"id": "connect", "title": "Connect", "owner": "customer", "due_days": 7,
             "complete_when": {"manual": True}, "scope": "account"}]})
    set_rules(open_workspace, scenarios=[{
        "key": "plan-late", "trigger": {"plan_overdue": "plan"}, "max_per_subject": 10,
        "actions": [{"email": {"to": "csm", "subject": "Plan step overdue"}},
                    {"nudge": {"message": "Your plan has an overdue step."}}]}])
    now = utcnow()
    late = Account(workspace_id=open_workspace.id, external_id="late",
                   traits={"csm_email": "sam@vendor.example"}, created_at=now - timedelta(days=8))
    fresh = Account(workspace_id=open_workspace.id, external_id="fresh", traits={},
                    created_at=now - timedelta(days=1))
    db.session.add_all([late, fresh])
    db.session.commit()
    make_user(open_workspace, "ada", account=late)
    make_user(open_workspace, "grace", account=late)
    guide_id = db.session.scalar(db.select(Guide.id).where(Guide.key == "plan"))
    db.session.add(AccountStepCompletion(account_id=late.id, guide_id=guide_id,
                                         step_id="kickoff", completed_by="sam"))
    db.session.commit()
    assert fired(sweep(open_workspace, now)) == {"plan-late": 1}
    [firing] = db.session.scalars(db.select(ScenarioFiring)).all()
    assert (firing.subject_type, firing.subject_id, firing.window) == ("account", late.id,
                                                                       "plan/connect")
    [email] = db.session.scalars(db.select(OutboxMessage)).all()
    assert (email.kind, email.target) == ("email", "sam@vendor.example")
    assert count(Nudge) == 2
    assert fired(sweep(open_workspace, now)) == {"plan-late": 0}


def test_webhooks_of_a_sweep_arrive_at_a_real_receiver(open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    make_user(open_workspace, "late", days_ago=3)
    with webhook_receiver() as receiver:
        configure_support(open_workspace)
        db.session.add(WebhookEndpoint(workspace_id=open_workspace.id, url=receiver.url,
                                       events=["scenario.fired"]))
        db.session.commit()
        sweep(open_workspace)
        sweep(open_workspace)
        assert process_due(clock=lambda: utcnow() + timedelta(minutes=5)) == 1
        receiver.wait_for(1)
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "scenario.fired"
    assert body["data"]["scenario"] == "not-connected"
    assert body["data"]["user"] == {"id": "late", "account": None}
    assert body["data"]["team"] == "growth"


def test_the_cli_dry_run_and_sweep(runner, open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    make_user(open_workspace, "soon", days_ago=1)
    result = runner.invoke(args=["guide", "scenarios", "sweep", "--workspace", "open",
                                 "--dry-run", "--at", "+2d"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "not-connected: would fire for 1"
    assert "soon [once]" in result.output
    assert count(ScenarioFiring) == 0
    result = runner.invoke(args=["guide", "scenarios", "sweep", "--workspace", "open"])
    assert result.output == "not-connected: fired for 0\n"
    result = runner.invoke(args=["guide", "scenarios", "sweep", "--workspace", "open",
                                 "--at", "+2d"])
    assert result.output == "not-connected: fired for 1\n"
    assert count(Event) == 0
