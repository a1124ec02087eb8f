"""A narrow index of what the dashboard's counts read of each decision (id, issuer, classification, status,
author, acknowledgement deadline): counting thousands of open actions or pending acknowledgements looks
each decision up there instead of in its row, which carries the texts.

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


def downgrade() -> None:
    op.drop_index('ix_decision_visibility', table_name='decision')
