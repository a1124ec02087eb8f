"""`db.one_of`: a long list of ids goes to the database as one parameter, with the same answer as IN."""

from sqlmodel import select

from coordination.db import LONG_ID_LIST, one_of
from coordination.structure.models import Person


def test_one_of_answers_as_an_in_list_short_or_long_with_duplicates_and_absent_ids(session):
    ids = sorted(session.exec(select(Person.id)))
    asked = [*ids[::2], *ids[::2], *range(10**6, 10**6 + LONG_ID_LIST + 5)]  # long, repeated, unknown
    for values in (asked, ids[:3], [], [ids[0]]):
        found = set(session.exec(select(Person.id).where(one_of(session, Person.id, values))))
        assert found == set(ids) & set(values)
    statement = str(select(Person.id).where(one_of(session, Person.id, asked)).compile(session.get_bind()))
    assert statement.count("?") + statement.count("%(") == 1
