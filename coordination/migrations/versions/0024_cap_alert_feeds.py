"""CAP alert feeds: feeds an administrator configured and the CAP alerts taken in from them

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 03:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from coordination.types import UTCDateTime

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alertfeed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('poll_minutes', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('last_polled_at', UTCDateTime(), nullable=True),
    sa.Column('last_success_at', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_poll_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('alertfeed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertfeed_next_poll_at'), ['next_poll_at'], unique=False)

    op.create_table('externalalert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('identifier', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sent', UTCDateTime(), nullable=False),
    sa.Column('msg_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('amends_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('countries', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('web', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['amends_id'], ['externalalert.id'], ),
    sa.ForeignKeyConstraint(['feed_id'], ['alertfeed.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['fieldreport.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sender', 'identifier', 'sent', name='uq_externalalert_message')
    )
    with op.batch_alter_table('externalalert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_externalalert_amends_id'), ['amends_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_externalalert_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_externalalert_feed_received', ['feed_id', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('externalalert', schema=None) as batch_op:
        batch_op.drop_index('ix_externalalert_feed_received')
        batch_op.drop_index(batch_op.f('ix_externalalert_report_id'))
        batch_op.drop_index(batch_op.f('ix_externalalert_amends_id'))
    op.drop_table('externalalert')
    with op.batch_alter_table('alertfeed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alertfeed_next_poll_at'))
    op.drop_table('alertfeed')
