"""``holdout: N%``: a deterministic share of matches is recorded as held-out firings that take
no action, and counts for caps, cooldowns and windows exactly as a treated firing does."""

from __future__ import annotations

from datetime import timedelta

from guide.extensions import db
from guide.models import (
    EndUser,
    Escalation,
    Event,
    Nudge,
    OutboxMessage,
    ScenarioFiring,
    WebhookEndpoint,
)
from guide.models.base import utcnow
from guide.proactive.rules import Rule, holdout_bucket, in_holdout, rules_of
from guide.proactive.sweep import sweep
from tests.proactive.conftest import LIFECYCLE, make_user, set_rules, track
from tests.support_helpers import configure_support

ACTIONS = [{"nudge": {"message": "Connect your data?", "guide": "onboarding"}},
           {"task": {"message": "Not connected after 2 days."}},
           {"webhook": {}}, {"tag": "nudged"}, {"set_trait": {"key": "reminded", "value": True}}]
NOT_CONNECTED = {"key": "not-connected", "holdout": "50%", "actions": ACTIONS,
                 "trigger": {"milestone_missing": "connected", "days": 2}}


def test_the_split_is_deterministic_and_close_to_the_holdout():
    assert holdout_bucket("s", "user", "u42") == holdout_bucket("s", "user", "u42")
    assert {in_holdout("s", "user", "u42", 10) for _ in range(5)} in ({True}, {False})
    # Another scenario or subject type draws its own bucket for the same id.
    ids = [f"user-{n}" for n in range(1, 20_001)]
    same = sum(holdout_bucket("s", "user", i) == holdout_bucket("t", "user", i) for i in ids)
    assert same < 20
    held = sum(in_holdout("stall", "user", i, 10) for i in ids)
    # Binomial(20000, 0.1): standard deviation 42; 10% ± 5 sd.
    assert 2000 - 210 < held < 2000 + 210
    assert sum(in_holdout("stall", "user", i, 2.5) for i in ids) < held
    assert not any(in_holdout("stall", "user", i, 0) for i in ids)
    assert sum(in_holdout("stall", "user", i, 50) for i in ids) > 9_500


def _users_in_each_arm(ws, rule: Rule) -> tuple[EndUser, EndUser]:
    """Users created until one lands in each arm (each user is a fair coin at 50%)."""
    found: dict[bool, EndUser] = {}
    n = 0
    while len(found) < 2:
        n += 1
        user = make_user(ws, f"u{n}", days_ago=3)
        found.setdefault(rule.holds_out(user.external_id), user)
    # The others are not needed: only the two users found may match.
    db.session.execute(db.delete(EndUser).where(EndUser.id.not_in(
        [found[True].id, found[False].id])))
    db.session.commit()
    return found[True], found[False]


def test_a_held_out_firing_takes_no_action_but_is_recorded(open_workspace):
    configure_support(open_workspace)
    db.session.add(WebhookEndpoint(workspace_id=open_workspace.id, url="https://hooks.example/x",
                                   events=["scenario.fired"]))
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    [rule] = rules_of(open_workspace.id, fresh=True)
    held, treated = _users_in_each_arm(open_workspace, rule)
    [report] = sweep(open_workspace)
    assert (report.fired, report.held_out) == (2, 1)
    arms = {f.subject_id: f.held_out for f in db.session.scalars(db.select(ScenarioFiring))}
    assert arms == {held.id: True, treated.id: False}
    # Every action ran for the treated user and none for the held-out one.
    assert [n.user_id for n in db.session.scalars(db.select(Nudge))] == [treated.id]
    assert [e.user_id for e in db.session.scalars(db.select(Escalation))] == [treated.id]
    hooks = list(db.session.scalars(db.select(OutboxMessage)
                                     .where(OutboxMessage.event_type == "scenario.fired")))
    assert [h.payload["data"]["user"]["id"] for h in hooks] == [treated.external_id]
    db.session.expire_all()
    assert db.session.get(EndUser, treated.id).traits == {"tags": ["nudged"], "reminded": True}
    assert db.session.get(EndUser, held.id).traits == {}
    # The held-out subject is not fired again (max_per_subject: 1), just like the treated one.
    assert (sweep(open_workspace)[0].fired, sweep(open_workspace, utcnow()
                                                  + timedelta(days=30))[0].fired) == (0, 0)
    # A dry run says who would be held out.
    db.session.execute(db.delete(ScenarioFiring))
    db.session.commit()
    [dry] = sweep(open_workspace, dry_run=True)
    assert (dry.matched, dry.held_out) == (2, 1)
    assert {s["user"]["id"]: s["held_out"] for s in dry.subjects} == {
        held.external_id: True, treated.external_id: False}


def test_a_held_out_event_firing_blocks_a_repeat_within_the_cooldown(open_workspace):
    trouble = {"key": "import-trouble", "holdout": "50%", "goal": {"event": "imported"},
               "max_per_subject": 5, "cooldown_days": 2,
               "trigger": {"event_repeated": "import_failed", "count": 2, "within_minutes": 10},
               "actions": [{"nudge": {"message": "Imports failing?"}},
                           {"task": {"message": "Imports keep failing."}}]}
    set_rules(open_workspace, scenarios=[trouble])
    [rule] = rules_of(open_workspace.id, fresh=True)
    held, _ = _users_in_each_arm(open_workspace, rule)

    def fail_twice() -> None:
        track(open_workspace, held, "import_failed")
        track(open_workspace, held, "import_failed")

    fail_twice()
    [firing] = db.session.scalars(db.select(ScenarioFiring)).all()
    assert firing.held_out and firing.subject_id == held.id
    assert db.session.scalars(db.select(Nudge)).all() == []
    assert db.session.scalars(db.select(Escalation)).all() == []
    # A new window within the cooldown: the held-out firing holds it back.
    firing.window = "earlier"
    db.session.execute(db.delete(Event))
    db.session.commit()
    fail_twice()
    assert len(db.session.scalars(db.select(ScenarioFiring)).all()) == 1
    # Past the cooldown it fires again, held out again (the same subject, the same arm).
    firing.fired_at -= timedelta(days=3)
    db.session.execute(db.delete(Event))
    db.session.commit()
    fail_twice()
    assert [f.held_out for f in db.session.scalars(db.select(ScenarioFiring))] == [True, True]
    assert db.session.scalars(db.select(Nudge)).all() == []


def test_the_cli_says_who_is_held_out(runner, open_workspace):
    set_rules(open_workspace, lifecycle=LIFECYCLE, scenarios=[NOT_CONNECTED])
    [rule] = rules_of(open_workspace.id, fresh=True)
    held, treated = _users_in_each_arm(open_workspace, rule)
    args = ["guide", "scenarios", "sweep", "--workspace", "open"]
    dry = runner.invoke(args=[*args, "--dry-run"]).output
    assert dry.splitlines()[0] == "not-connected: would fire for 2 (1 held out: no action)"
    assert f"{held.external_id} [once] held out " in dry
    assert f"{treated.external_id} [once] {{" in dry
    assert runner.invoke(args=args).output == (
        "not-connected: fired for 2 (1 held out: no action)\n")
    firings = runner.invoke(args=["guide", "scenarios", "firings", "--workspace", "open"]).output
    assert f"user:{held.id} [once] held out " in firings
    assert f"user:{treated.id} [once] {{" in firings
