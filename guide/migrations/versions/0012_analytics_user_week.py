"""analytics: a per-(user, local week) rollup for the proactive vs reactive report

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 01:35:00

The table is filled from the rollups already there, in SQL (the weeks of the
``$workspace`` rows of ``analytics_user_day`` and the escalations of
``analytics_moment``), not by resetting the rollups for the worker to fold
again: the two hold exactly the facts the week rows sum up, up to the same
watermark (one batch writes them all), so the week rows are exact at once;
a reset would refold every event, hours at ten million, and the event
retention may already have deleted raw events the rollups absorbed, whose
facts a refold would lose.

No foreign keys, like the other rollup tables since 0013: the privacy erasure
deletes a user's rows itself (``USER_ROLLUPS``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _monday(column, dialect):
    """SQL: the Monday of the week holding the date ``column``."""
    if dialect == 'postgresql':
        return f"({column} - (CAST(extract(isodow FROM {column}) AS integer) - 1))"
    return (f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS integer) + 6) % 7)"
            " || ' days')")


def backfill(dialect):
    """SQL: the week rows of every workspace from its day rows and escalations (also run
    by tests/analytics/test_user_week_backfill.py against what the rollup writes)."""
    return (
        "INSERT INTO analytics_user_week (workspace_id, week, user_id, active, progressed, "
        "escalations) SELECT workspace_id, week, user_id, max(act), max(prog), sum(esc) FROM ("
        f"SELECT workspace_id, {_monday('day', dialect)} AS week, user_id, "
        "CASE WHEN metric = 'active' THEN 1 ELSE 0 END AS act, "
        "CASE WHEN metric = 'progressed' THEN 1 ELSE 0 END AS prog, 0 AS esc "
        "FROM analytics_user_day WHERE guide_key = '$workspace' AND step_id = '' "
        "AND metric IN ('active', 'progressed') "
        f"UNION ALL SELECT workspace_id, {_monday('day', dialect)}, user_id, 0, 0, 1 "
        "FROM analytics_moment WHERE metric = 'escalated') AS facts "
        "GROUP BY workspace_id, week, user_id")


def upgrade():
    op.create_table('analytics_user_week',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.SmallInteger(), nullable=False),
    sa.Column('progressed', sa.SmallInteger(), nullable=False),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'week', 'user_id', name=op.f('pk_analytics_user_week'))
    )
    with op.batch_alter_table('analytics_user_week', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_user_week_user', ['user_id'], unique=False)
    op.execute(backfill(op.get_bind().dialect.name))


def downgrade():
    with op.batch_alter_table('analytics_user_week', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_user_week_user')

    op.drop_table('analytics_user_week')
