"""The widget's app key decides the environment: staging content, progress and origins are
staging's, production's stay as they were (docs/ENVIRONMENTS.md)."""

from __future__ import annotations

import uuid
from typing import Any

from guide.extensions import db
from guide.models import EndUser, Event, Progress
from guide.services import environments
from tests import factories


def setup(app: Any) -> tuple[Any, Any]:
    prod = factories.make_workspace("acme", require_identity=False,
                                    allowed_origins=["https://app.example"])
    factories.publish(prod, factories.checklist_body("onboarding", title="Live"))
    staging = environments.create("test", prod, {
        "name": "staging", "allowed_origins": ["https://staging.example"]})
    factories.publish(staging, factories.checklist_body("onboarding", title="Staged"))
    return prod, staging


def titles(client: Any, ws: Any, origin: str) -> list[str]:
    response = factories.bootstrap(client, ws, "ada", token=None, origin=origin)
    assert response.status_code == 200, response.get_json()
    return [guide["title"] for guide in response.get_json()["guides"]]


def test_the_staging_app_key_gets_staging_content(app: Any, client: Any) -> None:
    prod, staging = setup(app)
    assert titles(client, staging, "https://staging.example") == ["Staged"]
    assert titles(client, prod, "https://app.example") == ["Live"]


def test_each_environment_allows_only_its_own_origins(app: Any, client: Any) -> None:
    prod, staging = setup(app)
    refused = factories.bootstrap(client, staging, "ada", token=None, origin="https://app.example")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "origin_not_allowed"


def test_staging_signs_identity_with_its_own_secret(app: Any, client: Any) -> None:
    prod, staging = setup(app)
    staging.require_identity = True
    db.session.commit()
    forged = factories.sign(staging, "ada", secret=prod.signing_secrets[0])
    assert factories.bootstrap(client, staging, "ada", token=forged,
                               origin="https://staging.example").status_code == 401
    assert factories.bootstrap(client, staging, "ada",
                               origin="https://staging.example").status_code == 200


def test_progress_and_events_on_staging_leave_production_unchanged(app: Any, client: Any) -> None:
    prod, staging = setup(app)
    titles(client, prod, "https://app.example")  # ada exists in production too
    response = factories.bootstrap(client, staging, "ada", token=None,
                                   origin="https://staging.example")
    token = response.get_json()["socket"]["token"]
    done = {"id": str(uuid.uuid4()), "guide": "onboarding", "step": "hello"}
    result = client.post("/api/v1/widget/events", headers={
        "Authorization": f"Bearer {token}", "Origin": "https://staging.example"},
        json={"envelopes": [{"type": "step:complete", "data": done}]})
    assert result.status_code == 200 and result.get_json()["results"][0]["ok"]
    users = {user.workspace_id: user for user in db.session.scalars(db.select(EndUser))}
    assert set(users) == {prod.id, staging.id}
    staged = db.session.scalars(db.select(Progress).where(
        Progress.user_id == users[staging.id].id)).one()
    assert "hello" in staged.completed_steps
    assert db.session.scalars(db.select(Progress).where(
        Progress.user_id == users[prod.id].id)).all() == []
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(
        Event.workspace_id == prod.id, Event.type != "offer")) == 0
    again = factories.bootstrap(client, prod, "ada", token=None, origin="https://app.example")
    assert again.get_json()["progress"] == {}


def test_preview_on_staging_works_for_a_production_member(app: Any, client: Any) -> None:
    from guide.services import authors, versions
    from guide.services.preview import issue_preview_token

    prod, staging = setup(app)
    author = authors.create_author("ana@example.com", "long enough password")
    authors.set_role("test", prod, author, "author")  # a role on production only
    guide = versions.get_guide(staging, "onboarding")
    draft, _ = versions.save_draft(staging, author, guide,
                                   factories.checklist_body("onboarding", title="Draft"))
    token = issue_preview_token(author, staging, draft)
    data = factories.bootstrap(client, staging, "ana", token=None,
                               origin="https://staging.example", preview=token).get_json()
    assert data["preview"]["ok"] is True
    assert [g["title"] for g in data["guides"]] == ["Draft"]
    elsewhere = factories.bootstrap(client, prod, "ana", token=None,
                                    origin="https://app.example", preview=token).get_json()
    assert elsewhere["preview"]["ok"] is False  # a staging preview token is staging's only
