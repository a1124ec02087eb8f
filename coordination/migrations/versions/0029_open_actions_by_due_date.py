"""Indexes the dashboard counts from: the actions not done, by due date (partial: the overdue ones), and
the acknowledgements by state with their decisions (instead of by state alone, which sent each to the table).
addressee (decision_id) goes: the unique (decision_id, unit_kind, unit_id) begins with it.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

NOT_DONE = sa.text("status != 'done'")


def upgrade() -> None:
    op.create_index(
        'ix_action_open_due',
        'action',
        ['due_on', 'decision_id', 'status'],
        unique=False,
        sqlite_where=NOT_DONE,
        postgresql_where=NOT_DONE,
    )
    op.drop_index('ix_addressee_status', table_name='addressee')
    op.drop_index('ix_addressee_decision_id', table_name='addressee')
    op.create_index('ix_addressee_status_decision', 'addressee', ['status', 'decision_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_addressee_status_decision', table_name='addressee')
    op.create_index('ix_addressee_decision_id', 'addressee', ['decision_id'], unique=False)
    op.create_index('ix_addressee_status', 'addressee', ['status'], unique=False)
    op.drop_index('ix_action_open_due', table_name='action')
