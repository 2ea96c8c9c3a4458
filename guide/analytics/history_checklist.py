"""The checklist part of the demo history's journeys (``history.Journey`` builds on it):
its steps, the help and escalations on the way, and the two scenarios that nudge a
stalled user, fired as the engine's sweep would (``history`` describes the picture).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from guide.analytics import synthetic as s
from guide.schemas.proactive import in_holdout

if TYPE_CHECKING:
    from guide.analytics.history import History, User

CHECKLIST, PLAN = "getting-started", "onboarding-plan"
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



def reactive_odds(at: datetime, start: datetime, now: datetime) -> float:
    """How likely a struggling user asks a human at ``at``: falls over the period."""
    share = min(1.0, max(0.0, (at - start) / (now - start)))
    return 0.72 - 0.62 * share


class Steps:
    """A user's journey: recording rows, and the checklist's steps."""

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

