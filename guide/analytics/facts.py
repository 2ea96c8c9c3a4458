"""From events to facts: what each event says about a guide, in one pure fold.

``Folder.fold`` reads one event row and returns the facts it establishes
(docs/ANALYTICS.md defines each metric). It is pure apart from ``runs``, the
per (user, guide) state it carries from event to event: folding events
``1..n`` in id order gives the same facts whether it is done in one go (the
raw computation) or in consecutive id ranges that hand ``runs`` on (the
rollups, then the tail). That is what makes "rollups + tail == raw" exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from guide.models.analytics import GUIDE_LEVEL
from guide.models.event import OFFER

# Guide level
SEEN, STARTED, COMPLETED, DISMISSED, SNOOZED = (
    "seen", "started", "completed", "dismissed", "snoozed")
# Bootstrap offered the guide (the server's ``offer`` event); the checklist panel opened on it.
ELIGIBLE, CHECKLIST_OPEN = "eligible", "checklist_open"
# Step level
STEP_SHOWN, STEP_COMPLETED, TARGET_MISSING, HELP_OPENED, ESCALATED = (
    "step_shown", "step_completed", "target_missing", "help_opened", "escalated")
# A help opening from a step's "Stuck?" (a ``$help_open`` naming a step and an article:
# only the Stuck? button opens help at an article with its step; docs/PROTOCOL.md).
STUCK = "stuck"
# A tour step's time on it, from its ``$step_shown`` to the next step shown of the run,
# or the run's completion or dismissal: a duration only (no count, no user-day).
STEP_TIME = "step_time"
DURATION_ONLY = {STEP_TIME}
# A checklist item expanded; its action button clicked.
ITEM_EXPANDED, ITEM_CLICKED = "item_expanded", "item_clicked"
# Workspace level (the proactive vs reactive report), under the guide key WORKSPACE:
# an envelope from the user; progress (a step or guide completed, a milestone reached).
# HELP_OPENED and ESCALATED there carry the event time (``Fact.at``).
ACTIVE, PROGRESSED = "active", "progressed"
# Not a guide key: keys are slugs, which never start with "$".
WORKSPACE = "$workspace"
ACTIVITY = ("step:complete", "guide:state", "event:track", "help:escalate")

# A client time this much older than the server's receipt still names the day
# (the offline queue); anything older, or in the future, falls back to the server time.
MAX_LATE = timedelta(days=7)
# Column sizes of the rollup tables: a longer name is not a guide or step of ours.
MAX_KEY = 100
# System events (event:track) that name a guide, and the metric each one counts.
TRACKED = {"$guide_shown": SEEN, "$step_shown": STEP_SHOWN,
           "$target_missing": TARGET_MISSING, "$help_open": HELP_OPENED,
           "$checklist_open": CHECKLIST_OPEN, "$item_expanded": ITEM_EXPANDED,
           "$item_clicked": ITEM_CLICKED}
STEP_METRICS = {STEP_SHOWN, TARGET_MISSING, HELP_OPENED, ITEM_EXPANDED, ITEM_CLICKED}
# A help session (the proactive vs reactive report) is a ``$help_open``, or an
# ``$article_view`` with no help event of the user's in the SESSION_GAP before it.
# The last help event's time is kept as the run of this pseudo guide (keys are slugs).
HELP_RUN = "$help"
SESSION_GAP = timedelta(minutes=30)
ENVELOPES = ("step:complete", "guide:state", "event:track")


# NamedTuples, not frozen dataclasses: a batch builds one row per event and two facts
# per event, and a dataclass's __init__ cost several times a tuple's.
class EventRow(NamedTuple):
    id: int
    user_id: int | None
    type: str
    name: str
    props: dict[str, Any] | None
    result: dict[str, Any] | None
    client_at: datetime | None
    created_at: datetime


@dataclass
class Run:
    """A user's open run of a guide: when it started, when its last step was done, and the
    step last shown (a tour's) and when, until the next one or the run's end times it."""

    started_at: datetime | None = None
    last_step_at: datetime | None = None
    shown_step: str | None = None
    shown_at: datetime | None = None


# Run's fields, the columns of ``analytics_run`` that hold them.
RUN_COLUMNS = ("started_at", "last_step_at", "shown_step", "shown_at")


class Fact(NamedTuple):
    event_id: int
    day: date
    guide: str
    step: str
    metric: str
    user_id: int
    # A duration this fact ends (time to complete, time on step), in seconds.
    seconds: float | None = None
    # The event time, for the moments the reactive report times (WORKSPACE facts).
    at: datetime | None = None


def event_time(row: EventRow) -> datetime:
    """When it happened: the client's time within MAX_LATE before receipt, else the server's."""
    client = row.client_at
    if client is not None and row.created_at - MAX_LATE <= client <= row.created_at:
        return client
    return row.created_at


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_KEY else None


def _since(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


class Folder:
    """Folds events in id order into facts, keeping each (user, guide) run in ``runs``."""

    def __init__(self, timezone: ZoneInfo, runs: dict[tuple[int, str], Run]) -> None:
        self.timezone = timezone
        self.runs = runs
        # The (user, guide) runs this folder changed, to be written back.
        self.changed: set[tuple[int, str]] = set()

    def fold(self, row: EventRow) -> list[Fact]:
        if row.user_id is None:
            return []  # server events about an account (plan steps), not a user's guide
        at = event_time(row)
        self._at, self._facts, self._progressed = at, [], False
        self._row, self._day = row, at.astimezone(self.timezone).date()
        props = row.props if isinstance(row.props, dict) else {}
        if row.type == "guide:state":
            self._state(_key(props.get("guide")), props.get("state"))
        elif row.type == "event:track" and row.name in TRACKED:
            self._tracked(TRACKED[row.name], _key(props.get("guide")), props.get("step"))
            if row.name == "$help_open" and _key(props.get("article")) is not None:
                self._tracked(STUCK, _key(props.get("guide")), props.get("step"))
        elif row.type == "help:escalate":
            self._tracked(ESCALATED, _key(props.get("guide")), props.get("step"))
        elif row.type == OFFER and _key(row.name) is not None:
            self._fact(row.name, ELIGIBLE)
        if row.type in ENVELOPES and isinstance(row.result, dict):
            self._steps_done(row.result)
        self._workspace_level(row)
        return self._facts

    def _workspace_level(self, row: EventRow) -> None:
        """Facts about the user, not a guide (docs/ANALYTICS.md, "Proactive vs reactive")."""
        progressed = self._progressed or row.type == "milestone"
        if row.type in ACTIVITY:
            self._fact(WORKSPACE, ACTIVE)
        if progressed:
            self._fact(WORKSPACE, PROGRESSED)
        if row.type == "help:escalate":
            self._fact(WORKSPACE, ESCALATED, at=self._at)
        elif row.type == "event:track" and row.name in ("$help_open", "$article_view"):
            self._help_event(row.name == "$help_open")

    def _help_event(self, opened: bool) -> None:
        """A help opening is a session; an article read is one unless help was in use."""
        run = self._run(HELP_RUN)
        last = run.started_at
        if opened or last is None or not last <= self._at <= last + SESSION_GAP:
            self._fact(WORKSPACE, HELP_OPENED, at=self._at)
        run.started_at = self._at if last is None else max(last, self._at)

    def _fact(self, guide: str, metric: str, step: str = GUIDE_LEVEL,
              seconds: float | None = None, at: datetime | None = None) -> None:
        assert self._row.user_id is not None
        if metric in (STEP_COMPLETED, COMPLETED):  # progress (the workspace level)
            self._progressed = True
        self._facts.append(Fact(self._row.id, self._day, guide, step, metric,
                                self._row.user_id, seconds, at))

    def _run(self, guide: str) -> Run:
        key = (self._row.user_id or 0, guide)
        self.changed.add(key)
        return self.runs.setdefault(key, Run())

    def _start(self, guide: str) -> Run:
        run = self._run(guide)
        if run.started_at is None:
            run.started_at, run.last_step_at = self._at, None
            self._fact(guide, STARTED)
        return run

    def _shown(self, guide: str, step: str | None) -> None:
        """A step shown ends the one shown before it (its time on the step) and starts its
        own; ``None``: the run ended. Only in an open run: a show the widget's batch sent
        after the run ended starts nothing."""
        run = self._run(guide)
        if run.shown_step is not None and run.shown_at is not None:
            self._fact(guide, STEP_TIME, run.shown_step, _since(self._at, run.shown_at))
        open_run = step is not None and run.started_at is not None
        run.shown_step, run.shown_at = (step, self._at) if open_run else (None, None)

    def _close(self, guide: str, metric: str) -> None:
        run = self._run(guide)
        if run.started_at is not None:
            self._shown(guide, None)
        if metric == COMPLETED:
            if run.started_at is None:
                return  # a second signal for a completion already counted
            self._fact(guide, COMPLETED, seconds=_since(self._at, run.started_at))
        else:
            self._fact(guide, metric)
        run.started_at = run.last_step_at = None

    def _state(self, guide: str | None, state: Any) -> None:
        if guide is None:
            return
        if state == "active":
            self._start(guide)
        elif state in (COMPLETED, DISMISSED):
            self._close(guide, state)
        elif state == SNOOZED:
            self._fact(guide, SNOOZED)

    def _tracked(self, metric: str, guide: str | None, step: Any) -> None:
        if guide is None:
            return
        if metric == STUCK:
            if _key(step) is not None:
                self._fact(guide, STUCK, step)
        elif metric in STEP_METRICS or metric == ESCALATED:
            self._fact(guide, metric, _key(step) or GUIDE_LEVEL)
            if metric == STEP_SHOWN and _key(step) is not None:
                self._shown(guide, _key(step))
        else:
            self._fact(guide, metric)

    def _steps_done(self, result: dict[str, Any]) -> None:
        """Steps this envelope newly completed (its ack's ``completed``), then finished guides."""
        done = result.get("completed")
        guides: list[str] = []
        for item in done if isinstance(done, list) else []:
            guide = _key(item.get("guide")) if isinstance(item, dict) else None
            step = _key(item.get("step")) if isinstance(item, dict) else None
            if guide is None or step is None:
                continue
            run = self._start(guide)
            self._fact(guide, STEP_COMPLETED, step,
                       _since(self._at, run.last_step_at or run.started_at))
            run.last_step_at = self._at
            if guide not in guides:
                guides.append(guide)
        progress = result.get("progress")
        progress = progress if isinstance(progress, dict) else {}
        for guide in guides:
            view = progress.get(guide)
            if isinstance(view, dict) and view.get("state") == COMPLETED:
                self._close(guide, COMPLETED)
