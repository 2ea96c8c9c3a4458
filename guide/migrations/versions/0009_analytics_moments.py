"""analytics: help openings and escalations at their event time (the proactive vs reactive report)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_moment',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_analytics_moment_user_id_end_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_analytics_moment_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'event_id', name=op.f('pk_analytics_moment'))
    )
    with op.batch_alter_table('analytics_moment', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_moment_day', ['workspace_id', 'day'], unique=False)
        batch_op.create_index('ix_analytics_moment_user', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('analytics_moment', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_moment_user')
        batch_op.drop_index('ix_analytics_moment_day')

    op.drop_table('analytics_moment')
