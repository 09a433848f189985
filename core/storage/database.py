"""The database API integrations use. Queries use `?` placeholders on every backend."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from core.storage.migrations import MIGRATIONS_TABLE, Migration, check_order

Row = dict[str, Any]
Query = tuple[str, Sequence[Any]]
# A stage of a chained read: the queries to run next, made from the rows of the stage before (one list per query).
Step = Callable[[list[list[Row]]], Sequence[Query]]
T = TypeVar("T")


class DatabaseError(Exception):
    """The database refused an operation; the message comes from the backend."""


class Connection(abc.ABC):
    """One connection (inside a transaction when obtained from `Database.transaction`)."""

    dialect: str

    @abc.abstractmethod
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""

    @abc.abstractmethod
    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows as dicts."""

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return next(iter(row.values())) if row else None

    async def fetch_batch(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """The rows of each (sql, params) read, in order. Backends run them in one round trip where they can."""
        return [await self.fetch_all(sql, params) for sql, params in queries]

    async def fetch_chain(self, queries: Sequence[Query], *steps: Step) -> list[list[list[Row]]]:
        """Reads that depend on each other: `queries`, then the queries each step makes of the rows of the stage
        before; the rows of every stage. A database (SQLite, PostgreSQL) reads every stage from one snapshot of
        the data; a connection inside a transaction shows what its isolation level shows. Backends run the whole
        chain in one round trip where they can (SQLite: on a reader's thread), so a step only computes queries:
        it awaits nothing, does no I/O and touches no state another task may use."""
        stages = [await self.fetch_batch(queries)]
        for step in steps:
            stages.append(await self.fetch_batch(step(stages[-1])))
        return stages


class Database(Connection):
    """A pool: reads may run concurrently; writes go through `transaction()` or `execute`."""

    url: str

    @abc.abstractmethod
    def transaction(self) -> Any:
        """`async with db.transaction() as conn:` — all statements commit together or not at all."""

    async def run_transaction(self, work: Callable[[Connection], Coroutine[Any, Any, T]]) -> T:
        """`await work(conn)` in one transaction, like `transaction()`. `work` must await nothing but `conn`:
        SQLite then runs it whole on its writer thread, one hand-off instead of one per statement."""
        async with self.transaction() as conn:
            return await work(conn)

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def _migration_lock(self, conn: Connection) -> None:
        """Serialize migrations across processes sharing the database."""

    async def ping(self) -> bool:
        try:
            return await self.fetch_value("SELECT 1") == 1
        except Exception:
            return False

    async def migrate(self, owner: str, migrations: Sequence[Migration]) -> list[int]:
        """Apply the owner's pending migrations in order, each in its own transaction. Returns applied versions."""
        check_order(owner, migrations)
        async with self.transaction() as conn:
            await conn.execute(MIGRATIONS_TABLE)
        applied: list[int] = []
        for migration in migrations:
            async with self.transaction() as conn:
                await self._migration_lock(conn)
                done = await conn.fetch_value(
                    "SELECT 1 FROM schema_migrations WHERE owner = ? AND version = ?",
                    (owner, migration.version),
                )
                if done:
                    continue
                try:
                    for statement in migration.statements_for(self.dialect):
                        await conn.execute(statement)
                    if migration.run is not None:
                        await migration.run(conn)
                except Exception as err:
                    raise DatabaseError(
                        f"Migration {owner} #{migration.version} '{migration.name}' failed: {err}"
                    ) from err
                await conn.execute(
                    "INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES (?, ?, ?, ?)",
                    (owner, migration.version, migration.name, time.time()),
                )
                applied.append(migration.version)
        return applied

    async def schema_version(self, owner: str) -> int:
        return int(
            await self.fetch_value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE owner = ?", (owner,))
            or 0
        )


async def open_database(url: str, *, readers: int = 4) -> Database:
    """Open `sqlite:///path` or `postgresql://...`."""
    if url.startswith("sqlite://"):
        from core.storage.sqlite import SQLiteDatabase

        return await SQLiteDatabase.open(url, readers=readers)
    if url.startswith(("postgresql://", "postgres://")):
        from core.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(url, max_size=readers + 1)
    raise DatabaseError(f"Unsupported database URL scheme: {url.split(':', 1)[0]!r}")
