"""What users answered: survey responses and "was this helpful?" votes (docs/SURVEYS.md).

One row per answered question (one per choice of a multiple-choice answer), so
the results are counts over narrow rows; written by the ``survey:answer`` and
``feedback:helpful`` envelopes only, in the transaction that records the
envelope's event (``event_id``), hence exactly once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import BigId, UTCDateTime, utcnow

# The question id of a survey's free comment (question ids are slugs: no "$").
COMMENT = "$comment"


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"
    __table_args__ = (
        # The results: one survey's answers in a time range.
        sa.Index("ix_survey_response_guide_at", "guide_id", "answered_at"),
        # The rollup batch's answers, and a report's tail (guide/analytics/survey_reach.py).
        sa.Index("ix_survey_response_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("guide.id", ondelete="CASCADE"))
    version: Mapped[int]
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("end_user.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id", ondelete="SET NULL"))
    # The envelope that recorded it (its client id is the exactly-once key). No foreign
    # key: events_retention_days deletes old events, never the answers.
    event_id: Mapped[int] = mapped_column(BigId)
    question: Mapped[str] = mapped_column(sa.String(100))
    # The question's type when answered: nps, csat, rating, single, multiple, text, comment.
    type: Mapped[str] = mapped_column(sa.String(20))
    score: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(sa.String(100))
    text: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HelpfulVote(db.Model):
    """One "was this helpful?" answer on a help article or a guide step."""

    __tablename__ = "helpful_vote"
    __table_args__ = (
        sa.Index("ix_helpful_vote_workspace_at", "workspace_id", "voted_at"),
        sa.Index("ix_helpful_vote_article", "workspace_id", "article", "helpful"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("end_user.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id", ondelete="SET NULL"))
    event_id: Mapped[int] = mapped_column(BigId)
    article: Mapped[str | None] = mapped_column(sa.String(100))
    guide: Mapped[str | None] = mapped_column(sa.String(100))
    step: Mapped[str | None] = mapped_column(sa.String(100))
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
