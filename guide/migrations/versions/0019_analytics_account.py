"""analytics: the accounts as the portfolio judges them (analytics_account), the account
each user is counted in (analytics_member), and how far they follow (on the watermark)

One narrow row per account (guide/analytics/account_rollup.py): its stage, its CSM and
the instants it becomes behind and stuck by the lifecycle's deadlines, which the
watermark names (``account_rules``). Indexes on end_user (workspace_id, last_seen),
account (workspace_id, updated_at) and account_milestone (reached_at) find what changed
since. The instants need the workspace's lifecycle.yaml (its deadlines), so the rows are
not written here: ``account_rules`` stays NULL, the reports judge every account from its
users as before until the worker's first pass writes them all (one pass; 100,000 accounts
in a few seconds), and that pass remembers every user's account (analytics_member).

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_account',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=64), nullable=True),
    sa.Column('csm', sa.Text(), nullable=True),
    sa.Column('behind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stuck_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('workspace_id', 'account_id', name=op.f('pk_analytics_account'))
    )
    op.create_table('analytics_member',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('workspace_id', 'user_id', name=op.f('pk_analytics_member'))
    )
    with op.batch_alter_table('analytics_member', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_member_user', ['user_id'], unique=False)
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('users_seen_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('last_user_id', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_account_id', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_account_milestone_id', sa.BigInteger(),
                                      server_default='0', nullable=False))
        batch_op.add_column(sa.Column('account_rules', sa.Text(), nullable=True))
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.create_index('ix_end_user_workspace_last_seen', ['workspace_id', 'last_seen'],
                              unique=False)
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index('ix_account_workspace_updated_at', ['workspace_id', 'updated_at'],
                              unique=False)
    with op.batch_alter_table('account_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_account_milestone_reached_at', ['reached_at'], unique=False)


def downgrade():
    with op.batch_alter_table('account_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_account_milestone_reached_at')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index('ix_account_workspace_updated_at')
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_index('ix_end_user_workspace_last_seen')
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.drop_column('account_rules')
        batch_op.drop_column('last_account_milestone_id')
        batch_op.drop_column('last_account_id')
        batch_op.drop_column('last_user_id')
        batch_op.drop_column('users_seen_at')
    with op.batch_alter_table('analytics_member', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_member_user')
    op.drop_table('analytics_member')
    op.drop_table('analytics_account')
