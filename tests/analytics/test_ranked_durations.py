"""A report's median and p90 from the rollups: ranked in the database, merged with the tail.

``store.rolled_numbers`` reads only the rolled durations ranked near each share
(``tally.Ranked``); ``Ranked.percentile`` adds the tail's few by rank. Both must give
what ``tally.percentile`` gives over every duration (nearest rank).
"""

from __future__ import annotations

import math
import random
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.analytics import durations, store
from guide.analytics.facts import COMPLETED
from guide.analytics.tally import Ranked, percentile
from guide.extensions import db
from guide.models import AnalyticsDuration, AnalyticsDurationBucket
from guide.models.analytics import GUIDE_LEVEL

seconds = st.floats(0, 1e6, allow_nan=False)


def _roll(workspace_id: int, rows: dict) -> None:
    """Durations written as the fold writes them: each row, and its day and bucket counted."""
    db.session.add_all(AnalyticsDuration(
        workspace_id=workspace_id, guide_key=g, step_id=s, metric=m, event_id=e, day=d,
        seconds=value) for (g, s, m, e), (d, value) in rows.items())
    db.session.add_all(AnalyticsDurationBucket(
        workspace_id=workspace_id, guide_key=g, step_id=s, metric=m, day=d, bucket=b, count=n)
        for (g, s, m, d, b), n in durations.buckets(rows).items())
    db.session.commit()


@given(rolled=st.lists(seconds, max_size=60), tail=st.lists(seconds, max_size=6),
       share=st.sampled_from([0.5, 0.9]))
def test_the_tail_merged_by_rank_is_the_percentile_of_all(rolled, tail, share):
    ordered = sorted(rolled)
    k = max(1, math.ceil(share * (len(rolled) + len(tail))))
    # Only the ranks the merge may need: k - len(tail) .. k (the database sends a few more).
    at = {rank: ordered[rank - 1]
          for rank in range(max(1, k - len(tail)), min(k, len(ordered)) + 1)}
    assert Ranked(len(rolled), at).percentile(tail, share) == percentile(rolled + tail, share)


def test_rolled_numbers_read_the_durations_near_the_median_and_p90_only(paris):
    values = [float(n) for n in range(1, 101)]  # 1..100 s, written in a random order
    random.Random(7).shuffle(values)
    _roll(paris.id, {("onboarding", GUIDE_LEVEL, COMPLETED, n): (date(2026, 3, 1 + n % 20), value)
                     for n, value in enumerate(values, start=1)})

    ranked = store.rolled_numbers(paris.id, "onboarding", date(2026, 3, 1), date(2026, 3, 31),
                                  tail=2).ranked[(GUIDE_LEVEL, COMPLETED)]

    assert ranked.count == 100
    assert 10 < len(ranked.at) < 30  # two windows of a few ranks, not the 100 values
    # 100 rolled: the 50th and the 90th. With 0.5 and 200.0 more (102 values): the 51st
    # (0.5 is the 1st, so 50.0) and the 92nd (91.0); with 0.5 and 0.25: the 92nd is 90.0.
    assert (ranked.percentile([], 0.5), ranked.percentile([], 0.9)) == (50.0, 90.0)
    assert (ranked.percentile([0.5, 200.0], 0.5),
            ranked.percentile([0.5, 200.0], 0.9)) == (50.0, 91.0)
    assert ranked.percentile([0.5, 0.25], 0.9) == 90.0
    # A narrower range: only the days 1..5 of March (n % 20 in 0..4).
    few = store.rolled_numbers(paris.id, "onboarding", date(2026, 3, 1), date(2026, 3, 5))
    expected = sorted(v for n, v in enumerate(values, start=1) if n % 20 < 5)
    assert few.timing(GUIDE_LEVEL, COMPLETED) == {
        "count": 25, "median": percentile(expected, 0.5), "p90": percentile(expected, 0.9)}


# Values on bucket bounds, just below them, equal ones, and below the first bound.
edgy = st.one_of(seconds, st.sampled_from([-1.0, 0.0, 0.5, 1.0, 5.0, 17.0, 16.99, 86401.0]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rolled=st.lists(st.tuples(st.integers(1, 10), st.sampled_from(["a", "b"]), edgy),
                       max_size=80),
       tail=st.lists(edgy, max_size=5), first=st.integers(1, 10), days=st.integers(0, 9))
def test_the_buckets_give_the_percentiles_of_every_duration_in_the_range(
        paris, rolled, tail, first, days):
    for model in (AnalyticsDuration, AnalyticsDurationBucket):
        db.session.execute(sa.delete(model).where(model.workspace_id == paris.id))
    _roll(paris.id, {("onboarding", step, COMPLETED, n): (date(2026, 3, day), value)
                     for n, (day, step, value) in enumerate(rolled, start=1)})
    start, end = date(2026, 3, first), date(2026, 3, min(10, first + days))

    ranked = durations.ranked(paris.id, "onboarding", start, end, tail=len(tail))

    for step in ("a", "b"):
        kept = [value for day, s, value in rolled if s == step and first <= day <= end.day]
        found = ranked.get((step, COMPLETED), Ranked())
        assert found.count == len(kept)
        for share in (0.5, 0.9):
            assert found.percentile(tail, share) == percentile(kept + tail, share)
