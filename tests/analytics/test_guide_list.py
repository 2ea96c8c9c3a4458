"""The Analytics list's numbers for every guide in one read equal each guide's report, on the
hand-computed history of test_guide_report.py plus a second checklist ("second") that u1
and u3 start on D2 (09:00, 10:00) and u3 completes at 10:50 (its last step, visit, is the
page view), whatever part of it is rolled up."""

from __future__ import annotations

from datetime import timedelta

from guide import analytics
from guide.analytics.guide_list import guides_summary
from guide.authoring.analytics_compare import summary
from guide.extensions import db
from guide.models import EndUser
from tests import factories
from tests.analytics.conftest import LATER, paris, roll_all, send  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import at, history  # noqa: F401 (fixture)


def test_one_read_for_every_guide_equals_a_report_per_guide(history):  # noqa: F811
    ws, d0, today = history
    factories.publish(ws, factories.checklist_body("second"))
    db.session.commit()
    u1, u3 = (db.session.scalars(db.select(EndUser).where(EndUser.external_id == key)).one()
              for key in ("u1", "u3"))
    d2 = d0 + timedelta(days=2)
    second = {"guide": "second"}
    send(ws, u1, "guide:state", at(d2, 9), state="active", **second)
    send(ws, u3, "guide:state", at(d2, 10), state="active", **second)
    for step in ("hello", "team"):
        send(ws, u3, "step:complete", at(d2, 10, 30), step=step, **second)
    send(ws, u3, "event:track", at(d2, 10, 40), name="connected")
    send(ws, u3, "event:track", at(d2, 10, 50), name="$page", url="/settings/y")
    guides = ["onboarding", "second", "never-used"]
    ranges = [(d0, today), (d0 + timedelta(days=1), d2), (d2, d2)]

    def check():
        for start, end in ranges:
            found = guides_summary(ws, guides, start, end)
            for guide in guides[:2]:
                assert found[guide] == summary(
                    analytics.guide_report(ws, guide, start, end)), (guide, start, end)
            assert found["never-used"]["started"] == 0
        return guides_summary(ws, guides, d0, today)

    everything = check()  # all of it in the tail
    assert everything["second"] == {"seen": 0, "started": 2, "completed": 1, "dismissed": 0,
                                    "completion_rate": 0.5, "median": 50 * 60.0}
    analytics.rollup(LATER, batch=7, max_batches=2)
    check()  # partly rolled
    roll_all()
    assert check() == everything  # all rolled
