"""signed-in sessions, so that signing out, "sign out everywhere", a password change and deactivation end
the session and remember-me cookies at once

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12 10:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from coordination.types import UTCDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signedinsession',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signedinsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signedinsession_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signedinsession_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signedinsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signedinsession_person_id'))
        batch_op.drop_index(batch_op.f('ix_signedinsession_created_at'))
    op.drop_table('signedinsession')
