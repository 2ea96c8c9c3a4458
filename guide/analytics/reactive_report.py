"""The proactive vs reactive report (docs/ANALYTICS.md), from the rollups plus the tail, or raw.

Per local week: the onboarding users and accounts, those who needed a human
(sent an escalation themselves) against those who progressed by
self-service, escalations per 100 active onboarding users, help openings
resolved without an escalation within 24 hours, and where escalations start.

What each user did each week comes from the fold (``facts``, workspace level:
active, progressed, help openings and escalations with their event times),
rolled by the worker (per user and week in ``analytics_user_week``, the help
moments in ``analytics_moment``) plus the tail, exactly as for the Guide report. Unfiltered,
the weekly counts are those the fold keeps (``reactive_weeks``, ``reactive_help``: a
row per week); filtered, they are counted in SQL (``reactive_counts``). The onboarding
populations come from their rollup (``onboarding``: a row per week), filtered from
``end_user``; where escalations start, from the ``escalation`` rows.
``raw_reactive_report`` folds every event from the first: the tests' oracle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from guide.analytics import (
    event_rows,
    onboarding,
    reactive_counts,
    reactive_help,
    reactive_people,
    reactive_weeks,
    store,
    weekly,
)
from guide.analytics.facts import ACTIVE, PROGRESSED, WORKSPACE, Folder
from guide.analytics.filters import Filters
from guide.analytics.ranges import whole_weeks
from guide.analytics.reactive_counts import Counts
from guide.analytics.reactive_help import HELP_WINDOW
from guide.analytics.tally import Moment, Tally
from guide.analytics.weekly import monday as monday_of
from guide.extensions import db
from guide.models import Workspace
from guide.models.base import utcnow

# The aim: at most one onboarding user in ten needs a human.
TARGET = 0.10
# A help opening's 24 hours end at most two local days later (a 23-hour day).
MOMENT_DAYS = timedelta(days=2)


@dataclass
class Activity:
    """What users did on the report's days, from the fold."""

    # (metric, day, user): ACTIVE or PROGRESSED that day.
    days: set[tuple[str, date, int]] = field(default_factory=set)
    # event id -> (metric, user, event time, day): help openings and escalations.
    moments: dict[int, Moment] = field(default_factory=dict)

    def merge(self, tally: Tally, first: date, last: date) -> None:
        """Add a tally's workspace-level facts on days ``first..last`` (moments: 2 more)."""
        self.days.update((m, d, u) for g, s, m, d, u in tally.users
                         if g == WORKSPACE and m in (ACTIVE, PROGRESSED) and first <= d <= last)
        self.moments.update((e, moment) for e, moment in tally.moments.items()
                            if first <= moment[3] <= last + MOMENT_DAYS)

    def of_users(self, users: frozenset[int] | None) -> Activity:
        """Only what ``users`` did (None: everyone)."""
        if users is None:
            return self
        return Activity({(m, d, u) for m, d, u in self.days if u in users},
                        {e: moment for e, moment in self.moments.items() if moment[1] in users})


def reactive_report(workspace: Workspace, start: date, end: date,
                    now: datetime | None = None, filters: Filters | None = None) -> dict[str, Any]:
    """The report for the local weeks holding ``start..end``; ``now`` judges pending help;
    only the users ``filters`` matches (docs/ANALYTICS.md, "Filters").

    The weekly counts are made in SQL over the week rollup (``reactive_counts``), the
    matched users' ids in the statement when filtered: a row per week leaves the
    database."""
    mondays = whole_weeks(start, end)
    users = filters.user_ids(workspace) if filters else None
    now = now or utcnow()
    read = _read_kept if users is None else _read_counts
    counts, moments, sessions, kept = store.consistent(
        workspace.id, lambda after: read(workspace, mondays, now, after, users))
    report = _shaped(workspace, mondays, counts, moments, now, users, sessions, kept,
                     rolled=True)
    return filters.tagged(report, users) if filters else report


def raw_reactive_report(workspace: Workspace, start: date, end: date,
                        now: datetime | None = None,
                        filters: Filters | None = None) -> dict[str, Any]:
    """The same report folded from every event (slow: the oracle)."""
    mondays = whole_weeks(start, end)
    users = filters.user_ids(workspace) if filters else None
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    folder, tally = Folder(ZoneInfo(workspace.timezone), {}), Tally()
    for row in event_rows.all_events_after(workspace.id, 0):
        tally.extend(fact for fact in folder.fold(row) if fact.guide == WORKSPACE)
    activity = Activity()
    activity.merge(tally, first, last)
    report = _from_activity(workspace, mondays, activity.of_users(users), now or utcnow(), users)
    return filters.tagged(report, users) if filters else report


