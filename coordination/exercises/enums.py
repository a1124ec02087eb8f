from enum import StrEnum


class ExerciseStatus(StrEnum):
    """planned -> running <-> paused -> ended -> archived."""

    planned = "planned"
    running = "running"
    paused = "paused"
    ended = "ended"
    archived = "archived"


class InjectOutcome(StrEnum):
    posted = "posted"
    skipped = "skipped"  # its `unless` condition was met when it fell due
    by_hand = "by_hand"  # written and posted by the controller during the exercise


MAX_SPEED = 60
"""How many times faster than the wall clock a controller may run an exercise (from x1 to x60)."""
