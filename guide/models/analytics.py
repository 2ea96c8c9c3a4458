"""Analytics rollups: counts per local day kept by the worker, and how far it has rolled.

``guide.analytics`` writes and reads these tables (its module docstring explains
the design); the event retention reads the watermark so that it never deletes
an event the rollups have not absorbed yet.

The rollup rows have no foreign keys (migration 0013): checking them cost a third
of a rollup batch's inserts. Whoever deletes a user deletes their rows too
(``USER_ROLLUPS``, as the privacy erasure does, holding ``AnalyticsWatermark.lock``
so that no rollup batch open meanwhile writes them again); deleting a workspace's
rollups is ``guide.analytics.store.reset``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.analytics_accounts import AnalyticsAccount, AnalyticsMember
from guide.models.analytics_onboarding import AnalyticsOnboarding, AnalyticsOnboardingAccount
from guide.models.base import BigId, UTCDateTime, utcnow
from guide.models.user import EndUser

# step_id of a guide-level row: a primary key column cannot be NULL.
GUIDE_LEVEL = ""
# prev_day of a chain's first day (a primary key column cannot be NULL).
NO_PREVIOUS = date(1, 1, 1)


class AnalyticsWatermark(db.Model):
    """The last event id of a workspace folded into its rollups (0: none yet)."""

    __tablename__ = "analytics_watermark"

    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # Written first by every rollup batch: the row lock (PostgreSQL) or the write
    # lock (SQLite) that makes two workers take turns.
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How far the accounts' rows (analytics_account) follow the users, accounts and
    # account milestones: those with a higher id, or seen (updated, reached) after
    # ``users_seen_at`` (None: all of them), are the tail (guide.analytics.account_rollup);
    # ``account_rules``: the deadlines and constants the rows were judged by.
    users_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_user_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    last_account_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    last_account_milestone_id: Mapped[int] = mapped_column(sa.BigInteger, default=0,
                                                           server_default="0")
    account_rules: Mapped[str | None] = mapped_column(sa.Text)
    # The timezone the signup rollups (AnalyticsSignup, AnalyticsTimeToValue) were folded
    # in; None: not folded yet (or reset). The lifecycle report reads them only when it is
    # the workspace's timezone now (``guide.analytics.signups``).
    signup_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # The timezone and last lifecycle stage the onboarding rollup was folded with (JSON;
    # None: not folded yet, or reset): read only while they are the workspace's now
    # (``guide.models.onboarding``).
    onboarding_key: Mapped[str | None] = mapped_column(sa.String(200))


    @staticmethod
    def lock(workspace_id: int) -> None:
        """Take the workspace's rollup turn until the caller's transaction ends: wait for
        a rollup batch open meanwhile (even the first, which inserts the row), and keep
        the next one waiting."""
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(AnalyticsWatermark).values(
            workspace_id=workspace_id, last_event_id=0, rolled_at=utcnow())
            .on_conflict_do_nothing())
        # The write takes the row lock (PostgreSQL) or the write lock (SQLite).
        db.session.execute(sa.update(AnalyticsWatermark).where(
            AnalyticsWatermark.workspace_id == workspace_id).values(rolled_at=utcnow()))


class AnalyticsDaily(db.Model):
    """How many times ``metric`` happened on ``guide_key`` (or one of its steps) that day."""

    __tablename__ = "analytics_daily"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    step_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # The local date in the workspace's timezone.
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class AnalyticsUserDay(db.Model):
    """A user did ``metric`` on that day at least once: unique counts over any range."""

    __tablename__ = "analytics_user_day"
    # Deleting a user (privacy) cascades here: find their rows without a scan. The rollup
    # finds a new day's neighbours in its user's chain (AnalyticsReach), and a report
    # whether a user of the tail is already counted, on ix_analytics_user_day_unique.
    __table_args__ = (sa.Index("ix_analytics_user_day_user", "user_id"),
                      sa.Index("ix_analytics_user_day_unique", "workspace_id", "guide_key",
                               "step_id", "metric", "user_id", "day"))

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    step_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)


class AnalyticsReach(db.Model):
    """How many users' chains of days (a user's days of a metric, in order) have a day
    ``day`` whose previous day in the chain is ``prev_day`` (NO_PREVIOUS: none).

    A user did the metric on some day of ``start..end`` iff exactly one of their days
    there has its previous day before ``start``: the unique users of a range are the
    SUM of ``users`` over ``day`` in the range and ``prev_day`` before ``start``, a read
    that does not grow with the number of users. No row names a user, so erasing one
    keeps them in these counts (like in ``AnalyticsDaily``).
    """

    __tablename__ = "analytics_reach"

    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # In this order: a report reads one guide's days in its range, a range of the key.
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    prev_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    step_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsDuration(db.Model):
    """One measured duration (time to complete a guide, time on a step), by the event ending it."""

    __tablename__ = "analytics_duration"
    # A report reads the durations of one bucket of seconds of a key (its nearest ranks).
    __table_args__ = (sa.Index("ix_analytics_duration_seconds", "workspace_id", "guide_key",
                               "metric", "step_id", "seconds", "day"),)

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    step_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # No foreign key: the event may be deleted by the retention, the duration stays.
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    seconds: Mapped[float] = mapped_column(sa.Float)


class AnalyticsDurationBucket(db.Model):
    """How many durations of a key fell on a day into a bucket of seconds
    (``guide.analytics.durations``): a report sums these to find the bucket holding
    each nearest rank, then reads only that bucket's exact durations. No row names a
    user (like ``AnalyticsDuration``)."""

    __tablename__ = "analytics_duration_bucket"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # In this order: a report reads one guide's days in its range, a range of the key.
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    step_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # An index into ``guide.analytics.signups.BOUNDS`` (``signups.bucket``).
    bucket: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsRun(db.Model):
    """Where a user stands in a run of a guide, as the rollups have folded it so far."""

    __tablename__ = "analytics_run"
    __table_args__ = (sa.Index("ix_analytics_run_user", "user_id"),)

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)
    guide_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # Event time the open run started; None: no run open.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Event time of the run's last step completion (time on the next step starts there).
    last_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A tour's step last shown in the open run, and its event time: the next step shown
    # or the run's end times it (time on the step).
    shown_step: Mapped[str | None] = mapped_column(sa.String(100))
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnalyticsMoment(db.Model):
    """A help opening or an escalation a user sent, at its event time.

    The proactive vs reactive report needs more than days for these: whether an
    escalation followed a help opening within 24 hours, and how many each user
    sent in a week.
    """

    __tablename__ = "analytics_moment"
    __table_args__ = (sa.Index("ix_analytics_moment_day", "workspace_id", "day"),
                      sa.Index("ix_analytics_moment_user", "user_id"))

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the event may be deleted by the retention, the moment stays.
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # "help_opened" or "escalated" (guide.analytics.facts)
    metric: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The local date of ``at`` in the workspace's timezone when it was folded.
    day: Mapped[date] = mapped_column(sa.Date)


class AnalyticsUserWeek(db.Model):
    """What a user did in a local week, at the workspace level: the proactive vs reactive
    report's per-(user, week) rollup (``guide.analytics.weekly``).

    Written by the same rollup batch as the day rows it sums up: ``active`` and
    ``progressed`` (0 or 1) are the user's ``$workspace`` day facts of the week,
    ``escalations`` the escalations (``analytics_moment``) the user sent in it.
    """

    __tablename__ = "analytics_user_week"
    # The privacy erasure deletes a user's rows (USER_ROLLUPS): found without a scan.
    __table_args__ = (sa.Index("ix_analytics_user_week_user", "user_id"),)

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # The Monday of the local week (the workspace's timezone).
    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    progressed: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    escalations: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Judged from ``end_user`` when the row was first written (``reactive_weeks``): 1 if
    # the user was onboarding in the week, and their account then (None: none).
    onboarding: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    account_id: Mapped[int | None]


class AnalyticsAccountWeek(db.Model):
    """How many of an account's users were onboarding and active, needed a human, or were
    self-service in a local week (the account of each ``AnalyticsUserWeek`` row): whether
    the account counts as active, needed a human, self-service. No row names a user."""

    __tablename__ = "analytics_account_week"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # Before the week: the fold reads the weeks of the accounts a batch names.
    account_id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    active: Mapped[int] = mapped_column(sa.Integer, default=0)
    needed: Mapped[int] = mapped_column(sa.Integer, default=0)
    self_service: Mapped[int] = mapped_column(sa.Integer, default=0)


class AnalyticsReactiveWeek(db.Model):
    """The proactive vs reactive report's weekly counts, kept by the fold on each change of
    a user's or account's week (``guide.analytics.reactive_weeks``): a report reads a row
    per week. No row names a user: an erased user stays counted, anonymously."""

    __tablename__ = "analytics_reactive_week"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    users_active: Mapped[int] = mapped_column(sa.Integer, default=0)
    users_needed: Mapped[int] = mapped_column(sa.Integer, default=0)
    users_self: Mapped[int] = mapped_column(sa.Integer, default=0)
    accounts_active: Mapped[int] = mapped_column(sa.Integer, default=0)
    accounts_needed: Mapped[int] = mapped_column(sa.Integer, default=0)
    accounts_self: Mapped[int] = mapped_column(sa.Integer, default=0)
    escalations: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Help sessions opened in the week, and those escalated within 24 hours
    # (``guide.analytics.reactive_help``).
    help_sessions: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    help_escalated: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class AnalyticsSearch(db.Model):
    """A help search (``$help_search`` with a text query), as the help searches report
    counts it (``guide.analytics.searches``): one narrow row instead of the event's page."""

    __tablename__ = "analytics_search"
    # The report's reads, from the indexes alone: the searches of a range of event times
    # (grouped by query), and the users of its ranked queries (only their rows read).
    __table_args__ = (sa.Index("ix_analytics_search_time", "workspace_id", "at", "query",
                               "zero", "user_id"),
                      sa.Index("ix_analytics_search_query", "workspace_id", "query", "at",
                               "user_id"),
                      sa.Index("ix_analytics_search_user", "user_id"))

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the event may be deleted by the retention, the search stays.
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # None: a search no user sent (counted as one user, as the event log's were).
    user_id: Mapped[int | None]
    # The event time (``facts.event_time``).
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Normalised (``searches.normalized``): trimmed, spaces collapsed, lower case, at most
    # MAX_QUERY characters.
    query: Mapped[str] = mapped_column(sa.String(200))
    # ``results`` was the JSON integer 0.
    zero: Mapped[bool]


