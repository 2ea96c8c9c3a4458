"""GET /api/v1/analytics/guides/<key>: the Guide report behind a secret key, on the
hand-computed history of tests/analytics/test_guide_report.py."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from jsonschema_rs import Draft202012Validator

from guide import gunicorn_config
from guide.analytics.filters import MAX_TEXT
from guide.extensions import db
from tests import factories
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import expected, history  # noqa: F401 (fixture)


@pytest.fixture
def api_key(paris):  # noqa: F811
    key = paris.create_api_key()
    db.session.commit()
    return key


def report(client, key, guide="onboarding", **query):
    return client.get(f"/api/v1/analytics/guides/{guide}", query_string=query,
                      headers={"Authorization": f"Bearer {key}"})


def test_the_report_is_the_hand_computed_one_and_matches_its_documented_schema(
        client, history, api_key):  # noqa: F811
    ws, d0, today = history
    response = report(client, api_key, start=d0.isoformat(), end=today.isoformat())
    assert response.status_code == 200
    assert response.get_json() == expected(d0, today)
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": "#/components/schemas/GuideReport",
                          "components": document["components"]}).validate(response.get_json())


@pytest.mark.parametrize(("query", "code", "field"), [
    ({}, "invalid_payload", "start"),
    ({"start": "2026-03-01"}, "invalid_payload", "end"),
    ({"start": "2026-03-01", "end": "tomorrow"}, "invalid_payload", "end"),
    ({"start": "2026-02-30", "end": "2026-03-01"}, "invalid_payload", "start"),
    ({"start": "0001-01-01", "end": "2026-03-01"}, "invalid_payload", "start"),
    ({"start": "2026-03-01T00:00", "end": "2026-03-01"}, "invalid_payload", "start"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "invalid_range", "start"),
    ({"start": "2024-01-01", "end": "2026-03-01"}, "invalid_range", "end"),
])
def test_a_bad_range_is_a_400_naming_the_field(client, paris, api_key, query, code, field):  # noqa: F811
    response = report(client, api_key, **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    # A query that does not load names its fields under "query" (guide/errors.py).
    fields = error["fields"].get("query", error["fields"])
    assert error["code"] == code and field in fields, error


def test_an_unknown_guide_is_a_404(client, paris, api_key):  # noqa: F811
    response = report(client, api_key, "nope", start="2026-03-01", end="2026-03-02")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_guide"


def test_it_needs_a_secret_key_of_that_workspace_before_anything_else(client, paris, api_key):  # noqa: F811
    other = factories.make_workspace(key="other")
    factories.publish(other, factories.checklist_body())
    other_key = other.create_api_key()
    db.session.commit()
    for key in ("", "gsk_paris.wrong", api_key + "x"):
        for query in ({"start": "2026-03-01", "end": "2026-03-02"}, {"start": "bad"}):
            response = report(client, key, **query)
            assert response.status_code == 401, (key, query)
            assert response.get_json()["error"]["code"] == "api_key_invalid"
    # Another workspace's key reads that workspace's guide of the same key: none of paris'.
    mine = report(client, other_key, start="2026-03-01", end="2026-03-02").get_json()
    assert mine["started"] == {"total": 0, "unique": 0} and mine["timezone"] == "UTC"


def test_a_long_segment_fits_the_request_line_and_a_longer_one_is_the_apps_400(
        client, paris, api_key):  # noqa: F811
    days = {"start": "2026-03-01", "end": "2026-03-02"}
    # The longest segment taken, of ASCII that is all percent-encoded ("," is 3 bytes):
    # gunicorn reads its request line (it answered 4094+ bytes with an HTML 414 of its own).
    longest = "{trait: plan, in: [" + "," * (MAX_TEXT - 21) + "]}"
    line = f"GET /api/v1/analytics/guides/onboarding?{urlencode({**days, 'segment': longest})} HTTP/1.1"
    assert len(longest) == MAX_TEXT
    assert len(line.encode()) <= gunicorn_config.limit_request_line
    # One more than the cap (an 8 KB URL): our 400 in the one JSON error shape.
    response = report(client, api_key, **days, segment="{trait: plan, eq: " + "x" * 8000 + "}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_filter" and "at most 2000 characters" in error["fields"][
        "segment"][0]
