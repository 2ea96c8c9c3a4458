"""The Guide report's headline figures beside the previous period's, with their change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from guide.i18n import N_

# Labels in English here, translated as each report is built (in the reader's language).
COUNTS = (("eligible", N_("Eligible (offered)")), ("seen", N_("Seen")),
          ("checklist_open", N_("Checklist opened")), ("started", N_("Started")),
          ("completed", N_("Completed")), ("dismissed", N_("Dismissed")),
          ("snoozed", N_("Snoozed")))


@dataclass(frozen=True)
class Figure:
    """One headline number: ``kind`` is ``count``, ``number`` (one decimal), ``rate`` (0..1),
    ``points`` (a difference of two rates, shown in percentage points) or ``seconds``."""

    label: str
    kind: str
    current: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


def headline(current: dict[str, Any], previous: dict[str, Any]) -> list[Figure]:
    """Unique users and totals of each metric, the completion rate and the time to complete."""
    figures = []
    for name, label in COUNTS:
        figures.append(Figure(gettext("%(what)s, unique users", what=gettext(label)), "count",
                              current[name]["unique"], previous[name]["unique"]))
        figures.append(Figure(gettext("%(what)s, total", what=gettext(label)), "count",
                              current[name]["total"], previous[name]["total"]))
    figures.append(Figure(gettext("Completion rate"), "rate", current["completion_rate"],
                          previous["completion_rate"]))
    figures.append(Figure(gettext("Cohort completion rate"), "rate", current["cohort"]["rate"],
                          previous["cohort"]["rate"]))
    for share, label in (("median", gettext("Time to complete, median")),
                         ("p90", gettext("Time to complete, 90th percentile"))):
        figures.append(Figure(label, "seconds",
                              current["time_to_complete"][share],
                              previous["time_to_complete"][share]))
    return figures


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The few numbers the list of guides shows for one guide."""
    return {"started": report["started"]["unique"], "completed": report["completed"]["unique"],
            "dismissed": report["dismissed"]["unique"], "seen": report["seen"]["unique"],
            "eligible": report["eligible"]["unique"],
            "completion_rate": report["completion_rate"],
            "median": report["time_to_complete"]["median"]}


# ---------------------------------------------------------------- proactive vs reactive


def reactive_headline(current: dict[str, Any], previous: dict[str, Any]) -> list[Figure]:
    """The weeks' totals (user-weeks, account-weeks) beside the previous weeks'."""
    now, before = current["totals"], previous["totals"]
    return [
        Figure(gettext("Reactive share, users"), "rate", now["users"]["reactive_share"],
               before["users"]["reactive_share"]),
        Figure(gettext("Reactive share, accounts"), "rate", now["accounts"]["reactive_share"],
               before["accounts"]["reactive_share"]),
        Figure(gettext("Needed a human, user-weeks"), "count", now["users"]["needed_human"],
               before["users"]["needed_human"]),
        Figure(gettext("Self-service, user-weeks"), "count", now["users"]["self_service"],
               before["users"]["self_service"]),
        Figure(gettext("Escalations"), "count", now["escalations"], before["escalations"]),
        Figure(gettext("Escalations per 100 active onboarding users"), "number",
               now["escalations_per_100"], before["escalations_per_100"]),
        Figure(gettext("Help resolved without a human within 24 hours"), "rate",
               now["help"]["resolved_rate"], before["help"]["resolved_rate"]),
    ]


# ---------------------------------------------------------------- scenarios


def scenarios_headline(current: dict[str, Any], previous: dict[str, Any]) -> list[Figure]:
    """Each scenario with a goal: its firings, the treated and held-out conversion rates and
    the lift, against the previous period of equal length (the same report for those days)."""
    before = {s["scenario"]: s for s in previous["scenarios"]}
    figures = []
    for s in (s for s in current["scenarios"] if s["goal"]):
        was = before.get(s["scenario"])
        name = s["title"] or s["scenario"]

        def then(pick: Any, was: dict[str, Any] | None = was) -> Any:
            return pick(was) if was else None

        figures += [
            Figure(gettext("%(name)s, firings", name=name), "count",
                   s["treated"]["firings"] + s["held_out"]["firings"],
                   then(lambda w: w["treated"]["firings"] + w["held_out"]["firings"])),
            Figure(gettext("%(name)s, treated conversion", name=name), "rate", s["treated"]["rate"],
                   then(lambda w: w["treated"]["rate"])),
            Figure(gettext("%(name)s, held-out conversion", name=name), "rate",
                   s["held_out"]["rate"],
                   then(lambda w: w["held_out"]["rate"])),
            Figure(gettext("%(name)s, lift over the holdout", name=name), "points", s["lift"],
                   then(lambda w: w["lift"])),
        ]
    return figures


# ---------------------------------------------------------------- help searches


def _zero_share(report: dict[str, Any]) -> float | None:
    return report["zero_result_searches"] / report["searches"] if report["searches"] else None


def help_search_headline(current: dict[str, Any], previous: dict[str, Any]) -> list[Figure]:
    """Searches, those that found nothing, and their share, beside the previous period's."""
    return [
        Figure(gettext("Searches"), "count", current["searches"], previous["searches"]),
        Figure(gettext("Searches with no result"), "count", current["zero_result_searches"],
               previous["zero_result_searches"]),
        Figure(gettext("Share of searches with no result"), "rate", _zero_share(current),
               _zero_share(previous)),
    ]
