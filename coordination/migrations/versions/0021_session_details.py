"""what a person sees of each of their sign-ins: when it was last seen, from which browser and address

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 21:00:00
"""

import sqlalchemy as sa
from alembic import op

from coordination.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signedinsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("signedinsession", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("last_seen_at")
