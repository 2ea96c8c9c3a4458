"""Event triggers fire inside the event's transaction, once per window, within caps,
and their nudges reach an open socket at once."""

from __future__ import annotations

import pytest

from guide.extensions import db
from guide.models import EndUser, Escalation, Nudge, ScenarioFiring
from tests import factories
from tests.proactive.conftest import make_user, send, set_rules, track

IMPORT_TROUBLE = {
    "key": "import-trouble", "title": "Imports keep failing",
    "trigger": {"event_repeated": "import_failed", "count": 2, "within_minutes": 10},
    "actions": [
        {"nudge": {"title": "Need a hand?", "message": {"en": "Imports failing?", "fr": "Échecs ?"},
                   "guide": "onboarding", "step": "connect"}},
        {"task": {"message": "Imports keep failing for this user."}},
        {"tag": "needs-help"},
    ],
}


def firings() -> list[ScenarioFiring]:
    return list(db.session.scalars(db.select(ScenarioFiring).order_by(ScenarioFiring.id)))


def test_a_repeated_event_fires_once_with_every_action(open_workspace):
    set_rules(open_workspace, scenarios=[IMPORT_TROUBLE])
    user = make_user(open_workspace, plan="trial")
    user.locale = "fr"
    db.session.commit()
    track(open_workspace, user, "import_failed", source="csv")
    assert firings() == []
    track(open_workspace, user, "import_failed", source="csv")
    track(open_workspace, user, "import_failed", source="csv")
    [firing] = firings()
    assert (firing.subject_type, firing.subject_id) == ("user", user.id)
    assert firing.details["count"] == 2
    [nudge] = db.session.scalars(db.select(Nudge)).all()
    assert nudge.payload == {"message": "Échecs ?", "title": "Need a hand?", "mode": "card",
                             "scenario": "import-trouble", "guide": "onboarding",
                             "step": "connect"}
    [task] = db.session.scalars(db.select(Escalation)).all()
    assert (task.origin, task.scenario_key, task.status) == ("scenario", "import-trouble", "open")
    assert task.context["user"]["id"] == "ada"
    assert task.context["scenario"]["details"]["event"] == "import_failed"
    assert db.session.get(EndUser, user.id).traits["tags"] == ["needs-help"]


def test_events_outside_the_window_do_not_count(open_workspace):
    from datetime import timedelta

    from guide.models import Event

    set_rules(open_workspace, scenarios=[IMPORT_TROUBLE])
    user = make_user(open_workspace)
    track(open_workspace, user, "import_failed")
    old = db.session.scalars(db.select(Event).where(Event.name == "import_failed")).one()
    old.created_at -= timedelta(minutes=11)
    db.session.commit()
    track(open_workspace, user, "import_failed")
    assert firings() == []


def test_conditions_and_the_daily_nudge_cap(open_workspace):
    only_trials = {**IMPORT_TROUBLE, "conditions": {"trait": "plan", "eq": "trial"},
                   "max_per_subject": 5}
    other = {**IMPORT_TROUBLE, "key": "second", "max_per_subject": 5,
             "trigger": {"event_repeated": "export_failed", "count": 2, "within_minutes": 10}}
    set_rules(open_workspace, scenarios=[only_trials, other], max_nudges_per_day=1)
    pro = make_user(open_workspace, "pro-user", plan="pro")
    trial = make_user(open_workspace, "trial-user", plan="trial")
    for user in (pro, trial):
        for name in ("import_failed", "import_failed", "export_failed", "export_failed"):
            track(open_workspace, user, name)
    fired = {(f.subject_id, f.scenario_id) for f in firings()}
    assert len([f for f in fired if f[0] == trial.id]) == 2
    assert len([f for f in fired if f[0] == pro.id]) == 1  # only "second": no conditions
    # Two firings for the trial user, but one scenario nudge a day.
    nudges = db.session.scalars(db.select(Nudge.user_id)).all()
    assert sorted(nudges) == sorted([trial.id, pro.id])


def test_help_opened_twice_on_the_same_step(open_workspace):
    set_rules(open_workspace, scenarios=[{
        "key": "help-twice", "trigger": {"help_repeated": True},
        "actions": [{"task": {"message": "Stuck on a step"}}]}])
    user = make_user(open_workspace)
    track(open_workspace, user, "$help_open", guide="onboarding", step="hello")
    track(open_workspace, user, "$help_open", guide="onboarding", step="connect")
    assert firings() == []
    track(open_workspace, user, "$help_open", guide="onboarding", step="connect")
    [firing] = firings()
    assert firing.window == "onboarding/connect"
    assert db.session.scalar(db.select(Escalation.step_id)) == "connect"


def test_a_missing_target_fires_only_on_the_users_current_step(open_workspace):
    factories.publish(open_workspace, {
        "key": "tour", "kind": "tour", "title": "Tour", "priority": 0, "steps": [
            {"id": "one", "title": "One", "target": "#one"},
            {"id": "two", "title": "Two", "target": "#two"}]})
    set_rules(open_workspace, scenarios=[{
        "key": "broken-tour", "trigger": {"target_missing": "*"}, "max_per_subject": 5,
        "actions": [{"webhook": {}}]}])
    user = make_user(open_workspace)
    send(open_workspace, user, "guide:state", guide="tour", state="active", step="two")
    track(open_workspace, user, "$target_missing", guide="tour", step="one", selector="#one")
    assert firings() == []
    track(open_workspace, user, "$target_missing", guide="tour", step="two", selector="#two")
    assert [f.window for f in firings()] == ["tour/two"]


