"""each receiving body triages its own delivery of a report (status, when, who holds it), a triage step
names its body, and an untriaged early warning records when it was escalated

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 18:00:00
"""
import sqlalchemy as sa
from alembic import op

from coordination.types import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='new'))
        batch_op.add_column(sa.Column('status_changed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('holder_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_delivery_holder_id', 'person', ['holder_id'], ['id'])
        batch_op.create_index('ix_delivery_body_status', ['body_id', 'status'], unique=False)
    with op.batch_alter_table('reportcomment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_reportcomment_body_id', 'body', ['body_id'], ['id'])
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', UTCDateTime(), nullable=True))

    # The one shared status becomes the status of every task force's and the steering group's delivery
    # (the bodies that triage); the last person who moved it holds it.
    triaging = "SELECT id FROM body WHERE kind IN ('task_force', 'steering_group')"
    connection.execute(
        sa.text(
            'UPDATE delivery SET status = (SELECT f.status FROM fieldreport f WHERE f.id = delivery.report_id), '
            'status_changed_at = (SELECT f.updated_at FROM fieldreport f WHERE f.id = delivery.report_id), '
            'holder_id = (SELECT c.author_id FROM reportcomment c WHERE c.report_id = delivery.report_id '
            'AND c.to_status IS NOT NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 1) '
            f"WHERE body_id IN ({triaging}) AND report_id IN (SELECT id FROM fieldreport WHERE status <> 'new')"
        )
    )
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.drop_index('ix_fieldreport_status')
        batch_op.drop_column('status')


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='new'))
        batch_op.create_index('ix_fieldreport_status', ['status'], unique=False)
    # the furthest any body took it
    order = "CASE d.status WHEN 'archived' THEN 4 WHEN 'validated' THEN 3 WHEN 'dismissed' THEN 3 " \
        "WHEN 'under_review' THEN 2 ELSE 1 END"
    connection.execute(
        sa.text(
            'UPDATE fieldreport SET status = COALESCE((SELECT d.status FROM delivery d '
            f'WHERE d.report_id = fieldreport.id ORDER BY {order} DESC LIMIT 1), \'new\')'
        )
    )
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
    with op.batch_alter_table('reportcomment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reportcomment_body_id', type_='foreignkey')
        batch_op.drop_column('body_id')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_body_status')
        batch_op.drop_constraint('fk_delivery_holder_id', type_='foreignkey')
        batch_op.drop_column('holder_id')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('status')
