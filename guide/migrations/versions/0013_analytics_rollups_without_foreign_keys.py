"""analytics: rollup rows without foreign keys (their checks were a third of a rollup batch's insert)

The rows of a user are deleted with the user by the privacy erasure
(guide/services/privacy.py) and a workspace's by ``store.reset``, instead of
ON DELETE CASCADE. The watermark keeps its foreign key (one row per workspace).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# (table, column, referred table)
KEYS = (
    ('analytics_daily', 'workspace_id', 'workspace'),
    ('analytics_user_day', 'workspace_id', 'workspace'),
    ('analytics_user_day', 'user_id', 'end_user'),
    ('analytics_duration', 'workspace_id', 'workspace'),
    ('analytics_run', 'workspace_id', 'workspace'),
    ('analytics_run', 'user_id', 'end_user'),
    ('analytics_moment', 'workspace_id', 'workspace'),
    ('analytics_moment', 'user_id', 'end_user'),
)


def _name(table, column, referred):
    return f'fk_{table}_{column}_{referred}'


def upgrade():
    for table in dict.fromkeys(table for table, _, _ in KEYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in [_name(*key) for key in KEYS if key[0] == table]:
                batch_op.drop_constraint(name, type_='foreignkey')


def downgrade():
    for table, column, referred in KEYS:  # rows the cascade would have deleted
        op.execute(sa.text(f'DELETE FROM {table} WHERE {column} NOT IN '
                           f'(SELECT id FROM {referred})'))
    for table in dict.fromkeys(table for table, _, _ in KEYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for key in [key for key in KEYS if key[0] == table]:
                batch_op.create_foreign_key(_name(*key), key[2], [key[1]], ['id'],
                                            ondelete='CASCADE')