@pytest.mark.parametrize("online", [True, False])
def test_a_nudge_reaches_an_open_socket_at_once_or_waits_for_the_next_connect(
        client, open_workspace, socket_client, online):
    from tests.realtime.test_widget_socket import NS, ack, eid, pushes

    set_rules(open_workspace, scenarios=[IMPORT_TROUBLE])
    token = factories.socket_token(client, open_workspace, "ada")
    sock = socket_client(token)
    other = socket_client(factories.socket_token(client, open_workspace, "grace"))
    if not online:
        sock.disconnect(NS)
    emitter = other if not online else sock
    if not online:
        # Grace's events do not fire for Ada: the sender is the subject.
        user = db.session.scalar(db.select(EndUser).where(EndUser.external_id == "ada"))
        track(open_workspace, user, "import_failed")
        track(open_workspace, user, "import_failed")
        sock = socket_client(factories.socket_token(client, open_workspace, "ada"))
    else:
        for _ in range(2):
            assert ack(emitter, "event:track", {"id": eid(), "name": "import_failed",
                                                "props": {}})["ok"]
    [nudge] = pushes(sock, "nudge")
    assert nudge["scenario"] == "import-trouble" and nudge["guide"] == "onboarding"
    assert pushes(other, "nudge") == []
    assert db.session.scalar(db.select(Nudge.delivered_at)) is not None


def test_two_events_arriving_at_once_both_count(app, open_workspace):
    """Two tabs (or a tab and the backend) report a failure at the same moment: the
    second transaction waits for the first, so the pair fires the scenario once."""
    import threading
    import uuid

    from guide.models import Workspace
    from guide.services.unit import Context
    from guide.usecases.envelopes import handle

    set_rules(open_workspace, scenarios=[IMPORT_TROUBLE])
    user_id, ws_id = make_user(open_workspace).id, open_workspace.id
    db.session.commit()  # this thread holds no transaction (SQLite: no write lock) meanwhile
    barrier = threading.Barrier(2)
    acks: list[dict] = []

    def report() -> None:
        with app.app_context():
            barrier.wait(10)  # outside any transaction: SQLite's begins with the write lock
            ws, user = db.session.get(Workspace, ws_id), db.session.get(EndUser, user_id)
            acks.append(handle(Context(ws, user), "event:track", {
                "id": str(uuid.uuid4()), "name": "import_failed", "props": {}}))
            db.session.remove()

    threads = [threading.Thread(target=report) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a["ok"] for a in acks] == [True, True]
    db.session.expire_all()
    assert len(firings()) == 1


def test_a_cooldown_holds_a_scenario_back_for_its_days(open_workspace):
    from datetime import timedelta

    from guide.models import Event

    set_rules(open_workspace, scenarios=[{**IMPORT_TROUBLE, "max_per_subject": 5,
                                          "cooldown_days": 2}])
    user = make_user(open_workspace)

    def fail_twice_in_a_new_window(first_fired_days_ago: int) -> None:
        # The earlier firing, and the events behind it, moved to an earlier day.
        for firing in firings():
            firing.fired_at = firing.fired_at - timedelta(days=first_fired_days_ago)
            firing.window = f"earlier-{firing.id}"
        db.session.execute(db.delete(Event))
        db.session.commit()
        track(open_workspace, user, "import_failed")
        track(open_workspace, user, "import_failed")

    track(open_workspace, user, "import_failed")
    track(open_workspace, user, "import_failed")
    assert len(firings()) == 1
    fail_twice_in_a_new_window(1)  # within the cooldown
    assert len(firings()) == 1
    fail_twice_in_a_new_window(3)  # past it
    assert len(firings()) == 2


def test_a_missing_target_of_a_guide_no_longer_published_is_recorded_and_its_task_names_it(open_workspace):
    """A tab still running a tour that was removed (or renamed) since: the event is
    acknowledged, and the task says which guide it was rather than failing for good."""
    from guide.models import Guide

    factories.publish(open_workspace, {
        "key": "old-tour", "kind": "tour", "title": "Old tour", "priority": 0, "steps": [
            {"id": "one", "title": "One", "target": "#one"}]})
    set_rules(open_workspace, scenarios=[{
        "key": "tour-broken", "trigger": {"target_missing": "*"},
        "actions": [{"task": {"message": "A tour step's element was missing."}}]}])
    user = make_user(open_workspace)
    send(open_workspace, user, "guide:state", guide="old-tour", state="active", step="one")
    guide = db.session.scalars(db.select(Guide).where(Guide.key == "old-tour")).one()
    guide.published_version_id = None  # taken down since the page loaded
    db.session.commit()

    ack = track(open_workspace, user, "$target_missing", guide="old-tour", step="one", selector="#one")
    assert ack["ok"] is True
    [task] = db.session.scalars(db.select(Escalation)).all()
    assert task.context["guide"]["key"] == "old-tour"
    assert task.context["guide"]["published"] is False
    assert task.context["guide"]["step"]["id"] == "one"
