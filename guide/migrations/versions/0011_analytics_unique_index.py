"""analytics: an index of analytics_user_day in the order of a report's unique users

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analytics_user_day', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_user_day_unique', ['workspace_id', 'guide_key', 'step_id', 'metric', 'user_id', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('analytics_user_day', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_user_day_unique')
