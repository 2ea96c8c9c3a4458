"""GET /api/v1/analytics/scenarios: the Scenarios report behind a secret key, on the
hand-computed dataset of tests/analytics/test_scenario_report.py (read now, long after
March 2026, so no firing is pending any more)."""

from __future__ import annotations

import pytest
from jsonschema_rs import Draft202012Validator

from guide.extensions import db
from guide.models import EndUser
from tests.analytics.test_scenario_report import dataset, ws  # noqa: F401 (fixtures)


@pytest.fixture
def api_key(ws):  # noqa: F811
    key = ws.create_api_key()
    db.session.commit()
    return key


def report(client, key, **query):
    return client.get("/api/v1/analytics/scenarios", query_string=query,
                      headers={"Authorization": f"Bearer {key}"} if key else {})


def test_the_report_counts_both_arms_and_matches_its_documented_schema(
        client, dataset, api_key):  # noqa: F811
    response = report(client, api_key, start="2026-03-01", end="2026-03-15")
    assert response.status_code == 200
    body = response.get_json()
    rows = {row["scenario"]: row for row in body["scenarios"]}
    connect = rows["connect"]
    # t7 (fired 15 March, converted on the 16th) is no longer pending: 5 of 8 treated.
    assert [connect["treated"][k] for k in ("firings", "pending", "matured", "converted")] == [
        8, 0, 8, 5]
    assert [connect["held_out"][k] for k in ("firings", "pending", "matured", "converted")] == [
        4, 0, 4, 1]
    assert connect["lift"] == pytest.approx(5 / 8 - 1 / 4)
    assert connect["holdout"] == 20 and connect["goal"]["key"] == "connected"
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": "#/components/schemas/ScenarioReport",
                          "components": document["components"]}).validate(body)
    assert "/api/v1/analytics/scenarios" in document["paths"]


@pytest.mark.parametrize(("query", "code", "field"), [
    ({}, "invalid_payload", "start"),
    ({"start": "2026-03-01", "end": "soon"}, "invalid_payload", "end"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "invalid_range", "start"),
    ({"start": "2026-03-01", "end": "2026-03-02", "segment": "{trait: plan}"},
     "invalid_filter", "segment"),
    ({"start": "2026-03-01", "end": "2026-03-02", "locale": "fr_FR"}, "invalid_filter",
     "locale"),
])
def test_a_bad_range_is_a_400_naming_the_field(client, ws, api_key, query, code, field):  # noqa: F811
    response = report(client, api_key, **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    fields = error["fields"].get("query", error["fields"])
    assert error["code"] == code and field in fields, error


def test_the_report_takes_the_segment_and_locale_filters(client, dataset, api_key):  # noqa: F811
    db.session.scalar(db.select(EndUser).where(EndUser.external_id == "t9")).locale = "fr-CA"
    db.session.commit()
    body = report(client, api_key, start="2026-03-01", end="2026-03-15", locale="fr").get_json()
    rows = {row["scenario"]: row for row in body["scenarios"]}
    assert rows["connect"]["treated"]["firings"] == 1
    assert rows["connect"]["held_out"]["firings"] == 0
    assert body["filters"] == {"segment": None, "locale": "fr", "users": 1}
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": "#/components/schemas/ScenarioReport",
                          "components": document["components"]}).validate(body)


def test_the_report_needs_the_secret_key(client, ws):  # noqa: F811
    assert report(client, None, start="2026-03-01", end="2026-03-02").status_code == 401
