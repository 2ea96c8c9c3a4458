"""Widget help: suggestions for the user's page/guide/step, search, one article, auth."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.fixture
def auth(client, workspace) -> dict[str, str]:
    token = factories.socket_token(client, workspace, "ada")
    return {"Authorization": f"Bearer {token}"}


def keys(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [a["key"] for a in response.get_json()["articles"]]


def test_without_a_query_articles_for_the_current_step_come_first(client, auth):
    response = client.get("/api/v1/widget/help?guide=getting-started&step=invite-teammate"
                          "&url=/demo/settings", headers=auth)
    articles = response.get_json()["articles"]
    assert articles[0]["key"] == "invite-teammates"
    # The other settings-page article fits the page and guide too, but not the step.
    assert articles[1]["key"] == "time-zone-and-currency"
    assert [a["suggested"] for a in articles] == [True] * 4  # all belong to getting-started
    assert set(articles[0]) == {"key", "title", "excerpt", "tags", "suggested"}


def test_without_any_context_every_article_is_listed_by_title(client, auth):
    response = client.get("/api/v1/widget/help", headers=auth)
    articles = response.get_json()["articles"]
    assert [a["title"] for a in articles] == sorted(a["title"] for a in articles)
    assert not any(a["suggested"] for a in articles)


def test_page_patterns_pick_articles_for_the_page(client, auth):
    response = client.get("/api/v1/widget/help?url=/demo/integrations", headers=auth)
    first = response.get_json()["articles"][0]
    assert first["key"] == "connect-data-sources" and first["suggested"] is True


@pytest.mark.parametrize("query, expected", [
    ("postgresql", "connect-data-sources"),        # a tag and the body
    ("dashboard", "create-a-dashboard"),           # the title beats mentions in bodies
    ("invit", "invite-teammates"),                 # the last word is a prefix as the user types
    ("time zone", "time-zone-and-currency"),
    ("CURRENCY", "time-zone-and-currency"),        # case does not matter
])
def test_search_finds_the_best_article_first(client, auth, query, expected):
    assert keys(client.get(f"/api/v1/widget/help?q={query}", headers=auth))[0] == expected


def test_search_with_no_match_is_empty_and_odd_input_is_harmless(client, auth):
    assert keys(client.get("/api/v1/widget/help?q=zzzqqq", headers=auth)) == []
    for odd in ['"unbalanced', "NEAR(a b)", "a OR", "*", "col:umn", "'; drop table x; --"]:
        response = client.get("/api/v1/widget/help", query_string={"q": odd}, headers=auth)
        assert response.status_code == 200, (odd, response.get_json())


def test_search_results_carry_an_excerpt_around_the_match(client, auth):
    response = client.get("/api/v1/widget/help?q=midnight", headers=auth)
    article = response.get_json()["articles"][0]
    assert article["key"] == "time-zone-and-currency"
    assert "midnight" in article["excerpt"] and "<" not in article["excerpt"]


def test_titles_follow_the_users_locale(client, workspace):
    token = factories.socket_token(client, workspace, "amelie", locale="fr-FR")
    response = client.get("/api/v1/widget/help?q=equipe invit",
                          headers={"Authorization": f"Bearer {token}"})
    titles = {a["key"]: a["title"] for a in response.get_json()["articles"]}
    assert titles["invite-teammates"] == "Inviter vos collègues"


def test_one_article_is_rendered_and_sanitized(client, auth):
    response = client.get("/api/v1/widget/help/connect-data-sources", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Connect a data source"
    assert "<strong>PostgreSQL</strong>" in body["body_html"]
    assert "<h4>It does not connect</h4>" in body["body_html"]  # ## is demoted


def test_an_unknown_article_is_a_404_with_its_code(client, auth):
    response = client.get("/api/v1/widget/help/nope", headers=auth)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_article"


@pytest.mark.parametrize("headers, code", [
    ({}, "socket_token_missing"),
    ({"Authorization": "Bearer forged"}, "socket_token_invalid"),
])
def test_help_needs_a_socket_token(client, workspace, headers, code):
    response = client.get("/api/v1/widget/help", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code


def test_other_workspaces_articles_are_not_found(client, auth, open_workspace):
    token = factories.socket_token(client, open_workspace, "bob")
    response = client.get("/api/v1/widget/help?q=postgresql",
                          headers={"Authorization": f"Bearer {token}"})
    assert keys(response) == []


def test_preflight_allows_get_with_authorization_for_any_origin(client, app):
    factories.make_workspace(allowed_origins=["https://app.acme.com"])
    response = client.options("/api/v1/widget/help", headers={
        "Origin": "https://app.acme.com", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    # The real GET is checked against the token's workspace (403 origin_not_allowed).
    other = client.options("/api/v1/widget/help", headers={"Origin": "https://evil.example"})
    assert other.status_code == 204
