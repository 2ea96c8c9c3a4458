"""trusted account membership, identity-token lifetime, event retention, revocable sessions, login throttling

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_unsigned_groups', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('identity_token_max_age', sa.Integer(), server_default=sa.text('86400'), nullable=False))
        batch_op.add_column(sa.Column('events_retention_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('author', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )


def downgrade():
    op.drop_table('login_throttle')
    with op.batch_alter_table('author', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('events_retention_days')
        batch_op.drop_column('identity_token_max_age')
        batch_op.drop_column('allow_unsigned_groups')
