"""analytics: a workspace timezone; the rollup tables the worker keeps (guide.analytics)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:32:29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_daily',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_daily_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'guide_key', 'metric', 'step_id', 'day', name=op.f('pk_analytics_daily'))
    )
    op.create_table('analytics_duration',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_duration_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'guide_key', 'metric', 'step_id', 'event_id', name=op.f('pk_analytics_duration'))
    )
    op.create_table('analytics_watermark',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_watermark_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_analytics_watermark'))
    )
    op.create_table('analytics_run',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_step_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_analytics_run_user_id_end_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_run_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'user_id', 'guide_key', name=op.f('pk_analytics_run'))
    )
    with op.batch_alter_table('analytics_run', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_run_user', ['user_id'], unique=False)

    op.create_table('analytics_user_day',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_key', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_analytics_user_day_user_id_end_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_user_day_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'guide_key', 'metric', 'step_id', 'day', 'user_id', name=op.f('pk_analytics_user_day'))
    )
    with op.batch_alter_table('analytics_user_day', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_user_day_user', ['user_id'], unique=False)

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False))



def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('timezone')

    with op.batch_alter_table('analytics_user_day', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_user_day_user')

    op.drop_table('analytics_user_day')
    with op.batch_alter_table('analytics_run', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_run_user')

    op.drop_table('analytics_run')
    op.drop_table('analytics_watermark')
    op.drop_table('analytics_duration')
    op.drop_table('analytics_daily')
