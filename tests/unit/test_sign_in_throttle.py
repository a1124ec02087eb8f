"""The sign-in throttling rule, without a database."""

from datetime import UTC, datetime, timedelta

from coordination.auth.throttle import Limit, SignInLimits, locked_until

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
RULE = Limit(failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_fewer_failures_than_the_limit_allow_the_attempt():
    assert locked_until([], NOW, RULE) is None
    assert locked_until(minutes_ago(4, 3, 2, 1), NOW, RULE) is None


def test_the_fifth_failure_within_the_window_locks_for_the_lockout_after_it():
    assert locked_until(minutes_ago(5, 4, 3, 2, 1), NOW, RULE) == NOW - timedelta(minutes=1) + RULE.lockout
    assert locked_until(minutes_ago(0, 0, 0, 0, 0), NOW, RULE) == NOW + RULE.lockout


def test_failures_spread_wider_than_the_window_do_not_lock():
    assert locked_until(minutes_ago(40, 30, 20, 10, 1), NOW, RULE) is None


def test_the_lockout_outlasts_the_window_and_then_ends():
    # locked at 9:50 by five failures from 9:46 on: still locked at 10:00 though only three are within 15 min
    assert locked_until(minutes_ago(14, 13, 12, 11, 10), NOW, RULE) == NOW + timedelta(minutes=5)
    assert locked_until(minutes_ago(30, 29, 28, 27, 26), NOW, RULE) is None


def test_failures_from_the_future_count_as_now():
    assert locked_until([NOW + timedelta(minutes=3)] * 5, NOW, RULE) == NOW + RULE.lockout


def test_limits_come_from_the_configuration():
    limits = SignInLimits.from_config(
        {
            "SIGN_IN_ACCOUNT_FAILURES": 5,
            "SIGN_IN_ADDRESS_FAILURES": 30,
            "SIGN_IN_WINDOW": timedelta(minutes=15),
            "SIGN_IN_LOCKOUT": timedelta(minutes=15),
        }
    )
    assert limits.account == RULE and limits.address.failures == 30
    assert limits.memory == timedelta(minutes=30)
