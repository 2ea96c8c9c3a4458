"""analytics: the onboarding population per week (analytics_onboarding) and per account
and week (analytics_onboarding_account), backfilled

The proactive vs reactive report sums a row per week instead of scanning every user
first seen in its span (guide/models/analytics_onboarding.py). ``end_user.onboarding_*``
say what the rollup counted of each user; expression indexes (one per column compared)
hold the users whose first_seen, account, stage or its entry changed since. The
backfill counts every user in each workspace's timezone and with its lifecycle's last stage, in Python (a frozen
copy of ``weeks``), and marks them counted.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 08:00:00

"""
import json
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

ONBOARDING_DAYS = 90
PAGE = 5000
COUNTED = ('onboarding_seen', 'onboarding_account_id', 'onboarding_stage',
           'onboarding_stage_at')
NEWS = ('seen', 'account', 'stage', 'stage_at')

end_user = sa.table('end_user', sa.column('id'), sa.column('workspace_id'),
                    sa.column('account_id'), sa.column('lifecycle_stage'),
                    sa.column('first_seen', sa.DateTime(timezone=True)),
                    sa.column('stage_entered_at', sa.DateTime(timezone=True)),
                    *(sa.column(name) for name in COUNTED))
workspace = sa.table('workspace', sa.column('id'), sa.column('timezone'),
                     sa.column('lifecycle', sa.JSON))
watermark = sa.table('analytics_watermark', sa.column('workspace_id'),
                     sa.column('onboarding_key'))
weekly = sa.table('analytics_onboarding', sa.column('workspace_id'), sa.column('monday'),
                  sa.column('users'), sa.column('accounts'))
per_account = sa.table('analytics_onboarding_account', sa.column('workspace_id'),
                       sa.column('account_id'), sa.column('monday'), sa.column('users'))


def upgrade():
    conn = op.get_bind()
    postgres = conn.dialect.name == 'postgresql'
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onboarding_seen', sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column('onboarding_account_id', sa.Integer()))
        batch_op.add_column(sa.Column('onboarding_stage', sa.String(length=64)))
        batch_op.add_column(sa.Column('onboarding_stage_at', sa.DateTime(timezone=True)))
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onboarding_key', sa.String(length=200)))
    op.create_table('analytics_onboarding',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('monday', sa.Date(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'monday', name=op.f('pk_analytics_onboarding'))
    )
    op.create_table('analytics_onboarding_account',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('monday', sa.Date(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'account_id', 'monday',
                            name=op.f('pk_analytics_onboarding_account'))
    )
    # On the expressions (guide/models/user.py says why), as each dialect writes them;
    # before the UPDATE: an index built after it in the same transaction is of no use
    # to PostgreSQL (indcheckxmin) until every transaction open then has ended.
    distinct = 'IS DISTINCT FROM' if postgres else 'IS NOT'
    for name, rolled, now in zip(NEWS, COUNTED, ('first_seen', 'account_id',
                                                 'lifecycle_stage', 'stage_entered_at'),
                                 strict=True):
        op.create_index(f'ix_end_user_onboarding_{name}_news', 'end_user',
                        [sa.text(f'({rolled} {distinct} {now})'), 'workspace_id'])
    conn.execute(sa.update(end_user).values(
        onboarding_seen=end_user.c.first_seen, onboarding_account_id=end_user.c.account_id,
        onboarding_stage=end_user.c.lifecycle_stage,
        onboarding_stage_at=end_user.c.stage_entered_at))
    for workspace_id, timezone, lifecycle in conn.execute(sa.select(
            workspace.c.id, workspace.c.timezone, workspace.c.lifecycle)).all():
        stages = (lifecycle or {}).get('stages') or []
        last = str(stages[-1]['key']) if stages else None
        _backfill(conn, workspace_id, ZoneInfo(timezone or 'UTC'), last)
        conn.execute(sa.text(
            'INSERT INTO analytics_watermark (workspace_id, last_event_id, rolled_at) '
            'SELECT :ws, 0, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM '
            'analytics_watermark WHERE workspace_id = :ws)'), {'ws': workspace_id})
        conn.execute(sa.update(watermark).where(watermark.c.workspace_id == workspace_id)
                     .values(onboarding_key=json.dumps([timezone or 'UTC', last])))
    if postgres:
        for table in ('end_user', 'analytics_onboarding', 'analytics_onboarding_account'):
            conn.execute(sa.text(f'ANALYZE {table}'))


def _local(at, zone):
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return at.astimezone(zone)


def _monday(day):
    return day - timedelta(days=day.weekday())


def _weeks(first_seen, stage, entered_at, zone, last):
    """guide.models.analytics_onboarding.weeks, frozen."""
    signup = _local(first_seen, zone).date()
    first, final = _monday(signup), _monday(signup + timedelta(days=ONBOARDING_DAYS - 7))
    if last is not None and stage == last and entered_at is not None:
        entered_at = _local(entered_at, zone)
        entered = _monday(entered_at.date())
        if datetime.combine(entered, time(0), zone) >= entered_at:
            entered -= timedelta(days=7)
        final = min(final, entered)
    return first, final


def _backfill(conn, workspace_id, zone, last):
    counts = Counter()
    rows = conn.execute(sa.select(
        end_user.c.account_id, end_user.c.first_seen, end_user.c.lifecycle_stage,
        end_user.c.stage_entered_at).where(end_user.c.workspace_id == workspace_id)
        .execution_options(stream_results=True))
    for page in rows.partitions(PAGE):
        for account_id, first_seen, stage, entered_at in page:
            monday, final = _weeks(first_seen, stage, entered_at, zone, last)
            while monday <= final:
                counts[(account_id or 0, monday)] += 1
                monday += timedelta(days=7)
    totals = {}
    for (account_id, monday), n in counts.items():
        total = totals.setdefault(monday, [0, 0])
        total[0] += n
        total[1] += 1 if account_id else 0
    for table, rows in (
            (weekly, [{'workspace_id': workspace_id, 'monday': m, 'users': u, 'accounts': a}
                      for m, (u, a) in sorted(totals.items())]),
            (per_account, [{'workspace_id': workspace_id, 'account_id': a, 'monday': m,
                            'users': n} for (a, m), n in sorted(counts.items()) if a])):
        for start in range(0, len(rows), PAGE):
            conn.execute(table.insert(), rows[start:start + PAGE])


def downgrade():
    for name in NEWS:
        op.drop_index(f'ix_end_user_onboarding_{name}_news', table_name='end_user')
    op.drop_table('analytics_onboarding_account')
    op.drop_table('analytics_onboarding')
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.drop_column('onboarding_key')
    # Not in batch mode: on SQLite it would rebuild end_user from its reflection, which
    # cannot hold 0018's expression indexes (it warns, and they would be lost). The
    # columns are in no index or key any more: ALTER TABLE ... DROP COLUMN does.
    for name in reversed(COUNTED):
        op.drop_column('end_user', name)
