"""covering indexes for actions and addressees, decisions by issuing body and time

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 00:30:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_issuing_body_created', ['issuing_body_id', 'created_at'], unique=False)
        batch_op.drop_index('ix_decision_issuing_body_id')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_decision_status_due', ['decision_id', 'status', 'due_on'], unique=False)
        batch_op.drop_index('ix_action_decision_id')
    with op.batch_alter_table('addressee', schema=None) as batch_op:
        batch_op.create_index('ix_addressee_unit', ['unit_id', 'unit_kind', 'decision_id'], unique=False)
        batch_op.drop_index('ix_addressee_unit_id')


def downgrade() -> None:
    with op.batch_alter_table('addressee', schema=None) as batch_op:
        batch_op.create_index('ix_addressee_unit_id', ['unit_id'], unique=False)
        batch_op.drop_index('ix_addressee_unit')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_decision_id', ['decision_id'], unique=False)
        batch_op.drop_index('ix_action_decision_status_due')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_issuing_body_id', ['issuing_body_id'], unique=False)
        batch_op.drop_index('ix_decision_issuing_body_created')
