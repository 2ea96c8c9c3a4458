"""A seeded, realistic history for the demo workspace: who signed up, what they did.

``simulate`` plays ``users`` people of ``accounts`` through the demo's real
content over ``days`` days and returns the rows to insert (``history_rows``
writes them). Deterministic: the same seed, size and ``now`` give the same
rows (each user draws from their own seeded generator). The picture it paints,
on purpose, so that every report says something on the first run:

- the dashboard tour loses users at ``insights``: its element loads late, the
  widget reports ``$target_missing`` for about half the users who get there,
  and most of them dismiss the tour;
- onboarding stalls at ``data_connected``: about half the users do not connect
  data on their own; ``connect-data-reminder`` fires for them after two days,
  and ``getting-started-stalled`` for every checklist left three days without
  progress, as the engine's sweep would (its cooldown and cap included). Each
  scenario's nudge brings back more of the treated (about a third) than of its
  10% held out (about a tenth) within its 7-day goal window; most who give up
  close the checklist, so the reminder fires more than the stall nudge;
- the share of users who needed a human falls from about 25% to about 8%
  over the period, as help openings resolve more questions.

As the server and widget record them: bootstrap's ``offer`` of each guide the
user may see, once per local day they are active, and ``$guide_shown`` before a
guide starts. Only the events' shapes come from ``synthetic``; the event times
are the client's (``client_at``), delivered a moment later (``created_at``), a
few through the offline queue hours later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from guide.analytics import synthetic as s
from guide.analytics.history_checklist import (  # noqa: F401 - the history's names
    CHECKLIST,
    HOLDOUT,
    PLAN,
    QUIET,
    REMINDER,
    STALL_MILESTONE,
    STALLED,
    Firing,
    Steps,
)

PREFIX = "demo-history-"
TOUR, PRO = "dashboard-tour", "pro-features"
TOUR_STEPS = ["kpis", "insights", "reports-tab", "reports", "integrations-link",
              "integrations", "all-set"]
LOSSY_STEP, LOSSY_SELECTOR = "insights", "#insights"
PLANS = ["trial", "trial", "trial", "pro", "pro", "enterprise", "free"]
PAYING = ("pro", "enterprise")


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
    firings: list[Firing] = field(default_factory=list)


@dataclass
class History:
    start: datetime
    now: datetime
    users: list[User]
    # account external id -> (created at, traits)
    accounts: dict[str, tuple[datetime, dict[str, Any]]]
    # (account, guide, step) -> (completed at, user external id or None, completed_by)
    account_steps: dict[tuple[str, str, str], tuple[datetime, str | None, str | None]]
    # the workspace's timezone: bootstrap records one offer per user, guide and local day
    zone: tzinfo = UTC



class Journey(Steps):
    """One user's way through the demo's content, appending rows as they go."""

    def play(self) -> None:
        u, t = self.u, self.u.first_seen
        if u.plan in PAYING:
            self.reach("paying", "traits", t)
        self.see(CHECKLIST, t)
        self.add(s.guide_state(CHECKLIST, "active", t))
        self.u.progress[CHECKLIST] = {"state": "active", "steps": [], "step": None,
                                      "started": t, "completed": None, "updated": t}
        if u.plan in PAYING:  # the panel's Pro checklist, whose step the tour ticks
            self.see(PRO, self.later(t, 0.1, 0.4))
        if u.account is not None and self.rng.random() < 0.5:
            self.see(PLAN, self.later(t, 0.1, 0.4))
        self.tour(self.later(t, 0.5, 2))
        if self.rng.random() < 0.92:
            self.step_done("welcome", self.later(t, 2, 6), s.step_complete)
        connected = self.connect(self.later(t, 5, 60 * 24 * 1.5))
        if connected is not None:
            self.rest(connected)
        self.offers()

    def offers(self) -> None:
        """Bootstrap's ``offer`` of each guide the user may see, on each local day they are
        active, just before their first event of the day."""
        guides = [CHECKLIST, TOUR, *([PRO] if self.u.plan in PAYING else []),
                  *([PLAN] if self.u.account is not None else [])]
        first: dict[Any, datetime] = {}
        for row in self.u.events:
            at = row["client_at"]
            if at is not None:
                day = at.astimezone(self.h.zone).date()
                first[day] = min(first.get(day, at), at)
        for day, at in sorted(first.items()):
            early = at - s.DELIVERY
            self.u.events += [s.offer(g, early if early.astimezone(self.h.zone).date() == day
                                      else at) for g in guides]

    def tour(self, t: datetime) -> None:
        extras = [(PRO, "take-tour")] if self.u.plan in PAYING else []
        self.see(TOUR, t)
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
        if self.add(s.guide_state(TOUR, "completed", t, step=TOUR_STEPS[-1], completed=extras,
                                  states={TOUR: "completed", **{g: "active" for g, _ in extras}})):
            state.update(state="completed", completed=t, updated=t)
            for guide, step in extras:
                self.u.progress[guide] = {"state": "active", "steps": [step], "step": step,
                                          "started": t, "completed": None, "updated": t}

    def end_tour(self, how: str, t: datetime, state: dict[str, Any], step: str) -> None:
        if self.add(s.guide_state(TOUR, how, t, step=step)):
            state.update(state=how, updated=t)



def simulate(now: datetime, *, days: int = 90, users: int = 1500, seed: int = 7,
             zone: tzinfo = UTC) -> History:
    """The history of ``users`` people who signed up over the ``days`` days before ``now``
    (``zone``: the workspace's timezone, for the daily offers)."""
    start = now - timedelta(days=days)
    rng = random.Random(f"{seed}:accounts")
    count = max(1, users // 4)
    history = History(start, now, [], {}, {}, zone)
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
    # The success manager's own plan steps: most on time, some once plan-overdue has
    # emailed them (within its 7-day goal), a few never.
    for account, (created, _) in sorted(history.accounts.items()):
        for step, share, due in (("kickoff-call", 0.85, 3), ("data-review", 0.6, 10)):
            at = created + timedelta(days=rng.uniform(0.5, due + 2))
            if rng.random() < share and at <= now - QUIET:
                history.account_steps[(account, PLAN, step)] = (at, None, "csm@acme.example")
    return history
