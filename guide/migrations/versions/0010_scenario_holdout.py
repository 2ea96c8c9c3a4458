"""scenario holdout: a held-out firing took no action (the Scenarios report's control arm)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_out', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('converted', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_scenario_firing_scenario_time', ['scenario_id', 'fired_at'], unique=False)
        batch_op.create_index('ix_scenario_firing_unsettled', ['scenario_id', 'fired_at'], unique=False, sqlite_where=sa.text('converted IS NULL'), postgresql_where=sa.text('converted IS NULL'))


def downgrade():
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_firing_unsettled', sqlite_where=sa.text('converted IS NULL'), postgresql_where=sa.text('converted IS NULL'))
        batch_op.drop_index('ix_scenario_firing_scenario_time')
        batch_op.drop_column('converted')
        batch_op.drop_column('held_out')
