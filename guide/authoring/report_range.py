"""The range an analytics page shows, read from its query string, and the period before it.

Days are local calendar days in the workspace's timezone (docs/ANALYTICS.md), so
"today" is the workspace's today, not the server's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from guide.analytics.filters import Filters
from guide.errors import invalid_payload
from guide.models import Workspace
from guide.models.base import utcnow
from guide.schemas.analytics import ReportRangeQuery

DEFAULT_DAYS = 30
_QUERY = ReportRangeQuery()


@dataclass(frozen=True)
class ReportRange:
    """Local days ``start..end``, both included; ``preset`` is 7, 30 or 90 for "the last N days"."""

    start: date
    end: date
    preset: int | None = None
    # The segment and locale filters (docs/ANALYTICS.md, "Filters"); pages that show the
    # filter form apply them.
    filters: Filters = Filters()
    # The trend: "day" or "week" (``?by=week``).
    by: str = "day"
    # The page of a table (a guide's users); links to another range start at 1.
    page: int = 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportRange:
        """The period of equal length that ends the day before this one starts."""
        return ReportRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1),
                           filters=self.filters, by=self.by)

    def args(self, *, filtered: bool = True) -> dict[str, str | int]:
        """The query string that names this range and (``filtered``) its filters again."""
        kept: dict[str, str | int] = {**self.filters.args()} if filtered else {}
        if self.by != "day":
            kept["by"] = self.by
        if self.preset:
            return {"days": self.preset, **kept}
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), **kept}


def today_in(workspace: Workspace) -> date:
    return utcnow().astimezone(ZoneInfo(workspace.timezone)).date()


def range_of(args: Mapping[str, str], today: date) -> ReportRange:
    """``?days=7|30|90`` (ending ``today``) or ``?start=&end=``; a missing end is ``today``,
    a missing start is 30 days before the end. Raises ``InvalidPayload`` (400) on bad input;
    a start after the end is left to the report, which refuses it the same way everywhere.
    ``?segment=&locale=``: the filters (400 ``invalid_filter`` when they do not parse);
    ``?by=week``: the trend by week."""
    given = {name: value for name, value in args.items() if value != ""}
    try:
        query = _QUERY.load(given)
    except ValidationError as error:
        raise invalid_payload(error) from error
    filters = Filters.parse(query["segment"], query["locale"])
    if query["start"] is None and query["end"] is None:
        days = query["days"] or DEFAULT_DAYS
        return ReportRange(today - timedelta(days=days - 1), today, days, filters, query["by"],
                           query["page"])
    end = query["end"] or today
    start = query["start"] or end - timedelta(days=DEFAULT_DAYS - 1)
    return ReportRange(start, end, filters=filters, by=query["by"], page=query["page"])
