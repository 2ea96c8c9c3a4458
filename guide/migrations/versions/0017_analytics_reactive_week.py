"""analytics: the proactive vs reactive report's weekly counts kept by the fold

Each ``analytics_user_week`` row gets ``onboarding`` and ``account_id``, judged
from ``end_user`` when the fold first writes the row (guide/analytics/reactive_weeks.py);
``analytics_account_week`` counts an account's onboarding users on each side of a
week, ``analytics_reactive_week`` the week's counts: the report reads a row per
week instead of joining every user-week with ``end_user``.

The backfill judges the rows already there from ``end_user`` now (what the report
computed until now), a statement per workspace and week (the week's bounds are
local midnights, computed here in Python), then sums the accounts' and the weeks'
counts in SQL: the same numbers the fold would have kept (the 1M-event dataset's
155,000 week rows take a few seconds).

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-06 05:00:00

"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None

ONBOARDING = timedelta(days=90)
HELP_WINDOW = timedelta(hours=24)
PAGE = 5000
STAMP = sa.DateTime(timezone=True)

user_week = sa.table('analytics_user_week', sa.column('workspace_id'),
                     sa.column('week', sa.Date), sa.column('user_id'),
                     sa.column('onboarding'), sa.column('account_id'))
end_user = sa.table('end_user', sa.column('id'), sa.column('account_id'),
                    sa.column('first_seen', STAMP), sa.column('lifecycle_stage'),
                    sa.column('stage_entered_at', STAMP))
moment = sa.table('analytics_moment', sa.column('workspace_id'), sa.column('metric'),
                   sa.column('user_id'), sa.column('at', STAMP), sa.column('day', sa.Date))
reactive_week = sa.table('analytics_reactive_week', sa.column('workspace_id'),
                         sa.column('week', sa.Date), sa.column('help_sessions'),
                         sa.column('help_escalated'))
workspace = sa.table('workspace', sa.column('id'), sa.column('timezone'),
                     sa.column('lifecycle', sa.JSON))

_ACCOUNTS = (
    "INSERT INTO analytics_account_week (workspace_id, week, account_id, active, needed, "
    "self_service) SELECT workspace_id, week, account_id, count(*), "
    "sum(CASE WHEN escalations > 0 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN progressed = 1 AND escalations = 0 THEN 1 ELSE 0 END) "
    "FROM analytics_user_week WHERE onboarding = 1 AND active = 1 "
    "AND account_id IS NOT NULL GROUP BY workspace_id, week, account_id")
_WEEKS = (
    "INSERT INTO analytics_reactive_week (workspace_id, week, users_active, users_needed, "
    "users_self, accounts_active, accounts_needed, accounts_self, escalations) "
    "SELECT u.workspace_id, u.week, u.ua, u.un, u.us, coalesce(a.aa, 0), coalesce(a.an, 0), "
    "coalesce(a.acs, 0), u.esc FROM (SELECT workspace_id, week, sum(active) AS ua, "
    "sum(CASE WHEN active = 1 AND escalations > 0 THEN 1 ELSE 0 END) AS un, "
    "sum(CASE WHEN active = 1 AND progressed = 1 AND escalations = 0 THEN 1 ELSE 0 END) "
    "AS us, sum(escalations) AS esc FROM analytics_user_week WHERE onboarding = 1 "
    "GROUP BY workspace_id, week) AS u LEFT JOIN (SELECT workspace_id, week, count(*) AS aa, "
    "sum(CASE WHEN needed > 0 THEN 1 ELSE 0 END) AS an, "
    "sum(CASE WHEN self_service > 0 AND needed = 0 THEN 1 ELSE 0 END) AS acs "
    "FROM analytics_account_week GROUP BY workspace_id, week) AS a "
    "ON a.workspace_id = u.workspace_id AND a.week = u.week")


def _midnight(day, zone):
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _judge(conn, workspace_id, zone, last, week):
    """Set the week's rows' onboarding and account from ``end_user`` now."""
    begins, ends = _midnight(week, zone), _midnight(week + timedelta(days=7), zone)
    u, w = end_user.c, user_week.c
    cond = sa.and_(u.id == w.user_id, u.first_seen >= ends - ONBOARDING, u.first_seen < ends)
    if last is not None:
        cond = sa.and_(cond, sa.or_(u.lifecycle_stage.is_(None), u.lifecycle_stage != last,
                                    u.stage_entered_at.is_(None), u.stage_entered_at > begins))
    conn.execute(sa.update(user_week).where(w.workspace_id == workspace_id, w.week == week)
                 .values(account_id=sa.select(u.account_id).where(u.id == w.user_id)
                         .scalar_subquery(),
                         onboarding=sa.case((sa.exists().where(cond), 1), else_=0)))


def backfill(conn):
    """Judge the week rows there, then count the accounts' and the weeks' (also run by
    tests/analytics/test_reactive_weeks.py against what the fold keeps)."""
    for workspace_id, timezone, lifecycle in conn.execute(sa.select(
            workspace.c.id, workspace.c.timezone, workspace.c.lifecycle)).all():
        stages = (lifecycle or {}).get('stages') or []
        last = str(stages[-1]['key']) if stages else None
        weeks = conn.execute(sa.select(user_week.c.week).distinct().where(
            user_week.c.workspace_id == workspace_id)).scalars().all()
        for week in weeks:
            _judge(conn, workspace_id, ZoneInfo(timezone), last, week)
    conn.execute(sa.text(_ACCOUNTS))
    conn.execute(sa.text(_WEEKS))
    for workspace_id, (sessions, escalated) in _help(conn).items():
        _add_help(conn, workspace_id, sessions, escalated)


def _help(conn):
    """Per workspace: each week's help openings, and those its user escalated within 24
    hours (one pass over the moments by user and time, in Python: no interval arithmetic
    on SQLite's text timestamps)."""
    found, m = {}, moment.c
    result = conn.execute(sa.select(m.workspace_id, m.user_id, m.metric, m.at, m.day)
                          .where(m.metric.in_(('help_opened', 'escalated')))
                          .order_by(m.workspace_id, m.user_id, m.at, m.metric.desc())
                          .execution_options(stream_results=True))
    user, opened = None, []
    for workspace_id, user_id, metric, at, day in (row for rows in result.partitions(PAGE)
                                                   for row in rows):
        if (workspace_id, user_id) != user:
            user, opened = (workspace_id, user_id), []
        sessions, escalated = found.setdefault(workspace_id, ({}, {}))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if metric == 'help_opened':
            week = day - timedelta(days=day.weekday())
            sessions[week] = sessions.get(week, 0) + 1
            opened.append([at, week, False])
            continue
        for item in opened:  # an escalation covers the openings of the 24 hours before it
            if not item[2] and item[0] <= at <= item[0] + HELP_WINDOW:
                item[2] = True
                escalated[item[1]] = escalated.get(item[1], 0) + 1
        opened = [item for item in opened if item[0] + HELP_WINDOW >= at]
    return found


def _add_help(conn, workspace_id, sessions, escalated):
    r = reactive_week.c
    for week, n in sessions.items():
        values = {'help_sessions': n, 'help_escalated': escalated.get(week, 0)}
        done = conn.execute(sa.update(reactive_week).where(
            r.workspace_id == workspace_id, r.week == week).values(**values))
        if not done.rowcount:
            conn.execute(sa.text(
                "INSERT INTO analytics_reactive_week (workspace_id, week, users_active, "
                "users_needed, users_self, accounts_active, accounts_needed, accounts_self, "
                "escalations, help_sessions, help_escalated) VALUES (:ws, :week, 0, 0, 0, 0, "
                "0, 0, 0, :help_sessions, :help_escalated)"),
                {'ws': workspace_id, 'week': week, **values})


def upgrade():
    with op.batch_alter_table('analytics_user_week', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onboarding', sa.SmallInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
    op.create_table('analytics_account_week',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.Column('self_service', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'account_id', 'week',
                            name=op.f('pk_analytics_account_week'))
    )
    op.create_table('analytics_reactive_week',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('users_active', sa.Integer(), nullable=False),
    sa.Column('users_needed', sa.Integer(), nullable=False),
    sa.Column('users_self', sa.Integer(), nullable=False),
    sa.Column('accounts_active', sa.Integer(), nullable=False),
    sa.Column('accounts_needed', sa.Integer(), nullable=False),
    sa.Column('accounts_self', sa.Integer(), nullable=False),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('help_sessions', sa.Integer(), server_default='0', nullable=False),
    sa.Column('help_escalated', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'week', name=op.f('pk_analytics_reactive_week'))
    )
    backfill(op.get_bind())


def downgrade():
    op.drop_table('analytics_reactive_week')
    op.drop_table('analytics_account_week')
    with op.batch_alter_table('analytics_user_week', schema=None) as batch_op:
        batch_op.drop_column('account_id')
        batch_op.drop_column('onboarding')
