"""Drafts, publishing, rollback and diffs: the service layer the admin views call."""

from __future__ import annotations

import copy

import pytest

from guide.errors import Conflict, InvalidPayload
from guide.models import AuditEntry, Guide
from guide.services import versions
from guide.services.diff import diff_versions, unified_text
from tests import factories


@pytest.fixture
def author(authors):
    return authors["publisher"]


@pytest.fixture
def guide(db, workspace):
    return db.session.scalar(db.select(Guide).where(Guide.key == "getting-started"))


def edited(guide, title="Say hi"):
    body = copy.deepcopy(versions.latest_version(guide).body)
    body["steps"][0]["title"] = {"en": title, "fr": "Bonjour"}
    return body


def audit_actions(db):
    """The admin's guide entries (not those of the workspace fixture's content push)."""
    return [(e.action, e.target, e.actor) for e in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action.like("guide.%")).order_by(AuditEntry.id))
        if e.details.get("source") != "content push"]


def test_a_save_is_a_new_draft_and_what_users_see_does_not_change(db, workspace, guide, author):
    live = guide.published_version
    version, created = versions.save_draft(workspace, author, guide, edited(guide))
    assert created and version.state == "draft" and version.number == live.number + 1
    assert version.author == "publisher@example.com"
    assert guide.published_version_id == live.id
    # Stored exactly as content push stores bodies: the schema's defaults filled in.
    assert version.body["steps"][0]["complete_when"] == {"manual": True}
    again, created = versions.save_draft(workspace, author, guide, edited(guide))
    assert (again.id, created) == (version.id, False)
    assert audit_actions(db) == [("guide.save", "getting-started", "publisher@example.com")]


def test_a_save_from_a_stale_editor_is_refused(workspace, guide, author, authors):
    base = versions.latest_version(guide).number
    versions.save_draft(workspace, authors["author"], guide, edited(guide, "First"), base=base)
    with pytest.raises(Conflict) as error:
        versions.save_draft(workspace, author, guide, edited(guide, "Second"), base=base)
    assert "author@example.com saved version" in error.value.message


def test_invalid_content_is_refused_with_field_messages(workspace, guide, author):
    body = edited(guide)
    body["steps"][1]["action"]["url"] = "javascript:alert(1)"
    with pytest.raises(InvalidPayload) as error:
        versions.save_draft(workspace, author, guide, body)
    assert "url" in error.value.fields["steps"][1]["action"]


def test_publish_archives_the_previous_version_and_tells_widgets(
        app, client, db, workspace, guide, author, socket_client):
    widget = socket_client(factories.socket_token(client, workspace, "ada"))
    widget.get_received("/widget")
    old = guide.published_version
    draft, _ = versions.save_draft(workspace, author, guide, edited(guide))
    assert not [m for m in widget.get_received("/widget") if m["name"] == "guides:changed"]
    versions.publish(workspace, author, guide, draft.number)
    assert (draft.state, old.state, guide.published_version_id) == ("published", "archived",
                                                                     draft.id)
    assert [m["name"] for m in widget.get_received("/widget")] == ["guides:changed"]
    response = factories.bootstrap(client, workspace, "ada")
    titles = {g["key"]: g["steps"][0]["title"] for g in response.get_json()["guides"]}
    assert titles["getting-started"] == "Say hi"


def test_only_the_latest_draft_can_be_published(workspace, guide, author):
    first, _ = versions.save_draft(workspace, author, guide, edited(guide, "One"))
    versions.save_draft(workspace, author, guide, edited(guide, "Two"))
    with pytest.raises(Conflict):
        versions.publish(workspace, author, guide, first.number)
    with pytest.raises(Conflict):
        versions.publish(workspace, author, guide, guide.published_version.number)


def test_rollback_republishes_an_old_body_as_a_new_version(db, workspace, guide, author):
    original = guide.published_version
    draft, _ = versions.save_draft(workspace, author, guide, edited(guide))
    versions.publish(workspace, author, guide, draft.number)
    restored = versions.rollback(workspace, author, guide, original.number)
    assert restored.number == draft.number + 1
    assert restored.body == original.body and restored.checksum == original.checksum
    assert guide.published_version_id == restored.id and draft.state == "archived"
    with pytest.raises(Conflict):
        versions.rollback(workspace, author, guide, restored.number)
    assert [a for a, _, _ in audit_actions(db)] == ["guide.save", "guide.publish",
                                                     "guide.rollback"]


def test_the_diff_shows_the_changed_lines_in_yaml(workspace, guide, author):
    old = guide.published_version
    new, _ = versions.save_draft(workspace, author, guide, edited(guide))
    text = unified_text(diff_versions(old, new))
    assert "-    en: Say hello" in text and "+    en: Say hi" in text
    assert "-    fr: Faites connaissance" in text and "+    fr: Bonjour" in text
    assert diff_versions(old, old) == []


def test_the_status_list_says_what_is_live_and_what_is_not(workspace, guide, author):
    versions.save_draft(workspace, author, guide, edited(guide))
    statuses = {s.guide.key: s for s in versions.statuses(workspace)}
    assert statuses["getting-started"].unpublished
    assert statuses["getting-started"].edited_by == "publisher@example.com"
    assert not statuses["dashboard-tour"].unpublished
    assert statuses["dashboard-tour"].published == statuses["dashboard-tour"].latest.number


def test_create_guide_refuses_a_taken_key(workspace, author):
    doc = {"key": "getting-started", "kind": "checklist", "title": "X",
           "steps": [{"id": "a", "title": "A"}]}
    with pytest.raises(InvalidPayload) as error:
        versions.create_guide(workspace, author, doc)
    assert "already exists" in error.value.fields["key"][0]
    doc["key"] = "brand-new"
    assert versions.create_guide(workspace, author, doc).state == "draft"
