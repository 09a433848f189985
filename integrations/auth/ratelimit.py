"""Login throttling per client address and per username: backoff, then temporary lockout."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

MAX_TRACKED = 100_000  # usernames and addresses with recent failures kept in memory


@dataclass(frozen=True, slots=True)
class Limits:
    max_attempts: int = 5  # failures per username within the window before lockout
    ip_max_attempts: int = 20  # failures per client address within the window
    window_seconds: float = 900.0
    lockout_seconds: float = 60.0  # first lockout; doubles with each further failure
    max_lockout_seconds: float = 900.0


class LoginThrottle:
    """In-memory: each instance counts its own attempts (shared counters arrive with the scale-out work)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] < now - self.limits.window_seconds:
            failures.popleft()
        return failures

    def retry_after(self, ip: str, username: str) -> float:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.monotonic()
        wait = 0.0
        for key, limit in ((f"user:{username.casefold()}", self.limits.max_attempts),
                           (f"ip:{ip}", self.limits.ip_max_attempts)):  # fmt: skip
            failures = self._recent(key, now)
            if len(failures) >= limit:
                extra = len(failures) - limit
                lockout = min(self.limits.lockout_seconds * (2**extra), self.limits.max_lockout_seconds)
                wait = max(wait, failures[-1] + lockout - now)
        return max(wait, 0.0)

    def failed(self, ip: str, username: str) -> None:
        now = time.monotonic()
        if len(self._failures) >= MAX_TRACKED:  # a flood of made-up usernames must not grow memory forever
            self._forget_stale(now)
        self._recent(f"user:{username.casefold()}", now).append(now)
        self._recent(f"ip:{ip}", now).append(now)

    def _forget_stale(self, now: float) -> None:
        for key in [k for k, v in self._failures.items() if not v or v[-1] < now - self.limits.window_seconds]:
            del self._failures[key]
        while len(self._failures) >= MAX_TRACKED:  # still full: drop the oldest keys
            del self._failures[next(iter(self._failures))]

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username.casefold()}", None)
