"""A seeded, realistic history for the demo workspace: who signed up, what they did.

``simulate`` plays ``users`` people of ``accounts`` through the demo's real
content over ``days`` days and returns the rows to insert (``history_rows``
writes them). Deterministic: the same seed, size and ``now`` give the same
rows (each user draws from their own seeded generator). The picture it paints,
on purpose, so that every report says something on the first run:

- the dashboard tour loses users at ``insights``: its element loads late, the
  widget reports ``$target_missing`` for about half the users who get there,
  and most of them dismiss the tour;
- ``data_connected`` stalls: about half the users never connect data on their
  own; ``connect-data-reminder`` fires for them after two days (10% held out,
  taking no action) and brings more of the treated back than of the held-out;
- the share of users who needed a human falls from about 25% to about 8%
  over the period, as help openings resolve more questions.

Only the events' shapes come from ``synthetic``; the event times are the
client's (``client_at``), delivered a moment later (``created_at``), a few
through the offline queue hours later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from guide.analytics import synthetic as s
from guide.schemas.proactive import in_holdout

PREFIX = "demo-history-"
CHECKLIST, TOUR, PLAN = "getting-started", "dashboard-tour", "onboarding-plan"
TOUR_STEPS = ["kpis", "insights", "reports-tab", "reports", "integrations-link",
              "integrations", "all-set"]
LOSSY_STEP, LOSSY_SELECTOR = "insights", "#insights"
STALL_SCENARIO, STALL_MILESTONE = "connect-data-reminder", "data_connected"
# content/scenarios.yaml's holdout of STALL_SCENARIO, in percent: who is held out is the
# engine's own split (by external id), so the history is what the engine would record.
HOLDOUT = 10
VIEWS = ("$guide_shown", "$step_shown", "$target_missing", "$help_open")
# Events this recent are not in the history (the rollup folds settled events only).
QUIET = timedelta(minutes=5)
PLANS = ["trial", "trial", "trial", "pro", "pro", "enterprise", "free"]
ESCALATED_MESSAGES = ["The PostgreSQL connection keeps timing out.",
                      "Where do I find my API key for Stripe?",
                      "My CSV import fails with an encoding error.",
                      "How do I add a chart to a dashboard?"]


@dataclass
class User:
    external_id: str
    account: str | None
    first_seen: datetime
    plan: str
    locale: str
    events: list[dict[str, Any]] = field(default_factory=list)
    # milestone key -> reached at
    milestones: dict[str, datetime] = field(default_factory=dict)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    # (guide key) -> (state, user-scoped steps done, current step, started, completed, updated)
    progress: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (scenario key, fired at, held out, details)
    firings: list[tuple[str, datetime, bool, dict[str, Any]]] = field(default_factory=list)


@dataclass
class History:
    start: datetime
    now: datetime
    users: list[User]
    # account external id -> (created at, traits)
    accounts: dict[str, tuple[datetime, dict[str, Any]]]
    # (account, guide, step) -> (completed at, user external id or None, completed_by)
    account_steps: dict[tuple[str, str, str], tuple[datetime, str | None, str | None]]


def reactive_odds(at: datetime, start: datetime, now: datetime) -> float:
    """How likely a struggling user asks a human at ``at``: falls over the period."""
    share = min(1.0, max(0.0, (at - start) / (now - start)))
    return 0.77 - 0.57 * share


class Journey:
    """One user's way through the demo's content, appending rows as they go."""

    def __init__(self, history: History, user: User, rng: random.Random) -> None:
        self.h, self.u, self.rng = history, user, rng
        self.cutoff = history.now - QUIET
        self.done: list[str] = []

    def add(self, row: dict[str, Any]) -> bool:
        """Record an event that happened before the cutoff; False (dropped) after it."""
        if row["created_at"] > self.cutoff:
            return False
        if row["name"] in VIEWS and self.rng.random() < 0.03:
            # Views go out in batches; a few wait in the offline queue for hours.
            late = row["client_at"] + timedelta(hours=self.rng.uniform(0.01, 20))
            row["created_at"] = min(late, self.cutoff)
        self.u.events.append(row)
        return True

    def reach(self, key: str, source: str, at: datetime) -> None:
        if key not in self.u.milestones and at <= self.cutoff:
            self.u.milestones[key] = at
            self.add(s.milestone(key, source, at))

    def later(self, at: datetime, low: float, high: float) -> datetime:
        """A time ``low..high`` minutes after ``at``."""
        return at + timedelta(minutes=self.rng.uniform(low, high))

    def play(self) -> None:
        u, t = self.u, self.u.first_seen
        if u.plan in ("pro", "enterprise"):
            self.reach("paying", "traits", t)
        for guide in (CHECKLIST, TOUR):  # the first bootstrap offers both
            self.add(s.offer(guide, t - s.DELIVERY))
        self.add(s.shown(CHECKLIST, t))
        self.add(s.guide_state(CHECKLIST, "active", t))
        self.u.progress[CHECKLIST] = {"state": "active", "steps": [], "step": None,
                                      "started": t, "completed": None, "updated": t}
        self.tour(self.later(t, 0.5, 2))
        if self.rng.random() < 0.92:
            self.step_done("welcome", self.later(t, 2, 6), s.step_complete)
        connected = self.connect(self.later(t, 5, 60 * 24 * 1.5))
        if connected is None:
            return
        self.dashboards(self.invite(self.settings(connected)))

    def tour(self, t: datetime) -> None:
        extras = [("pro-features", "take-tour")] if self.u.plan in ("pro", "enterprise") else []
        self.add(s.shown(TOUR, t))
        self.add(s.guide_state(TOUR, "active", t, step=TOUR_STEPS[0]))
        state = {"state": "active", "steps": [], "step": TOUR_STEPS[0], "started": t,
                 "completed": None, "updated": t}
        self.u.progress[TOUR] = state
        for n, step in enumerate(TOUR_STEPS):
            t = self.later(t, 0.1, 0.8)
            if n:
                self.add(s.guide_state(TOUR, "active", t, step=step))
            state.update(step=step, updated=t)
            if step == LOSSY_STEP and self.rng.random() < 0.55:
                t = self.later(t, 0.15, 0.2)
                self.add(s.target_missing(TOUR, step, LOSSY_SELECTOR, t))
                if self.rng.random() < 0.85:
                    self.end_tour("dismissed", self.later(t, 0.1, 0.5), state, step)
                    return
            self.add(s.shown(TOUR, t, step))
            if n and self.rng.random() < 0.05:
                self.end_tour("dismissed", self.later(t, 0.1, 0.5), state, step)
                return
        t = self.later(t, 0.1, 0.5)
        self.add(s.guide_state(TOUR, "completed", t, step=TOUR_STEPS[-1], completed=extras,
                               states={TOUR: "completed", **{g: "active" for g, _ in extras}}))
        state.update(state="completed", completed=t, updated=t)

    def end_tour(self, how: str, t: datetime, state: dict[str, Any], step: str) -> None:
        self.add(s.guide_state(TOUR, how, t, step=step))
        state.update(state=how, updated=t)

    def step_done(self, step: str, t: datetime, make: Any, *more: tuple[str, str],
                  name: str | None = None, url: str | None = None) -> bool:
        """A checklist step done at ``t`` (``make``: the envelope that does it)."""
        progress = self.u.progress[CHECKLIST]
        self.done.append(step)
        finished = self.checklist_finished(t)
        states = {CHECKLIST: "completed" if finished else "active"}
        if make is s.step_complete:
            row = s.step_complete(CHECKLIST, step, t, done=states[CHECKLIST])
        else:
            row = s.track(name or step, t, {}, completed=[(CHECKLIST, step), *more],
                          states={**states, **{g: "active" for g, _ in more}}, url=url)
        if not self.add(row):
            self.done.pop()
            return False
        if step != "invite-teammate":
            progress["steps"].append(step)
        progress.update(step=step, updated=t)
        if finished:
            progress.update(state="completed", completed=t)
            self.reach("activated", f"guide:{CHECKLIST}", t)
        return True

    def checklist_finished(self, t: datetime) -> bool:
        needed = {"welcome", "connect-data", "review-settings", "create-dashboard"}
        ticked = self.account_step(CHECKLIST, "invite-teammate")
        account_done = ticked is not None and ticked[0] <= t
        return needed <= set(self.done) and ("invite-teammate" in self.done or account_done)

    def account_step(self, guide: str, step: str) -> Any:
        if self.u.account is None:
            return None
        return self.h.account_steps.get((self.u.account, guide, step))

    def tick_account(self, guide: str, step: str, t: datetime) -> list[tuple[str, str]]:
        """The account's step, if this user is the first to do it: its (guide, step)."""
        if self.u.account is None or self.account_step(guide, step) is not None:
            return []
        self.h.account_steps[(self.u.account, guide, step)] = (t, self.u.external_id, None)
        return [(guide, step)]

    def struggle(self, t: datetime, step: str, article: str, url: str) -> datetime:
        """Help opened on a step, sometimes an escalation after it; when they went on."""
        self.add(s.help_open(CHECKLIST, step, article, t))
        if self.rng.random() >= reactive_odds(t, self.h.start, self.h.now):
            return self.later(t, 3, 20)
        at = self.later(t, 2, 25)
        reference = "ESC-" + "".join(self.rng.choice("23456789ABCDEFGHJKMNPQRSTVWXYZ")
                                     for _ in range(6))
        row = s.escalate(reference, CHECKLIST, step, at, url=url)
        if self.add(row):
            status = "open" if self.h.now - at < timedelta(days=2) else "resolved"
            self.u.escalations.append(s.escalation_row(
                reference, self.rng.choice(ESCALATED_MESSAGES), CHECKLIST, step, article, url,
                row["created_at"], status=status))
        return self.later(at, 60, 60 * 30)

    def connect(self, t: datetime) -> datetime | None:
        """Connecting data: the stalling milestone. When it happened, or None."""
        if self.rng.random() < 0.45:
            t = self.struggle(t, "connect-data", "connect-data-sources", "/demo/integrations")
        if self.rng.random() >= 0.42:
            t = self.stalled(t)
            if t is None:
                return None
        plan = self.tick_account(PLAN, "connect-data", t)
        if not self.step_done("connect-data", t, s.track, *plan, name="integration_connected"):
            return None
        self.reach(STALL_MILESTONE, "event:integration_connected", t)
        return t

    def stalled(self, t: datetime) -> datetime | None:
        """No data after two days: the reminder fires (or is held out); some come back."""
        fired = self.u.first_seen + timedelta(days=2, minutes=self.rng.uniform(0, 30))
        if self.u.plan not in ("trial", "pro") or fired > self.cutoff:
            return None
        held_out = in_holdout(STALL_SCENARIO, "user", self.u.external_id, HOLDOUT)
        self.u.firings.append((STALL_SCENARIO, fired, held_out,
                               {"milestone": STALL_MILESTONE, "days": 2}))
        if self.rng.random() >= (0.12 if held_out else 0.35):
            return None
        return fired + timedelta(hours=self.rng.uniform(1, 24 * 5))

    def settings(self, t: datetime) -> datetime:
        if self.rng.random() < 0.8:
            t = self.later(t, 1, 30)
            self.step_done("review-settings", t, s.track, name="$page", url="/demo/settings")
        return t

    def invite(self, t: datetime) -> datetime:
        if self.rng.random() >= 0.7:
            return t
        t = self.later(t, 60, 60 * 24 * 3)
        plan = self.tick_account(PLAN, "invite-team", t)
        if self.add(s.track("teammate_invited", t, {}, completed=plan,
                            states={PLAN: "active"} if plan else {})):
            self.reach("team_invited", "event:teammate_invited", t)
        if self.tick_account(CHECKLIST, "invite-teammate", t) or self.u.account is None:
            t = self.later(t, 0.2, 2)
            self.step_done("invite-teammate", t, s.step_complete)
        return t

    def dashboards(self, t: datetime) -> None:
        if self.rng.random() >= 0.72:
            return
        t = self.later(t, 10, 60 * 24 * 4)
        if self.rng.random() < 0.25:
            t = self.struggle(t, "create-dashboard", "create-a-dashboard", "/demo/dashboard")
        plan = self.tick_account(PLAN, "first-report", t)
        if not self.step_done("create-dashboard", t, s.track, *plan, name="dashboard_created"):
            return
        self.reach("first_dashboard", "step:getting-started/create-dashboard", t)
        if self.rng.random() < 0.3:
            for _ in range(4):
                t = self.later(t, 60 * 4, 60 * 24 * 4)
                if not self.add(s.track("dashboard_created", t)):
                    return
            self.reach("power_user", "event:dashboard_created", t)


