"""An injected, accelerated clock for the scheduler (`coordination scheduler --clock-speed`), for soak tests
and demonstrations: 30 minutes of scheduler time in 30 seconds. Production never uses it.

In this mode the scheduler does not run APScheduler, whose timing follows the wall clock (its loop sleeps
in real seconds and compares against `datetime.now`): `scheduler.run_on_clock` ticks the injected clock
and asks the same APScheduler triggers when each job is due, so the schedule is the production one, while
the jobs, their leases and the heartbeats all read the injected clock.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger


@dataclass(frozen=True)
class InjectedClock:
    """Reads `start` at the wall-clock instant `anchor` (Unix seconds) and runs `speed` times faster: every
    scheduler given the same three values reads the same time, whenever its process started."""

    start: datetime
    speed: float = 1.0
    anchor: float = field(default_factory=time.time)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def real_seconds(self, span: timedelta) -> float:
        """How long `span` of this clock's time lasts on the wall clock."""
        return span.total_seconds() / self.speed


def aligned(trigger: BaseTrigger, at: datetime) -> BaseTrigger:
    """An interval trigger starting on a whole interval of the clock, so that every scheduler has the same
    slots (APScheduler starts an interval when the job is added, which differs from process to process)."""
    if not isinstance(trigger, IntervalTrigger):
        return trigger
    seconds = trigger.interval.total_seconds()
    epoch = at.timestamp() // seconds * seconds
    return IntervalTrigger(
        seconds=seconds, start_date=datetime.fromtimestamp(epoch, at.tzinfo), timezone=trigger.timezone
    )
