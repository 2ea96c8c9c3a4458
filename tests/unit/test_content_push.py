"""`push` loads files into their workspace: versions, publishing, no-op re-pushes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from guide.content.push import ContentInvalid, push_content
from guide.models import Guide, GuideVersion, Workspace
from guide.models.base import body_checksum

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the repository's content/ that a test may edit."""
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def edit(content_dir: Path, name: str, old: str, new: str) -> None:
    path = content_dir / "guides" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def versions(db: Any, key: str) -> list[tuple[int, str]]:
    rows = db.session.execute(
        db.select(GuideVersion.number, GuideVersion.state)
        .join(Guide, GuideVersion.guide_id == Guide.id)
        .where(Guide.key == key)
        .order_by(GuideVersion.number)
    )
    return [tuple(row) for row in rows]


def guide(db: Any, key: str) -> Guide:
    return db.session.scalars(db.select(Guide).where(Guide.key == key)).one()


def test_push_creates_workspace_guides_and_published_versions(db: Any, content_dir: Path) -> None:
    report = push_content(content_dir, author="ci")
    assert report.workspace_status == "created"
    assert [(g.key, g.status, g.version, g.published) for g in report.guides] == [
        ("dashboard-tour", "created", 1, True),
        ("export-hotspot", "created", 1, True),
        ("getting-started", "created", 1, True),
        ("nps", "created", 1, True),
        ("onboarding-plan", "created", 1, True),
        ("pro-features", "created", 1, True),
        ("whats-new", "created", 1, True),
    ]
    ws = db.session.scalars(db.select(Workspace)).one()
    assert (ws.key, ws.name, ws.require_identity) == ("demo", "Acme Analytics (demo)", True)
    assert ws.theme["accent"] == "#4f46e5"
    assert len(ws.signing_secrets) == 1  # generated, never read from files
    started = guide(db, "getting-started")
    version = started.published_version
    assert version is not None and version.state == "published" and version.author == "ci"
    assert version.step_ids[:2] == ["welcome", "connect-data"]
    assert version.checksum == body_checksum(version.body)
    assert (started.kind, guide(db, "pro-features").priority) == ("checklist", 10)