class AnalyticsSignup(db.Model):
    """How many users signed up (``end_user.first_seen``) on a local day, and reached a
    milestone in a bucket of time to value (``guide.analytics.signups``).

    ``key`` "" (bucket 0) counts the signups. No row names a user: a user erased after
    being folded stays counted here, anonymously (docs/ANALYTICS.md).
    """

    __tablename__ = "analytics_signup"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # The local signup day in the workspace's timezone (``AnalyticsWatermark.signup_zone``).
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # ``signups.bucket`` of the seconds from signup to the milestone.
    bucket: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsTimeToValue(db.Model):
    """How many users who signed up on a local day reached ``key`` after exactly
    ``seconds``: the exact values of the one bucket a report's quantile falls in."""

    __tablename__ = "analytics_time_to_value"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # In this order: a bucket is a range of seconds of one key.
    seconds: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsStage(db.Model):
    """How many of the workspace's users are in each lifecycle stage now, as folded
    (``guide.analytics.stages``; ``end_user.rolled_stage`` says where each one counts)."""

    __tablename__ = "analytics_stage"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    # ``NO_STAGE`` (guide.models.user): users never moved to a stage.
    stage: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)

    @staticmethod
    def forget_users(workspace_id: int, user_ids: list[int]) -> None:
        """Take users about to be deleted out of the counts (the privacy erasure, holding
        ``AnalyticsWatermark.lock``): "users now" never counts an erased one."""
        for stage, count in db.session.execute(
                sa.select(EndUser.rolled_stage, sa.func.count())
                .where(EndUser.workspace_id == workspace_id, EndUser.id.in_(user_ids),
                       EndUser.rolled_stage.is_not(None)).group_by(EndUser.rolled_stage)):
            db.session.execute(sa.update(AnalyticsStage).where(
                AnalyticsStage.workspace_id == workspace_id, AnalyticsStage.stage == stage)
                .values(users=AnalyticsStage.users - count))


