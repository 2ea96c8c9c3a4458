"""The demo product's people: who you can sign in as, and the companies they work for.

In a real product these come from its own user table. The traits differ on
purpose (role, plan, signup age, locale, account) so that audience rules,
localization and account-scoped steps can all be tried by switching user.
Signup dates are relative to today, so "signed up 2 days ago" stays true.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

ACCOUNTS: dict[str, dict[str, Any]] = {
    # csm_email: where the scenarios' emails "to: csm" go (the detractor follow-up, ...).
    "acme": {"name": "Acme Inc.", "plan": "pro", "industry": "Retail", "seats": 25,
             "csm_email": "csm@acme.example"},
    "radium": {"name": "Radium Labs", "plan": "pro", "industry": "Research", "seats": 8},
    "bletchley": {
        "name": "Bletchley Systems", "plan": "enterprise", "industry": "Security", "seats": 120,
    },
}

USERS: list[dict[str, Any]] = [
    {
        "id": "ada", "name": "Ada Lovelace", "email": "ada@acme.example", "role": "admin",
        "plan": "trial", "signup_days_ago": 2, "locale": "en", "account": "acme",
    },
    {
        # earlier_visit: she used the product yesterday (and took the dashboard tour), before
        # Guide first saw her (embed.seed_earlier_visit), so her first demo page is her
        # second visit and the NPS survey (content/guides/nps.yaml, show_when visit 2)
        # asks her at once.
        "id": "grace", "name": "Grace Hopper", "email": "grace@acme.example", "role": "member",
        "plan": "pro", "signup_days_ago": 40, "locale": "en", "account": "acme",
        "earlier_visit": {"days_ago": 1, "finished": ["dashboard-tour"]},
    },
    {
        "id": "marie", "name": "Marie Curie", "email": "marie@radium.example", "role": "admin",
        "plan": "pro", "signup_days_ago": 5, "locale": "fr", "account": "radium",
    },
    {
        "id": "alan", "name": "Alan Turing", "email": "alan@bletchley.example", "role": "viewer",
        "plan": "enterprise", "signup_days_ago": 1, "locale": "en", "account": "bletchley",
    },
    {
        "id": "tess", "name": "Tess Ocean", "email": "tess@acme.example", "role": "member",
        "plan": "trial", "signup_days_ago": 0, "locale": "en", "account": "acme",
    },
    {
        "id": "ben", "name": "Ben Franklin", "email": "ben@radium.example", "role": "member",
        "plan": "pro", "signup_days_ago": 3, "locale": "en", "account": "radium",
    },
    {
        "id": "katherine", "name": "Katherine Johnson", "email": "katherine@radium.example",
        "role": "member", "plan": "pro", "signup_days_ago": 1, "locale": "en", "account": "radium",
    },
    {
        "id": "hedy", "name": "Hedy Lamarr", "email": "hedy@acme.example", "role": "member",
        "plan": "trial", "signup_days_ago": 4, "locale": "en", "account": "acme",
    },
]


def get_user(user_id: str | None) -> dict[str, Any] | None:
    """The demo user with this id, or None."""
    return next((user for user in USERS if user["id"] == user_id), None)


def signup_date(user: dict[str, Any], today: date | None = None) -> date:
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=int(user["signup_days_ago"]))


def user_traits(user: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """What the product tells Guide about the user (``Guide.identify`` and the JWT)."""
    return {
        "name": user["name"],
        "email": user["email"],
        "role": user["role"],
        "plan": user["plan"],
        "signed_up_at": signup_date(user, today).isoformat(),
        "locale": user["locale"],
    }


def account_traits(account_id: str) -> dict[str, Any]:
    """What the product tells Guide about the company (``Guide.group``)."""
    return dict(ACCOUNTS[account_id])


def teammates(user: dict[str, Any]) -> list[dict[str, Any]]:
    """Everyone in the user's account, the user included."""
    return [other for other in USERS if other["account"] == user["account"]]


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()
