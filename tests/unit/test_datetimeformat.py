"""The fast `datetimeformat` filter gives what Flask-Babel gives, in Brussels time, summer and winter."""

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import Babel, format_datetime

from coordination.i18n import NUMERIC_PATTERNS, datetimeformat


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Brussels"
    Babel(app)
    return app


MOMENTS = [
    datetime(2026, 1, 15, 23, 30, 5),  # naive values are UTC: already the 16th in Brussels
    datetime(2026, 7, 1, 22, 15, tzinfo=UTC),  # summer time, UTC+2
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # one minute before the switch to summer time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the repeated hour in October
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("pattern", sorted(NUMERIC_PATTERNS))
def test_numeric_patterns_match_babel(app, moment, pattern):
    with app.test_request_context():
        assert datetimeformat(moment, pattern) == format_datetime(moment, pattern)


def test_examples_in_brussels_time(app):
    with app.test_request_context():
        assert datetimeformat(datetime(2026, 1, 15, 23, 30), "yyyy-MM-dd HH:mm") == "2026-01-16 00:30"
        assert datetimeformat(datetime(2026, 7, 1, 22, 15, tzinfo=UTC), "HH:mm") == "00:15"


def test_other_patterns_and_values_go_to_babel(app):
    with app.test_request_context():
        moment = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
        assert datetimeformat(moment, "EEEE d MMMM yyyy, HH:mm") == "Wednesday 1 July 2026, 10:00"
        assert datetimeformat(date(2026, 7, 1), "yyyy-MM-dd") == "2026-07-01"
        assert datetimeformat(moment, "yyyy-MM-dd HH:mm", rebase=False) == "2026-07-01 08:00"
