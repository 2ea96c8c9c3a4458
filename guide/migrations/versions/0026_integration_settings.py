"""integration_settings: a workspace's Slack incoming webhook and its event toggles, and
its event forwarding (write key, endpoint, cursor)

docs/INTEGRATIONS.md. A new table, nothing to backfill: no workspace had Slack before.

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-06 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('integration_settings',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('slack_webhook_url', sa.String(length=500), nullable=True),
    sa.Column('slack_events', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('forward_write_key', sa.String(length=200), nullable=True),
    sa.Column('forward_url', sa.String(length=500), nullable=True),
    sa.Column('forward_after', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_integration_settings_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_integration_settings'))
    )


def downgrade():
    op.drop_table('integration_settings')
