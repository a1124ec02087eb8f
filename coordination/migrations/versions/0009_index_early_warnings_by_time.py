"""index early warnings by time

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 23:10:00
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.create_index('ix_fieldreport_early_warning_created', ['early_warning', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.drop_index('ix_fieldreport_early_warning_created')