class AnalyticsFiring(db.Model):
    """How many times a scenario fired on a local day (``guide.analytics.stall_counts``)."""

    __tablename__ = "analytics_firing"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(primary_key=True)
    firings: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsEscalation(db.Model):
    """Escalations users sent on a local day (``key`` ""), and of them those sent after
    the user had reached milestone ``key`` (``guide.analytics.stall_counts``)."""

    __tablename__ = "analytics_escalation"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    escalations: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsScenarioDay(db.Model):
    """A scenario's settled firings (``converted`` written) of one UTC day and arm, and how
    many of them converted: the Scenarios report sums these instead of every firing.

    Kept equal to the firings by whoever writes ``converted`` or deletes a firing, in the
    same transaction, from the rows the write returns (``add``): the worker's settling,
    the privacy erasure, a goal change (which unsettles every firing of its scenario).
    UTC days, not local ones: a changed timezone does not move a firing to another row.
    """

    __tablename__ = "analytics_scenario_day"

    scenario_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    held_out: Mapped[bool] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    settled: Mapped[int] = mapped_column(sa.Integer)
    converted: Mapped[int] = mapped_column(sa.Integer)

    @staticmethod
    def add(rows: Iterable[Any], sign: int = 1) -> None:
        """Count (``sign`` 1) or uncount (-1) firings given as rows of ``workspace_id,
        scenario_id, fired_at, held_out, converted``; rows not settled are skipped."""
        tally: Counter[tuple[int, int, date, bool]] = Counter()
        hits: Counter[tuple[int, int, date, bool]] = Counter()
        for workspace_id, scenario_id, fired_at, held_out, converted in rows:
            if converted is None:
                continue
            key = (workspace_id, scenario_id, fired_at.astimezone(UTC).date(), bool(held_out))
            tally[key] += sign
            hits[key] += sign if converted else 0
        if not tally:
            return
        t = AnalyticsScenarioDay
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(t)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=[t.scenario_id, t.day, t.held_out],
            set_={"settled": t.settled + insert.excluded.settled,
                  "converted": t.converted + insert.excluded.converted}),
            [{"workspace_id": w, "scenario_id": s, "day": d, "held_out": h,
              "settled": n, "converted": hits[w, s, d, h]}
             for (w, s, d, h), n in tally.items()])

    @staticmethod
    def refill(workspace_id: int) -> None:
        """Count the workspace's settled firings again, from the firings (after a reset)."""
        from_firings = sa.table("scenario_firing", *map(sa.column, (
            "workspace_id", "scenario_id", "fired_at", "held_out", "converted")))
        f, t = from_firings.c, AnalyticsScenarioDay
        day = (sa.cast(sa.func.timezone("UTC", f.fired_at), sa.Date)
               if db.session.get_bind().dialect.name == "postgresql" else sa.func.date(f.fired_at))
        db.session.execute(sa.insert(t).from_select(
            ["scenario_id", "day", "held_out", "workspace_id", "settled", "converted"],
            sa.select(f.scenario_id, day, f.held_out, f.workspace_id, sa.func.count(),
                      sa.func.count().filter(f.converted.is_(True)))
            .where(f.workspace_id == workspace_id, f.converted.is_not(None))
            .group_by(f.scenario_id, day, f.held_out, f.workspace_id)))


# Every rollup table but the watermark: what a reset empties and ANALYZE refreshes.
ROLLUPS = (AnalyticsDaily, AnalyticsUserDay, AnalyticsReach, AnalyticsUserWeek,
           AnalyticsAccountWeek, AnalyticsReactiveWeek, AnalyticsDuration,
           AnalyticsDurationBucket, AnalyticsMoment, AnalyticsRun, AnalyticsSearch,
           AnalyticsAccount, AnalyticsMember, AnalyticsSignup,
           AnalyticsTimeToValue, AnalyticsStage, AnalyticsFiring, AnalyticsEscalation,
           AnalyticsScenarioDay, AnalyticsOnboarding, AnalyticsOnboardingAccount)
# The rollup tables whose rows name a user (``user_id``): deleted with the user (whose
# accounts' rows go too: ``analytics_accounts.forget_accounts``).
USER_ROLLUPS = (AnalyticsUserDay, AnalyticsUserWeek, AnalyticsRun, AnalyticsMoment,
                AnalyticsSearch, AnalyticsMember)
