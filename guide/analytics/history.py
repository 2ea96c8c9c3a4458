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
from typing import Any, NamedTuple

from guide.analytics import synthetic as s
from guide.schemas.proactive import in_holdout

PREFIX = "demo-history-"
CHECKLIST, TOUR, PLAN, PRO = "getting-started", "dashboard-tour", "onboarding-plan", "pro-features"
TOUR_STEPS = ["kpis", "insights", "reports-tab", "reports", "integrations-link",
              "integrations", "all-set"]
LOSSY_STEP, LOSSY_SELECTOR = "insights", "#insights"
# The two scenarios of content/scenarios.yaml the journeys fire, with their numbers there.
REMINDER, STALLED, STALL_MILESTONE = "connect-data-reminder", "getting-started-stalled", \
    "data_connected"
REMINDER_AFTER, STALL_AFTER, COOLDOWN = timedelta(days=2), timedelta(days=3), timedelta(days=7)
MAX_STALLS = 3
# Both scenarios' holdout, in percent: who is held out is the engine's own split (by
# external id), so the history is what the engine would record.
HOLDOUT = 10
# Who comes back within days of a scenario's firing: (treated, held out) - the nudge works.
REMINDER_BACK, STALL_BACK = (0.30, 0.05), (0.38, 0.12)
# Of the users who give up on the checklist, how many close it (and never stall).
CLOSE = 0.6
VIEWS = ("$guide_shown", "$step_shown", "$target_missing", "$help_open")
# Events this recent are not in the history (the rollup folds settled events only).
QUIET = timedelta(minutes=5)
PLANS = ["trial", "trial", "trial", "pro", "pro", "enterprise", "free"]
PAYING = ("pro", "enterprise")
ESCALATED_MESSAGES = ["The PostgreSQL connection keeps timing out.",
                      "Where do I find my API key for Stripe?",
                      "My CSV import fails with an encoding error.",
                      "How do I add a chart to a dashboard?"]


class Firing(NamedTuple):
    scenario: str
    at: datetime
    held_out: bool
    details: dict[str, Any]
    window: str


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


def reactive_odds(at: datetime, start: datetime, now: datetime) -> float:
    """How likely a struggling user asks a human at ``at``: falls over the period."""
    share = min(1.0, max(0.0, (at - start) / (now - start)))
    return 0.72 - 0.62 * share


