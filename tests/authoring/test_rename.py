"""Renaming a step id moves users' progress with it, in the same transaction."""

from __future__ import annotations

import copy

import pytest

from guide.errors import InvalidPayload
from guide.models import AccountStepCompletion, AuditEntry, EndUser, Guide, Progress
from guide.services import versions
from guide.services.rename import rename_step
from tests import factories


@pytest.fixture
def guide(db, workspace):
    return db.session.scalar(db.select(Guide).where(Guide.key == "getting-started"))


@pytest.fixture
def progress(db, client, workspace, guide):
    """ada is on invite-teammate with welcome done; acme did invite-teammate (account scope)."""
    factories.bootstrap(client, workspace, "ada", account={"id": "acme", "traits": {}})
    ada = db.session.scalar(db.select(EndUser).where(EndUser.external_id == "ada"))
    row = Progress(workspace_id=workspace.id, user_id=ada.id, guide_id=guide.id, state="active",
                   current_step="invite-teammate", completed_steps=["welcome", "connect-data"])
    done = AccountStepCompletion(account_id=ada.account_id, guide_id=guide.id,
                                 step_id="invite-teammate", user_id=ada.id)
    db.session.add_all([row, done])
    db.session.commit()
    return row, done


def test_rename_republishes_and_migrates_progress(db, client, workspace, guide, progress,
                                                  authors):
    live_before = guide.published_version.number
    added = rename_step(workspace, authors["publisher"], guide, "invite-teammate", "invite-team")
    assert [(v.number, v.state) for v in added] == [(live_before + 1, "published")]
    assert "invite-team" in guide.published_version.step_ids
    assert "invite-teammate" not in guide.published_version.step_ids
    row, done = progress
    db.session.refresh(row)
    db.session.refresh(done)
    assert row.current_step == "invite-team" and row.completed_steps == ["welcome", "connect-data"]
    assert done.step_id == "invite-team"
    shown = factories.bootstrap(client, workspace, "ada").get_json()["progress"]["getting-started"]
    assert "invite-team" in shown["completed"]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "guide.rename_step"))
    assert entry.details == {"old": "invite-teammate", "new": "invite-team",
                             "versions": [live_before + 1], "progress_rows": 2}


def test_rename_keeps_unpublished_changes_as_a_draft_on_top(db, workspace, guide, authors):
    body = copy.deepcopy(guide.published_version.body)
    body["steps"][0]["title"] = "Unpublished title"
    versions.save_draft(workspace, authors["author"], guide, body)
    added = rename_step(workspace, authors["publisher"], guide, "welcome", "hello")
    assert [v.state for v in added] == ["published", "draft"]
    live, draft = added
    assert live.step("hello")["title"] != "Unpublished title"
    assert draft.step("hello")["title"] == "Unpublished title"
    assert versions.latest_version(guide).id == draft.id


def test_a_step_only_in_the_draft_is_renamed_in_the_draft_only(db, workspace, guide, authors):
    body = copy.deepcopy(guide.published_version.body)
    body["steps"].append({"id": "extra", "title": "Extra"})
    versions.save_draft(workspace, authors["author"], guide, body)
    added = rename_step(workspace, authors["publisher"], guide, "extra", "bonus")
    assert [v.state for v in added] == ["draft"]
    assert added[0].step_ids[-1] == "bonus"


@pytest.mark.parametrize("new, message", [("welcome", "already exists"), ("Not A Slug", "slug")])
def test_a_bad_new_id_changes_nothing(db, workspace, guide, authors, new, message):
    before = versions.latest_version(guide).number
    with pytest.raises(InvalidPayload) as error:
        rename_step(workspace, authors["publisher"], guide, "connect-data", new)
    assert message in str(error.value.fields) + error.value.message
    assert versions.latest_version(guide).number == before


def test_renaming_a_missing_step_is_refused(workspace, guide, authors):
    with pytest.raises(InvalidPayload):
        rename_step(workspace, authors["publisher"], guide, "nope", "other")
