"""GET /api/v1/analytics/help-searches: help searches behind a secret key, on the
hand-computed dataset of tests/analytics/test_help_search.py."""

from __future__ import annotations

import pytest
from jsonschema_rs import Draft202012Validator

from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.test_help_search import searches  # noqa: F401 (fixture)
from tests.api.test_analytics_api import api_key  # noqa: F401 (fixture)


def report(client, key, **query):
    return client.get("/api/v1/analytics/help-searches", query_string=query,
                      headers={"Authorization": f"Bearer {key}"} if key else {})


def test_the_report_ranks_queries_and_matches_its_documented_schema(
        client, searches, api_key):  # noqa: F811
    response = report(client, api_key, start="2026-03-02", end="2026-03-04")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["searches"], body["zero_result_searches"]) == (4, 3)
    assert body["zero_result_queries"] == [
        {"query": "export csv", "searches": 2, "users": 2, "zero_results": 2},
        {"query": "sso", "searches": 2, "users": 2, "zero_results": 1}]
    assert [q["query"] for q in body["top_queries"]] == ["export csv", "sso"]
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": "#/components/schemas/HelpSearchReport",
                          "components": document["components"]}).validate(body)
    assert "/api/v1/analytics/help-searches" in document["paths"]


@pytest.mark.parametrize(("query", "code", "field"), [
    ({}, "invalid_payload", "start"),
    ({"start": "2026-03-01", "end": "soon"}, "invalid_payload", "end"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "invalid_range", "start"),
])
def test_a_bad_range_is_a_400_naming_the_field(client, paris, api_key, query, code,  # noqa: F811
                                                field):
    response = report(client, api_key, **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    fields = error["fields"].get("query", error["fields"])
    assert error["code"] == code and field in fields, error


def test_the_report_needs_the_secret_key(client, paris):  # noqa: F811
    assert report(client, None, start="2026-03-01", end="2026-03-02").status_code == 401


def test_a_locale_filter_counts_only_matched_users_and_says_so(client, searches,  # noqa: F811
                                                                api_key):  # noqa: F811
    from guide.extensions import db
    from guide.models import EndUser

    db.session.scalar(db.select(EndUser).where(EndUser.external_id == "b")).locale = "fr"
    db.session.commit()
    body = report(client, api_key, start="2026-03-02", end="2026-03-04", locale="fr").get_json()
    # b: "export  csv " and "sso", both found nothing.
    assert (body["searches"], body["zero_result_searches"]) == (2, 2)
    assert body["filters"] == {"segment": None, "locale": "fr", "users": 1}
    assert [(q["query"], q["users"]) for q in body["top_queries"]] == [("export csv", 1),
                                                                      ("sso", 1)]


@pytest.mark.parametrize(("query", "field"), [
    ({"segment": "{trait: plan}"}, "segment"),
    ({"segment": "{url: /x}"}, "segment"),
    ({"locale": "fr_FR"}, "locale"),
])
def test_a_bad_filter_is_a_400_invalid_filter(client, paris, api_key, query,  # noqa: F811
                                              field):
    response = report(client, api_key, start="2026-03-02", end="2026-03-04", **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_filter" and field in error["fields"], error
