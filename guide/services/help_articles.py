"""Help articles as stored: write them from loaded files, read them back as documents.

``apply`` is the building block ``content push`` uses (the caller owns the
transaction); ``documents`` is what ``content pull`` writes. The widget's view
of articles (suggestions, search) is ``services/help.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guide.extensions import db
from guide.models import Author, HelpArticle, Workspace
from guide.models.base import body_checksum, utcnow
from guide.services import audit
from guide.services.help_search import index_article, refresh_statistics

ARTICLE_FIELDS = ("title", "tags", "pages", "guides", "steps", "body")


@dataclass
class ArticleResult:
    key: str
    # created | updated | unchanged
    status: str

    def describe(self) -> str:
        return f"help {self.key}: {self.status}"


def _stored(workspace: Workspace) -> list[HelpArticle]:
    return list(db.session.scalars(db.select(HelpArticle).where(
        HelpArticle.workspace_id == workspace.id).order_by(HelpArticle.key)))


def apply(workspace: Workspace, articles: list[dict[str, Any]], actor: Author | str,
          **details: Any) -> list[ArticleResult]:
    """Create or update each article (and its search entry) whose checksum changed;
    each change is audited as ``help.update`` with its status and ``details``."""
    existing = {article.key: article for article in _stored(workspace)}
    results = []
    for data in articles:
        checksum = body_checksum(data)
        article = existing.get(data["key"])
        if article is not None and article.checksum == checksum:
            results.append(ArticleResult(data["key"], "unchanged"))
            continue
        status = "updated"
        if article is None:
            article, status = HelpArticle(workspace_id=workspace.id, key=data["key"]), "created"
            db.session.add(article)
        for name in ARTICLE_FIELDS:
            setattr(article, name, data[name])
        article.checksum, article.updated_at = checksum, utcnow()
        index_article(article)
        audit.record(workspace.id, actor, "help.update", article.key, status=status, **details)
        results.append(ArticleResult(data["key"], status))
    if any(r.status != "unchanged" for r in results):
        refresh_statistics()
    return results


def keys_not_in(workspace: Workspace, keys: set[str]) -> list[str]:
    """Keys of the workspace's articles that are not in ``keys``, sorted."""
    stored = db.session.scalars(db.select(HelpArticle.key).where(
        HelpArticle.workspace_id == workspace.id).order_by(HelpArticle.key))
    return [key for key in stored if key not in keys]


def document(article: HelpArticle) -> dict[str, Any]:
    """The article as its file's front matter and body load it."""
    return {"key": article.key, "title": article.title, "tags": list(article.tags),
            "pages": list(article.pages), "guides": list(article.guides),
            "steps": list(article.steps), "body": article.body}  # fmt: skip


def documents(workspace: Workspace) -> list[dict[str, Any]]:
    """Every article of the workspace as a document, by key."""
    return [document(article) for article in _stored(workspace)]
