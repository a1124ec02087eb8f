import pytest

from coordination.classification import Clearance

LEVELS = list(Clearance)


@pytest.mark.parametrize("person", LEVELS)
@pytest.mark.parametrize("item", LEVELS)
def test_clearance_covers_exactly_the_levels_at_or_below_it(person, item):
    assert person.covers(item) is (LEVELS.index(person) >= LEVELS.index(item))


def test_levels_follow_belgian_law_order():
    assert [c.value for c in Clearance] == ["unclassified", "confidential", "secret", "top_secret"]


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        Clearance.secret.covers("restricted")
