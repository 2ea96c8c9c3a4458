"""Slack notifications (docs/INTEGRATIONS.md): queued in the outbox in the transaction of
what they report, delivered by the worker to a real local receiver with retries, in
Slack's Block Kit format, user text escaped, no secret in the row or the message."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from guide import worker
from guide.automation.slack import escape
from guide.extensions import db
from guide.models import EndUser, Escalation, IntegrationSettings, OutboxMessage
from guide.models.base import utcnow
from guide.services.escalations import open_task
from tests import factories
from tests.api.test_surveys import answer, boot, demo  # noqa: F401 (fixture)
from tests.automation.receivers import webhook_receiver
from tests.automation.slack_format import check_message
from tests.automation.test_outbox import Clock, messages
from tests.support_helpers import escalate_http

TOKEN = "xoxsecretToken0123456789"
ALL = ["escalation", "scenario_task", "survey_detractor"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slack(app):
    """A Slack receiver on 127.0.0.1, the server told it is where Slack lives."""
    with webhook_receiver() as receiver:
        base = receiver.url.removesuffix("/hook")
        app.config["GUIDE_SLACK_WEBHOOK_BASE"] = base
        app.config["GUIDE_PUBLIC_URL"] = "https://guide.example.com"
        receiver.hook = f"{base}/services/T0001/B0002/{TOKEN}"
        yield receiver


def configure(ws, url: str | None, events=ALL) -> None:
    db.session.add(IntegrationSettings(workspace_id=ws.id, slack_webhook_url=url,
                                       slack_events=list(events)))
    db.session.commit()


def slack_rows() -> list[OutboxMessage]:
    return [m for m in messages() if m.kind == "slack"]


def escalate(client, ws, **fields) -> dict:
    token = factories.socket_token(
        client, ws, "ada", traits={"name": "Ada <Lovelace>", "api_token": "s3cret-trait"},
        account={"id": "acme", "traits": {"name": "Acme & Co", "billing_secret": "s3cret-acct"}})
    result = escalate_http(client, token, **fields)
    assert result["ok"], result
    return result


def body_of(receiver, index: int = -1) -> dict:
    return json.loads(receiver.requests[index].body)


def test_an_escalation_reaches_slack_in_block_kit_after_a_500(client, open_workspace, slack, clock):
    slack.statuses = [500, 200]
    configure(open_workspace, slack.hook)
    reference = escalate(client, open_workspace, message="Stuck <!channel> & <https://x.io|here>\nsecond line",
                         url="https://app.example.com/settings?a=1&b=<2>", guide="onboarding",
                         step="connect")["reference"]
    [row] = slack_rows()
    assert (row.target, row.event_type) == ("slack", "escalation.created")
    assert TOKEN not in json.dumps(row.payload)  # the URL is read when sending, never stored
    assert worker.process_due(clock=clock) == 1
    [row] = slack_rows()
    assert (row.status, row.last_error) == ("failed", "HTTP 500: ok")
    clock.now = row.next_attempt_at
    assert worker.process_due(clock=clock) == 1
    assert slack_rows()[0].status == "delivered"
    assert [r.path for r in slack.requests] == [f"/services/T0001/B0002/{TOKEN}"] * 2
    assert slack.requests[0].body == slack.requests[1].body
    message = body_of(slack)
    check_message(message)
    header, facts, said, actions = message["blocks"]
    assert header["text"]["text"] == f"Escalation {reference} (blocked)"
    assert [f["text"] for f in facts["fields"]] == [
        "*User*\nada (Ada &lt;Lovelace&gt;)", "*Account*\nacme (Acme &amp; Co)",
        "*Page*\nhttps://app.example.com/settings?a=1&amp;b=&lt;2&gt;",
        "*Guide / step*\nOnboarding › Connect"]
    assert said["text"]["text"] == ">Stuck &lt;!channel&gt; &amp; &lt;https://x.io|here&gt;\n>second line"
    [button] = actions["elements"]
    assert button["url"] == f"https://guide.example.com/support/escalations/{reference}"
    assert message["text"].startswith(f"Escalation {reference} (blocked): Stuck &lt;!channel&gt;")
    raw = slack.requests[-1].body.decode()
    assert "<!channel>" not in raw and "s3cret" not in raw


def test_nothing_is_queued_when_the_escalation_rolls_back(app, open_workspace, slack):
    configure(open_workspace, slack.hook)
    ws = open_workspace
    user = EndUser(workspace_id=ws.id, external_id="ada", traits={})
    db.session.add(user)
    db.session.commit()
    assert open_task(ws, user, None, "Call them", "stalled", {"details": {}}, utcnow())
    assert db.session.scalars(db.select(OutboxMessage)).all()  # queued in this transaction
    db.session.rollback()
    assert db.session.scalars(db.select(Escalation)).all() == []
    assert messages() == []
    assert open_task(ws, user, None, "Call them", "stalled", {"details": {}}, utcnow())
    db.session.commit()
    [row] = slack_rows()
    assert db.session.scalars(db.select(Escalation)).one().origin == "scenario"


def test_each_event_has_its_own_toggle(client, app, open_workspace, slack, clock):
    configure(open_workspace, slack.hook, events=["scenario_task"])
    escalate(client, open_workspace)
    assert slack_rows() == []  # a user's escalation: toggle off
    user = db.session.scalars(db.select(EndUser)).one()
    open_task(open_workspace, user, None, "Detractor: call them", "detractor-follow-up",
              {"details": {}}, utcnow())
    db.session.commit()
    [row] = slack_rows()
    worker.process_due(clock=clock)
    message = body_of(slack)
    check_message(message)
    reference = db.session.scalars(db.select(Escalation.reference).where(
        Escalation.origin == "scenario")).one()
    assert message["blocks"][0]["text"]["text"] == f"Task {reference} from scenario detractor-follow-up"
    assert message["blocks"][2]["text"]["text"] == ">Detractor: call them"


def test_a_url_removed_since_the_message_was_queued_makes_it_dead_not_retried(client, open_workspace, slack, clock):
    configure(open_workspace, slack.hook)
    escalate(client, open_workspace)
    settings = db.session.get(IntegrationSettings, open_workspace.id)
    settings.slack_webhook_url = None
    db.session.commit()
    worker.process_due(clock=clock)
    [row] = slack_rows()
    assert (row.status, row.last_error) == ("dead", "Slack is no longer configured for the workspace")
    assert slack.requests == []


def test_an_unreachable_slack_is_retried_until_24_hours_then_dead(client, open_workspace, slack, clock):
    slack.statuses = [503]
    configure(open_workspace, slack.hook)
    escalate(client, open_workspace)
    worker.process_due(clock=clock)
    clock.now += timedelta(hours=25)
    worker.process_due(clock=clock)
    [row] = slack_rows()
    assert (row.status, row.attempts) == ("dead", 2)
    assert len(slack.requests) == 2


@pytest.mark.parametrize(("text", "escaped"), [
    ("a & b", "a &amp; b"), ("<!here>", "&lt;!here&gt;"), ("&lt;", "&amp;lt;"),
    ("<@U123>", "&lt;@U123&gt;"), ("plain *bold* _it_", "plain *bold* _it_")])
def test_user_text_is_escaped_for_mrkdwn(text, escaped):
    assert escape(text) == escaped


def test_a_detractor_answer_reaches_slack_and_a_promoter_does_not(client, demo, slack, clock):  # noqa: F811
    ws = demo
    configure(ws, slack.hook, events=["survey_detractor"])
    promoter = boot(client, ws, "linus")["socket"]["token"]
    assert answer(client, promoter, answers={"score": 9})["ok"]
    assert slack_rows() == []
    detractor = boot(client, ws, "grace/hopper")["socket"]["token"]
    assert answer(client, detractor, answers={"score": 3, "what-went-wrong": "Exports"},
                  comment="Too <slow> & buggy")["ok"]
    [row] = slack_rows()
    assert row.event_type == "survey.answered"
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.kind != "slack"))
    db.session.commit()
    worker.process_due(clock=clock)
    message = body_of(slack)
    check_message(message)
    header, facts, said, actions = message["blocks"]
    assert header["text"]["text"] == "Survey detractor: NPS 3 on nps"
    assert [f["text"] for f in facts["fields"]] == [
        "*User*\ngrace/hopper", "*Account*\nacme", "*Survey*\nnps (version 1)", "*Score*\n3"]
    assert said["text"]["text"] == ">Too &lt;slow&gt; &amp; buggy"
    assert actions["elements"][0]["url"] == \
        "https://guide.example.com/support/w/demo/users/grace%2Fhopper"


def test_a_task_with_no_user_page_or_guide_still_makes_a_valid_message(app, open_workspace):
    from guide.automation.slack import render

    escalation = {"reference": "ESC-222222", "origin": "scenario", "scenario": "renewal-risk",
                  "severity": "question", "message": "Renewal in 30 days", "summary": "Renewal",
                  "user": None, "account": None, "url": None, "context": {"account": None},
                  "links": {}}
    message = render(OutboxMessage(payload={"type": "escalation.created", "data": {
        "escalation": escalation}}), open_workspace)
    check_message(message)
    assert [b["type"] for b in message["blocks"]] == ["header", "section"]
