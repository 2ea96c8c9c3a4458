"""analytics: signups and milestones rolled up by local signup day (analytics_signup,
analytics_time_to_value) and users per stage (analytics_stage), backfilled

The lifecycle report sums these instead of joining each signup of its range to its
milestones (guide/analytics/signups.py). ``end_user.rolled_first_seen`` and
``user_milestone.rolled`` say what the rollup counted; partial indexes hold the
rows it has not (new, or a first_seen moved). The backfill counts every user and
milestone in each workspace's timezone, in Python (local days; a frozen copy of the
buckets), and every user's stage (``end_user.rolled_stage``), and marks them counted: 100,000 users and 150,000 milestones take a few
seconds. On PostgreSQL ``rolled`` is added as true (no table rewrite), then its
default becomes false for the rows written from now on.

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-06 04:50:00

"""
import bisect
import math
from collections import Counter
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0020'
branch_labels = None
depends_on = None

DAY = 86400
MAX_WITHIN_DAYS = 365
BOUNDS = sorted({math.ceil(1.06 ** n) for n in range(400)}
                | {d * DAY + 1 for d in range(1, MAX_WITHIN_DAYS + 2)})
NO_STAGE = '\x01'
PAGE = 5000

end_user = sa.table('end_user', sa.column('id'), sa.column('workspace_id'),
                    sa.column('first_seen', sa.DateTime(timezone=True)),
                    sa.column('rolled_first_seen', sa.DateTime(timezone=True)),
                    sa.column('lifecycle_stage'), sa.column('rolled_stage'))
user_milestone = sa.table('user_milestone', sa.column('user_id'), sa.column('key'),
                          sa.column('reached_at', sa.DateTime(timezone=True)))
workspace = sa.table('workspace', sa.column('id'), sa.column('timezone'))
firing = sa.table('scenario_firing', sa.column('workspace_id'), sa.column('scenario_id'),
                  sa.column('fired_at', sa.DateTime(timezone=True)))
escalation = sa.table('escalation', sa.column('workspace_id'), sa.column('user_id'),
                      sa.column('origin'), sa.column('created_at', sa.DateTime(timezone=True)))
firing_day = sa.table('analytics_firing', sa.column('workspace_id'), sa.column('day'),
                      sa.column('scenario_id'), sa.column('firings'))
escalation_day = sa.table('analytics_escalation', sa.column('workspace_id'), sa.column('day'),
                          sa.column('key'), sa.column('escalations'))
watermark = sa.table('analytics_watermark', sa.column('workspace_id'),
                     sa.column('last_event_id'), sa.column('rolled_at'),
                     sa.column('signup_zone'))
signup = sa.table('analytics_signup', sa.column('workspace_id'), sa.column('day'),
                  sa.column('key'), sa.column('bucket'), sa.column('users'))
ttv = sa.table('analytics_time_to_value', sa.column('workspace_id'), sa.column('key'),
               sa.column('seconds'), sa.column('day'), sa.column('users'))


