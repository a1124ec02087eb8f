"""situation reports carry the classification and origins of what they quote; task forces no longer
show a classified decision's title and text as their public description and goals; agenda lines keep
references only

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

LEVELS = ['unclassified', 'confidential', 'secret', 'top_secret']


def upgrade() -> None:
    with op.batch_alter_table('situationreport', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('quoted_classification', sa.String(length=20), nullable=False, server_default='unclassified')
        )
        batch_op.add_column(
            sa.Column('classification', sa.String(length=20), nullable=False, server_default='unclassified')
        )
        batch_op.add_column(sa.Column('origins', sa.JSON(), nullable=False, server_default='[]'))
    connection = op.get_bind()
    # A report compiled before this revision quoted every validated report its task force received in
    # its period, whoever compiled it: mark it with the highest of their levels and their origins.
    sitreps = connection.execute(
        sa.text('SELECT id, task_force_id, period_start, period_end FROM situationreport')
    ).all()
    for sitrep_id, task_force_id, start, end in sitreps:
        quoted = connection.execute(
            sa.text(
                'SELECT DISTINCT f.classification, d.code FROM fieldreport f '
                'JOIN delivery v ON v.report_id = f.id JOIN department d ON d.id = f.origin_department_id '
                "WHERE v.body_id = :body AND f.status = 'validated' "
                'AND f.created_at >= :start AND f.created_at < :until'
            ),
            {'body': task_force_id, 'start': start, 'until': _day_after(end)},
        ).all()
        levels = [level for level, _code in quoted if level in LEVELS]
        level = max(levels, key=LEVELS.index, default='unclassified')
        origins = sorted({code for _level, code in quoted})
        connection.execute(
            sa.text(
                'UPDATE situationreport SET quoted_classification = :level, classification = :level, '
                'origins = :origins WHERE id = :id'
            ).bindparams(sa.bindparam('origins', type_=sa.JSON)),
            {'level': level, 'origins': origins, 'id': sitrep_id},
        )
    # Task forces set up before this revision copied their goals decision's title and text as their
    # description and goals, on pages every member of the structure reads: withdraw those copies where
    # the decision is classified (the steering group writes a public description instead).
    connection.execute(
        sa.text(
            "UPDATE body SET description = '' WHERE goals_decision_id IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM decision d WHERE d.id = body.goals_decision_id "
            "AND d.classification <> 'unclassified' AND d.title = body.description)"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE body SET goals = '' WHERE goals_decision_id IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM decision d WHERE d.id = body.goals_decision_id "
            "AND d.classification <> 'unclassified' AND d.text = body.goals)"
        )
    )
    # Agenda lines written before this revision held the words of what they referred to; each reader's
    # lines are now written when the page is read, from the references alone.
    connection.execute(sa.text("UPDATE agendaitem SET title = '' WHERE kind <> 'other'"))


def _day_after(day):
    import datetime as dt

    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)


def downgrade() -> None:
    with op.batch_alter_table('situationreport', schema=None) as batch_op:
        batch_op.drop_column('origins')
        batch_op.drop_column('classification')
        batch_op.drop_column('quoted_classification')
