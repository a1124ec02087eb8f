"""index decisions by status and time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:40:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_decision_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_created_at')
        batch_op.drop_index('ix_decision_status_created')
