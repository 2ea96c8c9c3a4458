"""The Scenarios report's rollup, read: settled firings per scenario, UTC day and arm
(``AnalyticsScenarioDay``, kept by settling and by whoever deletes a firing).

A firing's conversion is final once its goal window has closed and the worker has
settled it; until then it stays in the report's tail, read from the firings. So the
report reads the rollup only for whole UTC days of its range whose firings have all
matured (``rolled_days``): a read of days x arms rows, whatever the number of firings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.models import AnalyticsScenarioDay

DAY = timedelta(days=1)


def _floor(at: datetime) -> datetime:
    """The UTC midnight at or before ``at``."""
    utc = at.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


def rolled_days(since: datetime, until: datetime, matured: datetime) -> tuple[datetime, datetime]:
    """UTC midnights ``lo, hi``: the whole UTC days of ``since..until`` that end by
    ``matured`` (every firing there is past its goal window). Empty when ``lo >= hi``."""
    lo = _floor(since)
    if lo < since:
        lo += DAY
    return lo, min(_floor(until), _floor(matured))


def rolled_select(scenario_id: int, lo: datetime, hi: datetime) -> sa.Select[Any]:
    """Rows of held_out, firings, pending (0), converted: the settled firings of UTC days
    ``lo`` up to (not including) ``hi``."""
    t = AnalyticsScenarioDay
    return (sa.select(t.held_out, sa.func.sum(t.settled), sa.literal_column("0"),
                      sa.func.sum(t.converted))
            .where(t.scenario_id == scenario_id, t.day >= lo.date(), t.day < hi.date())
            .group_by(t.held_out))
