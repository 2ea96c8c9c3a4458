"""analytics: who was shown each survey rolled up (analytics_reach), backfilled up to
each watermark

The rollup batches add per survey the days each user was shown it, answered it, or
either (guide/analytics/survey_reach.py: ``analytics_user_day`` rows under the pseudo
guide ``$survey``, the survey's key as the step, and their chains in
``analytics_reach``): the survey report sums days instead of reading every show. The
backfill writes the user-days of the events at or below each workspace's watermark (the
batches write the rest as they fold them), each on its local day in the workspace's
timezone as the rollup places it: a show at its server time, an answer at its
``answered_at``; then each chain's (day, previous day) pairs, counted. A frozen copy of
that code, so this migration keeps meaning what it meant. Also an index on
``survey_response.event_id`` (the batch finds its answers' rows by event).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 15:30:00.000000

"""
from collections import Counter
from datetime import UTC, date
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

SURVEYS = '$survey'
SHOWN, ANSWERED, EITHER = 'survey_shown', 'survey_answered', 'survey_either'
NO_PREVIOUS = date(1, 1, 1)
MAX_KEY = 100
PAGE = 5000

event = sa.table('event', sa.column('id', sa.BigInteger), sa.column('workspace_id'),
                 sa.column('user_id'), sa.column('type'), sa.column('name'),
                 sa.column('props', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)))
response = sa.table('survey_response', sa.column('workspace_id'), sa.column('guide_id'),
                    sa.column('user_id'),
                    sa.column('event_id', sa.BigInteger),
                    sa.column('answered_at', sa.DateTime(timezone=True)))
guide = sa.table('guide', sa.column('id'), sa.column('key'))
workspace = sa.table('workspace', sa.column('id'), sa.column('timezone'))
watermark = sa.table('analytics_watermark', sa.column('workspace_id'),
                     sa.column('last_event_id'))
user_day = sa.table('analytics_user_day', sa.column('workspace_id'), sa.column('guide_key'),
                    sa.column('step_id'), sa.column('metric'), sa.column('day', sa.Date),
                    sa.column('user_id'))
reach = sa.table('analytics_reach', sa.column('workspace_id'), sa.column('guide_key'),
                 sa.column('day', sa.Date), sa.column('prev_day', sa.Date),
                 sa.column('step_id'), sa.column('metric'), sa.column('users'))


def upgrade():
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_event', ['event_id'], unique=False)
    conn = op.get_bind()
    for workspace_id, last, timezone in conn.execute(
            sa.select(watermark.c.workspace_id, watermark.c.last_event_id, workspace.c.timezone)
            .join(workspace, workspace.c.id == watermark.c.workspace_id)).all():
        _backfill(conn, workspace_id, last, ZoneInfo(timezone or 'UTC'))


def _backfill(conn, workspace_id, last, zone):
    days = set()  # (survey key, metric, user, day)
    shows = (sa.select(event.c.props['survey'].as_string(), event.c.user_id,
                       event.c.created_at)
             .where(event.c.workspace_id == workspace_id, event.c.name == '$survey_shown',
                    event.c.type == 'event:track', event.c.user_id.is_not(None),
                    event.c.id <= last))
    answers = (sa.select(guide.c.key, response.c.user_id, response.c.answered_at).distinct()
               .join(guide, guide.c.id == response.c.guide_id)
               .where(response.c.workspace_id == workspace_id, response.c.event_id <= last))
    for query, metric in ((shows, SHOWN), (answers, ANSWERED)):
        for rows in conn.execute(query.execution_options(stream_results=True)).partitions(PAGE):
            for key, user, at in rows:
                if key is None or len(key) > MAX_KEY:
                    continue
                day = _utc(at).astimezone(zone).date()
                days.add((key, metric, user, day))
                days.add((key, EITHER, user, day))
    if not days:
        return
    pairs, previous = Counter(), None
    for key, metric, user, day in sorted(days):
        chain = (key, metric, user)
        pairs[(key, metric, day, previous[1] if previous and previous[0] == chain
               else NO_PREVIOUS)] += 1
        previous = (chain, day)
    rows = [{'workspace_id': workspace_id, 'guide_key': SURVEYS, 'step_id': key,
             'metric': metric, 'day': day, 'user_id': user}
            for key, metric, user, day in sorted(days)]
    for first in range(0, len(rows), PAGE):
        conn.execute(user_day.insert(), rows[first:first + PAGE])
    rows = [{'workspace_id': workspace_id, 'guide_key': SURVEYS, 'step_id': key,
             'metric': metric, 'day': day, 'prev_day': prev, 'users': n}
            for (key, metric, day, prev), n in sorted(pairs.items())]
    for first in range(0, len(rows), PAGE):
        conn.execute(reach.insert(), rows[first:first + PAGE])


def _utc(value):
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def downgrade():
    for table in (user_day, reach):
        op.execute(table.delete().where(table.c.guide_key == SURVEYS))
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_event')
