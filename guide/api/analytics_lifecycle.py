"""The milestones and lifecycle report, the customer-success portfolio and an account's
timeline (server-side; secret API key): the same numbers as the admin's Analytics pages
(docs/ANALYTICS.md). Routes of the analytics blueprint (its key check), added on import."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide import analytics
from guide.api.analytics import blp, filters_of
from guide.schemas.analytics_lifecycle import (
    AccountsQuery,
    AccountTimeline,
    LifecycleReport,
    LifecycleReportQuery,
    Portfolio,
)


@blp.route("/lifecycle")
class LifecycleReportItem(MethodView):
    @blp.arguments(LifecycleReportQuery, location="query")
    @blp.response(200, LifecycleReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The milestones and lifecycle report for the users who signed up on local days
        ``start..end`` (inclusive, in the workspace's timezone, at most 731 days): the
        milestone funnel with time to value, cohorts by signup week, where onboarding stalls,
        and the stage counts now. ``400 invalid_range`` when ``start`` is after ``end``;
        ``400 invalid_filter`` for a bad ``segment`` or ``locale`` (with one: only the matched
        users; an account's stage counts when one of its users matches)."""
        return analytics.lifecycle_report(g.workspace, query["start"], query["end"],
                                          query["within_days"], filters=filters_of(query))


@blp.route("/accounts")
class PortfolioList(MethodView):
    @blp.arguments(AccountsQuery, location="query")
    @blp.response(200, Portfolio)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every account on track, behind or stuck against the milestones' ``expected_days``:
        counts across the workspace, then the accounts that pass the filters, by id.
        ``segment`` and ``locale`` keep the accounts with at least one matched user (the
        counts too). ``400 invalid_filter`` for a stage lifecycle.yaml does not have, or a
        bad ``segment`` or ``locale``."""
        return analytics.portfolio(g.workspace, status=query["status"], stage=query["stage"],
                                   csm=query["csm"], search=query["q"], limit=query["limit"],
                                   offset=query["offset"], filters=filters_of(query))


@blp.route("/accounts/<string:account>/timeline")
class AccountTimelineItem(MethodView):
    @blp.response(200, AccountTimeline)
    def get(self, account: str) -> dict[str, Any]:
        """One account's standing and onboarding timeline, oldest first: milestones (reached,
        due, overdue), plan steps, scenario firings and escalations. ``404 unknown_account``
        when the workspace has no account with this id."""
        return analytics.account_timeline(g.workspace, account)
