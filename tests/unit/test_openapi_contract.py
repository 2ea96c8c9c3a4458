"""One definition per contract: the OpenAPI document describes every API route.

Every route of the app under ``/api/`` is in ``/api/v1/openapi.json`` with each of
its methods, a documented 2xx answer with a schema, and error answers that all
refer to the one error body of guide/errors.py (component ``Error``), including
the 400 a body or query that does not validate really gets.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema_rs import Draft202012Validator  # comes with schemathesis

from guide.errors import error_body
from tests import factories

IGNORED_METHODS = {"HEAD", "OPTIONS"}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _path(rule: str) -> str:
    """``/users/<string:user_id>`` -> ``/users/{user_id}``."""
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/".join(parts)


def _operations(app) -> list[tuple[str, str]]:
    return sorted((_path(rule.rule), method.lower())
                  for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json"
                  for method in rule.methods - IGNORED_METHODS)


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        *_, kind, name = item["$ref"].split("/")
        item = document["components"][kind][name]
    return item


def _schema_of(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    return _resolve(document, response).get("content", {}).get("application/json", {}).get(
        "schema")


def test_every_api_route_is_documented_with_a_success_answer(app, document) -> None:
    operations = _operations(app)
    assert len(operations) >= 20
    missing, no_success = [], []
    for path, method in operations:
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            missing.append(f"{method.upper()} {path}")
            continue
        if not any(status.startswith("2") and _schema_of(document, response)
                   for status, response in operation["responses"].items()):
            no_success.append(f"{method.upper()} {path}")
    assert not missing, f"routes missing from the OpenAPI document: {missing}"
    assert not no_success, f"operations without a documented 2xx body: {no_success}"


def test_every_documented_error_is_the_one_error_body(document) -> None:
    strays = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) or status == "default":
                    if _schema_of(document, response) != {"$ref": ERROR_REF}:
                        strays.append(f"{method.upper()} {path} {status}")
                    assert status != "422", "validation errors are answered 400"
    assert not strays, f"error responses not documented as the Error body: {strays}"


def _validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                 "components": document["components"]})


def test_the_error_schema_is_what_errors_py_builds(document) -> None:
    validator = _validator(document, "Error")
    for body in (error_body("not_found", "No user."),
                 error_body("invalid_payload", "See fields.", {"user": {"id": ["Missing."]}}),
                 error_body("invalid_payload", "See fields.", ["Invalid JSON body."])):
        validator.validate(body)
    assert not validator.is_valid({"code": 422, "status": "Unprocessable Entity"})


def test_an_invalid_body_gets_the_documented_400(client, open_workspace, document) -> None:
    response = client.post("/api/v1/widget/bootstrap", json={"app": "open", "user": {}})
    assert response.status_code == 400
    _validator(document, "Error").validate(response.get_json())
    assert "400" in document["paths"]["/api/v1/widget/bootstrap"]["post"]["responses"]


def test_bootstrap_and_events_answers_match_their_schemas(client, open_workspace,
                                                          document) -> None:
    answer = factories.bootstrap(client, open_workspace, "ada")
    assert answer.status_code == 200
    _validator(document, "BootstrapOut").validate(answer.get_json())
    token = answer.get_json()["socket"]["token"]
    step = answer.get_json()["guides"][0]["steps"][0]["id"]
    events = client.post("/api/v1/widget/events", json={"token": token, "nudges": True,
                         "envelopes": [{"type": "step:complete", "data": {
                             "id": "env-00000001", "guide": "onboarding", "step": step}}]})
    assert events.status_code == 200, events.get_json()
    _validator(document, "EventsOut").validate(events.get_json())
    assert set(events.get_json()) == {"results", "nudges"}


def test_the_secret_key_is_documented_where_it_is_needed_and_only_there(client, document) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["secretKey"] == {**schemes["secretKey"], "type": "http", "scheme": "bearer"}
    analytics = document["paths"]["/api/v1/analytics/guides/{guide}"]["get"]
    assert analytics["security"] == [{"secretKey": []}]
    secret, public = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            needs = {"secretKey": []} in operation.get("security", [])
            (secret if needs else public).append((path, method))
    # What the document says is what the server does: each of those operations answers a
    # call without the key (its path parameters made up) with 401 api_key_invalid.
    for path, method in secret:
        url = "/".join("x" if part.startswith("{") else part for part in path.split("/"))
        response = client.open(url, method=method.upper())
        assert response.status_code == 401, (path, method)
        assert response.get_json()["error"]["code"] == "api_key_invalid", (path, method)
    assert len(secret) >= 30
    assert sorted(path for path, _ in public) == [
        "/api/v1/widget/bootstrap", "/api/v1/widget/events", "/api/v1/widget/help",
        "/api/v1/widget/help/{key}"]
    assert document["paths"]["/api/v1/widget/help"]["get"]["security"] == [{"socketToken": []}]
