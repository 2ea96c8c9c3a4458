"""Help articles: Markdown files with front matter, searchable by the widget.

Search indexes live beside the table: on PostgreSQL the ``search_vector``
column (weighted tsvector, GIN index); on SQLite the FTS5 virtual table
``help_article_fts`` (created by migration 0003), kept in step by
``guide.services.help_search`` whenever content is pushed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow

# The SQLite full-text table and the shadow tables FTS5 keeps for it. Alembic cannot
# model virtual tables, so autogenerate is told to leave them alone (see is_model_table).
FTS_TABLE = "help_article_fts"


def is_model_table(name: str | None, type_: str, parent_names: Any = None) -> bool:
    """``include_name`` filter for Alembic: skip the FTS5 tables managed by hand."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


class HelpArticle(db.Model):
    __tablename__ = "help_article"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "key"),
        sa.Index("ix_help_article_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    # A plain string or a {locale: text} map, as the author wrote it.
    title: Mapped[Any] = mapped_column(JSONType)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # URL globs (as in audience rules), guide keys and "guide/step" ids it helps with.
    pages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    guides: Mapped[list[str]] = mapped_column(JSONType, default=list)
    steps: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Markdown, rendered and sanitized when served.
    body: Mapped[str] = mapped_column(sa.Text)
    # sha256 of the canonical article: pushing an unchanged file writes nothing.
    checksum: Mapped[str] = mapped_column(sa.String(64))
    # PostgreSQL only (NULL on SQLite, which uses help_article_fts).
    search_vector: Mapped[Any] = mapped_column(
        sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
