"""``guide workspace environment ...`` and ``guide content promote``: thin wrappers over
``services.environments`` and ``services.promote`` (docs/ENVIRONMENTS.md)."""

from __future__ import annotations

import click

from guide.cli.common import examples, workspace_or_exit
from guide.cli.content import CLI_ACTOR, content_cli, workspace_cli
from guide.content.push import default_author
from guide.errors import Conflict, GuideError
from guide.services import environments, promote, workspaces


@workspace_cli.group("environment", help="A workspace's environments (staging, ...).",
                     epilog=examples(
    "guide workspace environment create demo staging --origin https://staging.example.com",
    "guide workspace environment list demo",
    "guide workspace environment set-origins demo staging --origin https://staging.example.com",
    note="Each environment has its own app key, origins, signing secret, users and "
         "analytics; the authors are the workspace's. docs/ENVIRONMENTS.md."))
def environment_cli() -> None:
    pass


@environment_cli.command("create")
@click.argument("key")
@click.argument("name")
@click.option("--origin", "origins", multiple=True,
              help="An origin allowed to call the widget API (repeat for several).")
@click.option("--exists-ok", is_flag=True,
              help="If it exists, print its app key and secret (unchanged) and exit 0.")
def environment_create_command(key: str, name: str, origins: tuple[str, ...],
                               exists_ok: bool) -> None:
    """Create environment NAME of workspace KEY.

    Prints its app key and signing secret (docs/ENVIRONMENTS.md).
    """
    workspace = workspace_or_exit(key)
    try:
        environment = environments.create(CLI_ACTOR, workspace,
                                          {"name": name, "allowed_origins": list(origins)})
    except Conflict as error:
        if not (exists_ok and error.code == "environment_exists"):
            raise click.ClickException(_message(error)) from error
        environment = environments.find(workspace, name)
    except GuideError as error:
        raise click.ClickException(_message(error)) from error
    click.echo(f"environment {name} of {key}: app key {environment.key}")
    click.echo(f"signing secret: {environment.signing_secrets[0]}")


@environment_cli.command("list")
@click.argument("key")
def environment_list_command(key: str) -> None:
    """List the environments of workspace KEY.

    One line each: name, app key, allowed origins (tab-separated).
    """
    for environment in environments.of(workspace_or_exit(key)):
        origins = ", ".join(environment.allowed_origins or []) or "(no origins)"
        click.echo(f"{environment.environment}\t{environment.key}\t{origins}")


@environment_cli.command("set-origins", epilog=examples(
    "guide workspace environment set-origins demo staging --origin https://staging.example.com",
    "guide workspace environment set-origins demo qa --clear",
    note="Exit status: 0 done (or already so), 1 an error (nothing was changed), 2 wrong "
         "usage."))
@click.argument("key")
@click.argument("name")
@click.option("--origin", "origins", multiple=True,
              help="An origin allowed to call the widget API, scheme://host[:port] (repeat "
                   "for several). They replace the environment's current ones.")
@click.option("--clear", is_flag=True, help="Remove every allowed origin.")
def environment_set_origins_command(key: str, name: str, origins: tuple[str, ...],
                                    clear: bool) -> None:
    """Replace environment NAME's allowed origins.

    NAME is an environment of workspace KEY. Audited in the environment as
    settings.update. A production workspace's origins are set in its
    workspace.yaml (guide content push).
    """
    if bool(origins) == clear:
        raise click.UsageError("Give --origin URL (one or more) or --clear.")
    workspace = workspace_or_exit(key)
    try:
        environment = environments.find(workspace, name)
        changed = environments.set_origins(CLI_ACTOR, environment, list(origins))
    except GuideError as error:
        raise click.ClickException(_message(error)) from error
    now = ", ".join(environment.allowed_origins or []) or "(no origins)"
    click.echo(f"environment {name} of {key}: {'allowed origins' if changed else 'unchanged'}: "
               f"{now}")


@content_cli.command("promote", epilog=examples(
    "guide content promote --from staging --to production --dry-run   # the diff only",
    "guide content promote --from staging --to production getting-started",
    note="Exit status: 0 done (or nothing to promote), 1 an error (nothing was changed)."))
@click.argument("keys", nargs=-1)
@click.option("--workspace", "workspace_key", default=None,
              help="The workspace (default: the server's only one).")
@click.option("--from", "source", default="staging", show_default=True,
              help="The environment whose published guides are promoted.")
@click.option("--to", "target", default="production", show_default=True,
              help="The environment they are published in.")
@click.option("--dry-run", is_flag=True, help="Print the diff; change nothing.")
@click.option("--author", default=default_author, show_default="the OS user",
              help="Who promoted: recorded on new versions and in the audit log.")
def promote_command(keys: tuple[str, ...], workspace_key: str | None, source: str, target: str,
                    dry_run: bool, author: str) -> None:
    """Publish in one environment the guides published in another.

    Prints each guide (added, changed, unchanged, only in target) with a
    diff of its YAML, then publishes the added and changed ones as new
    versions of the target, each audited there as guide.promote. KEYS: only
    these guides (default: every guide published in the source). Guides only in
    the target are left alone.
    """
    try:
        workspace = environments.resolve(workspace_key or _only_workspace(), None)
        pair = environments.find(workspace, source), environments.find(workspace, target)
        if dry_run:
            done = promote.plan(*pair, list(keys) or None)
        else:
            done = promote.promote(author, *pair, list(keys) or None)
    except GuideError as error:
        raise click.ClickException(_message(error)) from error
    for line in done.lines():
        click.echo(line)
    if done.to_apply:
        click.echo(("would promote " if dry_run else "promoted ") +
                   ", ".join(change.key for change in done.to_apply))


def _only_workspace() -> str:
    keys = workspaces.some_keys(2)
    if len(keys) != 1:
        raise click.ClickException("Which workspace? Pass --workspace KEY.")
    return keys[0]


def _message(error: GuideError) -> str:
    fields = "; ".join(f"{name}: {' '.join(map(str, problems))}"
                       for name, problems in (error.fields or {}).items())
    return f"{error.message} ({fields})" if fields else error.message
