"""GET /api/v1/analytics/lifecycle, /accounts and /accounts/<account>/timeline behind a
secret key, on the hand-worked history of tests/analytics/lifecycle_history.py."""

from __future__ import annotations

import pytest
from jsonschema_rs import Draft202012Validator

from guide.extensions import db
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.lifecycle_history import PRO, frozen_now, mark_pro, seed
from tests.analytics.test_lifecycle_report import EXPECTED
from tests.analytics.test_portfolio import ROWS


@pytest.fixture
def api_key(paris):  # noqa: F811
    seed(paris)
    key = paris.create_api_key()
    db.session.commit()
    return key


@pytest.fixture
def now():
    """The history's now, for every module that asks for it."""
    with frozen_now() as frozen:
        yield frozen


def get(client, key, path, **query):
    return client.get(f"/api/v1/analytics/{path}", query_string=query,
                      headers={"Authorization": f"Bearer {key}"})


def schema_of(client, name):
    document = client.get("/api/v1/openapi.json").get_json()
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                 "components": document["components"]})


def test_the_lifecycle_report_is_the_hand_computed_one(client, api_key, now):
    response = get(client, api_key, "lifecycle", start="2026-03-04", end="2026-03-17")
    assert response.status_code == 200
    assert response.get_json() == EXPECTED
    schema_of(client, "LifecycleReport").validate(response.get_json())


def test_the_portfolio_filters_and_matches_its_schema(client, api_key, now):
    response = get(client, api_key, "accounts", status="stuck", csm="ann")
    assert response.status_code == 200
    body = response.get_json()
    assert body["counts"] == {"on_track": 3, "behind": 1, "stuck": 3, "total": 7}
    assert body["accounts"] == [ROWS["C"], ROWS["G"]]
    schema_of(client, "Portfolio").validate(body)
    assert [a["account"] for a in get(client, api_key, "accounts", q="car").get_json()[
        "accounts"]] == ["C"]


def test_the_segment_filters_the_lifecycle_report_and_the_portfolio(client, api_key, paris,  # noqa: F811
                                                                    now):
    mark_pro(paris, "u3", "u4", "u8")
    body = get(client, api_key, "lifecycle", start="2026-03-04", end="2026-03-17",
               segment=PRO).get_json()
    assert body["signups"] == 2
    assert body["filters"] == {"segment": PRO, "locale": None, "users": 3}
    schema_of(client, "LifecycleReport").validate(body)
    body = get(client, api_key, "accounts", segment=PRO).get_json()
    assert [a["account"] for a in body["accounts"]] == ["B", "C", "F"]
    assert body["counts"]["total"] == 3 and body["filters"]["users"] == 3
    schema_of(client, "Portfolio").validate(body)


def test_an_account_timeline(client, api_key, now):
    response = get(client, api_key, "accounts/C/timeline")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "stuck" and len(body["items"]) == 12
    schema_of(client, "AccountTimeline").validate(body)
    missing = get(client, api_key, "accounts/nope/timeline")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_account"


@pytest.mark.parametrize(("path", "query", "code", "field"), [
    ("lifecycle", {}, "invalid_payload", "start"),
    ("lifecycle", {"start": "2026-03-01", "end": "nope"}, "invalid_payload", "end"),
    ("lifecycle", {"start": "2026-03-02", "end": "2026-03-01"}, "invalid_range", "start"),
    ("lifecycle", {"start": "2024-01-01", "end": "2026-03-01"}, "invalid_range", "end"),
    ("lifecycle", {"start": "2026-03-01", "end": "2026-03-02", "within_days": "0"},
     "invalid_payload", "within_days"),
    ("accounts", {"status": "late"}, "invalid_payload", "status"),
    ("accounts", {"limit": "0"}, "invalid_payload", "limit"),
    ("accounts", {"offset": "-1"}, "invalid_payload", "offset"),
    ("accounts", {"stage": "nope"}, "invalid_filter", "stage"),
    ("lifecycle", {"start": "2026-03-01", "end": "2026-03-02", "segment": "{trait: plan}"},
     "invalid_filter", "segment"),
    ("accounts", {"segment": "{url: /x}"}, "invalid_filter", "segment"),
    ("accounts", {"locale": "fr_FR"}, "invalid_filter", "locale"),
])
def test_a_bad_range_or_filter_is_a_400_naming_the_field(client, api_key, path, query, code,
                                                         field):
    response = get(client, api_key, path, **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    fields = error["fields"].get("query", error["fields"])
    assert error["code"] == code and field in fields, error


@pytest.mark.parametrize("path", ["lifecycle?start=2026-03-01&end=2026-03-02", "accounts",
                                  "accounts/C/timeline"])
def test_a_secret_key_is_required(client, api_key, path):
    assert client.get(f"/api/v1/analytics/{path}").status_code == 401
