"""``guide content ...`` and ``guide workspace ...``: thin wrappers.

The files are read by ``guide.content`` and stored by the services it calls,
so tests and the content API run the same code. ``validate`` never opens the
database: it runs in a customer's CI with nothing but the files.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from guide.cli.common import examples, workspace_or_exit
from guide.cli.translations import translations_cli
from guide.content.loader import ContentError, load_content
from guide.content.pull import PullError, pull_content
from guide.content.push import ContentInvalid, PushConflict, default_author, push_content
from guide.errors import NotFound
from guide.services import settings, workspaces

# How the audit log names a change made from the command line.
CLI_ACTOR = "cli"

content_cli = AppGroup("content", help="Validate, push and pull content files.", epilog=examples(
    "guide content validate            # content/ (GUIDE_CONTENT_DIR); exit 1 on errors",
    'guide content push --author "ci:$GIT_SHA"',
    "guide content push --draft        # new versions stay drafts",
    "guide content push --environment staging",
    "guide content promote --dry-run   # staging -> production: the diff",
    "guide content pull exported/ --workspace demo",
    "guide content translations export --locale fr -o fr.xlf",
    note="The format: docs/CONTENT.md."))
content_cli.add_command(translations_cli)
workspace_cli = AppGroup("workspace", help="Workspace keys and settings.", epilog=examples(
    "guide workspace secret demo       # signs your backend's identity JWTs",
    "guide workspace api-key demo      # a REST API key, printed once",
    "guide workspace webhooks demo     # endpoints and their health",
    note="A workspace is created by `guide content push` (its workspace.yaml)."))

DIRECTORY = click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path)
)


def _directory(directory: Path | None) -> Path:
    return directory or Path(current_app.config["GUIDE_CONTENT_DIR"])


def _fail(errors: list[ContentError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)
    count = len(errors)
    click.echo(f"{count} error{'s' if count != 1 else ''}", err=True)
    raise SystemExit(1)


@content_cli.command("validate")
@DIRECTORY
def validate_command(directory: Path | None) -> None:
    """Check content files; print file:line errors.

    Checks every file in DIR (default: GUIDE_CONTENT_DIR) and the references
    between them, and exits with status 1 if any is wrong. Never opens the
    database: run it in CI with nothing but the files.
    """
    content = load_content(_directory(directory))
    if not content.ok:
        _fail(content.errors)
    parts = [_count(len(content.guides), "guide")]
    if content.articles:
        parts.append(_count(len(content.articles), "help article"))
    if content.lifecycle is not None:
        parts.append(_count(len(content.lifecycle["milestones"]), "milestone"))
        parts.append(_count(len(content.lifecycle["stages"]), "stage"))
    if content.scenarios is not None:
        parts.append(_count(len(content.scenarios["scenarios"]), "scenario"))
    click.echo(", ".join([*parts, "0 errors"]))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


@content_cli.command("push")
@DIRECTORY
@click.option("--draft", is_flag=True, help="Add new versions as drafts; do not publish.")
@click.option("--author", default=default_author, show_default="the OS user",
              help="Who pushed: recorded on new versions and in the audit log (e.g. a CI job, "
                   "or an author's email to link the entries to them).")  # fmt: skip
@click.option("--environment", default=None, metavar="NAME",
              help="Push to this environment of the workspace (e.g. staging; "
                   "docs/ENVIRONMENTS.md).")
def push_command(directory: Path | None, draft: bool, author: str,
                 environment: str | None) -> None:
    """Load content files into their workspace and publish.

    Validates DIR first (default: GUIDE_CONTENT_DIR), then writes in one
    transaction: unchanged files write nothing, a changed guide gets a new
    version, and connected widgets refresh.
    """
    try:
        report = push_content(_directory(directory), publish=not draft, author=author,
                              environment=environment)
    except ContentInvalid as error:
        _fail(error.errors)
    except (PushConflict, NotFound) as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from error
    for line in report.lines():
        click.echo(line)


@workspace_cli.command("secret")
@click.argument("key")
@click.option("--rotate", is_flag=True, help="Add a new secret; the previous one stays valid.")
def secret_command(key: str, rotate: bool) -> None:
    """Print the signing secret of workspace KEY.

    Your backend signs identity JWTs (HS256) with it (README, "Sign the user's identity").
    """
    click.echo(workspaces.signing_secret(workspace_or_exit(key), rotate=rotate))


@workspace_cli.command("api-key")
@click.argument("key")
@click.option("--revoke-all", is_flag=True, help="Revoke every API key of the workspace first.")
def api_key_command(key: str, revoke_all: bool) -> None:
    """Create a secret key for the REST API.

    For your backend's calls (docs/API.md); printed once, stored hashed.
    """
    click.echo(settings.create_api_key(CLI_ACTOR, workspace_or_exit(key), revoke_all=revoke_all))


@content_cli.command("pull")
@DIRECTORY
@click.option("--workspace", "workspace_key", default=None,
              help="Workspace key (default: the key in DIR/workspace.yaml).")
@click.option("--drafts", is_flag=True, help="Write each guide's latest draft, not what is live.")
@click.option("--environment", default=None, metavar="NAME",
              help="Pull this environment of the workspace (e.g. staging).")
def pull_command(directory: Path | None, workspace_key: str | None, drafts: bool,
                 environment: str | None) -> None:
    """Write a workspace's content to DIR as files.

    Its settings, guides and help articles, in the format `content push` reads.
    """
    try:
        report = pull_content(_directory(directory), workspace_key, drafts=drafts,
                              environment=environment)
    except PullError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    for line in report.lines():
        click.echo(line)
