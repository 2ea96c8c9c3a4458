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
import json
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None

IDLE_DAYS = 14
STUCK_FACTOR = 2
SETTLE = timedelta(seconds=60)
PAGE = 5000

_dt = sa.DateTime(timezone=True)
workspace = sa.table('workspace', sa.column('id'), sa.column('lifecycle', sa.JSON))
account = sa.table('account', sa.column('id'), sa.column('workspace_id'),
                   sa.column('created_at', _dt), sa.column('traits', sa.JSON),
                   sa.column('lifecycle_stage'))
end_user = sa.table('end_user', sa.column('id'), sa.column('workspace_id'),
                    sa.column('account_id'), sa.column('first_seen', _dt),
                    sa.column('last_seen', _dt))
milestone = sa.table('account_milestone', sa.column('id'), sa.column('account_id'),
                     sa.column('key'))
rows_table = sa.table('analytics_account', sa.column('workspace_id'), sa.column('account_id'),
                      sa.column('stage'), sa.column('csm'), sa.column('behind_at', _dt),
                      sa.column('stuck_at', _dt))
watermark = sa.table('analytics_watermark', sa.column('workspace_id'),
                     sa.column('users_seen_at', _dt), sa.column('last_user_id'),
                     sa.column('last_account_id'), sa.column('last_account_milestone_id'),
                     sa.column('account_rules'))


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
    conn = op.get_bind()
    for (workspace_id,) in conn.execute(sa.select(watermark.c.workspace_id)).all():
        _backfill(conn, workspace_id)


def _deadlines(body):
    """Milestone key -> expected days (its own, else the least of the stages needing it)."""
    body = body if isinstance(body, dict) else {}
    stages = body.get('stages') or []
    declared = {m['key']: m for m in body.get('milestones') or []}
    keys = list(declared)
    for stage in stages:
        keys += [key for key in stage.get('requires') or () if key not in keys]
    found = {}
    for key in keys:
        own = declared.get(key, {}).get('expected_days')
        from_stages = [s['expected_days'] for s in stages if key in (s.get('requires') or ())
                       and s.get('expected_days') is not None]
        expected = own if own is not None else min(from_stages, default=None)
        if expected is not None:
            found[key] = expected
    return found


def _utc(value):
    return None if value is None else (
        value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))


def _instants(created_at, first, last, reached, deadlines):
    """When the account becomes behind and stuck (portfolio.judge's rules)."""
    start = min(created_at, first) if first else created_at
    last_activity = max(last, start) if last else start
    unreached = [days for key, days in deadlines.items() if key not in reached]
    if not unreached:
        return None, None
    soonest = min(unreached)
    return start + timedelta(days=soonest), min(
        start + timedelta(days=STUCK_FACTOR * soonest), last_activity + timedelta(days=IDLE_DAYS))


def _backfill(conn, workspace_id):
    body = conn.scalar(sa.select(workspace.c.lifecycle).where(workspace.c.id == workspace_id))
    deadlines = _deadlines(json.loads(body) if isinstance(body, str) else body)
    seen_at = datetime.now(UTC) - SETTLE  # before the maxima: what commits later is after
    tops = [conn.scalar(sa.select(sa.func.max(table.c.id)).where(where)) or 0
            for table, where in ((end_user, end_user.c.workspace_id == workspace_id),
                                 (account, account.c.workspace_id == workspace_id))]
    tops.append(conn.scalar(sa.select(sa.func.max(milestone.c.id)).join(
        account, account.c.id == milestone.c.account_id)
        .where(account.c.workspace_id == workspace_id)) or 0)
    conn.execute(sa.text(
        'INSERT INTO analytics_member (workspace_id, user_id, account_id) '
        'SELECT workspace_id, id, account_id FROM end_user WHERE workspace_id = :ws'),
        {'ws': workspace_id})
    seen = {a: (first, last) for a, first, last in conn.execute(
        sa.select(end_user.c.account_id, sa.func.min(end_user.c.first_seen),
                  sa.func.max(end_user.c.last_seen))
        .where(end_user.c.workspace_id == workspace_id, end_user.c.account_id.is_not(None))
        .group_by(end_user.c.account_id))}
    reached = {}
    for account_id, key in conn.execute(sa.select(milestone.c.account_id, milestone.c.key).join(
            account, account.c.id == milestone.c.account_id)
            .where(account.c.workspace_id == workspace_id)):
        reached.setdefault(account_id, set()).add(key)
    found = []
    for id_, created_at, traits, stage in conn.execute(sa.select(
            account.c.id, account.c.created_at, account.c.traits, account.c.lifecycle_stage)
            .where(account.c.workspace_id == workspace_id)):
        first, last = (_utc(t) for t in seen.get(id_, (None, None)))
        behind, stuck = _instants(_utc(created_at), first, last, reached.get(id_, set()),
                                  deadlines)
        csm = (traits or {}).get('csm') if isinstance(traits, dict) else None
        found.append({'workspace_id': workspace_id, 'account_id': id_, 'stage': stage,
                      'csm': csm if isinstance(csm, str) else None,
                      'behind_at': behind, 'stuck_at': stuck})
    for start in range(0, len(found), PAGE):
        conn.execute(rows_table.insert(), found[start:start + PAGE])
    conn.execute(watermark.update().where(watermark.c.workspace_id == workspace_id).values(
        users_seen_at=seen_at, last_user_id=tops[0], last_account_id=tops[1],
        last_account_milestone_id=tops[2], account_rules=json.dumps(
            {'deadlines': deadlines, 'idle_days': IDLE_DAYS, 'stuck_factor': STUCK_FACTOR},
            sort_keys=True)))


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
