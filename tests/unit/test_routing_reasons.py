"""Stored routing reasons are read back into their parts to be shown in the reader's language."""

import pytest
from flask import Flask
from flask_babel import Babel

from coordination.reasons import routing_reason

STORED = [
    "platform of the posting mission (KINSHASA)",
    "task force covers COD",
    "task force covers COD (with another task force, by steering-group override: Goma crisis)",
    "task force covers theme humanitarian, consular",
    "tactical intelligence: task force covers COD",
    "strategic intelligence; early warning; high severity",
    "no active task force covers MLI: steering group early-warning queue; early warning; critical severity",
    "forwarded by Catherine Lemmens",
    "handed over at set-up: early warning; high severity",
    "a reason written before these rules",
]


@pytest.fixture(scope="module")
def english():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize("stored", STORED)
def test_every_stored_reason_reads_back_unchanged_in_english(english, stored):
    assert routing_reason(stored) == stored
