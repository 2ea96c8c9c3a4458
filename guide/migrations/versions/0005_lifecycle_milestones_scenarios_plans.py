"""lifecycle stages and milestones, scenarios and their firings, success-plan fields

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:12:55.261176

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('configured', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_scenario_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
    sa.UniqueConstraint('workspace_id', 'key', name=op.f('uq_scenario_workspace_id_key'))
    )
    op.create_table('scenario_firing',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=8), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('window', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_scenario_firing_scenario_id_scenario'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_scenario_firing_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_firing')),
    sa.UniqueConstraint('scenario_id', 'subject_type', 'subject_id', 'window', name=op.f('uq_scenario_firing_scenario_id_subject_type_subject_id_window'))
    )
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.create_index('ix_scenario_firing_subject', ['subject_type', 'subject_id', 'fired_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scenario_firing_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('account_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_milestone_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_account_milestone_user_id_end_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_milestone')),
    sa.UniqueConstraint('account_id', 'key', name=op.f('uq_account_milestone_account_id_key'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifecycle_stage', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('account_step_completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_by', sa.String(length=255), nullable=True))

    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_end_user_workspace_first_seen', ['workspace_id', 'first_seen'], unique=False)

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=20), server_default='user', nullable=False))
        batch_op.add_column(sa.Column('scenario_key', sa.String(length=100), nullable=True))

    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scenario_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_nudge_user_time', ['user_id', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_nudge_scenario_id_scenario'), 'scenario', ['scenario_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.create_index('ix_progress_guide_state_updated', ['guide_id', 'state', 'updated_at'], unique=False)

    with op.batch_alter_table('user_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_user_milestone_key_user', ['key', 'user_id'], unique=False)

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifecycle', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('scenario_settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))



def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('scenario_settings')
        batch_op.drop_column('lifecycle')

    with op.batch_alter_table('user_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_user_milestone_key_user')

    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_guide_state_updated')

    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nudge_scenario_id_scenario'), type_='foreignkey')
        batch_op.drop_index('ix_nudge_user_time')
        batch_op.drop_column('scenario_id')

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_column('scenario_key')
        batch_op.drop_column('origin')

    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_index('ix_end_user_workspace_first_seen')
        batch_op.drop_column('stage_entered_at')

    with op.batch_alter_table('account_step_completion', schema=None) as batch_op:
        batch_op.drop_column('completed_by')

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('stage_entered_at')
        batch_op.drop_column('lifecycle_stage')

    op.drop_table('account_milestone')
    with op.batch_alter_table('scenario_firing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_firing_workspace_id'))
        batch_op.drop_index('ix_scenario_firing_subject')

    op.drop_table('scenario_firing')
    op.drop_table('scenario')
