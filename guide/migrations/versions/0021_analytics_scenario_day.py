"""analytics: settled scenario firings per UTC day and arm (analytics_scenario_day), backfilled

The Scenarios report sums these for the whole matured days of its range instead of
reading every firing (guide/analytics/scenario_days.py). The backfill counts the
firings settled so far in one grouped INSERT ... SELECT (a frozen copy of
``AnalyticsScenarioDay.refill``); settling and erasure keep it from then on. The partial index of the
firings not settled yet gains the arm, so the report reads those from it alone.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-06 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None

UNSETTLED = sa.text('converted IS NULL')
firing = sa.table('scenario_firing', *map(sa.column, (
    'workspace_id', 'scenario_id', 'fired_at', 'held_out', 'converted')))


def upgrade():
    op.create_table('analytics_scenario_day',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('held_out', sa.Boolean(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('settled', sa.Integer(), nullable=False),
    sa.Column('converted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'],
                            name=op.f('fk_analytics_scenario_day_workspace_id_workspace'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scenario_id', 'day', 'held_out',
                            name=op.f('pk_analytics_scenario_day'))
    )
    # The report's unsettled firings from the partial index alone: with the arm (and the
    # predicate's column, for PostgreSQL's index-only scan).
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_firing_unsettled', sqlite_where=UNSETTLED,
                            postgresql_where=UNSETTLED)
        batch_op.create_index('ix_scenario_firing_unsettled',
                              ['scenario_id', 'fired_at', 'held_out', 'converted'], unique=False,
                              sqlite_where=UNSETTLED, postgresql_where=UNSETTLED)
    backfill(op.get_bind())


def backfill(conn):
    """Every settled firing, counted by scenario, UTC day and arm."""
    f = firing.c
    day = (sa.cast(sa.func.timezone('UTC', f.fired_at), sa.Date)
           if conn.dialect.name == 'postgresql' else sa.func.date(f.fired_at))
    conn.execute(sa.table('analytics_scenario_day', *map(sa.column, (
        'scenario_id', 'day', 'held_out', 'workspace_id', 'settled', 'converted'))).insert()
        .from_select(['scenario_id', 'day', 'held_out', 'workspace_id', 'settled', 'converted'],
                     sa.select(f.scenario_id, day, f.held_out, f.workspace_id, sa.func.count(),
                               sa.func.count().filter(f.converted.is_(True)))
                     .where(f.converted.is_not(None))
                     .group_by(f.scenario_id, day, f.held_out, f.workspace_id)))


def downgrade():
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_firing_unsettled', sqlite_where=UNSETTLED,
                            postgresql_where=UNSETTLED)
        batch_op.create_index('ix_scenario_firing_unsettled', ['scenario_id', 'fired_at'],
                              unique=False, sqlite_where=UNSETTLED,
                              postgresql_where=UNSETTLED)
    op.drop_table('analytics_scenario_day')
