"""A one-line progress display for long runs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints done/total, rate and time left: redrawn in place on a terminal, a line every
    `log_every` seconds when writing to a log file (where `\\r` would make a mess)."""

    def __init__(self, label: str, stream: TextIO | None = None, *, log_every: float = 10.0) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 0.5 if self.tty else log_every
        self.started = time.monotonic()
        self.last_print = self.started

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and now - self.last_print < self.interval:
            return
        self.last_print = now
        rate = done / max(now - self.started, 1e-9)
        left = (total - done) / rate if rate else 0.0
        text = f"{self.label}: {done:,}/{total:,} ({100 * done / max(total, 1):.0f}%), {rate:,.0f}/s, {left:,.0f} s left"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if finished else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
