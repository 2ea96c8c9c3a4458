"""`guide workspace environment ...`, `guide content promote` and `push/pull --environment`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from guide.models import AuditEntry, Guide
from guide.services import environments
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["guide", *args])


def published_title(key: str, guide_key: str) -> Any:
    ws = factories.workspace(key)
    guide = factories.db.session.scalar(factories.db.select(Guide).where(
        Guide.workspace_id == ws.id, Guide.key == guide_key))
    return guide.published_version.body["title"] if guide and guide.published_version else None


def test_environment_create_prints_its_app_key_and_secret(app: Flask, workspace: Any) -> None:
    result = run(app, "workspace", "environment", "create", "demo", "staging",
                 "--origin", "https://staging.example.com")
    assert result.exit_code == 0, result.output
    staging = factories.workspace("demo-staging")
    assert result.stdout.splitlines() == [
        "environment staging of demo: app key demo-staging",
        f"signing secret: {staging.signing_secrets[0]}"]
    listed = run(app, "workspace", "environment", "list", "demo").stdout.splitlines()
    assert listed[1] == "staging\tdemo-staging\thttps://staging.example.com"


def test_environment_create_twice_exits_1_unless_exists_ok(app: Flask, workspace: Any) -> None:
    first = run(app, "workspace", "environment", "create", "demo", "staging")
    again = run(app, "workspace", "environment", "create", "demo", "staging")
    assert again.exit_code == 1 and "already has" in again.stderr
    ok = run(app, "workspace", "environment", "create", "demo", "staging", "--exists-ok")
    assert ok.exit_code == 0 and ok.stdout == first.stdout


def test_environment_create_refuses_a_bad_name_with_exit_1(app: Flask, workspace: Any) -> None:
    result = run(app, "workspace", "environment", "create", "demo", "Prod uction")
    assert result.exit_code == 1
    assert "lowercase name" in result.stderr


def _content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def test_push_to_an_environment_leaves_production_alone(app: Flask, workspace: Any,
                                                        tmp_path: Path) -> None:
    environments.create("test", workspace, {"name": "staging"})
    content = _content(tmp_path)
    guide = content / "guides" / "getting-started.yaml"
    guide.write_text(guide.read_text().replace("Get set up in 5 minutes", "Staged", 1))
    before = published_title("demo", "getting-started")
    result = run(app, "content", "push", str(content), "--environment", "staging")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("workspace demo-staging: unchanged")  # settings copied
    assert published_title("demo-staging", "getting-started")["en"] == "Staged"
    assert published_title("demo", "getting-started") == before
    staging = factories.workspace("demo-staging")
    assert staging.name.endswith("(staging)")
    assert staging.allowed_origins == []  # the environment's own, not workspace.yaml's


def test_push_to_an_unknown_environment_exits_1(app: Flask, workspace: Any) -> None:
    result = run(app, "content", "push", "--environment", "qa")
    assert result.exit_code == 1
    assert 'no environment "qa"' in result.stderr


def test_promote_dry_run_prints_the_diff_and_changes_nothing(app: Flask, workspace: Any) -> None:
    staging = environments.create("test", workspace, {"name": "staging"})
    body = factories.checklist_body("onboarding", title="Staged")
    factories.publish(staging, body)
    result = run(app, "content", "promote", "--workspace", "demo", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "onboarding: added (source v1, target -)" in result.stdout
    assert "+title: Staged" in result.stdout
    assert result.stdout.rstrip().endswith("would promote onboarding")
    assert published_title("demo", "onboarding") is None


def test_promote_publishes_in_production_and_audits(app: Flask, workspace: Any) -> None:
    staging = environments.create("test", workspace, {"name": "staging"})
    factories.publish(staging, factories.checklist_body("onboarding", title="Staged"))
    result = run(app, "content", "promote", "--from", "staging", "--to", "production",
                 "--workspace", "demo", "--author", "ci", "onboarding")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("promoted onboarding")
    assert published_title("demo", "onboarding") == "Staged"
    entry = factories.db.session.scalar(factories.db.select(AuditEntry).where(
        AuditEntry.action == "guide.promote"))
    assert (entry.actor, entry.workspace_id, entry.details["environment"]) == (
        "ci", workspace.id, "staging")
    again = run(app, "content", "promote", "--workspace", "demo")
    assert again.exit_code == 0 and "nothing to promote" in again.stdout


def test_promote_errors_exit_1(app: Flask, workspace: Any) -> None:
    result = run(app, "content", "promote", "--workspace", "demo")  # no staging yet
    assert result.exit_code == 1
    assert 'no environment "staging"' in result.stderr
    environments.create("test", workspace, {"name": "staging"})
    result = run(app, "content", "promote", "--workspace", "demo", "not-published")
    assert result.exit_code == 1
    assert "Not published in staging: not-published." in result.stderr


def test_pull_an_environment_keeps_the_production_workspace_file(app: Flask, workspace: Any,
                                                                 tmp_path: Path) -> None:
    staging = environments.create("test", workspace, {"name": "staging",
                                                      "allowed_origins": ["https://staging.invalid"]})
    factories.publish(staging, factories.checklist_body("onboarding", title="Staged"))
    content = _content(tmp_path)
    result = run(app, "content", "pull", str(content), "--environment", "staging")
    assert result.exit_code == 0, result.output
    assert "title: Staged" in (content / "guides" / "onboarding.yaml").read_text()
    assert "workspace.yaml: unchanged" in result.stdout
    assert "staging.invalid" not in (content / "workspace.yaml").read_text()


def test_environment_set_origins_replaces_them_with_exit_codes(app: Flask, workspace: Any) -> None:
    run(app, "workspace", "environment", "create", "demo", "staging")
    done = run(app, "workspace", "environment", "set-origins", "demo", "staging",
               "--origin", "https://staging.example.com", "--origin", "http://127.0.0.1:8080/")
    assert done.exit_code == 0, done.output
    assert done.stdout == ("environment staging of demo: allowed origins: "
                           "https://staging.example.com, http://127.0.0.1:8080\n")
    listed = run(app, "workspace", "environment", "list", "demo").stdout.splitlines()
    assert listed[1] == "staging\tdemo-staging\thttps://staging.example.com, http://127.0.0.1:8080"
    entry = factories.db.session.scalars(factories.db.select(AuditEntry).where(
        AuditEntry.action == "settings.update", AuditEntry.target == "allowed_origins")).one()
    assert entry.actor == "cli"
    bad = run(app, "workspace", "environment", "set-origins", "demo", "staging",
              "--origin", "not an origin")
    assert bad.exit_code == 1 and '"not an origin" is not an origin' in bad.stderr
    assert run(app, "workspace", "environment", "set-origins", "demo", "production",
               "--origin", "https://x.example").exit_code == 1
    assert run(app, "workspace", "environment", "set-origins", "demo", "nope",
               "--origin", "https://x.example").exit_code == 1
    assert run(app, "workspace", "environment", "set-origins", "demo", "staging"
               ).exit_code == 2  # neither --origin nor --clear
    cleared = run(app, "workspace", "environment", "set-origins", "demo", "staging", "--clear")
    assert (cleared.exit_code, cleared.stdout) == (
        0, "environment staging of demo: allowed origins: (no origins)\n")
