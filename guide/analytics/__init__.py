"""Analytics: whether onboarding works, from the event log (docs/ANALYTICS.md).

A feature package: it reads the event log and keeps its own rollup tables
(``guide.models.analytics``); the edges (admin, API, CLI, the worker) call it,
``guide.services`` never does.

How the numbers stay exact and fast:

- ``facts.Folder`` turns events, in id order, into facts (a guide started,
  a step completed, a target missing...), each on the local day of the
  event's time in the workspace's timezone. Its only state is each user's
  run of each guide (``Run``: when it started, when its last step was done),
  which durations need.
- The worker (``rollup.rollup_due``, every round) folds the events above a
  per-workspace watermark in bounded batches, continuing from the runs it
  saved, and adds the facts to its tables in one transaction with the new
  watermark: counts per (guide, step, metric, day); which users did each
  metric on each day (``analytics_user_day``); how many users' days of a
  metric follow which earlier day (``analytics_reach``, so a unique count
  over any range is a SUM over its days, ``reach``); every measured duration
  keyed by the event that ended it; help openings and escalations with their event times
  (``analytics_moment``, for the proactive vs reactive report's 24-hour
  window); what each user did each local week (``analytics_user_week``,
  ``weekly``: the proactive vs reactive report counts weeks from it); the help
  searches (``analytics_search``, ``searches``); the days each user was shown
  or answered each survey (user-days and chains under ``$survey``,
  ``survey_reach``: the survey report's users shown and response rate); and
  the runs.
- A report (``guide_report``, ``reactive_report``) reads the tables for its range and folds the
  events above the watermark (the tail) itself, from the same runs. Folding
  in consecutive id ranges that hand the runs on gives the same facts as
  folding all events at once, so rollups + tail == the raw computation
  (``raw_guide_report``), which a property test checks on random streams.
- The event retention deletes only events at or below the watermark.
- The timezone in force when an event is rolled fixes its day; changing the
  workspace's timezone re-days only what is rolled afterwards.
- The portfolio (``portfolio``) counts one row per account the worker keeps
  (``analytics_account``, ``account_rollup``: stage, CSM, the instants the
  account becomes behind and stuck), and judges from their users now only the
  accounts whose users, milestones or row changed since its pass (found by
  id, ``last_seen``, ``updated_at``, ``reached_at``: no hook on the hot path).
- The Scenarios report (``scenarios``): the worker (``settle_due``) writes on
  each firing whether it converted once its goal window has closed, and counts
  it per UTC day and arm in ``analytics_scenario_day`` (``scenario_days``) in
  the same transaction. The report sums those rows for its whole matured days
  and reads the rest from the firings in SQL, looking up (indexed EXISTS) only
  the firings not settled yet.
"""

from guide.analytics.guide_report import by_week, guide_report, raw_guide_report
from guide.analytics.help_search import help_search_report, raw_help_search_report
from guide.analytics.lifecycle_report import lifecycle_report
from guide.analytics.portfolio import portfolio
from guide.analytics.reactive_report import raw_reactive_report, reactive_report
from guide.analytics.rollup import rollup, rollup_due
from guide.analytics.scenarios import scenario_report, settle_due
from guide.analytics.timeline import account_timeline

__all__ = ["account_timeline", "by_week", "guide_report", "help_search_report",
           "lifecycle_report", "portfolio", "raw_guide_report", "raw_help_search_report",
           "raw_reactive_report",
           "reactive_report", "rollup", "rollup_due", "scenario_report", "settle_due"]
