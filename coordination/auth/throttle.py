"""The sign-in throttling rule, as pure functions: given the recent failed sign-ins of an account (or of an
address) and the time now, is the next attempt allowed, or refused until when?"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """`failures` failed sign-ins within `window` refuse every attempt for `lockout` after the last one."""

    failures: int
    window: timedelta
    lockout: timedelta

    @property
    def memory(self) -> timedelta:
        """How far back a failure can still matter."""
        return self.window + self.lockout


@dataclass(frozen=True)
class SignInLimits:
    account: Limit
    address: Limit

    @property
    def memory(self) -> timedelta:
        return max(self.account.memory, self.address.memory)

    @classmethod
    def from_config(cls, config: Mapping) -> "SignInLimits":
        return cls(
            account=Limit(
                failures=config["SIGN_IN_ACCOUNT_FAILURES"],
                window=config["SIGN_IN_WINDOW"],
                lockout=config["SIGN_IN_LOCKOUT"],
            ),
            address=Limit(
                failures=config["SIGN_IN_ADDRESS_FAILURES"],
                window=config["SIGN_IN_WINDOW"],
                lockout=config["SIGN_IN_LOCKOUT"],
            ),
        )


def locked_until(failures: Iterable[datetime], now: datetime, limit: Limit) -> datetime | None:
    """When the lockout these failures cause ends, or None if the next attempt at `now` is allowed.

    A lockout starts at the failure that brings the count within `window` to `failures` and lasts `lockout`;
    failures in the future of `now` (clocks of other workers) count as now."""
    times = sorted(min(at, now) for at in failures if at > now - limit.memory)
    until = None
    for index in range(limit.failures - 1, len(times)):
        if times[index] - times[index - limit.failures + 1] < limit.window:
            until = times[index] + limit.lockout
    return until if until is not None and until > now else None
