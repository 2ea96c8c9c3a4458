"""surveys and messages: survey_response, helpful_vote, end_user.visits, workspace.survey_cap_days

docs/SURVEYS.md. Nothing to backfill: no answer or vote existed before these
tables, and a visit count cannot be recovered from the event log (page views are
not kept per bootstrap), so existing users start at visit 1 (the server default),
as the docs say.

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-06 04:31:42.499900

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('helpful_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('article', sa.String(length=100), nullable=True),
    sa.Column('guide', sa.String(length=100), nullable=True),
    sa.Column('step', sa.String(length=100), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('voted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_helpful_vote_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_helpful_vote_user_id_end_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_helpful_vote_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_helpful_vote'))
    )
    with op.batch_alter_table('helpful_vote', schema=None) as batch_op:
        batch_op.create_index('ix_helpful_vote_article', ['workspace_id', 'article', 'helpful'], unique=False)
        batch_op.create_index(batch_op.f('ix_helpful_vote_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_helpful_vote_workspace_at', ['workspace_id', 'voted_at'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('question', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_survey_response_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guide_id'], ['guide.id'], name=op.f('fk_survey_response_guide_id_guide'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['end_user.id'], name=op.f('fk_survey_response_user_id_end_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_survey_response_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_guide_at', ['guide_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visits', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_cap_days', sa.Integer(), server_default='7', nullable=False))



def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('survey_cap_days')

    with op.batch_alter_table('end_user', schema=None) as batch_op:
        batch_op.drop_column('visits')

    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_user_id'))
        batch_op.drop_index('ix_survey_response_guide_at')

    op.drop_table('survey_response')
    with op.batch_alter_table('helpful_vote', schema=None) as batch_op:
        batch_op.drop_index('ix_helpful_vote_workspace_at')
        batch_op.drop_index(batch_op.f('ix_helpful_vote_user_id'))
        batch_op.drop_index('ix_helpful_vote_article')

    op.drop_table('helpful_vote')
