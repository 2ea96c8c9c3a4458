"""analytics_reach: each user's days of a metric counted by (day, previous day), kept right
when a late event lands between two rolled days (guide.analytics.reach)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from guide import analytics
from guide.extensions import db
from guide.models import AnalyticsReach, Event
from guide.models.analytics import GUIDE_LEVEL, NO_PREVIOUS
from tests.analytics.conftest import LATER, user

D1, D2, D3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def _seen(ws, who, day: date, received: datetime | None = None) -> None:
    """A $guide_shown of the onboarding guide at noon UTC on ``day`` (received later)."""
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    db.session.add(Event(workspace_id=ws.id, user_id=who, type="event:track",
                         name="$guide_shown", props={"guide": "onboarding"},
                         client_at=at, created_at=received or at))
    db.session.commit()
    analytics.rollup(LATER, max_batches=None)


def _pairs(ws) -> dict[tuple[date, date], int]:
    r = AnalyticsReach
    return {(day, prev): users for day, prev, users in db.session.execute(
        sa.select(r.day, r.prev_day, r.users).where(
            r.workspace_id == ws.id, r.guide_key == "onboarding", r.step_id == GUIDE_LEVEL,
            r.metric == "seen"))}


def _unique(ws, start: date, end: date) -> int:
    return analytics.guide_report(ws, "onboarding", start, end)["seen"]["unique"]


def test_a_late_day_between_two_rolled_days_is_paired_again(paris):
    ann, bob = user(paris, "ann").id, user(paris, "bob").id
    for who in (ann, bob):
        _seen(paris, who, D1)
        _seen(paris, who, D3)
    assert _pairs(paris) == {(D1, NO_PREVIOUS): 2, (D3, D1): 2}
    assert _unique(paris, D2, D3) == 2
    _seen(paris, ann, D2, received=datetime(2026, 3, 5, 9, tzinfo=UTC))  # ann's, late
    # ann's D3 now follows D2: a range starting on D2 or D3 counts her once, on D2 or D3.
    assert _pairs(paris) == {(D1, NO_PREVIOUS): 2, (D2, D1): 1, (D3, D1): 1, (D3, D2): 1}
    assert [_unique(paris, s, e) for s, e in ((D1, D3), (D2, D3), (D2, D2), (D3, D3))] == \
        [2, 2, 1, 2]


def test_a_pair_no_user_has_any_more_is_deleted(paris):
    ann = user(paris, "ann").id
    _seen(paris, ann, D1)
    _seen(paris, ann, D3)
    _seen(paris, ann, D2, received=datetime(2026, 3, 5, 9, tzinfo=UTC))
    assert _pairs(paris) == {(D1, NO_PREVIOUS): 1, (D2, D1): 1, (D3, D2): 1}
