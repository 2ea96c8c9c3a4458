"""Surveys and messages: the rules that decide what bootstrap shows (preview, a survey's
frequency, an announcement's dates), a survey_answered trigger on a choice, and the
hotspot events the results count (docs/SURVEYS.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from guide.extensions import db
from guide.models import Escalation, Event, Progress
from guide.services import authors, versions
from guide.services.preview import issue_preview_token
from guide.usecases import bootstrap
from tests.api.test_surveys import answer, boot, second_visit, send, track
from tests.survey_content import push_demo


@pytest.fixture
def demo(app, tmp_path: Path):
    return push_demo(app, tmp_path)


def preview_token(workspace: Any, key: str, version: Any = None) -> str:
    """A preview of ``version`` (default: ``key``'s published one) by an author of the
    workspace."""
    author = authors.find_author("ana@example.com")
    if author is None:
        author = authors.create_author("ana@example.com", "long enough password")
        authors.set_role("test", workspace, author, "author")
    token = issue_preview_token(author, workspace,
                                version or versions.get_guide(workspace, key).published_version)
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
    beacon = boot(client, demo, preview=preview_token(demo, "export-button"))
    [hotspot] = beacon["hotspots"]
    assert (hotspot["state"], hotspot["steps"][0]["seen"]) == ("not_started", False)
    assert beacon["announcements"] == []


def test_a_previewed_announcement_shows_outside_its_dates(client, demo):
    guide = versions.get_guide(demo, "new-reports")
    body = {**guide.published_version.body, "ends_at": "2026-02-01T00:00:00+00:00"}
    preview_token(demo, "new-reports")  # the author
    draft, _ = versions.save_draft(demo, authors.find_author("ana@example.com"), guide, body)
    data = boot(client, demo, preview=preview_token(demo, "new-reports", draft))
    assert [a["ends_at"] for a in data["announcements"]] == ["2026-02-01T00:00:00+00:00"]
    assert boot(client, demo)["announcements"][0]["ends_at"] == "2099-01-01T00:00:00+00:00"


def test_hotspot_seen_is_counted_and_moves_no_progress(client, demo):
    """$hotspot_seen (docs/SURVEYS.md, section 3): the results' seen, analytics only."""
    socket = boot(client, demo)["socket"]["token"]
    for _ in range(2):  # two page views
        assert track(client, socket, "$hotspot_seen", hotspot="export-button", step="export")["ok"]
    [hotspot] = boot(client, demo)["hotspots"]
    assert (hotspot["state"], hotspot["steps"][0]["seen"]) == ("not_started", False)
    assert db.session.scalars(db.select(Progress)).all() == []
    report = results(client, demo, "messages/export-button")
    assert (report["seen"], report["clicked"], report["dismissed"]) == (1, 0, 0)
    assert report["steps"] == [{"id": "export", "seen": 1, "clicked": 0}]


def test_a_hotspot_target_missing_is_recorded_and_reported(client, demo):
    """The beacon's element never appeared: the widget's $target_missing (docs/PROTOCOL.md)
    is accepted and listed by the guides' health report, as a tour step's is."""
    socket = boot(client, demo)["socket"]["token"]
    result = send(client, socket, "event:track", name="$target_missing", url="/demo/reports",
                  props={"guide": "export-button", "step": "export", "selector": "#export"})
    assert result["ok"], result
    assert db.session.scalars(db.select(Event.name).where(
        Event.name == "$target_missing")).all() == ["$target_missing"]
    key = demo.create_api_key()
    db.session.commit()
    health = client.get("/api/v1/guides/health", headers={"Authorization": f"Bearer {key}"})
    [row] = health.get_json()["missing_targets"]
    assert row | {"last_seen": None} == {
        "guide": "export-button", "step": "export", "selector": "#export", "count": 1,
        "users": 1, "last_seen": None, "current_selector": "#export",
        "in_published_version": True, "pages": ["/demo/reports"]}


def results(client, workspace, path: str, **query: str) -> dict[str, Any]:
    key = workspace.create_api_key()
    db.session.commit()
    response = client.get(f"/api/v1/analytics/{path}", query_string=query,
                          headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_every_days_survey_comes_back_after_n_days_and_stops_at_max(client, demo):
    """nps: frequency {every_days: 90, max: 2}, show_when {visit: 2}: due again 90 days
    after it was last shown (answered or not), and never after its second showing."""
    socket = boot(client, demo)["socket"]["token"]
    second_visit()
    assert due(boot(client, demo))[0] == ("nps", True)
    assert track(client, socket, "$survey_shown", survey="nps")["ok"]
    assert answer(client, socket, answers={"score": 8})["ok"]
    row = db.session.scalars(db.select(Progress).where(Progress.shown_count == 1)).one()
    row.last_shown_at -= timedelta(days=89)
    db.session.commit()
    assert due(boot(client, demo))[0] == ("nps", False)  # 89 days: not yet
    row.last_shown_at -= timedelta(days=1)
    db.session.commit()
    assert due(boot(client, demo))[0] == ("nps", True)  # 90 days: asked again
    assert track(client, socket, "$survey_shown", survey="nps")["ok"]
    db.session.refresh(row)
    assert row.shown_count == 2
    row.last_shown_at -= timedelta(days=365)
    db.session.commit()
    assert due(boot(client, demo))[0] == ("nps", False)  # shown twice: max 2


@pytest.mark.parametrize(("now", "listed"), [
    (datetime(2025, 12, 31, 23, 59, tzinfo=UTC), False),  # before starts_at
    (datetime(2026, 1, 1, tzinfo=UTC), True),  # from starts_at
    (datetime(2098, 12, 31, 23, 59, tzinfo=UTC), True),
    (datetime(2099, 1, 1, tzinfo=UTC), False),  # from ends_at: over
])
def test_an_announcement_is_listed_from_starts_at_until_ends_at(client, demo, monkeypatch,
                                                                now, listed):
    """new-reports: starts_at 2026-01-01T00:00Z, ends_at 2099-01-01T00:00Z."""
    monkeypatch.setattr(bootstrap, "utcnow", lambda: now)
    data = boot(client, demo)
    assert [a["key"] for a in data["announcements"]] == (["new-reports"] if listed else [])
    assert data["announcements_unread"] == int(listed)


CHOICE_SCENARIOS = """
  - key: dashboards-fans
    trigger: {survey_answered: pulse, question: used-most, choice: dashboards}
    actions:
      - task: {message: Loves dashboards}
  - key: wants-sso
    trigger: {survey_answered: pulse, choice: sso}
    actions:
      - task: {message: Wants SSO}
"""


@pytest.mark.parametrize(("answers", "fired"), [
    ({"csat": 4, "used-most": "dashboards"}, ["dashboards-fans"]),
    ({"csat": 4, "used-most": "reports", "wishes": ["api", "sso"]}, ["wants-sso"]),
    ({"csat": 4, "used-most": "dashboards", "wishes": ["sso"]}, ["dashboards-fans", "wants-sso"]),
    ({"csat": 4, "used-most": "reports", "wishes": ["api"]}, []),
])
def test_a_survey_answered_trigger_on_a_choice(app, client, tmp_path, answers, fired):
    """`choice: C` fires for a single or multiple answer holding C, of `question` when
    it names one (docs/SURVEYS.md, section 4)."""
    workspace = push_demo(app, tmp_path, CHOICE_SCENARIOS)
    socket = boot(client, workspace)["socket"]["token"]
    assert answer(client, socket, survey="pulse", answers=answers)["ok"]
    tasks = db.session.scalars(db.select(Escalation).order_by(Escalation.scenario_key)).all()
    assert [t.scenario_key for t in tasks] == fired
    for task in tasks:
        assert task.context["scenario"]["details"]["answers"] == answers
