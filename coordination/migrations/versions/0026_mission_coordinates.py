"""Missions keep where their city is, so that a map places them without reading the gazetteer

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
    connection = op.get_bind()
    missions = connection.execute(sa.text("SELECT id, host_country_code, city FROM mission")).all()
    if not missions:
        return
    from coordination.places.queries import town  # the gazetteer: read only when there are missions

    located = []
    for mission_id, country, city in missions:
        found = town(country, city)
        if found is not None:
            located.append({"id": mission_id, "longitude": found[0], "latitude": found[1]})
    if located:
        connection.execute(
            sa.text("UPDATE mission SET longitude = :longitude, latitude = :latitude WHERE id = :id"), located
        )


def downgrade() -> None:
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.drop_column('latitude')
        batch_op.drop_column('longitude')
