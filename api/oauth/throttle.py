"""Failed sign-ins per network address: a sliding window kept in the worker's memory.

The per-account lockout (domain) stops guessing one person's password; this stops one
address spraying a few guesses at many accounts. It is transport-level (an address is an
HTTP fact, not a domain one) and per worker process, so with N workers an address gets up
to N times the limit: a backstop, not the only control. A proxy's rate limit in front of the
service is the place for a shared one."""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class FailureThrottle:
    def __init__(self, limit: int, window_seconds: float, max_sources: int = 10_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_sources = max_sources
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, source: str, now: float) -> deque[float]:
        failures = self._failures.get(source)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[source]
        return failures

    def blocked(self, source: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return len(self._recent(source, now)) >= self.limit

    def record_failure(self, source: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        failures = self._failures.setdefault(source, deque())
        failures.append(now)
        self._failures.move_to_end(source)
        # Bounded memory whatever the traffic: forget the addresses quiet the longest.
        while len(self._failures) > self.max_sources:
            self._failures.popitem(last=False)
