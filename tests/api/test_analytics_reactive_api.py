"""GET /api/v1/analytics/reactive, the report filters on the analytics API, and unknown
query keys refused, on the hand-computed histories of tests/analytics."""

from __future__ import annotations

import copy
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from jsonschema_rs import Draft202012Validator

from guide.extensions import db
from guide.models import Account, EndUser
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import history  # noqa: F401 (fixture)
from tests.analytics.test_reactive_report import EXPECTED, help_
from tests.analytics.test_reactive_report import history as reactive_history  # noqa: F401

RANGE = {"start": "2026-03-04", "end": "2026-03-12"}


@pytest.fixture
def api_key(paris):  # noqa: F811
    key = paris.create_api_key()
    db.session.commit()
    return key


def get(client, key, path, **query):
    return client.get(f"/api/v1/analytics/{path}", query_string=query,
                      headers={"Authorization": f"Bearer {key}"})


def valid(client, name, body):
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                          "components": document["components"]}).validate(body)


def test_the_reactive_report_is_the_hand_computed_one_and_matches_its_schema(
        client, reactive_history, api_key):  # noqa: F811
    response = get(client, api_key, "reactive", **RANGE)
    assert response.status_code == 200
    # Judged now, long after: u6's help opening of 15 March is resolved, not pending.
    want = copy.deepcopy(EXPECTED)
    want["weeks"][1]["help"] = help_(2, 1, 1, 0, 0.5)
    want["totals"]["help"] = help_(4, 2, 2, 0, 0.5)
    assert response.get_json() == want
    valid(client, "ReactiveReport", response.get_json())


def test_the_reactive_report_takes_the_segment_filter(client, reactive_history, api_key):  # noqa: F811
    a = db.session.scalars(sa.select(Account).where(Account.external_id == "A")).one()
    a.traits = {"tier": "gold"}
    db.session.commit()
    body = get(client, api_key, "reactive", segment="{trait: account.tier, eq: gold}",
               **RANGE).get_json()
    assert body["filters"] == {"segment": "{trait: account.tier, eq: gold}", "locale": None,
                               "users": 2}
    assert [week["users"]["needed_human"] for week in body["weeks"]] == [0, 1]
    assert body["escalations_start"]["total"] == 1
    valid(client, "ReactiveReport", body)


def test_the_guide_report_takes_the_filters(client, history, api_key):  # noqa: F811
    ws, d0, today = history
    db.session.execute(sa.update(EndUser).where(EndUser.external_id.in_(["u2", "u4"]))
                       .values(locale="fr"))
    db.session.commit()
    body = get(client, api_key, "guides/onboarding", start=d0.isoformat(),
               end=today.isoformat(), locale="FR").get_json()
    assert body["filters"] == {"segment": None, "locale": "fr", "users": 2,
                               "totals": "user_days"}
    # u4 missed connect's target twice on one day: one user-day, with u2's one.
    assert body["steps"][1]["target_missing"] == 2
    assert body["started"] == {"total": 1, "unique": 1}
    valid(client, "GuideReport", body)


@pytest.mark.parametrize("path", ["reactive", "guides/onboarding"])
@pytest.mark.parametrize(("query", "field", "says"), [
    ({"segment": "{trait: plan}"}, "segment", "exactly one operator"),
    ({"segment": "{trait: plan, eq: [pro]}"}, "segment", "eq must be a string"),
    ({"segment": "{url: /x}"}, "segment", "url conditions"),
    ({"locale": "fr_FR"}, "locale", "not a locale tag"),
])
def test_a_bad_filter_is_a_400_invalid_filter(client, paris, api_key, path, query, field,  # noqa: F811
                                              says):
    response = get(client, api_key, path, **RANGE, **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_filter" and says in error["fields"][field][0], error


@pytest.mark.parametrize("path", ["reactive", "guides/onboarding"])
def test_an_unknown_query_key_is_a_400_naming_it(client, paris, api_key, path):  # noqa: F811
    response = get(client, api_key, path, **RANGE, stat="2026-03-01")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["fields"]["query"] == {"stat": ["Unknown field."]}


def test_unknown_query_keys_are_refused_by_every_query_of_the_api(client, paris, api_key):  # noqa: F811
    """The parser's rule is global: the escalations list, the guides' health too."""
    headers = {"Authorization": f"Bearer {api_key}"}
    for path in ("/api/v1/escalations", "/api/v1/guides/health"):
        response = client.get(path, query_string={"colour": "red"}, headers=headers)
        assert response.status_code == 400, (path, response.get_json())
        assert response.get_json()["error"]["fields"]["query"] == {"colour": ["Unknown field."]}


def test_it_needs_a_secret_key_first(client, paris):  # noqa: F811
    response = client.get(f"/api/v1/analytics/reactive?segment={quote('{bad')}")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "api_key_invalid"


def test_the_guide_report_by_week_adds_the_weeks(client, history, api_key):  # noqa: F811
    ws, d0, today = history
    plain = get(client, api_key, "guides/onboarding", start=d0.isoformat(),
                end=today.isoformat()).get_json()
    assert "weeks" not in plain
    body = get(client, api_key, "guides/onboarding", start=d0.isoformat(),
               end=today.isoformat(), by="week").get_json()
    assert body["weeks"][0]["start"] == d0.isoformat()
    assert body["weeks"][-1]["end"] == today.isoformat()
    assert sum(week["started"] for week in body["weeks"]) == 3
    valid(client, "GuideReport", body)
    bad = get(client, api_key, "guides/onboarding", start=d0.isoformat(),
              end=today.isoformat(), by="month")
    assert bad.status_code == 400 and "by" in bad.get_json()["error"]["fields"]["query"]


def test_a_guides_users_page_by_page(client, history, api_key):  # noqa: F811
    ws, d0, today = history
    query = {"start": d0.isoformat(), "end": today.isoformat()}
    body = get(client, api_key, "guides/onboarding/users", per_page=3, **query).get_json()
    assert [user["user"] for user in body["users"]] == ["u4", "u1", "u2"]
    assert (body["total"], body["page"], body["pages"], body["steps"]) == (4, 1, 2, 4)
    assert body["users"][1] == {"user": "u1", "account": None, "status": "completed",
                                "completed_steps": 4, "progress": 1.0,
                                "last_active": (d0 + timedelta(days=1)).isoformat()}
    valid(client, "GuideUsers", body)
    second = get(client, api_key, "guides/onboarding/users", per_page=3, page=2, **query)
    assert [user["user"] for user in second.get_json()["users"]] == ["u3"]
    assert get(client, api_key, "guides/nope/users", **query).status_code == 404
    assert get(client, api_key, "guides/onboarding/users", per_page=501,
               **query).status_code == 400
