"""A lesson may come from an exercise's after-action review, and says so

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: no table rebuild on SQLite, no rewrite on PostgreSQL
    op.add_column(
        'lesson', sa.Column('from_exercise', sa.String(length=200), nullable=False, server_default='')
    )


def downgrade() -> None:
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_column('from_exercise')
