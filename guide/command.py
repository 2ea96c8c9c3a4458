"""The ``guide`` console command: every server command, without ``flask --app``.

It builds the app itself with ``create_app()`` from the same ``GUIDE_*``
environment variables as wsgi.py, and only when a command needs it: ``--help``,
``--version`` and shell completion never create the app nor open the database.
Like guide/wsgi.py it composes the app, so it sits above the layers of
docs/ARCHITECTURE.md: an edge (guide.cli) never imports the app factory.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import ScriptInfo
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from guide import create_app
from guide.cli import COMMANDS

# The command list of `guide --help`, by what an operator is doing.
SECTIONS = (
    ("Run", ("serve", "worker")),
    ("Set up and deploy", ("db", "content", "workspace", "author")),
    ("Operate", ("scenarios", "analytics", "events", "demo")),
    ("Privacy: export and erase", ("users", "accounts")),
)

EPILOG = """\b
Examples:
  guide db upgrade && guide content push    # create the database, load content/
  guide author create you@example.com --workspace demo
  guide serve                               # then open the printed addresses
  guide content validate content/           # in CI: file:line errors, exit status 1
  guide COMMAND --help                      # a command's options and examples

\b
Configuration: GUIDE_* environment variables (README, "Configuration").
Exit status: 0 done, 1 the operation failed, 2 wrong usage (see --help).
Shell completion: eval "$(_GUIDE_COMPLETE=bash_source guide)" (docs/CLI.md).
From a checkout, `flask --app wsgi guide COMMAND` runs the same commands."""


DATABASE_HINT = ("Check GUIDE_DATABASE_URL, and run `guide db upgrade` on a new database "
                 "or after upgrading Guide.")


class GuideGroup(click.Group):
    """A group whose commands find the app as Flask's do (``with_appcontext``)."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        # Tests pass their own ScriptInfo (obj=...); the command line gets create_app().
        extra.setdefault("obj", ScriptInfo(create_app=create_app, set_debug_flag=False))
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            # An unreachable or unmigrated database: the cause and the fix, not a traceback.
            raise click.ClickException(f"the database refused: {error.orig}\n{DATABASE_HINT}"
                                       ) from error
        except (ArgumentError, NoSuchModuleError) as error:
            # SQLAlchemy could not read the URL (creating the app builds the engine).
            raise click.ClickException(f"GUIDE_DATABASE_URL is not a database URL: {error} "
                                       "(e.g. postgresql://user:password@host/guide)") from error

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for _, names in SECTIONS for name in names]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.commands)
        for title, names in SECTIONS:
            with formatter.section(title):
                formatter.write_dl([(name, self.commands[name].get_short_help_str(limit))
                                    for name in names])


@click.group("guide", cls=GuideGroup, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="guide-server", prog_name="guide",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """Guide: self-hosted in-product onboarding. Run the server, migrate its database,
    push content and manage workspaces, authors and end users' data."""


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """The console entry point (pyproject.toml: ``guide = "guide.command:main"``)."""
    cli.main(prog_name="guide", complete_var="_GUIDE_COMPLETE")


if __name__ == "__main__":
    main()
