"""Ranges of local days and weeks (docs/ANALYTICS.md, "Days, weeks and time")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from guide.errors import GuideError
from guide.models.base import utcnow

MAX_DAYS = 731


def check_range(start: date, end: date) -> None:
    """A report's range: ``start..end`` inclusive, at most MAX_DAYS days, else 400."""
    if start > end:
        raise GuideError("The range starts after it ends.", code="invalid_range",
                         fields={"start": "must be on or before end"})
    if (end - start).days + 1 > MAX_DAYS:
        raise GuideError(f"A report covers at most {MAX_DAYS} days.", code="invalid_range",
                         fields={"end": f"at most {MAX_DAYS} days after start"})


def recent_days(timezone: str, start: date | None, end: date | None,
                days: int = 30) -> tuple[date, date]:
    """A report's range with its defaults: ``end`` today in ``timezone``, ``start`` the
    first of the ``days`` local days that end on ``end`` (the last 30 days)."""
    end = end or utcnow().astimezone(ZoneInfo(timezone)).date()
    return start or end - timedelta(days=days - 1), end


def whole_weeks(start: date, end: date) -> list[date]:
    """The Mondays of the local weeks (Monday to Sunday) that hold a day of ``start..end``."""
    check_range(start, end)
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant the local day begins."""
    return datetime.combine(day, time(0), zone)
