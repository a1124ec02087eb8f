"""failed sign-ins, kept a little while so that sign-in is throttled per account and per address across
every worker

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from coordination.types import UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signinfailure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('counts_for_account', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signinfailure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signinfailure_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinfailure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinfailure_email'), ['email'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signinfailure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signinfailure_email'))
        batch_op.drop_index(batch_op.f('ix_signinfailure_at'))
        batch_op.drop_index(batch_op.f('ix_signinfailure_address'))
    op.drop_table('signinfailure')
