"""Help articles as the widget sees them: suggestions for where the user is, search, one article."""

from __future__ import annotations

from typing import Any

from guide.errors import NotFound
from guide.extensions import db
from guide.models import EndUser, HelpArticle, Workspace
from guide.services.audience import url_matches
from guide.services.help_search import excerpt, query_words, search
from guide.services.localize import localize
from guide.services.markdown import render_markdown

MAX_RESULTS = 20
# How strongly each kind of context says "this article is about where you are".
STEP_SCORE, GUIDE_SCORE, PAGE_SCORE = 4, 2, 1


def _locale(workspace: Workspace, user: EndUser) -> str:
    return user.locale or workspace.default_locale


def _item(workspace: Workspace, user: EndUser, article: HelpArticle, words: list[str],
          suggested: bool) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": localize(article.title, _locale(workspace, user), workspace.default_locale),
        "excerpt": excerpt(article.body, words),
        "tags": list(article.tags),
        "suggested": suggested,
    }


def context_score(article: HelpArticle, url: str | None, guide: str | None,
                  step: str | None) -> int:
    """How well an article fits the page, guide and step the user is on (0: not at all)."""
    score = 0
    if guide and step and f"{guide}/{step}" in article.steps:
        score += STEP_SCORE
    if guide and guide in article.guides:
        score += GUIDE_SCORE
    if url and any(url_matches(pattern, url) for pattern in article.pages):
        score += PAGE_SCORE
    return score


def find_articles(workspace: Workspace, user: EndUser, query: str, url: str | None = None,
                  guide: str | None = None, step: str | None = None) -> list[dict[str, Any]]:
    """Search results when ``query`` has words; otherwise every article, those that fit
    the user's page, guide and step first (``suggested: true``)."""
    words = query_words(query or "")
    if words:
        ids = search(workspace.id, query, MAX_RESULTS)
        found = {a.id: a for a in db.session.scalars(
            db.select(HelpArticle).where(HelpArticle.id.in_(ids)))} if ids else {}
        articles = [found[i] for i in ids if i in found]
        return [_item(workspace, user, a, words, bool(context_score(a, url, guide, step)))
                for a in articles]
    articles = list(db.session.scalars(
        db.select(HelpArticle).where(HelpArticle.workspace_id == workspace.id)))
    scored = sorted(
        ((context_score(a, url, guide, step), a) for a in articles),
        key=lambda pair: (-pair[0], localize(pair[1].title, _locale(workspace, user),
                                             workspace.default_locale) or pair[1].key),
    )
    return [_item(workspace, user, a, [], score > 0) for score, a in scored[:MAX_RESULTS]]


def article_view(workspace: Workspace, user: EndUser, key: str) -> dict[str, Any]:
    article = db.session.scalar(db.select(HelpArticle).where(
        HelpArticle.workspace_id == workspace.id, HelpArticle.key == key))
    if article is None:
        raise NotFound(f"No help article {key!r} in this workspace.", code="unknown_article")
    return {
        "key": article.key,
        "title": localize(article.title, _locale(workspace, user), workspace.default_locale),
        "tags": list(article.tags),
        "body_html": render_markdown(article.body),
        "updated_at": article.updated_at.isoformat(),
    }