Read = tuple[dict[date, Counts], dict[int, Moment], dict[date, int] | None,
             dict[date, tuple[int, int]] | None]


def _read_kept(workspace: Workspace, mondays: list[date], now: datetime, after: int,
               users: None) -> Read:
    """Every user's counts, kept by the fold (a row per week) plus the tail's changes; the
    help openings less than 24 hours old, to tell the pending ones."""
    tail = store.tail_tally(workspace, after, WORKSPACE)
    span = set(mondays)
    kept = reactive_weeks.counts(workspace.id, mondays)
    change = reactive_weeks.read(workspace, [row for row in weekly.week_rows(tail)
                                             if row[0] in span])
    for week, delta in change.counts.items():
        kept[week] = [a + b for a, b in zip(kept[week], delta, strict=True)]
    counts = {week: ((n[0], n[1], n[2]), (n[3], n[4], n[5]), n[6]) for week, n in kept.items()}
    return (counts, reactive_help.recent(workspace.id, now, tail.moments), None,
            reactive_help.kept(workspace.id, mondays, tail.moments))


def _read_counts(workspace: Workspace, mondays: list[date], now: datetime, after: int,
                 users: frozenset[int] | None) -> Read:
    """The weeks' counts (SQL, the tail merged), the moments help must look at one by one,
    and the help openings per week; of ``users`` only (a filtered report)."""
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    tail = Activity()
    tail.merge(store.tail_tally(workspace, after, WORKSPACE, users), first, last)
    moments, sessions = reactive_counts.help_moments(workspace, mondays, last + MOMENT_DAYS,
                                                     now, HELP_WINDOW, tail.moments, users)
    moments.update(tail.moments)
    for metric, _, _, day in tail.moments.values():
        monday = monday_of(day)
        if metric == reactive_people.HELP and monday in sessions:
            sessions[monday] += 1
    weeks = reactive_people.week_table(mondays, ZoneInfo(workspace.timezone))
    return reactive_counts.weekly(workspace, mondays, weeks, tail.days,
                                  tail.moments, users), moments, sessions, None


def _from_activity(workspace: Workspace, mondays: list[date], activity: Activity,
                   now: datetime, users: frozenset[int] | None) -> dict[str, Any]:
    """The report from facts folded in Python (the raw oracle)."""
    counts = _counted(workspace, mondays, activity, users)
    return _shaped(workspace, mondays, counts, activity.moments, now, users)


def _shaped(workspace: Workspace, mondays: list[date], counts: dict[date, Counts],
            moments: dict[int, Moment], now: datetime, users: frozenset[int] | None = None,
            sessions: dict[date, int] | None = None,
            kept: dict[date, tuple[int, int]] | None = None,
            rolled: bool = False) -> dict[str, Any]:
    report = shape(workspace, mondays, counts, moments, now, users, sessions, kept, rolled)
    db.session.rollback()
    return report