def simulate(now: datetime, *, days: int = 90, users: int = 1500, seed: int = 7) -> History:
    """The history of ``users`` people who signed up over the ``days`` days before ``now``."""
    start = now - timedelta(days=days)
    rng = random.Random(f"{seed}:accounts")
    count = max(1, users // 4)
    history = History(start, now, [], {}, {})
    plans = {f"{PREFIX}acct-{n}": rng.choice(PLANS) for n in range(count)}
    span = (now - QUIET - start).total_seconds()
    for n in range(users):
        r = random.Random(f"{seed}:{n}")
        account = None if r.random() < 0.08 else f"{PREFIX}acct-{r.randrange(count)}"
        first_seen = start + timedelta(seconds=r.uniform(0, span - 3600))
        plan = plans[account] if account else r.choice(PLANS)
        user = User(f"{PREFIX}{n:05d}", account, first_seen, plan,
                    "fr" if r.random() < 0.25 else "en")
        history.users.append(user)
        if account is not None:
            created, traits = history.accounts.get(account, (first_seen, {"plan": plan}))
            history.accounts[account] = (min(created, first_seen), traits)
    # Users play in the order they signed up: the first of an account ticks its steps.
    for n, user in sorted(enumerate(history.users), key=lambda p: p[1].first_seen):
        Journey(history, user, random.Random(f"{seed}:{n}:play")).play()
    for account, (created, _) in sorted(history.accounts.items()):
        for step, share, after in (("kickoff-call", 0.85, 2), ("data-review", 0.6, 9)):
            at = created + timedelta(days=rng.uniform(0.5, after))
            if rng.random() < share and at <= now - QUIET:
                history.account_steps[(account, PLAN, step)] = (at, None, "csm@acme.example")
    return history
