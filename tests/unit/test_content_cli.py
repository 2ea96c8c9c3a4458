"""The `flask guide content` and `flask guide workspace` commands."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from guide.models import GuideVersion, Workspace

ROOT = Path(__file__).resolve().parents[2]


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["guide", *args])


def test_validate_the_default_directory(app: Flask) -> None:
    result = run(app, "content", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "7 guides, 4 help articles, 6 milestones, 4 stages, 8 scenarios, 0 errors\n")


def test_validate_reports_file_line_errors_and_exits_1(app: Flask, tmp_path: Path) -> None:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    guide = content / "guides" / "pro-features.yaml"
    guide.write_text(guide.read_text().replace("priority: 10", "priority: 10\nsteps_: []"))
    result = run(app, "content", "validate", str(content))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f'{guide}:8: Unknown field "steps_".' in result.stderr
    assert result.stderr.endswith("1 error\n")


def test_validate_does_not_touch_the_database(tmp_path: Path) -> None:
    from guide import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/nope.db"})
    result = app.test_cli_runner().invoke(
        args=["guide", "content", "validate", str(ROOT / "content")]
    )
    assert result.exit_code == 0, result.output


def test_push_prints_a_summary(app: Flask, db: Any) -> None:
    result = run(app, "content", "push", "--author", "ci")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "workspace demo: created",
        "dashboard-tour: created, version 1 published",
        "export-hotspot: created, version 1 published",
        "getting-started: created, version 1 published",
        "nps: created, version 1 published",
        "onboarding-plan: created, version 1 published",
        "pro-features: created, version 1 published",
        "whats-new: created, version 1 published",
        "help connect-data-sources: created",
        "help create-a-dashboard: created",
        "help invite-teammates: created",
        "help time-zone-and-currency: created",
        "lifecycle: created",
        "scenario settings: created",
        "scenario import-trouble: created",
        "scenario connect-data-reminder: created",
        "scenario getting-started-stalled: created",
        "scenario inactive-week: created",
        "scenario help-loop: created",
        "scenario tour-broken: created",
        "scenario plan-overdue: created",
        "scenario detractor-follow-up: created",
    ]
    again = run(app, "content", "push")
    assert again.stdout.splitlines()[-1] == "unchanged"


def test_push_draft(app: Flask, db: Any) -> None:
    result = run(app, "content", "push", "--draft")
    assert "getting-started: created, version 1 draft" in result.stdout
    assert {v.state for v in db.session.scalars(db.select(GuideVersion))} == {"draft"}


def test_push_refuses_invalid_content(app: Flask, db: Any, tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text("key: Bad Key\nname: x\n")
    result = run(app, "content", "push", str(tmp_path))
    assert result.exit_code == 1
    assert "workspace.yaml:1: key: Must be a slug" in result.stderr
    assert db.session.scalars(db.select(Workspace)).all() == []


def test_workspace_secret_and_rotation(app: Flask, db: Any) -> None:
    run(app, "content", "push")
    first = run(app, "workspace", "secret", "demo").stdout.strip()
    assert first == db.session.scalars(db.select(Workspace)).one().signing_secrets[0]
    assert run(app, "workspace", "secret", "demo").stdout.strip() == first
    rotated = run(app, "workspace", "secret", "demo", "--rotate").stdout.strip()
    db.session.expire_all()
    assert db.session.scalars(db.select(Workspace)).one().signing_secrets == [rotated, first]
    run(app, "workspace", "secret", "demo", "--rotate")
    db.session.expire_all()
    secrets = db.session.scalars(db.select(Workspace)).one().signing_secrets
    assert len(secrets) == 2 and secrets[1] == rotated


def test_workspace_secret_for_an_unknown_workspace(app: Flask, db: Any) -> None:
    result = run(app, "workspace", "secret", "nope")
    assert result.exit_code == 1
    assert 'No workspace "nope"' in result.stderr
