"""Fewer indexes written per report: drop three that a wider index already begins with

fieldreport (country_code) is the start of (country_code, created_at); delivery (report_id) the start of
the unique (report_id, body_id); delivery (body_id) the start of (body_id, delivered_at) and
(body_id, status). Each report and each of its deliveries then updates one index fewer.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 09:00:00
"""
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.drop_index('ix_fieldreport_country_code')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_report_id')
        batch_op.drop_index('ix_delivery_body_id')


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_body_id', ['body_id'], unique=False)
        batch_op.create_index('ix_delivery_report_id', ['report_id'], unique=False)
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.create_index('ix_fieldreport_country_code', ['country_code'], unique=False)
