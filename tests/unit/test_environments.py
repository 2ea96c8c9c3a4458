"""Environments (services.environments) and promote (services.promote): docs/ENVIRONMENTS.md."""

from __future__ import annotations

from typing import Any

import pytest

from guide.errors import Conflict, InvalidPayload, NotFound
from guide.models import AuditEntry, Guide
from guide.services import authors, environments, promote
from tests import factories


@pytest.fixture
def prod(app: Any) -> Any:
    ws = factories.make_workspace("acme", allowed_origins=["https://app.example.com"],
                                  timezone="Europe/Paris")
    factories.publish(ws, factories.checklist_body("onboarding"))
    return ws


@pytest.fixture
def staging(prod: Any) -> Any:
    return environments.create("test", prod, {"name": "staging",
                                              "allowed_origins": ["https://staging.example.com"]})


def published_body(ws: Any, key: str) -> dict[str, Any] | None:
    guide = factories.db.session.scalar(factories.db.select(Guide).where(
        Guide.workspace_id == ws.id, Guide.key == key))
    return guide.published_version.body if guide and guide.published_version else None


def test_an_environment_has_its_own_key_origins_and_secret(prod: Any, staging: Any) -> None:
    assert staging.key == "acme-staging"
    assert staging.environment == "staging" and staging.production_id == prod.id
    assert staging.allowed_origins == ["https://staging.example.com"]
    assert staging.signing_secrets and staging.signing_secrets[0] != prod.signing_secrets[0]
    assert staging.timezone == "Europe/Paris"  # settings copied from production
    assert [env.environment for env in environments.of(staging)] == ["production", "staging"]


def test_creating_an_environment_is_audited_in_both_workspaces(prod: Any, staging: Any) -> None:
    entries = factories.db.session.scalars(factories.db.select(AuditEntry).where(
        AuditEntry.action == "environment.create")).all()
    assert {entry.workspace_id for entry in entries} == {prod.id, staging.id}
    assert all(entry.details["app_key"] == "acme-staging" for entry in entries)


@pytest.mark.parametrize("name", ["production", "Staging", "", "a b", "x" * 40])
def test_a_bad_environment_name_is_refused(prod: Any, name: str) -> None:
    with pytest.raises(InvalidPayload):
        environments.create("test", prod, {"name": name})


def test_an_environment_exists_once_and_has_none_of_its_own(prod: Any, staging: Any) -> None:
    with pytest.raises(Conflict):
        environments.create("test", prod, {"name": "staging"})
    with pytest.raises(InvalidPayload):
        environments.create("test", staging, {"name": "qa"})


def test_members_of_production_have_the_same_role_in_its_environments(
        prod: Any, staging: Any) -> None:
    author = authors.create_author("ana@example.com", "long enough password")
    authors.set_role("test", prod, author, "publisher")
    assert authors.role_of(author, staging) == "publisher"
    assert (staging, "publisher") in authors.workspaces_of(author)
    assert [a.email for a, _ in authors.members(staging)] == ["ana@example.com"]
    authors.set_role("test", staging, author, "author")  # from the environment's members page
    assert authors.role_of(author, prod) == "author"
    entry = factories.db.session.scalars(factories.db.select(AuditEntry).where(
        AuditEntry.action == "role.set").order_by(AuditEntry.id.desc())).first()
    assert entry.workspace_id == prod.id


def test_a_member_of_another_workspace_has_no_role_in_the_environment(staging: Any) -> None:
    other = factories.make_workspace("other")
    author = authors.create_author("eve@example.com", "long enough password")
    authors.set_role("test", other, author, "admin")
    assert authors.role_of(author, staging) is None