def upgrade():
    conn = op.get_bind()
    postgres = conn.dialect.name == 'postgresql'
    op.add_column('end_user', sa.Column('rolled_first_seen', sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column('end_user', sa.Column('rolled_stage', sa.String(length=64), nullable=True))
    for table in ('user_milestone', 'scenario_firing', 'escalation'):
        op.add_column(table, sa.Column('rolled', sa.Boolean(), nullable=False,
                                       server_default=sa.true() if postgres else sa.false()))
    op.add_column('analytics_watermark', sa.Column('signup_zone', sa.String(length=64),
                                                   nullable=True))
    op.create_table('analytics_signup',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('bucket', sa.SmallInteger(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'day', 'key', 'bucket',
                            name=op.f('pk_analytics_signup'))
    )
    op.create_table('analytics_time_to_value',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('seconds', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'key', 'seconds', 'day',
                            name=op.f('pk_analytics_time_to_value'))
    )
    op.create_table('analytics_stage',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=64), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'stage', name=op.f('pk_analytics_stage'))
    )
    op.create_table('analytics_firing',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('firings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'day', 'scenario_id',
                            name=op.f('pk_analytics_firing'))
    )
    op.create_table('analytics_escalation',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'day', 'key', name=op.f('pk_analytics_escalation'))
    )
    for table in ('user_milestone', 'scenario_firing', 'escalation'):
        if postgres:
            op.alter_column(table, 'rolled', server_default=sa.false())
        else:
            conn.execute(sa.text(f'UPDATE {table} SET rolled = 1'))
    counted = sa.func.coalesce(end_user.c.lifecycle_stage, NO_STAGE)
    conn.execute(sa.update(end_user).values(rolled_first_seen=end_user.c.first_seen,
                                            rolled_stage=counted))
    conn.execute(sa.text('INSERT INTO analytics_stage (workspace_id, stage, users) '
                         'SELECT workspace_id, rolled_stage, count(*) FROM end_user '
                         'GROUP BY workspace_id, rolled_stage'))
    for workspace_id, timezone in conn.execute(sa.select(workspace.c.id,
                                                         workspace.c.timezone)).all():
        _backfill(conn, workspace_id, ZoneInfo(timezone or 'UTC'))
        _backfill_stalls(conn, workspace_id, ZoneInfo(timezone or 'UTC'))
        conn.execute(sa.text(
            'INSERT INTO analytics_watermark (workspace_id, last_event_id, rolled_at) '
            'SELECT :ws, 0, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM '
            'analytics_watermark WHERE workspace_id = :ws)'), {'ws': workspace_id})
        conn.execute(sa.update(watermark).where(watermark.c.workspace_id == workspace_id)
                     .values(signup_zone=timezone or 'UTC'))
    # On the expressions (guide/models/user.py says why), as each dialect writes them.
    distinct = 'IS DISTINCT FROM' if postgres else 'IS NOT'
    op.create_index('ix_end_user_signup_news', 'end_user', [
        sa.text(f'(rolled_first_seen {distinct} first_seen)'), 'workspace_id'])
    op.create_index('ix_end_user_stage_news', 'end_user', [
        sa.text(f"(rolled_stage {distinct} coalesce(lifecycle_stage, '{NO_STAGE}'))"),
        'workspace_id'])
    op.create_index('ix_user_milestone_news', 'user_milestone', ['user_id'],
                    sqlite_where=sa.text('NOT rolled'), postgresql_where=sa.text('NOT rolled'))
    for table in ('scenario_firing', 'escalation'):
        op.create_index(f'ix_{table}_news', table, ['workspace_id'],
                        sqlite_where=sa.text('NOT rolled'), postgresql_where=sa.text('NOT rolled'))
    if postgres:
        # Statistics of the new column and expression indexes: without them the news reads
        # were planned as scans of every user (14-45 ms at 100,000 users) until autovacuum.
        for table in ('end_user', 'user_milestone', 'scenario_firing', 'escalation',
                      'analytics_signup', 'analytics_time_to_value', 'analytics_stage',
                      'analytics_firing', 'analytics_escalation'):
            conn.execute(sa.text(f'ANALYZE {table}'))


