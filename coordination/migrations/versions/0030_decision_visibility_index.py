"""A narrow index of what the dashboard's counts read of each decision (id, issuer, classification, status,
author, acknowledgement deadline): counting thousands of open actions or pending acknowledgements looks
each decision up there instead of in its row, which carries the texts. The index of what is addressed
to a unit takes the acknowledgement's state before the decision: an inbox reads the few hundred its
reader's units still have to acknowledge instead of every pending acknowledgement.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 19:40:00
"""
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_decision_visibility',
        'decision',
        ['id', 'issuing_body_id', 'classification', 'status', 'created_by_id', 'acknowledgement_due_at'],
        unique=False,
    )
    op.create_index(
        'ix_addressee_unit_status', 'addressee', ['unit_id', 'unit_kind', 'status', 'decision_id'], unique=False
    )
    op.drop_index('ix_addressee_unit', table_name='addressee')


def downgrade() -> None:
    op.create_index('ix_addressee_unit', 'addressee', ['unit_id', 'unit_kind', 'decision_id'], unique=False)
    op.drop_index('ix_addressee_unit_status', table_name='addressee')
    op.drop_index('ix_decision_visibility', table_name='decision')