class Journey:
    """One user's way through the demo's content, appending rows as they go."""

    def __init__(self, history: History, user: User, rng: random.Random) -> None:
        self.h, self.u, self.rng = history, user, rng
        self.cutoff = history.now - QUIET
        self.done: list[str] = []
        self.seen: set[str] = set()
        self.stalls: list[datetime] = []  # getting-started-stalled's firings
        self.invited = False
        # Brought back by a nudge: the rest of the checklist in one sitting.
        self.hurry = False

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
        """A time ``low..high`` minutes after ``at`` (a few minutes when in a hurry)."""
        if self.hurry:
            low, high = min(low, 1), min(high, 20)
        return at + timedelta(minutes=self.rng.uniform(low, high))

    def likely(self, share: float) -> bool:
        """True with probability ``share`` (nearly always when in a hurry)."""
        return self.rng.random() < (max(share, 0.95) if self.hurry else share)

    def see(self, guide: str, at: datetime) -> None:
        """``$guide_shown``: the checklist panel (or a tour) showing the guide."""
        if self.add(s.shown(guide, at)):
            self.seen.add(guide)

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

    def step_done(self, step: str, t: datetime, make: Any, *more: tuple[str, str],
                  name: str | None = None, url: str | None = None) -> bool:
        """A checklist step done at ``t`` (``make``: the envelope that does it; ``more``: the
        plan steps it ticks for the account)."""
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
            self.untick([(CHECKLIST, step), *more], t)
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
        """The account's step, if this user is the first to do it: its (guide, step). A
        plan's step: the user had the plan on screen first."""
        if self.u.account is None or self.account_step(guide, step) is not None:
            return []
        if guide not in self.seen:
            self.see(guide, t - timedelta(minutes=self.rng.uniform(1, 10)))
        self.h.account_steps[(self.u.account, guide, step)] = (t, self.u.external_id, None)
        return [(guide, step)]

    def untick(self, steps: list[tuple[str, str]], t: datetime) -> None:
        """Forget the account steps this user ticked at ``t`` (their envelope is too late)."""
        for guide, step in steps:
            key = (self.u.account or "", guide, step)
            if self.h.account_steps.get(key, (None, None))[:2] == (t, self.u.external_id):
                del self.h.account_steps[key]

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

    def fire(self, scenario: str, at: datetime, details: dict[str, Any], window: str,
             back: tuple[float, float]) -> bool:
        """The scenario fires at ``at`` (or is held out); does its subject come back?"""
        held_out = in_holdout(scenario, "user", self.u.external_id, HOLDOUT)
        self.u.firings.append(Firing(scenario, at, held_out, details, window))
        return self.rng.random() < back[held_out]

    def reminded(self, t: datetime | None) -> datetime | None:
        """``connect-data-reminder``: a trial or pro user with no data two days after sign-up
        (``t``: when they connect without it, or None). When they connect."""
        fired = self.u.first_seen + REMINDER_AFTER + timedelta(seconds=self.rng.uniform(0, 60))
        if self.u.plan not in ("trial", "pro") or fired > self.cutoff or (t and t <= fired):
            return t
        if not self.fire(REMINDER, fired, {"milestone": STALL_MILESTONE, "days": 2}, "once",
                         REMINDER_BACK):
            return t
        back = fired + timedelta(hours=self.rng.uniform(0.5, 20))
        return back if t is None else min(t, back)

    def next_at(self, t: datetime | None) -> datetime | None:
        """When the user makes their next checklist progress, planned for ``t`` (None: they
        give up). A checklist three days without progress fires ``getting-started-stalled``
        (as the sweep would: after the cooldown, at most MAX_STALLS times), whose nudge
        brings some back in a hurry; most who give up close the checklist instead."""
        progress = self.u.progress[CHECKLIST]
        if (progress["state"] != "active" or len(self.stalls) >= MAX_STALLS
                or (self.stalls and self.stalls[-1] >= progress["updated"])):
            return t  # not active, capped, or fired since the last progress
        due = max([progress["updated"] + STALL_AFTER] + [at + COOLDOWN for at in self.stalls])
        if t is not None and t < due:
            return t
        if t is None and not self.stalls and self.rng.random() < CLOSE:
            at = progress["updated"] + timedelta(minutes=self.rng.uniform(10, 60 * 24 * 2))
            if self.add(s.guide_state(CHECKLIST, "dismissed", at, step=progress["step"])):
                progress.update(state="dismissed", updated=at)
            return None
        if due > self.cutoff:
            return t
        self.stalls.append(due)
        updated = progress["updated"]
        if not self.fire(STALLED, due, {"guide": CHECKLIST, "step": progress["step"],
                                        "days": STALL_AFTER.days,
                                        "last_progress_at": updated.isoformat()},
                         f"stalled:{updated.isoformat()}", STALL_BACK):
            return t
        self.hurry = True
        back = due + timedelta(hours=self.rng.uniform(0.5, 36))
        return back if t is None else min(t, back)

    def when(self, t: datetime) -> datetime:
        """``next_at`` for progress the user makes anyway: at ``t`` or, nudged, sooner."""
        return self.next_at(t) or t

    def connect(self, t: datetime) -> datetime | None:
        """Connecting data: the stalling milestone. When it happened, or None."""
        if self.rng.random() < 0.45:
            t = self.struggle(t, "connect-data", "connect-data-sources", "/demo/integrations")
        at = self.next_at(self.reminded(t if self.rng.random() < 0.42 else None))
        if at is None:
            return None
        plan = self.tick_account(PLAN, "connect-data", at)
        if not self.step_done("connect-data", at, s.track, *plan, name="integration_connected"):
            return None
        self.reach(STALL_MILESTONE, "event:integration_connected", at)
        return at

    def rest(self, t: datetime) -> None:
        """The checklist's other steps; when they stop short, the stall nudge may bring them
        back to finish it."""
        while True:
            if "welcome" not in self.done and self.hurry:
                self.step_done("welcome", self.later(t, 0.2, 1), s.step_complete)
            t = self.dashboards(self.invite(self.settings(t)))
            if self.u.progress[CHECKLIST]["state"] != "active":
                return
            back = self.next_at(None)
            if back is None:
                return
            t = back

    def settings(self, t: datetime) -> datetime:
        if "review-settings" in self.done or not self.likely(0.8):
            return t
        at = self.when(self.later(t, 1, 30))
        return at if self.step_done("review-settings", at, s.track, name="$page",
                                    url="/demo/settings") else t

    def invite(self, t: datetime) -> datetime:
        if self.invited or (self.hurry and self.account_step(CHECKLIST, "invite-teammate")) \
                or not self.likely(0.7):
            return t
        at = self.when(self.later(t, 60, 60 * 24 * 2))
        plan = self.tick_account(PLAN, "invite-team", at)
        if not self.add(s.track("teammate_invited", at, {}, completed=plan,
                                states={PLAN: "active"} if plan else {})):
            self.untick(plan, at)
            return t
        self.invited = True
        self.reach("team_invited", "event:teammate_invited", at)
        ticked = self.later(at, 0.2, 2)
        if self.tick_account(CHECKLIST, "invite-teammate", ticked) or self.u.account is None:
            self.step_done("invite-teammate", ticked, s.step_complete)
        return at

    def dashboards(self, t: datetime) -> datetime:
        if "create-dashboard" in self.done or not self.likely(0.72):
            return t
        at = self.when(self.later(t, 10, 60 * 24 * 2))
        if self.rng.random() < 0.25:
            at = self.when(self.struggle(at, "create-dashboard", "create-a-dashboard",
                                         "/demo/dashboard"))
        plan = self.tick_account(PLAN, "first-report", at)
        if not self.step_done("create-dashboard", at, s.track, *plan, name="dashboard_created"):
            return t
        self.reach("first_dashboard", "step:getting-started/create-dashboard", at)
        if self.rng.random() < 0.3:
            more = at
            for _ in range(4):
                more += timedelta(minutes=self.rng.uniform(60 * 4, 60 * 24 * 4))
                if not self.add(s.track("dashboard_created", more)):
                    return at
            self.reach("power_user", "event:dashboard_created", more)
        return at


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
