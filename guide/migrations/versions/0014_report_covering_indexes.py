"""reports: covering indexes for the lifecycle, scenarios and portfolio reads

The lifecycle report joins signups (end_user by workspace, first_seen) to their
milestones (user_milestone by key) and counts users and accounts per stage; the
Scenarios report sums a scenario's firings per arm. These indexes hold every
column those queries read, so PostgreSQL answers them from the index alone
(index-only scans) and SQLite from the covering index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_index('ix_end_user_workspace_first_seen')
        batch_op.create_index('ix_end_user_workspace_first_seen', ['workspace_id', 'first_seen'],
                              unique=False, postgresql_include=['id'])
        batch_op.create_index('ix_end_user_workspace_stage', ['workspace_id', 'lifecycle_stage'],
                              unique=False)
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index('ix_account_workspace_stage', ['workspace_id', 'lifecycle_stage'],
                              unique=False)
    with op.batch_alter_table('user_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_user_milestone_key_user')
        batch_op.create_index('ix_user_milestone_key_user', ['key', 'user_id', 'reached_at'],
                              unique=False)
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_firing_scenario_time')
        batch_op.create_index('ix_scenario_firing_scenario_time',
                              ['scenario_id', 'fired_at', 'held_out', 'converted'], unique=False)


def downgrade():
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_firing_scenario_time')
        batch_op.create_index('ix_scenario_firing_scenario_time', ['scenario_id', 'fired_at'],
                              unique=False)
    with op.batch_alter_table('user_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_user_milestone_key_user')
        batch_op.create_index('ix_user_milestone_key_user', ['key', 'user_id'], unique=False)
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index('ix_account_workspace_stage')
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_index('ix_end_user_workspace_stage')
        batch_op.drop_index('ix_end_user_workspace_first_seen')
        batch_op.create_index('ix_end_user_workspace_first_seen', ['workspace_id', 'first_seen'],
                              unique=False)