def test_push_twice_is_a_no_op(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    secret = db.session.scalars(db.select(Workspace)).one().signing_secrets
    report = push_content(content_dir)
    assert not report.changed
    assert report.lines()[-1] == "unchanged"
    assert {g.status for g in report.guides} == {"unchanged"}
    assert versions(db, "getting-started") == [(1, "published")]
    assert db.session.scalars(db.select(Workspace)).one().signing_secrets == secret


def test_changed_content_makes_version_two_and_archives_one(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    edit(content_dir, "getting-started.yaml", "en: Say hello", "en: Say hi")
    edit(content_dir, "getting-started.yaml", "priority: 0", "priority: 3")
    report = push_content(content_dir)
    assert [g.describe() for g in report.guides] == [
        "dashboard-tour: unchanged",
        "export-hotspot: unchanged",
        "getting-started: new version 2 published",
        "nps: unchanged",
        "onboarding-plan: unchanged",
        "pro-features: unchanged",
        "whats-new: unchanged",
    ]
    assert versions(db, "getting-started") == [(1, "archived"), (2, "published")]
    started = guide(db, "getting-started")
    assert started.published_version is not None and started.published_version.number == 2
    assert started.priority == 3


def test_draft_leaves_the_published_version_alone(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    edit(content_dir, "getting-started.yaml", "en: Say hello", "en: Say hi")
    report = push_content(content_dir, publish=False)
    assert report.guides[2].describe() == "getting-started: new version 2 draft"
    assert not report.published
    assert versions(db, "getting-started") == [(1, "published"), (2, "draft")]
    assert guide(db, "getting-started").published_version.number == 1  # type: ignore[union-attr]
    # Pushing the same files without --draft publishes that draft, with no third version.
    report = push_content(content_dir)
    assert report.guides[2].describe() == "getting-started: version 2 published"
    assert versions(db, "getting-started") == [(1, "archived"), (2, "published")]


def test_draft_push_of_a_new_guide_publishes_nothing(db: Any, content_dir: Path) -> None:
    push_content(content_dir, publish=False)
    assert guide(db, "getting-started").published_version_id is None
    assert versions(db, "getting-started") == [(1, "draft")]


def test_workspace_settings_follow_the_file(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    path = content_dir / "workspace.yaml"
    path.write_text(
        path.read_text().replace("allowed_origins: []", "allowed_origins: [https://app.acme.io]")
    )
    report = push_content(content_dir)
    assert report.workspace_status == "updated"
    assert report.guides[0].status == "unchanged"
    assert db.session.scalars(db.select(Workspace)).one().allowed_origins == ["https://app.acme.io"]


def test_guides_only_in_the_database_are_left_alone(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    (content_dir / "guides" / "pro-features.yaml").unlink()
    report = push_content(content_dir)
    assert report.not_in_files == ["pro-features"]
    assert "pro-features: not in files (left alone)" in report.lines()
    assert guide(db, "pro-features").published_version_id is not None


def test_invalid_content_writes_nothing(db: Any, content_dir: Path) -> None:
    edit(content_dir, "pro-features.yaml", "kind: checklist", "kind: wizard")
    with pytest.raises(ContentInvalid) as info:
        push_content(content_dir)
    assert [str(e).split(": ", 1)[1] for e in info.value.errors] == [
        "kind: Must be one of: checklist, tour, plan, survey, announcement, hotspot, tooltip."
    ]
    assert db.session.scalars(db.select(Workspace)).all() == []


def test_publishing_tells_connected_widgets(
    db: Any, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guide.extensions import socketio

    emitted: list[tuple[Any, ...]] = []
    monkeypatch.setattr(socketio, "emit", lambda *args, **kwargs: emitted.append((args, kwargs)))
    push_content(content_dir)
    ws = db.session.scalars(db.select(Workspace)).one()
    assert emitted == [
        (("guides:changed", {}), {"to": f"workspace:{ws.id}", "skip_sid": None,
                                  "namespace": "/widget"}),
    ]  # fmt: skip
    push_content(content_dir)  # unchanged: nothing to announce
    push_content(content_dir, publish=False)
    assert len(emitted) == 1


def test_checksum_ignores_key_order() -> None:
    assert body_checksum({"a": 1, "b": [1, 2]}) == body_checksum({"b": [1, 2], "a": 1})
    assert body_checksum({"a": 1}) != body_checksum({"a": 2})


def test_a_version_number_taken_during_the_push_is_a_clear_conflict(
    app: Any, db: Any, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Push stores versions through services.versions: a number someone else took between
    reading the latest version and adding the next one ends in a message, not a traceback,
    with nothing written."""
    from guide.models import AuditEntry
    from guide.services import versions as service

    push_content(content_dir)
    edit(content_dir, "getting-started.yaml", "en: Say hello", "en: Say hi")
    push_content(content_dir)
    edit(content_dir, "getting-started.yaml", "en: Say hi", "en: Say hey")
    latest = service.latest_or_none

    def read_before_the_other_push(guide: Guide) -> GuideVersion | None:
        # This push read version 1 as the latest; another one then committed version 2.
        if guide.key != "getting-started":
            return latest(guide)
        return db.session.scalars(db.select(GuideVersion).where(
            GuideVersion.guide_id == guide.id, GuideVersion.number == 1)).one()

    monkeypatch.setattr(service, "latest_or_none", read_before_the_other_push)
    audited = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    result = app.test_cli_runner().invoke(args=["guide", "content", "push", str(content_dir)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == (
        "getting-started: version 2 was saved by someone else during this push; nothing was "
        "written. Push again to add the files' content after it.\n")
    assert versions(db, "getting-started") == [(1, "archived"), (2, "published")]
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == audited
    monkeypatch.undo()
    report = push_content(content_dir)
    assert report.guides[2].describe() == "getting-started: new version 3 published"


def test_a_guide_added_during_the_push_is_a_clear_conflict(
    db: Any, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guide.content.push import PushConflict
    from guide.services import versions as service

    push_content(content_dir)
    edit(content_dir, "pro-features.yaml", "priority: 10", "priority: 11")
    # As if another push created the guide after this one looked for it.
    monkeypatch.setattr(service, "find_guide", lambda workspace, key: None)
    with pytest.raises(PushConflict) as info:
        push_content(content_dir)
    assert info.value.message == ("dashboard-tour: added by someone else during this push; "
                                  "nothing was written. Push again.")
    assert versions(db, "pro-features") == [(1, "published")]
