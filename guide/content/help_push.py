"""Push help articles and support settings, inside ``push_content``'s transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guide.extensions import db
from guide.models import HelpArticle, SupportSettings, WebhookEndpoint, Workspace
from guide.models.base import body_checksum, utcnow
from guide.services.help_search import index_article, refresh_statistics

ARTICLE_FIELDS = ("title", "tags", "pages", "guides", "steps", "body")


@dataclass
class ArticleResult:
    key: str
    # created | updated | unchanged
    status: str

    def describe(self) -> str:
        return f"help {self.key}: {self.status}"


def sync_articles(workspace: Workspace, articles: list[dict[str, Any]]) -> list[ArticleResult]:
    """Create or update each article (and its search entry) whose checksum changed."""
    existing = {a.key: a for a in db.session.scalars(
        db.select(HelpArticle).where(HelpArticle.workspace_id == workspace.id))}
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
        results.append(ArticleResult(data["key"], status))
    if any(r.status != "unchanged" for r in results):
        refresh_statistics()
    return results


def articles_not_in_files(workspace: Workspace, keys: set[str]) -> list[str]:
    stored = db.session.scalars(db.select(HelpArticle.key).where(
        HelpArticle.workspace_id == workspace.id).order_by(HelpArticle.key))
    return [key for key in stored if key not in keys]


def sync_support(workspace: Workspace, support: dict[str, Any] | None) -> bool:
    """Email settings and webhook endpoints from ``support:``; True when anything changed.

    Endpoints keep their health across pushes; one removed from the file stays
    (for its history) but no longer receives anything. The signing secret is
    generated here once and never comes from a file.
    """
    support = support or {}
    changed = False
    settings = db.session.get(SupportSettings, workspace.id)
    if settings is None:
        settings = SupportSettings(workspace_id=workspace.id, allow_private_webhooks=False)
        db.session.add(settings)
        changed = True
    wanted = {"email": support.get("email"),
              "allow_private_webhooks": support.get("allow_private_webhooks", False)}
    for name, value in wanted.items():
        if getattr(settings, name) != value:
            setattr(settings, name, value)
            changed = True
    hooks = {hook["url"]: hook["events"] for hook in support.get("webhooks", [])}
    endpoints = {e.url: e for e in db.session.scalars(
        db.select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace.id))}
    for url, endpoint in endpoints.items():
        configured, events = url in hooks, hooks.get(url, endpoint.events)
        if (endpoint.configured, endpoint.events) != (configured, events):
            endpoint.configured, endpoint.events, changed = configured, events, True
    for url in hooks.keys() - endpoints.keys():
        db.session.add(WebhookEndpoint(workspace_id=workspace.id, url=url, events=hooks[url]))
        changed = True
    if changed:
        settings.updated_at = utcnow()
    db.session.flush()
    return changed
