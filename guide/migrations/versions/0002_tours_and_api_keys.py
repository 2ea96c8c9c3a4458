"""tours: snooze and repeat bookkeeping on progress; workspace API keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shown_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_shown_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'api_key_hashes',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            server_default=sa.text("'[]'"), nullable=False,
        ))


def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('api_key_hashes')
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.drop_column('last_shown_at')
        batch_op.drop_column('shown_count')
        batch_op.drop_column('snoozed_until')
