"""a tamper-evident audit log: each event carries its place in the chain (seq), the hash of the event
before it and its own hash; existing events are chained in id order

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-13 10:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from coordination.audit.chain import GENESIS, event_hash
from coordination.types import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

BATCH = 1000

events = sa.table(
    'auditevent',
    sa.column('id', sa.Integer()),
    sa.column('seq', sa.Integer()),
    sa.column('at', UTCDateTime()),
    sa.column('actor_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('object_type', sa.String()),
    sa.column('object_id', sa.String()),
    sa.column('detail', sa.JSON()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', AutoString(length=64), nullable=True))
    _chain_existing_events(op.get_bind())
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditevent_seq'), ['seq'], unique=True)


def _chain_existing_events(connection) -> None:
    """Chain every event in id order, a batch at a time (constant memory on a large log)."""
    last_id, seq, prev_hash = 0, 0, GENESIS
    while True:
        rows = connection.execute(
            sa.select(events).where(events.c.id > last_id).order_by(events.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            seq += 1
            digest = event_hash(
                prev_hash=prev_hash,
                at=row.at,
                actor_id=row.actor_id,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                detail=row.detail,
            )
            updates.append({'event_id': row.id, 'seq': seq, 'prev_hash': prev_hash, 'hash': digest})
            prev_hash = digest
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam('event_id'))
            .values(seq=sa.bindparam('seq'), prev_hash=sa.bindparam('prev_hash'), hash=sa.bindparam('hash')),
            updates,
        )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditevent_seq'))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
