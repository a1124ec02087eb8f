"""search index newest first on PostgreSQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 00:10:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from coordination.search import index

    if op.get_bind().dialect.name == "postgresql":
        index.create_recency_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_index_item_id")
