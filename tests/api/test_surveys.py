"""Surveys and messages over the widget API (docs/SURVEYS.md): bootstrap lists, the
survey:answer and feedback:helpful envelopes exactly once, $ events moving progress,
the triggers, the account's NPS and the survey.answered webhook."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from guide.automation import email
from guide.extensions import db
from guide.models import (
    Account,
    EndUser,
    Escalation,
    HelpfulVote,
    OutboxMessage,
    Progress,
    SurveyResponse,
)
from guide.models.base import utcnow
from tests import factories
from tests.survey_content import push_demo


@pytest.fixture
def demo(app, tmp_path: Path):
    return push_demo(app, tmp_path)


def boot(client, ws, user="grace", **body: Any) -> dict[str, Any]:
    body.setdefault("account", {"id": "acme", "traits": {"csm_email": "csm@example.com"}})
    response = factories.bootstrap(client, ws, user, url="/demo/dashboard", **body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def send(client, token: str, kind: str, **data: Any) -> dict[str, Any]:
    data.setdefault("id", str(uuid.uuid4()))
    response = client.post("/api/v1/widget/events", json={"envelopes": [
        {"type": kind, "data": data}]}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]


def track(client, token: str, name: str, **props: Any) -> dict[str, Any]:
    return send(client, token, "event:track", name=name, props=props)


def second_visit(user_id: str = "grace") -> None:
    """Make the next bootstrap a new visit (30 minutes after the last)."""
    user = db.session.scalars(db.select(EndUser).where(EndUser.external_id == user_id)).one()
    user.last_seen -= timedelta(minutes=31)
    db.session.commit()


def test_bootstrap_lists_each_kind_apart_from_guides(client, demo):
    data = boot(client, demo, locale="fr")
    assert {g["kind"] for g in data["guides"]} <= {"checklist", "tour", "plan"}
    nps, pulse = data["surveys"]
    assert (pulse["key"], pulse["display"], nps["display"]) == ("pulse", "panel", "card")
    assert nps["title"] == "Votre avis"
    score, low, high = nps["questions"]
    assert score == {"id": "score", "type": "nps", "required": True, "min": 0, "max": 10,
                     "title": "How likely are you to recommend Acme to a friend or colleague?",
                     "body_html": "", "labels": {"low": "Pas du tout probable",
                                                 "high": "Très probable"}}
    assert low["show_if"] == {"question": "score", "bands": ["detractor"],
                              "scores": [0, 1, 2, 3, 4, 5, 6]}
    assert high["show_if"]["scores"] == [7, 8, 9, 10] and high["required"] is False
    stars, used, wishes = pulse["questions"][1:]
    assert (stars["min"], stars["max"], stars["labels"]) == (1, 10, {"low": "Poor",
                                                                     "high": "Great"})
    assert used["options"][1] == {"id": "reports", "label": "Rapports"}
    assert wishes["max_choices"] == 2
    [banner] = data["announcements"]
    assert banner | {"steps": None} == {
        "key": "new-reports", "kind": "announcement", "version": 1,
        "title": "New: scheduled reports", "description": None, "priority": 0,
        "style": "banner", "position": "bottom", "mode": "inline",
        "starts_at": "2026-01-01T00:00:00+00:00", "ends_at": "2099-01-01T00:00:00+00:00",
        "state": "not_started", "unread": True, "steps": None}
    assert banner["steps"] == [{"id": "main", "title": "Reports can now be scheduled",
                                "body_html": "<p>Send a report <strong>every Monday</strong> "
                                             "to your team.</p>",
                                "cta": {"label": "Try it", "guide": "getting-started"}}]
    assert data["announcements_unread"] == 1
    [hotspot] = data["hotspots"]
    assert hotspot["steps"][0] | {"body_html": None} == {
        "id": "export", "title": "Export anything", "body_html": None, "target": "#export",
        "placement": "bottom", "page": "/demo/**", "on_missing": "skip", "seen": False}
    assert data["tooltips"][0]["steps"][0]["placement"] == "auto"


def test_the_nps_survey_is_due_from_the_second_visit_and_one_survey_at_a_time(client, demo):
    first = boot(client, demo)
    assert [(s["key"], s["due"]) for s in first["surveys"]] == [("nps", False), ("pulse", True)]
    second_visit()
    second = boot(client, demo)
    assert db.session.scalars(db.select(EndUser)).one().visits == 2
    assert [(s["key"], s["due"]) for s in second["surveys"]] == [("nps", True), ("pulse", False)]


def test_the_survey_cap_holds_every_survey_for_seven_days_after_one_was_shown(client, demo):
    token = boot(client, demo)["socket"]["token"]
    assert track(client, token, "$survey_shown", survey="pulse")["ok"]
    second_visit()
    data = boot(client, demo)
    assert [(s["key"], s["due"]) for s in data["surveys"]] == [("nps", False), ("pulse", False)]
    assert data["surveys"][1]["state"]["shown"] == 1
    row = db.session.scalars(db.select(Progress).where(Progress.shown_count == 1)).one()
    row.last_shown_at -= timedelta(days=7)
    db.session.commit()
    assert [s["due"] for s in boot(client, demo)["surveys"]] == [True, False]
    demo.survey_cap_days = 30
    db.session.commit()
    assert [s["due"] for s in boot(client, demo)["surveys"]] == [False, False]


def test_announcement_seen_leaves_the_badge_and_dismissed_leaves_the_list(client, demo):
    token = boot(client, demo)["socket"]["token"]
    track(client, token, "$announcement_seen", announcement="new-reports")
    data = boot(client, demo)
    assert (data["announcements"][0]["unread"], data["announcements_unread"]) == (False, 0)
    track(client, token, "$hotspot_opened", hotspot="export-button", step="export")
    assert boot(client, demo)["hotspots"][0]["steps"][0]["seen"] is True
    track(client, token, "$announcement_dismissed", announcement="new-reports")
    track(client, token, "$hotspot_dismissed", hotspot="export-button")
    data = boot(client, demo)
    assert data["announcements"] == [] and data["hotspots"] == []


def answer(client, token, **data: Any) -> dict[str, Any]:
    data.setdefault("survey", "nps")
    data.setdefault("version", 1)
    return send(client, token, "survey:answer", **data)


def rows() -> list[tuple[str, str, Any, Any, Any]]:
    return [(r.question, r.type, r.score, r.choice, r.text) for r in db.session.scalars(
        db.select(SurveyResponse).order_by(SurveyResponse.id))]


def test_an_answer_is_recorded_once_and_a_replay_returns_its_ack(client, demo):
    token = boot(client, demo)["socket"]["token"]
    envelope = {"id": str(uuid.uuid4()), "answers": {"score": 9, "what-you-love": "Speed"},
                "comment": "Keep going"}
    first = answer(client, token, **envelope)
    assert first["ok"] and first["answered"] == {"survey": "nps", "version": 1}
    again = answer(client, token, **envelope)
    assert again["duplicate"] is True and again["answered"] == first["answered"]
    assert rows() == [("score", "nps", 9, None, None), ("what-you-love", "text", None, None, "Speed"),
                      ("$comment", "comment", None, None, "Keep going")]
    conflict = answer(client, token, **{**envelope, "answers": {"score": 3}})
    assert conflict["error"]["code"] == "id_conflict"
    assert len(rows()) == 3
    progress = db.session.scalars(db.select(Progress).where(Progress.state == "completed")).one()
    assert progress.completed_steps == ["score", "what-you-love"]


def test_a_once_survey_takes_one_answer(client, demo):
    token = boot(client, demo)["socket"]["token"]
    pulse = {"survey": "pulse", "answers": {"csat": 5, "used-most": "reports"}}
    assert answer(client, token, **pulse)["ok"]
    assert answer(client, token, **pulse)["error"]["code"] == "already_answered"
    assert len(rows()) == 2


def test_an_offline_answer_counts_on_its_day_once(client, demo):
    token = boot(client, demo)["socket"]["token"]
    at = (utcnow() - timedelta(days=2)).replace(microsecond=0)
    envelope = {"id": str(uuid.uuid4()), "answers": {"score": 8}, "at": at.isoformat()}
    for _ in range(3):  # the widget's queue retries until it sees an ack
        assert answer(client, token, **envelope)["ok"]
    [row] = db.session.scalars(db.select(SurveyResponse)).all()
    assert row.answered_at == at


@pytest.mark.parametrize("answers, errors", [
    ({"score": 12}, {"score": ["Must be an integer from 0 to 10."]}),
    ({"score": True}, {"score": ["Must be an integer from 0 to 10."]}),
    ({"score": 3}, None),
    ({"score": 9, "what-went-wrong": "x"},
     {"what-went-wrong": ["Not asked for this score (its show_if hides it); leave it out."]}),
    ({"nope": 1}, {"nope": ["No question 'nope' in this version of the survey."]}),
    ({}, {"score": ["This question needs an answer."], "_schema": ["Answer at least one "
                                                                   "question."]}),
])
def test_answers_must_fit_the_questions(client, demo, answers, errors):
    token = boot(client, demo)["socket"]["token"]
    result = answer(client, token, answers=answers)
    if errors is None:  # an optional follow-up may be left out
        assert result["ok"]
        return
    assert result["ok"] is False
    assert result["error"]["code"] == "invalid_payload"
    assert result["error"]["fields"] == {"answers": errors}
    assert rows() == []


def test_choice_questions_take_their_option_ids(client, demo):
    token = boot(client, demo)["socket"]["token"]
    bad = answer(client, token, survey="pulse", answers={
        "csat": 6, "used-most": "maps", "wishes": ["api", "api"]})
    assert bad["error"]["fields"]["answers"] == {
        "csat": ["Must be an integer from 1 to 5."],
        "used-most": ["Must be one of: dashboards, reports."],
        "wishes": ["Must be a list of 1 to 2 different options of: api, mobile, sso."]}
    assert answer(client, token, survey="pulse", answers={
        "csat": 4, "used-most": "reports", "wishes": ["api", "sso"]})["ok"]
    assert rows() == [("csat", "csat", 4, None, None), ("used-most", "single", None, "reports", None),
                      ("wishes", "multiple", None, "api", None),
                      ("wishes", "multiple", None, "sso", None)]


def test_unknown_survey_and_version_are_refused(client, demo):
    token = boot(client, demo)["socket"]["token"]
    assert answer(client, token, survey="getting-started",
                  answers={"score": 1})["error"]["code"] == "unknown_guide"
    assert answer(client, token, version=2, answers={"score": 1})["error"]["code"] == \
        "unknown_version"


def test_a_detractor_opens_a_task_with_the_comment_emails_the_csm_and_sets_the_account_nps(
        client, demo):
    token = boot(client, demo)["socket"]["token"]
    result = answer(client, token, answers={"score": 3, "what-went-wrong": "Too slow"},
                    comment="Exports time out")
    assert result["ok"], result
    task = db.session.scalars(db.select(Escalation)).one()
    assert (task.origin, task.scenario_key, task.message) == (
        "scenario", "detractor-follow-up", "Detractor: call them")
    details = task.context["scenario"]["details"]
    assert (details["comment"], details["score"], details["answers"]) == (
        "Exports time out", 3, {"score": 3, "what-went-wrong": "Too slow"})
    assert task.context["user"]["id"] == "grace"
    kinds = {(m.kind, m.event_type, m.target) for m in db.session.scalars(db.select(OutboxMessage))}
    assert ("email", "scenario.fired", "csm@example.com") in kinds
    assert ("webhook", "survey.answered", "https://hooks.example.com/guide") in kinds
    webhook = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.event_type == "survey.answered")).one()
    assert webhook.payload["data"] | {"answered_at": None} == {
        "survey": "nps", "version": 1, "user": {"id": "grace"}, "account": "acme",
        "answers": {"score": 3, "what-went-wrong": "Too slow"}, "score": 3,
        "comment": "Exports time out", "answered_at": None}
    traits = db.session.scalars(db.select(Account)).one().traits
    assert traits["nps"] == 3 and traits["nps_at"] == webhook.payload["data"]["answered_at"]


def test_a_promoter_fires_no_detractor_scenario(client, demo):
    token = boot(client, demo)["socket"]["token"]
    assert answer(client, token, answers={"score": 9})["ok"]
    assert db.session.scalars(db.select(Escalation)).all() == []


def test_helpful_votes_and_the_article_unhelpful_trigger(client, demo):
    tokens = [boot(client, demo, user)["socket"]["token"] for user in ("ada", "bob", "cy")]
    vote = {"article": "invite-teammates", "helpful": False}
    assert send(client, tokens[0], "feedback:helpful", **vote, comment="Outdated")["ok"]
    assert db.session.scalars(db.select(Escalation)).all() == []
    assert send(client, tokens[1], "feedback:helpful", **vote)["ok"]
    task = db.session.scalars(db.select(Escalation)).one()
    assert task.scenario_key == "fix-this-article"
    assert task.context["scenario"]["details"]["votes"] == 2
    assert send(client, tokens[2], "feedback:helpful", guide="getting-started",
                step="connect-data", helpful=True)["ok"]
    assert db.session.scalar(db.select(db.func.count(HelpfulVote.id))) == 3
    bad = send(client, tokens[2], "feedback:helpful", article="nope", helpful=True)
    assert bad["error"]["code"] == "unknown_article"
    both = send(client, tokens[2], "feedback:helpful", article="invite-teammates",
                guide="getting-started", step="connect-data", helpful=True)
    assert both["error"]["code"] == "invalid_payload"


def test_a_users_answers_are_exported_and_erased_with_them(client, demo):
    token = boot(client, demo)["socket"]["token"]
    answer(client, token, answers={"score": 9}, comment="Nice")
    send(client, token, "feedback:helpful", article="invite-teammates", helpful=True)
    headers = {"Authorization": f"Bearer {demo.create_api_key()}"}
    db.session.commit()
    export = client.get("/api/v1/users/grace/export", headers=headers).get_json()
    surveys = [(a["survey"], a["question"], a["score"], a["text"])
               for a in export["answers"]["surveys"]]
    assert surveys == [("nps", "score", 9, None), ("nps", "$comment", None, "Nice")]
    assert export["answers"]["helpful"][0]["article"] == "invite-teammates"
    erased = client.delete("/api/v1/users/grace", headers=headers)
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["responses"] == 3
    assert rows() == [] and db.session.scalars(db.select(HelpfulVote)).all() == []


def test_a_survey_question_is_not_completed_by_step_complete(client, demo):
    token = boot(client, demo)["socket"]["token"]
    result = send(client, token, "step:complete", guide="nps", step="score")
    assert result["error"]["code"] == "invalid_state"
    assert db.session.scalars(db.select(Progress)).all() == []


@pytest.mark.parametrize("kind, data, field", [
    ("survey:answer", {"survey": "nps", "version": True, "answers": {"score": 1}}, "version"),
    ("feedback:helpful", {"article": "invite-teammates", "helpful": 1}, "helpful"),
])
def test_envelope_fields_take_no_lookalikes(client, demo, kind, data, field):
    token = boot(client, demo)["socket"]["token"]
    result = send(client, token, kind, **data)
    assert result["error"]["code"] == "invalid_payload" and field in result["error"]["fields"]


def test_the_csm_email_names_the_facts_it_has_and_no_empty_ones(client, demo):
    token = boot(client, demo)["socket"]["token"]
    assert answer(client, token, answers={"score": 3, "what-went-wrong": "Too slow"})["ok"]
    message = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.kind == "email", OutboxMessage.event_type == "scenario.fired")).one()
    _, text, html = email.render(message)
    assert "Too slow" in text and "Too slow" in html
    assert "score:" in text and ">score<" in html
    # No comment was sent (the text question holds it): no "comment: None" line.
    assert "comment" not in text and ">comment<" not in html and "None" not in text
