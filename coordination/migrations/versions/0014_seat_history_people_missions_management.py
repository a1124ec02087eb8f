"""seats keep their history (start, planned end, end, who and why); people carry their mission, skills,
the security-officer role and when they were deactivated; missions open and close; departments name
their steering-group representative and opt in or out; a task force's chairs override and country
overrides keep their reasons; the two Brussels consultation platforms get distinct names

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

from coordination.types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CURRENT = sa.text('ended_at IS NULL')


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.drop_constraint('membership_body_id_person_id_key', 'membership', type_='unique')
        batch = op.batch_alter_table('membership', schema=None)
    else:
        # SQLite: the table is rebuilt; the unnamed unique constraint gets a name to be dropped by
        batch = op.batch_alter_table(
            'membership',
            schema=None,
            naming_convention={'uq': 'uq_%(table_name)s_%(column_0_name)s'},
            reflect_args=[sa.UniqueConstraint('body_id', 'person_id', name='uq_membership_body_id')],
        )
    with batch as batch_op:
        if connection.dialect.name != 'postgresql':
            batch_op.drop_constraint('uq_membership_body_id', type_='unique')
        batch_op.add_column(
            sa.Column('started_at', UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp())
        )
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('seated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_membership_seated_by_id', 'person', ['seated_by_id'], ['id'])
        batch_op.create_foreign_key('fk_membership_ended_by_id', 'person', ['ended_by_id'], ['id'])
        batch_op.create_index(
            'uq_membership_current_seat',
            ['body_id', 'person_id'],
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        )
        batch_op.create_index('ix_membership_person_body', ['person_id', 'body_id'], unique=False)
    # seats that existed before this revision started when their body was created
    connection.execute(
        sa.text('UPDATE membership SET started_at = (SELECT created_at FROM body WHERE body.id = membership.body_id)')
    )

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mission_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('skills', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(
            sa.Column('is_security_officer', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('deactivated_at', UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_person_mission_id', 'mission', ['mission_id'], ['id'])
        batch_op.create_index('ix_person_mission_id', ['mission_id'], unique=False)

    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('opened_at', UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp())
        )
        batch_op.add_column(sa.Column('closed_at', UTCDateTime(), nullable=True))

    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participating', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('representative_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_department_representative_id', 'person', ['representative_id'], ['id'], use_alter=True
        )

    with op.batch_alter_table('bodycountry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=300), nullable=False, server_default=''))

    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('chairs_override_reason', sa.String(length=300), nullable=False, server_default='')
        )

    # Two missions in one city (the permanent representations to the EU and to NATO) both ran a
    # "Consultation platform Brussels": name each platform after its organisation.
    connection.execute(
        sa.text(
            "UPDATE body SET name = 'Consultation platform ' || "
            "(SELECT city FROM mission WHERE mission.id = body.mission_id) || ' (' || "
            "(SELECT organisation FROM mission WHERE mission.id = body.mission_id) || ')' "
            "WHERE kind = 'consultation_platform' AND mission_id IN "
            "(SELECT id FROM mission WHERE organisation IS NOT NULL AND organisation <> '')"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_column('chairs_override_reason')
    with op.batch_alter_table('bodycountry', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_constraint('fk_department_representative_id', type_='foreignkey')
        batch_op.drop_column('representative_id')
        batch_op.drop_column('participating')
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('opened_at')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_mission_id')
        batch_op.drop_constraint('fk_person_mission_id', type_='foreignkey')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('is_security_officer')
        batch_op.drop_column('skills')
        batch_op.drop_column('mission_id')
    connection = op.get_bind()
    # the old table holds one seat per body and person: drop the history of ended seats
    connection.execute(sa.text('DELETE FROM membership WHERE ended_at IS NOT NULL'))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_person_body')
        batch_op.drop_index('uq_membership_current_seat')
        batch_op.drop_constraint('fk_membership_ended_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_membership_seated_by_id', type_='foreignkey')
        for column in ('ended_by_id', 'seated_by_id', 'end_reason', 'ended_at', 'ends_on', 'started_at'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('membership_body_id_person_id_key', ['body_id', 'person_id'])
