"""The Guide report's users table on the hand-computed history of test_guide_report.py:
u4's last fact is today (a help opening whose client time was too old), u1, u2 and u3's
the day after D0 (D1). u1 and u3 completed all four steps, u2 did hello then dismissed,
u4 snoozed it without a step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from guide.analytics.filters import Filters
from guide.analytics.guide_users import guide_users
from guide.errors import GuideError, NotFound
from guide.extensions import db
from guide.models import Account, EndUser
from tests.analytics.conftest import paris, roll_all  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import history  # noqa: F401 (fixture)


def row(user, status, done, last, account=None):
    return {"user": user, "account": account, "status": status, "completed_steps": done,
            "progress": done / 4, "last_active": last.isoformat()}


def test_the_table_lists_who_was_active_latest_first_with_status_and_progress(history):  # noqa: F811
    ws, d0, today = history
    acme = Account(workspace_id=ws.id, external_id="acme")
    db.session.add(acme)
    db.session.flush()
    db.session.execute(sa.update(EndUser).where(EndUser.external_id == "u1")
                       .values(account_id=acme.id))
    db.session.commit()
    d1 = d0 + timedelta(days=1)
    want = [row("u4", "snoozed", 0, today), row("u1", "completed", 4, d1, "acme"),
            row("u2", "dismissed", 1, d1), row("u3", "completed", 4, d1)]
    for rolled in (False, True):
        if rolled:
            roll_all()
        table = guide_users(ws, "onboarding", d0, today)
        assert table["users"] == want, rolled
        assert (table["total"], table["pages"], table["steps"]) == (4, 1, 4)
    second = guide_users(ws, "onboarding", d0, today, page=2, per_page=3)
    assert second["users"] == want[3:] and second["pages"] == 2
    assert guide_users(ws, "onboarding", d0, today, per_page=None)["users"] == want
    # A range of D0 alone: u1 and u2, last active that day.
    assert [r["user"] for r in guide_users(ws, "onboarding", d0, d0)["users"]] == ["u1", "u2"]
    # Filters apply: u2 has the locale.
    db.session.execute(sa.update(EndUser).where(EndUser.external_id == "u2")
                       .values(locale="fr"))
    db.session.commit()
    only = guide_users(ws, "onboarding", d0, today, Filters.parse(locale="fr"))
    assert only["users"] == [row("u2", "dismissed", 1, d1)] and only["total"] == 1


def test_a_bad_range_or_guide_is_refused(paris):  # noqa: F811
    with pytest.raises(GuideError) as info:
        guide_users(paris, "onboarding", date(2026, 3, 2), date(2026, 3, 1))
    assert info.value.code == "invalid_range"
    with pytest.raises(NotFound):
        guide_users(paris, "nope", date(2026, 3, 1), date(2026, 3, 2))
