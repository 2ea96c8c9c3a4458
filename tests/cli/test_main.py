"""The `guide` command in process (click's CliRunner): help, version, exit codes, completion."""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from guide.cli import guide_cli
from guide.cli import serve as serve_module
from guide.command import SECTIONS, cli
from guide.models import Workspace
from tests.conftest import _config
from tests.live import ROOT, database

# Every command `flask --app wsgi guide` had before the `guide` command existed.
EXISTING = {"content", "workspace", "author", "worker", "scenarios", "users", "accounts",
            "events", "demo", "analytics"}


def guide(*args: str, app: Flask | None = None, **extra: Any) -> Result:
    """Run `guide ARGS` as the console script does, on ``app`` when given."""
    obj = ScriptInfo(create_app=lambda: app) if app is not None else None
    return CliRunner().invoke(cli, list(args), prog_name="guide", obj=obj,
                              terminal_width=80, **extra)


def groups(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(command, click.Group):
        yield path
        for name, sub in command.commands.items():
            yield from groups(sub, (*path, name))


def test_help_lists_every_command_by_section() -> None:
    result = guide("--help")
    assert result.exit_code == 0, result.output
    listed = [name for _, names in SECTIONS for name in names]
    assert sorted(listed) == sorted(cli.commands) == sorted(EXISTING | {"serve", "db"})
    for title, names in SECTIONS:
        assert f"\n{title}:\n" in result.output
        for name in names:
            assert f"\n  {name} " in result.output
    assert "Exit status: 0 done, 1 the operation failed, 2 wrong usage" in result.output
    assert "_GUIDE_COMPLETE=bash_source guide" in result.output


@pytest.mark.parametrize("path", list(groups(cli)), ids=lambda path: " ".join(path) or "guide")
def test_every_group_has_one_line_summaries_and_examples(path: tuple[str, ...]) -> None:
    result = guide(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples:\n    guide " in result.output
    # A summary cut short ("...") means the command's first sentence is too long to list.
    assert not [line for line in result.output.splitlines()
                if line.startswith("  ") and line.endswith("...")]


def test_version() -> None:
    result = guide("--version")
    assert result.exit_code == 0
    assert result.output == f"guide {importlib.metadata.version('guide-server')}\n"


@pytest.mark.parametrize("args", [["content", "push", "--nope"], ["nope"],
                                  ["serve", "--port", "0"], ["serve", "--dev", "--", "-w", "2"]])
def test_a_usage_error_exits_2(args: list[str]) -> None:
    result = guide(*args)
    assert result.exit_code == 2
    assert "Usage: guide" in result.stderr
    assert "Try 'guide" in result.stderr


def test_a_failed_operation_exits_1(tmp_path: Path) -> None:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    (content / "guides" / "pro-features.yaml").write_text("key: [unclosed\n")
    result = guide("content", "validate", str(content))
    assert result.exit_code == 1
    assert result.stderr.endswith("1 error\n")


def test_a_missing_workspace_exits_1_and_says_how_to_create_it(app: Flask) -> None:
    result = guide("workspace", "secret", "nope", app=app)
    assert result.exit_code == 1
    assert result.stderr == 'No workspace "nope"; create it with `guide content push`.\n'


def test_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    from guide import create_app

    app = create_app(_config(f"sqlite:///{tmp_path / 'empty.db'}"))
    result = guide("content", "push", app=app)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the database refused: no such table: ")
    assert "run `guide db upgrade` on a new database" in result.stderr


def test_commands_run_on_the_app(app: Flask, db: Any) -> None:
    result = guide("content", "push", "--author", "ci", app=app)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("workspace demo: created\n")
    assert db.session.scalars(db.select(Workspace.key)).all() == ["demo"]


def test_flask_guide_keeps_every_command(app: Flask) -> None:
    assert set(guide_cli.commands) == set(cli.commands)
    result = app.test_cli_runner().invoke(args=["guide", "--help"])
    assert result.exit_code == 0
    for name in EXISTING | {"serve", "db"}:
        assert f"\n  {name} " in result.output


def test_db_upgrade_and_downgrade(tmp_path: Path) -> None:
    """`current` prints through alembic's own stdout: tests/cli/test_process.py reads it."""
    from guide import create_app
    from guide.extensions import db

    def revision() -> str | None:
        with app.app_context():
            return db.session.execute(db.text("SELECT version_num FROM alembic_version")
                                      ).scalar()

    with database(tmp_path, "cli") as url:
        app = create_app(_config(url))
        assert guide("db", "upgrade", app=app).exit_code == 0
        head = revision()
        assert head is not None
        assert guide("db", "downgrade", app=app).exit_code == 0
        assert revision() not in (head, None)
        failed = guide("db", "upgrade", "no-such-revision", app=app)
        assert failed.exit_code == 1
        assert guide("db", "upgrade", app=app).exit_code == 0
        assert revision() == head
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_serve_runs_gunicorn_with_the_gevent_config(monkeypatch: pytest.MonkeyPatch,
                                                     app: Flask) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(serve_module.os, "execv", lambda path, argv: ran.append(argv))
    result = guide("serve", "--host", "0.0.0.0", "--port", "8123", "--",
                   "--worker-connections", "50", app=app)
    assert result.exit_code == 0, result.output
    [argv] = ran
    assert argv[1:] == ["-m", "gunicorn", "--config", "python:guide.gunicorn_config",
                        "--bind", "0.0.0.0:8123", "--access-logfile", "-",
                        "--worker-connections", "50", "guide.wsgi:app"]
    for path in ("/admin/", "/support/", "/widget/guide.js", "/api/v1/openapi.json",
                 "/healthz", "/demo/"):
        assert f"http://127.0.0.1:8123{path}" in result.stdout


def test_serve_binds_ipv6_and_leaves_the_demo_out_when_it_is_off(
        monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(serve_module.os, "execv", lambda path, argv: ran.append(argv))
    app.config["GUIDE_DEMO"] = False
    result = guide("serve", "--host", "::1", "--port", "8124", app=app)
    assert result.exit_code == 0, result.output
    assert "[::1]:8124" in ran[0]
    assert "http://[::1]:8124/admin/" in result.stdout
    assert "/demo/" not in result.stdout
    assert "by `guide worker` processes (GUIDE_WORKER=off)" in result.stdout


def test_completion_needs_no_app() -> None:
    words = guide(env={"_GUIDE_COMPLETE": "bash_complete", "COMP_WORDS": "guide con",
                       "COMP_CWORD": "1"})
    assert words.exit_code == 0
    assert words.output.splitlines() == ["plain,content"]
    nested = guide(env={"_GUIDE_COMPLETE": "bash_complete", "COMP_WORDS": "guide db up",
                        "COMP_CWORD": "2"})
    assert nested.output.splitlines() == ["plain,upgrade"]
