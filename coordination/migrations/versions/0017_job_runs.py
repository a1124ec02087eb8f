"""each job's lease records its last run: when it started and finished, its result, what it did or the
error it raised

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from coordination.types import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('joblock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_started_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_finished_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_result', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('last_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('joblock', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('last_count')
        batch_op.drop_column('last_result')
        batch_op.drop_column('last_finished_at')
        batch_op.drop_column('last_started_at')
