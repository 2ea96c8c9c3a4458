"""Surveys and messages: the rules that decide what bootstrap shows (preview, a survey's
frequency, an announcement's dates), a survey_answered trigger on a choice, and the
hotspot events the results count (docs/SURVEYS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guide.extensions import db
from guide.services import authors, versions
from guide.services.preview import issue_preview_token
from tests.api.test_surveys import answer, boot, second_visit, track
from tests.survey_content import push_demo


@pytest.fixture
def demo(app, tmp_path: Path):
    return push_demo(app, tmp_path)


def preview_token(workspace: Any, key: str) -> str:
    """A preview of ``key``'s published version, by an author of the workspace."""
    author = authors.create_author("ana@example.com", "long enough password")
    authors.set_role("test", workspace, author, "author")
    guide = versions.get_guide(workspace, key)
    token = issue_preview_token(author, workspace, guide.published_version)
    db.session.commit()
    return token


def due(data: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(s["key"], s["due"]) for s in data["surveys"]]


def test_a_previewed_survey_is_due_on_a_first_visit_and_after_an_answer(client, demo):
    token = preview_token(demo, "nps")
    # Ben's first visit: show_when {visit: 2} holds the survey back, but not in a preview,
    # where it is the one survey due (pulse would be otherwise).
    assert due(boot(client, demo, "ben")) == [("nps", False), ("pulse", True)]
    assert due(boot(client, demo, "ben", preview=token)) == [("nps", True), ("pulse", False)]
    # Grace answered it (and was shown it: the frequency and the cap hold both surveys).
    socket = boot(client, demo)["socket"]["token"]
    assert track(client, socket, "$survey_shown", survey="nps")["ok"]
    assert answer(client, socket, answers={"score": 9})["ok"]
    second_visit()
    assert due(boot(client, demo)) == [("nps", False), ("pulse", False)]
    previewed = boot(client, demo, preview=token)
    assert previewed["preview"]["ok"] is True
    assert due(previewed) == [("nps", True), ("pulse", False)]
    assert previewed["surveys"][0]["state"]["state"] == "not_started"


def test_a_previewed_announcement_or_hotspot_shows_though_seen_or_dismissed(client, demo):
    socket = boot(client, demo)["socket"]["token"]
    track(client, socket, "$announcement_seen", announcement="new-reports")
    track(client, socket, "$announcement_dismissed", announcement="new-reports")
    track(client, socket, "$hotspot_opened", hotspot="export-button", step="export")
    track(client, socket, "$hotspot_dismissed", hotspot="export-button")
    data = boot(client, demo)
    assert data["announcements"] == [] and data["hotspots"] == []
    banner = boot(client, demo, preview=preview_token(demo, "new-reports"))
    assert [(a["key"], a["unread"]) for a in banner["announcements"]] == [("new-reports", True)]
    assert banner["announcements_unread"] == 1 and banner["hotspots"] == []
    beacon = boot(client, demo, preview=preview_token_again(demo, "export-button"))
    [hotspot] = beacon["hotspots"]
    assert (hotspot["state"], hotspot["steps"][0]["seen"]) == ("not_started", False)
    assert beacon["announcements"] == []


def preview_token_again(workspace: Any, key: str) -> str:
    author = authors.find_author("ana@example.com")
    guide = versions.get_guide(workspace, key)
    return issue_preview_token(author, workspace, guide.published_version)


def test_a_previewed_announcement_shows_outside_its_dates(client, demo):
    guide = versions.get_guide(demo, "new-reports")
    body = {**guide.published_version.body, "ends_at": "2026-02-01T00:00:00+00:00"}
    author = authors.create_author("ana@example.com", "long enough password")
    authors.set_role("test", demo, author, "author")
    draft, _ = versions.save_draft(demo, author, guide, body)
    db.session.commit()
    assert boot(client, demo, preview=issue_preview_token(author, demo, draft))[
        "announcements"][0]["ends_at"] == "2026-02-01T00:00:00+00:00"
