"""analytics: the accounts' rows for the portfolio (analytics_account, analytics_member),
backfilled for every workspace the rollups have started on

One narrow row per account: its users' min(first_seen), max(last_seen) and count, and
the keys of its account milestones (",a,b,"); the account each user was counted in; on
the watermark, how far these follow the users and account milestones
(guide/analytics/account_rollup.py). Indexes on end_user (workspace_id, last_seen)
and account_milestone (reached_at) find what changed since. The backfill is three
set-based statements per workspace (SQL frozen here, so this migration keeps meaning
what it meant); a workspace without a watermark row is left to the worker, and its
reports compute every account (the tail is every user) until then.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 05:00:00

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None

# The worker's SETTLE: a user seen that long before the backfill is in the tail anyway.
SETTLE = timedelta(seconds=60)

_MEMBERS = (
    "INSERT INTO analytics_member (workspace_id, user_id, account_id) "
    "SELECT workspace_id, id, account_id FROM end_user WHERE workspace_id = :ws")
_ACCOUNTS = (
    "INSERT INTO analytics_account (workspace_id, account_id, first_seen, last_seen, users, "
    "reached) SELECT :ws, a.id, s.first, s.last, COALESCE(s.n, 0), COALESCE(r.keys, '') "
    "FROM account a LEFT JOIN (SELECT account_id, min(first_seen) AS first, "
    "max(last_seen) AS last, count(*) AS n FROM end_user WHERE workspace_id = :ws "
    "AND account_id IS NOT NULL GROUP BY account_id) s ON s.account_id = a.id "
    "LEFT JOIN (SELECT m.account_id, ',' || {agg} || ',' AS keys FROM account_milestone m "
    "JOIN account a2 ON a2.id = m.account_id WHERE a2.workspace_id = :ws "
    "AND m.key NOT LIKE '%,%' GROUP BY m.account_id) r ON r.account_id = a.id "
    "WHERE a.workspace_id = :ws AND (s.account_id IS NOT NULL OR r.account_id IS NOT NULL)")
_MARK = (
    "UPDATE analytics_watermark SET users_seen_at = :seen, "
    "last_user_id = COALESCE((SELECT max(id) FROM end_user WHERE workspace_id = :ws), 0), "
    "last_account_milestone_id = COALESCE((SELECT max(m.id) FROM account_milestone m "
    "JOIN account a ON a.id = m.account_id WHERE a.workspace_id = :ws), 0) "
    "WHERE workspace_id = :ws")


def upgrade():
    op.create_table('analytics_account',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.Column('reached', sa.Text(), nullable=False),
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
        batch_op.add_column(sa.Column('last_account_milestone_id', sa.BigInteger(),
                                      server_default='0', nullable=False))
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.create_index('ix_end_user_workspace_last_seen', ['workspace_id', 'last_seen'],
                              unique=False)
    with op.batch_alter_table('account_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_account_milestone_reached_at', ['reached_at'], unique=False)
    conn = op.get_bind()
    agg = "string_agg(m.key, ',')" if conn.dialect.name == 'postgresql' \
        else "group_concat(m.key, ',')"
    seen = datetime.now(UTC) - SETTLE
    if conn.dialect.name != 'postgresql':  # as UTCDateTime stores it on SQLite
        seen = seen.strftime('%Y-%m-%d %H:%M:%S.%f')
    for (workspace_id,) in conn.execute(sa.text(
            "SELECT workspace_id FROM analytics_watermark")).all():
        params = {'ws': workspace_id}
        conn.execute(sa.text(_MEMBERS), params)
        conn.execute(sa.text(_ACCOUNTS.format(agg=agg)), params)
        conn.execute(sa.text(_MARK), {**params, 'seen': seen})


def downgrade():
    with op.batch_alter_table('account_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_account_milestone_reached_at')
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_index('ix_end_user_workspace_last_seen')
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.drop_column('last_account_milestone_id')
        batch_op.drop_column('last_user_id')
        batch_op.drop_column('users_seen_at')
    with op.batch_alter_table('analytics_member', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_member_user')
    op.drop_table('analytics_member')
    op.drop_table('analytics_account')
