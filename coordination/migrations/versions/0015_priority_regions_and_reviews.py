"""a priority may be a region made of countries: its member countries get a table of their own and the
subject grows to hold a region's name; reviews need no schema change (they are history rows)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.alter_column(
            'subject',
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
            type_=sqlmodel.sql.sqltypes.AutoString(length=60),
            existing_nullable=False,
        )

    op.create_table('prioritycountry',
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['country.code'], ),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], ),
    sa.PrimaryKeyConstraint('priority_id', 'country_code')
    )
    with op.batch_alter_table('prioritycountry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prioritycountry_country_code'), ['country_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('prioritycountry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prioritycountry_country_code'))
    op.drop_table('prioritycountry')
    # the old schema knows no regions: their priorities and history go (the audit log keeps them)
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "DELETE FROM prioritychange WHERE priority_id IN "
            "(SELECT id FROM priority WHERE subject_kind = 'region')"
        )
    )
    connection.execute(sa.text("DELETE FROM priority WHERE subject_kind = 'region'"))
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.alter_column(
            'subject',
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=60),
            type_=sqlmodel.sql.sqltypes.AutoString(length=20),
            existing_nullable=False,
        )
