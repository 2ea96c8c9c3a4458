"""workspace environments: a staging workspace linked to its production workspace

docs/ENVIRONMENTS.md. Every existing workspace is a production workspace (the
server default); nothing to backfill.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('environment', sa.String(length=32),
                                      server_default='production', nullable=False))
        batch_op.add_column(sa.Column('production_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_workspace_production_id'), ['production_id'],
                              unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_workspace_production_id_environment'),
                                          ['production_id', 'environment'])
        batch_op.create_foreign_key(batch_op.f('fk_workspace_production_id_workspace'),
                                    'workspace', ['production_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workspace_production_id_workspace'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_workspace_production_id_environment'),
                                 type_='unique')
        batch_op.drop_index(batch_op.f('ix_workspace_production_id'))
        batch_op.drop_column('production_id')
        batch_op.drop_column('environment')
