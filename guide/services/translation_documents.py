"""The documents translation files cover, and writing translations back into them.

Guides (each one's latest version, drafts included), help articles, the
lifecycle and the scenarios. Writing goes through the building block ``content
push`` uses for each, so what is served and what ``content pull`` writes are
the same as after an edit of the files: a guide gets a new draft version
(``services.versions``, published if asked); an article is updated by
``help_articles.apply`` (search index included); the lifecycle and the scenarios
by ``scenarios.apply``. These three have no drafts: the translation takes effect
at once. Every change is audited with ``source: translations import``, the
locale and the number of strings. The caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from guide.models import Author, Workspace
from guide.services import audit, help_articles, scenarios, versions
from guide.services.translation_units import LIFECYCLE, Document, document_of

SOURCE = "translations import"


@dataclass
class Stored:
    """A workspace's documents, and the guides' status (to add versions after the latest)."""

    documents: list[Document]
    statuses: dict[str, versions.GuideStatus]

    def find(self, family: str, key: str) -> Document | None:
        return next((d for d in self.documents if (d.family, d.key) == (family, key)), None)


def stored(workspace: Workspace) -> Stored:
    statuses = versions.statuses(workspace)
    found = [Document("guide", status.guide.key, status.latest.body) for status in statuses]
    found += [Document("help", doc["key"], doc) for doc in help_articles.documents(workspace)]
    if workspace.lifecycle is not None:
        found.append(Document(LIFECYCLE, LIFECYCLE, workspace.lifecycle))
    scenario_file = scenarios.document(workspace)
    found += [Document("scenario", body["key"], body)
              for body in (scenario_file or {}).get("scenarios", [])]
    return Stored(found, {status.guide.key: status for status in statuses})


def texts_by_document(keys_and_texts: list[tuple[str, str]]
                      ) -> dict[tuple[str, str], dict[str, str]]:
    """{(family, document key): {unit key: text}} for known unit keys."""
    grouped: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for key, text in keys_and_texts:
        owner = document_of(key)
        if owner is not None:
            grouped[owner][key] = text
    return grouped


@dataclass
class Written:
    # (guide key, new version number)
    versions: list[tuple[str, int]] = field(default_factory=list)
    # "help KEY", "lifecycle", "scenario KEY": documents updated in place
    updated: list[str] = field(default_factory=list)


def write(workspace: Workspace, store: Stored, changed: list[tuple[Document, dict[str, Any], int]],
          locale: str, actor: Author | str, *, publish: bool) -> Written:
    """Store each changed document (its new body, strings translated) in its own way."""
    written = Written()
    details = {"source": SOURCE, "locale": locale}
    new_scenarios: dict[str, dict[str, Any]] = {}
    scenario_strings = 0
    for document, body, count in changed:
        if document.family == "guide":
            status = store.statuses[document.key]
            version = versions.add_version(status.guide, body, actor, "draft", status.latest)
            audit.record(workspace.id, actor, "guide.save", status.guide.key,
                         version=version.number, strings=count, **details)
            if publish:
                versions.publish_version(workspace, actor, status.guide, version, source=SOURCE)
            written.versions.append((status.guide.key, version.number))
        elif document.family == "help":
            help_articles.apply(workspace, [body], actor, strings=count, **details)
            written.updated.append(f"help {document.key}")
        elif document.family == LIFECYCLE:
            scenarios.apply(workspace, body, None, actor, strings=count, **details)
            written.updated.append(LIFECYCLE)
        else:
            new_scenarios[document.key], scenario_strings = body, scenario_strings + count
            written.updated.append(f"scenario {document.key}")
    if new_scenarios:
        current = scenarios.document(workspace) or {"settings": {}, "scenarios": []}
        bodies = [new_scenarios.get(body["key"], body) for body in current["scenarios"]]
        scenarios.apply(workspace, None, {**current, "scenarios": bodies}, actor,
                        strings=scenario_strings, **details)
    return written
