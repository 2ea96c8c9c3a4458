"""GET /api/v1/analytics/surveys/..., /helpful and /messages/...: results behind a secret
key, hand-computed on a seeded set (docs/SURVEYS.md, section 6)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from jsonschema_rs import Draft202012Validator

from guide.extensions import db
from guide.models.base import utcnow
from tests.api.test_surveys import answer, boot, demo, send, track  # noqa: F401 (fixture)

# (user, plan, NPS score or None: shown only, comment)
NPS = [("u1", "pro", 10, None), ("u2", "pro", 9, "Love it"), ("u3", "trial", 9, None),
       ("u4", "trial", 7, None), ("u5", "pro", 3, "=Too slow"), ("u6", "trial", None, None)]


@pytest.fixture
def seeded(client, demo):  # noqa: F811
    for user, plan, score, comment in NPS:
        token = boot(client, demo, user, traits={"plan": plan})["socket"]["token"]
        track(client, token, "$survey_shown", survey="nps")
        if score is not None:
            answers = {"score": score, **({"what-went-wrong": "Exports"} if score <= 6 else {})}
            assert answer(client, token, answers=answers, comment=comment)["ok"]
    pulse = [("u1", 5, "reports", ["api", "sso"]), ("u2", 4, "reports", ["api"]),
             ("u3", 4, "dashboards", None)]
    for user, csat, used, wishes in pulse:
        token = boot(client, demo, user)["socket"]["token"]
        answers = {"csat": csat, "used-most": used, **({"wishes": wishes} if wishes else {})}
        assert answer(client, token, survey="pulse", answers=answers)["ok"]
        track(client, token, "$announcement_seen", announcement="new-reports")
    for user, helpful, comment in [("u1", True, None), ("u2", False, "Outdated"),
                                   ("u3", True, None)]:
        token = boot(client, demo, user)["socket"]["token"]
        send(client, token, "feedback:helpful", article="invite-teammates", helpful=helpful,
             comment=comment)
    track(client, token, "$announcement_clicked", announcement="new-reports", step="main")
    track(client, token, "$announcement_dismissed", announcement="new-reports")
    key = demo.create_api_key()
    db.session.commit()
    return key


def get(client, key, path, **query):
    today = utcnow().date().isoformat()
    query = {"start": today, "end": today, **query}
    return client.get(f"/api/v1/analytics/{path}", query_string=query,
                      headers={"Authorization": f"Bearer {key}"})


def schema_check(client, name, body):
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                          "components": document["components"]}).validate(body)


def test_the_nps_report_is_the_hand_computed_one(client, seeded):
    response = get(client, seeded, "surveys/nps")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["shown"], body["responses"], body["respondents"], body["response_rate"]) == (
        6, 5, 5, 0.8333)
    score, wrong, love = body["questions"]
    assert score == {"id": "score", "type": "nps", "answers": 5, "promoters": 3, "passives": 1,
                     "detractors": 1, "nps": 40.0}
    assert (wrong["answers"], love["answers"]) == (1, 0)
    assert [(c["user"], c["account"], c["question"], c["text"]) for c in body["comments"]] == [
        ("u5", "acme", None, "=Too slow"), ("u5", "acme", "what-went-wrong", "Exports"),
        ("u2", "acme", None, "Love it")]
    schema_check(client, "SurveyReport", body)


def test_csat_and_choices(client, seeded):
    body = get(client, seeded, "surveys/pulse").get_json()
    csat, stars, used, wishes = body["questions"]
    assert csat == {"id": "csat", "type": "csat", "answers": 3, "average": 4.33,
                    "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}
    assert stars["average"] is None and stars["distribution"]["10"] == 0
    assert used["choices"] == {"dashboards": 1, "reports": 2}
    assert (wishes["answers"], wishes["choices"]) == (2, {"api": 2, "mobile": 0, "sso": 1})
    assert body["shown"] == 0 and body["response_rate"] is None


def test_a_segment_filters_the_users(client, seeded):
    body = get(client, seeded, "surveys/nps", segment="{trait: plan, in: [pro]}").get_json()
    assert (body["shown"], body["respondents"], body["filters"]["users"]) == (3, 3, 3)
    assert body["questions"][0]["nps"] == round(100 * (2 - 1) / 3, 1)


def test_the_csv_has_one_line_per_answer_with_formulas_made_inert(client, seeded):
    response = get(client, seeded, "surveys/nps/responses", format="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == ["answered_at", "user", "account", "version", "question", "score",
                        "choice", "text"]
    assert len(lines) == 1 + 5 + 1 + 2  # scores, the follow-up, the comments
    assert ["u5", "acme", "1", "$comment", "", "", "'=Too slow"] in [line[1:] for line in lines]
    body = get(client, seeded, "surveys/nps/responses").get_json()
    assert body["columns"] == lines[0] and len(body["rows"]) == 8
    assert [row[1:] for row in body["rows"]][0] == ["u1", "acme", 1, "score", 10, None, None]


def test_helpful_and_message_reports(client, seeded):
    helpful = get(client, seeded, "helpful").get_json()
    [article] = helpful["articles"]
    assert (article["article"], article["yes"], article["no"], article["share"]) == (
        "invite-teammates", 2, 1, 0.6667)
    assert [(c["user"], c["helpful"], c["text"]) for c in article["comments"]] == [
        ("u2", False, "Outdated")]
    schema_check(client, "HelpfulReport", helpful)
    message = get(client, seeded, "messages/new-reports").get_json()
    assert (message["seen"], message["clicked"], message["dismissed"]) == (3, 1, 1)
    assert message["steps"] == [{"id": "main", "seen": 0, "clicked": 1}]
    schema_check(client, "MessageReport", message)


@pytest.mark.parametrize(("path", "query", "status", "code"), [
    ("surveys/getting-started", {}, 404, "unknown_guide"),
    ("surveys/nps", {"start": "2026-03-02", "end": "2026-03-01"}, 400, "invalid_range"),
    ("surveys/nps", {"segment": "{trait: }"}, 400, "invalid_filter"),
    ("messages/nps", {}, 404, "unknown_guide"),
])
def test_bad_input_is_a_4xx_of_the_one_shape(client, seeded, path, query, status, code):
    response = get(client, seeded, path, **query)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_the_results_need_the_secret_key(client, seeded):
    assert get(client, "wrong", "surveys/nps").status_code == 401


@pytest.mark.parametrize("path", ["surveys/nps", "surveys/nps/responses", "helpful",
                                  "messages/new-reports"])
def test_a_range_left_out_is_the_last_30_days(client, seeded, path):
    """docs/SURVEYS.md, section 6: start and end default to the last 30 local days (a
    request without them was a 400 "start: Missing data for required field")."""
    headers = {"Authorization": f"Bearer {seeded}"}
    today = utcnow().date()  # the demo workspace's timezone is UTC
    given = client.get(f"/api/v1/analytics/{path}", headers=headers,
                       query_string={"start": (today - timedelta(days=29)).isoformat(),
                                     "end": today.isoformat()})
    response = client.get(f"/api/v1/analytics/{path}", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == given.get_json()
    if "start" in response.get_json():
        assert (response.get_json()["start"], response.get_json()["end"]) == (
            (today - timedelta(days=29)).isoformat(), today.isoformat())
    only_end = client.get(f"/api/v1/analytics/{path}", headers=headers,
                          query_string={"end": today.isoformat()})
    assert only_end.get_json() == given.get_json()
