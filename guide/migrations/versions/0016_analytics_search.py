"""analytics: help searches rolled up (analytics_search), backfilled up to each watermark

One narrow row per ``$help_search`` with a text query (guide/analytics/searches.py):
the help searches report reads these instead of one event page per search. The
backfill writes the searches at or below each workspace's watermark (the rollup
batches write the rest as they fold them): read from the event log, each placed at
its event time and its query normalised in Python, as the rollup does; a frozen
copy of that code, so this migration keeps meaning what it meant. A million events
(29,000 searches) take a few seconds.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:40:00

"""
from datetime import UTC, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

MAX_LATE = timedelta(days=7)
MAX_QUERY = 200
PAGE = 5000

event = sa.table('event', sa.column('id', sa.BigInteger), sa.column('workspace_id'),
                 sa.column('user_id'), sa.column('type'), sa.column('name'),
                 sa.column('props', sa.JSON), sa.column('client_at', sa.DateTime(timezone=True)),
                 sa.column('created_at', sa.DateTime(timezone=True)))
search = sa.table('analytics_search', sa.column('workspace_id'), sa.column('event_id'),
                  sa.column('user_id'), sa.column('at', sa.DateTime(timezone=True)),
                  sa.column('query'), sa.column('zero', sa.Boolean))
watermark = sa.table('analytics_watermark', sa.column('workspace_id'),
                     sa.column('last_event_id'))


def upgrade():
    op.create_table('analytics_search',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('zero', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'event_id', name=op.f('pk_analytics_search'))
    )
    with op.batch_alter_table('analytics_search', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_search_time',
                              ['workspace_id', 'at', 'query', 'zero', 'user_id'], unique=False)
        batch_op.create_index('ix_analytics_search_query',
                              ['workspace_id', 'query', 'at', 'user_id'], unique=False)
        batch_op.create_index('ix_analytics_search_user', ['user_id'], unique=False)
    conn = op.get_bind()
    for workspace_id, last in conn.execute(sa.select(watermark.c.workspace_id,
                                                     watermark.c.last_event_id)).all():
        result = conn.execute(_searches(conn, workspace_id, last)
                              .execution_options(stream_results=True))
        for rows in result.partitions(PAGE):
            found = [row for row in map(_search, rows) if row is not None]
            if found:
                conn.execute(search.insert(), [
                    {'workspace_id': workspace_id, 'event_id': e, 'user_id': u, 'at': at,
                     'query': q, 'zero': z} for e, u, at, q, z in found])


def _searches(conn, workspace_id, last):
    """The workspace's searches with a text query, at or below ``last``."""
    props = event.c.props
    if conn.dialect.name == 'postgresql':
        kind = sa.func.jsonb_typeof
        is_text = kind(props['query']) == 'string'
        zero = sa.and_(kind(props['results']) == 'number', props['results'].as_string() == '0')
    else:
        is_text = sa.func.json_type(props, '$.query') == 'text'
        zero = sa.and_(sa.func.json_type(props, '$.results') == 'integer',
                       sa.func.json_extract(props, '$.results') == 0)
    return (sa.select(event.c.id, event.c.user_id, props['query'].as_string(),
                  sa.case((zero, True), else_=False), event.c.client_at, event.c.created_at)
        .where(event.c.workspace_id == workspace_id, event.c.name == '$help_search',
               event.c.type == 'event:track', event.c.id <= last, is_text))


def _utc(value):
    return None if value is None else (
        value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))


def _search(row):
    """(event id, user, event time, normalised query, zero) or None: an empty query."""
    id_, user_id, raw, zero, client, received = row
    query = ' '.join(raw.split()).lower()[:MAX_QUERY]
    if not query:
        return None
    client, received = _utc(client), _utc(received)
    at = client if client is not None and received - MAX_LATE <= client <= received \
        else received
    return id_, user_id, at, query, bool(zero)


def downgrade():
    with op.batch_alter_table('analytics_search', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_search_user')
        batch_op.drop_index('ix_analytics_search_query')
        batch_op.drop_index('ix_analytics_search_time')

    op.drop_table('analytics_search')
