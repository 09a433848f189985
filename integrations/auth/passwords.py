"""Argon2id password hashing with parameters from config; hashes are upgraded at login when they change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        # Verified against when the user doesn't exist, so both cases cost the same time. Made on first use
        # (in a worker thread), not at start-up.
        self._dummy: str | None = None

    def warm(self) -> None:
        """Make the dummy hash ahead of the first sign-in (called in a worker thread at start-up)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        if stored is None and self._dummy is None:
            self._dummy = self._hasher.hash("not-a-real-password")
        try:
            return self._hasher.verify(stored or self._dummy or "", password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)

    def burn_time(self, password: str) -> None:
        """Equalise timing for unknown users."""
        self.verify(None, password)


def password_problem(password: object) -> str | None:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "password is too long"
    return None
