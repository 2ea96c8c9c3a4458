"""analytics: analytics_reach (unique users of any range without reading a row per user), backfilled

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 01:40:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# Each user's days of a (guide, step, metric) in order, each day with the one before
# (0001-01-01: none), counted per (day, previous day). The workspace-level rows
# ('$workspace': active, progressed) are not counted: no report reads them this way.
BACKFILL = sa.text(
    "INSERT INTO analytics_reach (workspace_id, guide_key, day, prev_day, step_id, metric, "
    "users) SELECT workspace_id, guide_key, day, prev_day, step_id, metric, count(*) FROM ("
    "SELECT workspace_id, guide_key, step_id, metric, day, coalesce(lag(day) OVER ("
    "PARTITION BY workspace_id, guide_key, step_id, metric, user_id ORDER BY day), :none) "
    "AS prev_day FROM analytics_user_day WHERE guide_key <> '$workspace') AS chains "
    "GROUP BY workspace_id, guide_key, day, prev_day, step_id, metric"
).bindparams(sa.bindparam('none', date(1, 1, 1), type_=sa.Date))


def backfill(connection):
    """analytics_reach from analytics_user_day (the tests compare it with the rollup's)."""
    connection.execute(BACKFILL)


def upgrade():
    op.create_table('analytics_reach',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('prev_day', sa.Date(), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_reach_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'guide_key', 'day', 'prev_day', 'step_id', 'metric', name=op.f('pk_analytics_reach'))
    )
    backfill(op.get_bind())


def downgrade():
    op.drop_table('analytics_reach')
