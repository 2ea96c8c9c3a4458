"""analytics: a tour step's time on it (the step last shown in each rolled run)

The rollup times each tour step from its ``$step_shown`` to the next step shown of
the run, or the run's completion or dismissal (guide/analytics/facts.py, metric
``step_time`` in ``analytics_duration``): a run keeps the step it showed last and
when, across batches, in two new columns of ``analytics_run``. Nothing to backfill:
a run rolled before this revision has no step shown, so its open step is timed from
the next one shown (``guide analytics rollup --rebuild`` folds every kept event again).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (nullable columns, no constraint): no batch "recreate" on SQLite.

def _columns():
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("analytics_run")}


def upgrade():
    present = _columns()
    if "shown_step" not in present:
        op.add_column("analytics_run", sa.Column("shown_step", sa.String(length=100),
                                                 nullable=True))
    if "shown_at" not in present:
        op.add_column("analytics_run", sa.Column("shown_at", sa.DateTime(timezone=True),
                                                 nullable=True))


def downgrade():
    present = _columns()
    for name in ("shown_at", "shown_step"):
        if name in present:
            op.drop_column("analytics_run", name)
