"""The fast `datetimeformat` filter gives what Flask-Babel gives, in Brussels time, summer and winter; text
read away from the page gives the same time, labelled."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask_babel import Babel, format_datetime

from coordination.auth.service import SignInRefused
from coordination.i18n import NUMERIC_PATTERNS, datetimeformat, local_time, time_element


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


def test_text_away_from_the_page_gives_the_same_time_labelled_with_its_zone(app):
    summer_end = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time, before the clocks go back
    with app.test_request_context():
        assert local_time(summer_end) == f"{datetimeformat(summer_end, 'yyyy-MM-dd HH:mm')} Brussels time"
        assert local_time(summer_end + timedelta(hours=1), "HH:mm") == "02:30 Brussels time"  # winter time
        assert time_element(summer_end) == (
            '<time datetime="2026-10-25T00:30:00+00:00" title="Brussels time">2026-10-25 02:30</time>'
        )
    assert local_time(summer_end, language="en") == "2026-10-25 02:30 Brussels time"  # outside a request too


def test_the_throttling_message_gives_brussels_time_either_side_of_the_change_to_summer_time():
    before = SignInRefused("throttled", datetime(2026, 3, 29, 0, 59, tzinfo=UTC))
    after = SignInRefused("throttled", datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    assert "try again after 01:59 Brussels time or ask an administrator" in str(before)
    assert "try again after 03:00 Brussels time or ask an administrator" in str(after)
