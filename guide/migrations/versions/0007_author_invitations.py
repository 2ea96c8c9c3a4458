"""author invitations: members are added by an invitation the person accepts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('author_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['author.id'], name=op.f('fk_author_invitation_invited_by_id_author'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_author_invitation_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_author_invitation_token_hash'))
    )
    with op.batch_alter_table('author_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_author_invitation_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('author_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_author_invitation_workspace_id'))
    op.drop_table('author_invitation')
