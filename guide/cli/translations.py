"""``guide content translations export|import``: translation files for translators."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from guide.cli.common import examples, workspace_or_exit
from guide.content.push import default_author
from guide.errors import GuideError
from guide.models import Workspace
from guide.services import translations, workspaces
from guide.services.translation_files import FORMATS

translations_cli = AppGroup(
    "translations", help="Export and import translations (XLIFF 2.0 or PO).",
    epilog=examples(
        "guide content translations export --locale fr -o fr.xlf   # what is untranslated",
        "guide content translations export --locale de --format po --all",
        "guide content translations import fr.xlf                 # new guide drafts",
        "guide content translations import fr.po --publish",
        note="Covers guides, help article titles, lifecycle milestones and stages, scenario "
             "nudges. Exit status 1 and file:line errors when a file is refused; nothing is "
             "written. The format and the checks: docs/TRANSLATIONS.md."))

WORKSPACE = click.option("--workspace", "workspace_key", default=None,
                         help="Workspace key (default: the server's only workspace).")


def _workspace(key: str | None) -> Workspace:
    if key is None:
        keys = workspaces.some_keys(2)
        if len(keys) != 1:
            click.echo("Which workspace? Pass --workspace KEY.", err=True)
            raise SystemExit(1)
        key = keys[0]
    return workspace_or_exit(key)


@translations_cli.command("export")
@click.option("--locale", required=True, help="The language to translate to (e.g. fr, fr-CA).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xliff", show_default=True)
@click.option("--all", "everything", is_flag=True,
              help="Every string, with its current translation; default: only untranslated.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@WORKSPACE
def export_command(locale: str, fmt: str, everything: bool, output: Path | None,
                   workspace_key: str | None) -> None:
    """Write the strings that lack a LOCALE translation.

    One unit per title, step body, button or choice label, keyed by guide and
    step ids, from each guide's latest version (drafts included); and per help
    article title, lifecycle milestone and stage title, scenario nudge title and
    message (help/KEY/title, lifecycle/milestones/KEY/title,
    scenario/KEY/actions/nudge/message).
    """
    workspace = _workspace(workspace_key)
    try:
        data = translations.export(workspace, locale, fmt, missing_only=not everything)
    except GuideError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from error
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)


@translations_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True,
              help="Publish the new guide versions (default: drafts).")
@click.option("--author", default=default_author, show_default="the OS user",
              help="Who imported: recorded on the new versions and in the audit log.")
@WORKSPACE
def import_command(file: Path, publish: bool, author: str, workspace_key: str | None) -> None:
    """Check a translated FILE (XLIFF 2.0 or PO); save new guide drafts.

    Every problem is printed as file:line: message (unknown key, placeholder
    or link target changed, empty translation) and nothing is written.
    Help articles, the lifecycle and scenarios have no drafts: their
    translations take effect at once (audited), --publish or not.
    """
    workspace = _workspace(workspace_key)
    try:
        result = translations.import_file(workspace, file.read_bytes(), str(file), author,
                                          publish=publish)
    except translations.TranslationsInvalid as error:
        for line in error.lines:
            click.echo(line, err=True)
        click.echo(f"{len(error.lines)} error{'s' if len(error.lines) != 1 else ''}", err=True)
        raise SystemExit(1) from error
    except GuideError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from error
    for line in result.lines():
        click.echo(line)