def test_the_plan_shows_added_changed_and_only_in_target_guides(prod: Any, staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding", title="New title"))
    factories.publish(staging, factories.checklist_body("tips"))
    factories.publish(prod, factories.checklist_body("legacy"))
    planned = promote.plan(staging, prod)
    assert [(c.key, c.status) for c in planned.changes] == [
        ("onboarding", "changed"), ("tips", "added"), ("legacy", "only in target")]
    diff = "\n".join(planned.lines())
    assert "-title:" in diff and "+title: New title" in diff


def test_promote_publishes_the_staging_body_and_audits_it(prod: Any, staging: Any) -> None:
    body = factories.checklist_body("onboarding", title="New title")
    source = factories.publish(staging, body)
    done = promote.promote("ana@example.com", staging, prod)
    assert [c.key for c in done.to_apply] == ["onboarding"]
    assert published_body(prod, "onboarding") == body
    entry = factories.db.session.scalar(factories.db.select(AuditEntry).where(
        AuditEntry.action == "guide.promote"))
    assert entry.workspace_id == prod.id and entry.target == "onboarding"
    assert entry.details == {"version": 2, "environment": "staging",
                             "source_version": source.number}
    assert promote.plan(staging, prod).to_apply == []  # promoting again changes nothing


def test_promote_only_the_named_guides(prod: Any, staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding", title="New"))
    factories.publish(staging, factories.checklist_body("tips"))
    promote.promote("test", staging, prod, ["tips"])
    assert published_body(prod, "tips") is not None
    assert published_body(prod, "onboarding")["title"] != "New"
    with pytest.raises(NotFound):
        promote.plan(staging, prod, ["nope"])


def test_a_stale_plan_is_refused_and_changes_nothing(prod: Any, staging: Any) -> None:
    factories.publish(staging, factories.checklist_body("onboarding", title="Reviewed"))
    seen = promote.plan(staging, prod).fingerprint
    factories.publish(staging, factories.checklist_body("onboarding", title="Not reviewed"))
    with pytest.raises(Conflict):
        promote.promote("test", staging, prod, expected=seen)
    assert published_body(prod, "onboarding")["title"] != "Not reviewed"


def test_promote_only_between_environments_of_one_workspace(prod: Any, staging: Any) -> None:
    other = factories.make_workspace("other")
    with pytest.raises(InvalidPayload):
        promote.plan(staging, other)
    with pytest.raises(InvalidPayload):
        promote.plan(staging, staging)


def test_an_environments_origins_change_normalized_and_audited(prod: Any, staging: Any) -> None:
    assert environments.set_origins("ana", staging, ["HTTPS://Staging.example.com/",
                                                     "http://127.0.0.1:8080"]) is True
    assert staging.allowed_origins == ["https://staging.example.com", "http://127.0.0.1:8080"]
    assert environments.set_origins("ana", staging, ["http://127.0.0.1:8080/",
                                                     "https://staging.example.com"]) is True
    assert environments.set_origins("ana", staging, ["http://127.0.0.1:8080",
                                                     "https://staging.example.com"]) is False
    [first, second] = factories.db.session.scalars(factories.db.select(AuditEntry).where(
        AuditEntry.action == "settings.update", AuditEntry.workspace_id == staging.id)
        .order_by(AuditEntry.id)).all()
    assert (first.target, first.actor, first.details) == ("allowed_origins", "ana", {
        "previous": ["https://staging.example.com"],
        "value": ["https://staging.example.com", "http://127.0.0.1:8080"]})
    assert second.details["value"] == ["http://127.0.0.1:8080", "https://staging.example.com"]
    assert environments.set_origins("ana", staging, []) is True
    assert staging.allowed_origins == []


def test_bad_origins_and_production_are_refused_and_nothing_changes(prod: Any,
                                                                     staging: Any) -> None:
    with pytest.raises(InvalidPayload) as refused:
        environments.set_origins("ana", staging, ["https://ok.example", "staging.example.com"])
    assert refused.value.fields == {"allowed_origins": [
        '"staging.example.com" is not an origin; write scheme://host[:port].']}
    with pytest.raises(InvalidPayload) as production:
        environments.set_origins("ana", prod, ["https://other.example"])
    assert "workspace.yaml" in production.value.message
    factories.db.session.expire_all()
    assert staging.allowed_origins == ["https://staging.example.com"]
    assert prod.allowed_origins == ["https://app.example.com"]
