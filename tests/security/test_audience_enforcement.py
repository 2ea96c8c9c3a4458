"""Only a guide the server offers a user can be completed by them (issue 12, point 7).

The attack: a trial user completed a step of a guide offered only to pro
users, by sending ``step:complete`` (or ``guide:state`` for a tour) for it.
Completions now take the decision bootstrap takes (``guides.offered``), on
any page since an envelope names none, and a refusal is the permanent
``not_in_audience`` that writes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from guide.extensions import db
from guide.models import Event, Progress, UserMilestone
from tests import factories
from tests.security.widget_transport import TRANSPORTS, eid, sender

PRO = {"trait": "plan", "eq": "pro"}


def checklist(key: str, audience: Any) -> dict[str, Any]:
    return factories.checklist_body(key, milestone=f"{key}-done", audience=audience)


TOUR = {
    "key": "pro-tour", "kind": "tour", "title": "Pro features", "milestone": "toured",
    "audience": PRO, "steps": [{"id": "one", "title": "One", "target": "#one"}],
}


@pytest.fixture
def ws(app):
    ws = factories.make_workspace("tiers", require_identity=True)
    factories.publish(ws, checklist("pro-only", PRO))
    factories.publish(ws, TOUR)
    factories.publish(ws, factories.checklist_body("tour-follow-up", steps=[
        {"id": "after-tour", "title": "Take the tour", "complete_when": {"tour": "pro-tour"}}]))
    return ws


@pytest.fixture(params=TRANSPORTS)
def send(request, client, socket_client):
    return sender(request.param, client, socket_client)


def boot(client, ws, user_id: str, plan: str, url: str = "/app") -> dict[str, Any]:
    token = factories.sign(ws, user_id, traits={"plan": plan})
    response = factories.bootstrap(client, ws, user_id, token=token, url=url)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def written() -> tuple[int, int, int]:
    """Progress rows, recorded envelopes and milestones: a refusal adds none (bootstrap's
    offers are not envelopes)."""
    count = lambda model: db.session.scalar(db.select(db.func.count()).select_from(model))  # noqa: E731
    envelopes = db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer"))
    return count(Progress), envelopes, count(UserMilestone)


def assert_not_in_audience(ack: dict[str, Any], guide: str) -> None:
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "not_in_audience"
    assert guide in ack["error"]["message"]


def test_a_trial_user_cannot_complete_a_step_of_a_pro_only_guide(client, ws, send):
    data = boot(client, ws, "trial-tom", "trial")
    assert "pro-only" not in [g["key"] for g in data["guides"]]
    ack = send(data["socket"]["token"], "step:complete",
               {"id": eid(), "guide": "pro-only", "step": "hello"})
    assert_not_in_audience(ack, "pro-only")
    assert written() == (0, 0, 0)


def test_the_refusal_is_permanent_and_a_resend_writes_nothing(client, ws, send):
    token = boot(client, ws, "trial-tom", "trial")["socket"]["token"]
    envelope = {"id": eid(), "guide": "pro-only", "step": "team"}
    for _ in range(2):
        assert_not_in_audience(send(token, "step:complete", envelope), "pro-only")
    assert written() == (0, 0, 0)


def test_a_trial_user_cannot_finish_a_pro_tour_or_reach_its_milestone(client, ws, send):
    token = boot(client, ws, "trial-tom", "trial")["socket"]["token"]
    for state in ("active", "completed"):
        ack = send(token, "guide:state", {"id": eid(), "guide": "pro-tour", "state": state})
        assert_not_in_audience(ack, "pro-tour")
    assert written() == (0, 0, 0)


def test_guide_track_completes_nothing_outside_the_audience(client, ws, send):
    token = boot(client, ws, "trial-tom", "trial")["socket"]["token"]
    ack = send(token, "event:track", {"id": eid(), "name": "connected"})
    assert ack["ok"] and ack["completed"] == []


def test_a_pro_user_completes_the_same_steps(client, ws, send):
    token = boot(client, ws, "pro-pat", "pro")["socket"]["token"]
    step = send(token, "step:complete", {"id": eid(), "guide": "pro-only", "step": "hello"})
    assert step["completed"] == [{"guide": "pro-only", "step": "hello"}]
    tour = send(token, "guide:state", {"id": eid(), "guide": "pro-tour", "state": "completed"})
    assert tour["ok"] and tour["progress"]["pro-tour"]["state"] == "completed"
    # Finishing the tour completes the step waiting for it.
    assert tour["completed"] == [{"guide": "tour-follow-up", "step": "after-tour"}]


def test_a_user_who_left_the_audience_can_no_longer_complete(client, ws, send):
    token = boot(client, ws, "pat", "pro")["socket"]["token"]
    boot(client, ws, "pat", "trial")  # downgraded: the signed traits say so now
    ack = send(token, "step:complete", {"id": eid(), "guide": "pro-only", "step": "hello"})
    assert_not_in_audience(ack, "pro-only")


# What bootstrap offers on some page, a completion accepts on any page (an envelope
# names none), and what it offers on no page is refused.
RULES = {
    "pro on /app": {"all": [PRO, {"url": "/app/**"}]},
    "pro or /pricing": {"any": [PRO, {"url": "/pricing"}]},
    "not (trial on /admin)": {"not": {"all": [{"trait": "plan", "eq": "trial"},
                                              {"url": "/admin/**"}]}},
    "not on /admin": {"not": {"url": "/admin/**"}},
    "trial and not pro": {"all": [{"trait": "plan", "eq": "trial"}, {"not": PRO}]},
}
PAGES = ("/app/home", "/pricing", "/admin/users", "/elsewhere")


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("plan", ["trial", "pro"])
def test_completion_accepts_exactly_what_bootstrap_offers_on_some_page(client, app, send, rule, plan):
    ws = factories.make_workspace("rules", require_identity=True)
    factories.publish(ws, checklist("guarded", RULES[rule]))
    offered = [page for page in PAGES if "guarded" in
               [g["key"] for g in boot(client, ws, "u", plan, url=page)["guides"]]]
    token = boot(client, ws, "u", plan)["socket"]["token"]
    ack = send(token, "step:complete", {"id": eid(), "guide": "guarded", "step": "hello"})
    assert ack["ok"] is bool(offered), (offered, ack)
    if not offered:
        assert ack["error"]["code"] == "not_in_audience"
    # Guide.track takes the same decision.
    tracked = send(token, "event:track", {"id": eid(), "name": "connected"})
    assert bool(tracked["completed"]) is bool(offered), (offered, tracked)