def _seconds(conn):
    """Whole seconds from first_seen to reached_at (guide.analytics.milestones)."""
    later, earlier = user_milestone.c.reached_at, end_user.c.first_seen
    if conn.dialect.name == 'postgresql':
        seconds = sa.func.extract('epoch', later - earlier)
    else:
        seconds = (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    return sa.cast(sa.func.round(seconds), sa.BigInteger)


def _day(at, zone):
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return at.astimezone(zone).date()


def _backfill(conn, workspace_id, zone):
    counts, values = Counter(), Counter()
    users = conn.execute(sa.select(end_user.c.first_seen).where(
        end_user.c.workspace_id == workspace_id).execution_options(stream_results=True))
    for rows in users.partitions(PAGE):
        counts.update((_day(first_seen, zone), '', 0) for first_seen, in rows)
    reached = conn.execute(
        sa.select(end_user.c.first_seen, user_milestone.c.key, _seconds(conn))
        .join(end_user, end_user.c.id == user_milestone.c.user_id)
        .where(end_user.c.workspace_id == workspace_id)
        .execution_options(stream_results=True))
    for rows in reached.partitions(PAGE):
        for first_seen, key, seconds in rows:
            day, value = _day(first_seen, zone), max(0, int(seconds or 0))
            counts[(day, key, bisect.bisect_right(BOUNDS, value))] += 1
            values[(key, value, day)] += 1
    rows = [{'workspace_id': workspace_id, 'day': d, 'key': k, 'bucket': b, 'users': n}
            for (d, k, b), n in sorted(counts.items())]
    for start in range(0, len(rows), PAGE):
        conn.execute(signup.insert(), rows[start:start + PAGE])
    rows = [{'workspace_id': workspace_id, 'key': k, 'seconds': s, 'day': d, 'users': n}
            for (k, s, d), n in sorted(values.items())]
    for start in range(0, len(rows), PAGE):
        conn.execute(ttv.insert(), rows[start:start + PAGE])


def _backfill_stalls(conn, workspace_id, zone):
    """Firings per local day and scenario; users' escalations per local day, in all ('')
    and after the user had reached each milestone."""
    firings, escalations = Counter(), Counter()
    rows = conn.execute(sa.select(firing.c.fired_at, firing.c.scenario_id).where(
        firing.c.workspace_id == workspace_id).execution_options(stream_results=True))
    for page in rows.partitions(PAGE):
        firings.update((_day(at, zone), scenario_id) for at, scenario_id in page)
    mine = (escalation.c.workspace_id == workspace_id, escalation.c.origin == 'user',
            escalation.c.user_id.is_not(None))
    rows = conn.execute(sa.select(escalation.c.created_at).where(*mine)
                        .execution_options(stream_results=True))
    for page in rows.partitions(PAGE):
        escalations.update((_day(at, zone), '') for at, in page)
    rows = conn.execute(
        sa.select(escalation.c.created_at, user_milestone.c.key)
        .join(user_milestone, sa.and_(user_milestone.c.user_id == escalation.c.user_id,
                                      user_milestone.c.reached_at <= escalation.c.created_at))
        .where(*mine).execution_options(stream_results=True))
    for page in rows.partitions(PAGE):
        escalations.update((_day(at, zone), key) for at, key in page)
    for table, rows in (
            (firing_day, [{'workspace_id': workspace_id, 'day': d, 'scenario_id': s,
                           'firings': n} for (d, s), n in sorted(firings.items())]),
            (escalation_day, [{'workspace_id': workspace_id, 'day': d, 'key': k,
                               'escalations': n} for (d, k), n in sorted(escalations.items())])):
        for start in range(0, len(rows), PAGE):
            conn.execute(table.insert(), rows[start:start + PAGE])


def downgrade():
    # First: SQLite's batch mode reflects end_user (a foreign key's target) and warns
    # about expression indexes.
    op.drop_index('ix_end_user_stage_news', table_name='end_user')
    op.drop_index('ix_end_user_signup_news', table_name='end_user')
    for table in ('scenario_firing', 'escalation'):
        op.drop_index(f'ix_{table}_news', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('rolled')
    op.drop_table('analytics_escalation')
    op.drop_table('analytics_firing')
    op.drop_index('ix_user_milestone_news', table_name='user_milestone')
    op.drop_table('analytics_stage')
    op.drop_table('analytics_time_to_value')
    op.drop_table('analytics_signup')
    with op.batch_alter_table('analytics_watermark', schema=None) as batch_op:
        batch_op.drop_column('signup_zone')
    with op.batch_alter_table('user_milestone', schema=None) as batch_op:
        batch_op.drop_column('rolled')
    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_column('rolled_stage')
        batch_op.drop_column('rolled_first_seen')
