"""Hostile input gets a 4xx in the one error shape, never a 500, and writes nothing.

The start of issue 12's security suite: JSON nested past any sane depth, integers
of thousands of digits, lone surrogates and NUL characters, values longer than
their columns, on every entry point that takes a body.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from guide.extensions import db
from guide.models import EndUser, Event
from tests import factories
from tests.api.test_backend_api import new_key


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


def raw(client: Any, path: str, text: str, **headers: str) -> Any:
    return client.post(path, data=text, content_type="application/json", headers=headers)


def deep_json(depth: int) -> str:
    """Nesting built as text: json.dumps itself would hit the recursion limit first."""
    return '{"a":[' * depth + '"deep"' + "]}" * depth


def assert_refused(response: Any) -> None:
    assert response.status_code in (400, 413, 422), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.get_json()["error"]["code"] in ("invalid_payload", "payload_too_large"), response.get_json()


@pytest.mark.parametrize("depth", [100, 5_000])
def test_deeply_nested_traits_on_bootstrap_are_refused(client, open_workspace, depth):
    body = ('{"app": "open", "user": {"id": "u1", "traits": {"x": ' + deep_json(depth) + "}}}")
    assert_refused(raw(client, "/api/v1/widget/bootstrap", body))
    assert db.session.scalar(db.select(db.func.count(EndUser.id))) == 0


@pytest.mark.parametrize("depth", [100, 5_000])
def test_deeply_nested_props_in_a_batch_are_refused(client, open_workspace, depth):
    token = factories.socket_token(client, open_workspace)
    envelope = ('{"type": "event:track", "data": {"id": "' + str(uuid.uuid4())
                + '", "name": "x", "props": {"p": ' + deep_json(depth) + "}}}")
    response = raw(client, "/api/v1/widget/events", '{"envelopes": [' + envelope + "]}",
                   Authorization=f"Bearer {token}")
    if response.status_code == 200:  # refused per envelope, definitively
        [result] = response.get_json()["results"]
        assert result["ok"] is False and result["error"]["code"] == "invalid_payload", result
    else:
        assert_refused(response)
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.name == "x")) == 0


@pytest.mark.parametrize("depth", [100, 5_000])
def test_deeply_nested_props_on_backend_track_are_refused(client, workspace, depth):
    body = '{"userId": "u1", "event": "x", "properties": {"p": ' + deep_json(depth) + "}}"
    assert_refused(raw(client, "/api/v1/track", body, Authorization=f"Bearer {new_key(workspace)}"))


def test_integers_of_thousands_of_digits_are_refused(client, open_workspace):
    body = '{"app": "open", "user": {"id": "u1", "traits": {"n": ' + "9" * 5_000 + "}}}"
    assert_refused(raw(client, "/api/v1/widget/bootstrap", body))


def test_lone_surrogates_and_nul_are_refused_before_anything_is_stored(client, open_workspace):
    for text in ('"\\ud800"', '"a\\udfffb"', '"nul\\u0000"'):
        body = '{"app": "open", "user": {"id": "u1", "traits": {"name": ' + text + "}}}"
        assert_refused(raw(client, "/api/v1/widget/bootstrap", body))
        body = '{"app": "open", "user": {"id": ' + text + "}}"
        assert_refused(raw(client, "/api/v1/widget/bootstrap", body))
    assert db.session.scalar(db.select(db.func.count(EndUser.id))) == 0
    # A real astral character (a surrogate pair in JSON) is fine.
    ok = raw(client, "/api/v1/widget/bootstrap", '{"app": "open", "user": {"id": "u1", "traits": {"name": "\\ud83d\\ude00"}}}')
    assert ok.status_code == 200


def test_integers_beyond_64_bits_are_refused(client, open_workspace):
    body = '{"app": "open", "user": {"id": "u1", "traits": {"n": ' + "9" * 40 + "}}}"
    assert_refused(raw(client, "/api/v1/widget/bootstrap", body))


def test_over_the_socket_hostile_envelopes_get_a_definitive_invalid_payload(client, open_workspace, socket_client):
    """Never internal_error, which the widget would retry forever."""
    from tests.realtime.test_widget_socket import ack as call

    sock = socket_client(factories.socket_token(client, open_workspace))
    for props in ({"p": nested(40)}, {"p": "\ud800"}, {"p": 10**30}):
        ack = call(sock, "event:track", {"id": str(uuid.uuid4()), "name": "x", "props": props})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload", ack
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.name == "x")) == 0


def test_a_locale_longer_than_its_column_is_refused_or_ignored(client, open_workspace):
    long_tag = "en" + "-abcdefgh" * 5  # 47 characters, each subtag valid
    body = '{"app": "open", "user": {"id": "u1"}, "locale": "' + long_tag + '"}'
    assert_refused(raw(client, "/api/v1/widget/bootstrap", body))
    # As the product's locale trait it is not a usable tag: the browser's language applies.
    body = ('{"app": "open", "user": {"id": "u1", "traits": {"locale": "' + long_tag + '"}}, "locale": "fr"}')
    response = raw(client, "/api/v1/widget/bootstrap", body)
    assert response.status_code == 200 and response.get_json()["user"]["locale"] == "fr"


def test_nul_in_a_path_or_query_is_refused(client, workspace):
    """PostgreSQL refuses NUL in text: it must never reach a query (it was a 500)."""
    auth = {"Authorization": f"Bearer {new_key(workspace)}"}
    for url in ("/api/v1/users/a%00b/lifecycle", "/api/v1/accounts/x%00/lifecycle"):
        assert_refused(client.get(url, headers=auth))
    assert_refused(client.get("/api/v1/guides/health?days=3%00", headers=auth))


def test_every_json_response_forbids_content_sniffing(client, open_workspace):
    for response in (client.get("/healthz"), client.get("/api/v1/openapi.json"),
                     client.post("/api/v1/widget/bootstrap", json={"app": "nope", "user": {"id": "u"}}),
                     client.get("/api/v1/nothing-here")):
        assert response.headers.get("X-Content-Type-Options") == "nosniff", response.request.path
