"""report place and event time: a place from the gazetteer or coordinates, and when the event happened

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 23:30:00
"""

import sqlalchemy as sa
from alembic import op

from coordination.types import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fieldreport", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("place_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("event_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fieldreport", schema=None) as batch_op:
        batch_op.drop_column("event_at")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("place_name")
        batch_op.drop_column("place_id")
