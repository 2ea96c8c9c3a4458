"""Load a content directory into its workspace: ``flask guide content push``.

This module only reads and validates the files; storing them is
``guide.services.content_sync.push``, which goes through the same service
functions as the admin (guide versions, audit entries) in one transaction.
Files are the source of truth for what they contain; guides only in the
database are left alone and reported; unchanged content writes nothing, so
push is safe to run on every deploy.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from guide.content.loader import ContentError, load_content
from guide.services.content_sync import ContentSet, PushConflict, PushReport, push

__all__ = ["ContentInvalid", "PushConflict", "PushReport", "default_author", "push_content"]

# Who a push is recorded as when the OS cannot say (a container without a passwd entry).
FALLBACK_AUTHOR = "cli"


class ContentInvalid(Exception):
    """The directory has errors; nothing was written."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors


def default_author() -> str:
    """The OS user running the push, else ``cli``."""
    try:
        return getpass.getuser() or FALLBACK_AUTHOR
    except (OSError, KeyError, ImportError):
        return FALLBACK_AUTHOR


def push_content(directory: Path, *, publish: bool = True, author: str | None = None,
                 environment: str | None = None) -> PushReport:
    """Validate ``directory`` and store it in its workspace in one transaction.

    Guides, help articles, support settings, the lifecycle and the scenarios.
    ``author`` (default: the OS user) is recorded on new versions and audit entries.
    ``environment`` (e.g. ``staging``) stores it in that environment of the workspace.

    Raises ``ContentInvalid`` (nothing written) if any file has an error, and
    ``PushConflict`` (nothing written) if someone else wrote the same guide
    version or key while it ran.
    """
    content = load_content(Path(directory))
    if not content.ok or content.workspace is None:
        raise ContentInvalid(content.errors)
    return push(
        ContentSet(
            workspace=content.workspace,
            guides=[guide.body for guide in content.guides],
            articles=[article.data for article in content.articles],
            lifecycle=content.lifecycle,
            scenarios=content.scenarios,
            environment=environment,
        ),
        publish=publish,
        author=author or default_author(),
    )