def _rate(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def _side(onboarding: int, active: int, needed: int, self_service: int) -> dict[str, Any]:
    return {"onboarding": onboarding, "active": active, "needed_human": needed,
            "self_service": self_service, "idle": active - needed - self_service,
            "reactive_share": _rate(needed, needed + self_service)}


def _counted(workspace: Workspace, mondays: list[date], activity: Activity,
             users: frozenset[int] | None) -> dict[date, Counts]:
    """Each week's counts from facts in Python (what ``reactive_counts`` does in SQL)."""
    zone = ZoneInfo(workspace.timezone)
    people = reactive_people.People.of(workspace, activity.days, activity.moments, users)
    by_week, counts = _weekly(activity), {}
    for monday in mondays:
        active, progressed, escalated = by_week.get(monday, (set(), set(), []))
        onboarding = people.onboarding_in(monday, zone, among=active | set(escalated))
        active = active & onboarding
        escalated = [u for u in escalated if u in onboarding]
        needed = active & set(escalated)
        self_service = (active & progressed) - needed
        accounts = people.accounts_of
        needed_accounts = accounts(needed)
        counts[monday] = (
            (len(active), len(needed), len(self_service)),
            (len(accounts(active)), len(needed_accounts),
             len(accounts(self_service) - needed_accounts)), len(escalated))
    return counts


def shape(workspace: Workspace, mondays: list[date], counts: dict[date, Counts],
          moments: dict[int, Moment], now: datetime, users: frozenset[int] | None = None,
          sessions: dict[date, int] | None = None,
          kept: dict[date, tuple[int, int]] | None = None,
          rolled: bool = False) -> dict[str, Any]:
    """The report as plain data (docs/ANALYTICS.md, "Proactive vs reactive"); ``sessions``:
    each week's help openings when ``moments`` holds only those that may not be resolved
    (``reactive_counts.help_moments``); ``kept``: each week's openings and escalated ones
    when ``moments`` holds only those that may be pending (``reactive_help``); ``rolled``:
    the onboarding population from its rollup (``onboarding``), else from the users."""
    populations = (onboarding.weekly(workspace, mondays, users) if rolled else
                   reactive_people.People(workspace, users=users).populations(
                       mondays, ZoneInfo(workspace.timezone)))
    helped = _help(moments, reactive_people.escalation_times(moments), mondays, now,
                   sessions, kept)
    weeks = []
    for monday in mondays:
        user_side, account_side, escalations = counts[monday]
        active = user_side[0]
        weeks.append({
            "week": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat(),
            "users": _side(populations[monday][0], *user_side),
            "accounts": _side(populations[monday][1], *account_side),
            "escalations": escalations,
            "escalations_per_100": _rate(100 * escalations, active),
            "help": helped[monday],
        })
        share = weeks[-1]["users"]["reactive_share"]
        weeks[-1]["above_target"] = None if share is None else share > TARGET
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    return {"timezone": workspace.timezone, "start": first.isoformat(),
            "end": last.isoformat(), "target": TARGET, "weeks": weeks,
            "totals": totals(weeks),
            "escalations_start": reactive_people.where_escalations_start(workspace, first,
                                                                         last, users)}


SIDE_COUNTS = ("active", "needed_human", "self_service", "idle")
HELP_COUNTS = ("sessions", "resolved", "escalated", "pending")


def totals(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """The weeks added up (user-weeks, account-weeks): what a period compares with the one
    before it (docs/ANALYTICS.md, "Proactive vs reactive", totals)."""

    def side(name: str) -> dict[str, Any]:
        summed = {key: sum(week[name][key] for week in weeks) for key in SIDE_COUNTS}
        return {**summed, "reactive_share": _rate(
            summed["needed_human"], summed["needed_human"] + summed["self_service"])}

    helped = {key: sum(week["help"][key] for week in weeks) for key in HELP_COUNTS}
    escalations = sum(week["escalations"] for week in weeks)
    users = side("users")
    return {"users": users, "accounts": side("accounts"), "escalations": escalations,
            "escalations_per_100": _rate(100 * escalations, users["active"]),
            "help": {**helped, "resolved_rate": _rate(
                helped["resolved"], helped["sessions"] - helped["pending"])}}


def _weekly(activity: Activity) -> dict[date, tuple[set[int], set[int], list[int]]]:
    """By Monday: users active, users who progressed, and each escalation's user.

    One pass: a pass over every row for each week cost seconds at a million rows."""
    weeks: dict[date, tuple[set[int], set[int], list[int]]] = {}

    def of(day: date) -> tuple[set[int], set[int], list[int]]:
        return weeks.setdefault(monday_of(day), (set(), set(), []))

    for metric, day, user in activity.days:
        of(day)[0 if metric == ACTIVE else 1].add(user)
    for metric, user, _, day in activity.moments.values():
        if metric != reactive_people.HELP:
            of(day)[2].append(user)
    return weeks


def _help(moments: dict[int, Moment], escalations_at: dict[int, list[datetime]],
          mondays: list[date], now: datetime,
          sessions: dict[date, int] | None = None,
          kept: dict[date, tuple[int, int]] | None = None) -> dict[date, dict[str, Any]]:
    """Help openings by week: escalated within 24 hours, resolved, or not judged yet (the
    openings counted from ``moments``, or ``sessions`` when given; the openings and the
    escalated ones from ``kept`` when given).

    One pass over the moments (a pass per week cost a second at 20,000 moments)."""
    tallies = {monday: [0, 0, 0] for monday in mondays}  # sessions, escalated, pending
    for metric, user, at, day in moments.values():
        tally = tallies.get(monday_of(day))
        if metric != reactive_people.HELP or tally is None:
            continue
        tally[0] += 1
        if any(at <= t <= at + HELP_WINDOW for t in escalations_at.get(user, ())):
            tally[1] += 1
        elif now < at + HELP_WINDOW:
            tally[2] += 1
    out = {}
    for monday, (counted, escalated, pending) in tallies.items():
        opened = counted if sessions is None else sessions[monday]
        if kept is not None:
            opened, escalated = kept[monday]
        resolved = opened - escalated - pending
        out[monday] = {"sessions": opened, "resolved": resolved, "escalated": escalated,
                       "pending": pending, "resolved_rate": _rate(resolved, opened - pending)}
    return out
