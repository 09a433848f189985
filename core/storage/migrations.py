"""Versioned, per-owner schema migrations. Each integration owns its tables and its version numbers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.storage.database import Connection

Statements = Sequence[str]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step. `statements` run in order inside one transaction.

    Give a dict keyed by dialect ("sqlite", "postgresql") when the SQL differs, or `run` for logic.
    """

    version: int
    name: str
    statements: Statements | dict[str, Statements] = ()
    run: Callable[[Connection], Awaitable[Any]] | None = None

    def statements_for(self, dialect: str) -> Statements:
        if isinstance(self.statements, dict):
            if dialect not in self.statements:
                raise ValueError(f"Migration {self.version} '{self.name}' has no SQL for {dialect}")
            return self.statements[dialect]
        return self.statements


MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (owner, version)
)
"""


def check_order(owner: str, migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError(f"Migrations for '{owner}' must have unique, increasing versions from 1: {versions}")
