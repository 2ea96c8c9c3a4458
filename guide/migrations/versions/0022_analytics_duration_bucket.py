"""analytics: durations counted per day and bucket of seconds (analytics_duration_bucket),
backfilled, and an index of analytics_duration by seconds

A guide report finds the bucket holding each nearest rank (median, p90) in these
counts and reads only that bucket's durations by ``ix_analytics_duration_seconds``
instead of sorting every duration of its range (guide/analytics/durations.py). The
backfill counts analytics_duration in one grouped INSERT ... SELECT; the bucket is a
binary search over a frozen copy of the bounds (``signups.BOUNDS``) written as
nested CASEs: about nine comparisons a row, on SQLite and PostgreSQL alike.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 06:00:00

"""
import math

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

DAY = 86400
MAX_WITHIN_DAYS = 365
BOUNDS = sorted({math.ceil(1.06 ** n) for n in range(400)}
                | {d * DAY + 1 for d in range(1, MAX_WITHIN_DAYS + 2)})


def _bucket(low: int, high: int) -> str:
    """SQL for how many of BOUNDS[low:high] are at or below ``seconds``, plus ``low``
    (the caller knows every bound before ``low`` is at or below it)."""
    if low == high:
        return str(low)
    middle = (low + high) // 2
    return (f"CASE WHEN seconds < {BOUNDS[middle]} THEN {_bucket(low, middle)} "
            f"ELSE {_bucket(middle + 1, high)} END")


def backfill(conn) -> None:
    """Count every duration kept into its (workspace, guide, day, metric, step, bucket)."""
    conn.execute(sa.text(
        "INSERT INTO analytics_duration_bucket (workspace_id, guide_key, day, metric, "
        "step_id, bucket, count) SELECT workspace_id, guide_key, day, metric, step_id, "
        "bucket, count(*) FROM (SELECT workspace_id, guide_key, day, metric, step_id, "
        f"{_bucket(0, len(BOUNDS))} AS bucket FROM analytics_duration) AS d "
        "GROUP BY workspace_id, guide_key, day, metric, step_id, bucket"))


def upgrade():
    op.create_table('analytics_duration_bucket',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('bucket', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'guide_key', 'day', 'metric', 'step_id', 'bucket',
                            name=op.f('pk_analytics_duration_bucket'))
    )
    op.create_index('ix_analytics_duration_seconds', 'analytics_duration',
                    ['workspace_id', 'guide_key', 'metric', 'step_id', 'seconds', 'day'],
                    unique=False)
    backfill(op.get_bind())


def downgrade():
    op.drop_index('ix_analytics_duration_seconds', table_name='analytics_duration')
    op.drop_table('analytics_duration_bucket')
