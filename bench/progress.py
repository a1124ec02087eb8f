"""A small progress bar on stderr (no dependency), quiet when stderr is not a terminal unless asked."""

import sys
import time


class Progress:
    """`with Progress("reports", total) as bar: bar.update(n)`; redraws at most five times a second."""

    def __init__(self, label: str, total: int, *, enabled: bool | None = None, stream=None):
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.perf_counter()
        self._drawn = 0.0

    def __enter__(self) -> "Progress":
        self._draw(force=True)
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._drawn < 0.2):
            return
        self._drawn = now
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1.0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(
            f"\r{self.label:<14} [{bar}] {self.done:>10,}/{self.total:,} {share:6.1%} "
            f"{rate:9,.0f}/s {elapsed:6.0f}s eta {eta:5.0f}s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
