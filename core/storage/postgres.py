"""PostgreSQL backend (asyncpg). Same `?` placeholders as SQLite; they become $1, $2, ... here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from core.storage.database import Connection, Database, DatabaseError, Query, Row, Step

_MIGRATION_LOCK_KEY = 0x6D617271  # "marq": one advisory lock for every instance's migrations


def to_numbered(sql: str) -> str:
    """Replace `?` placeholders outside quoted strings and identifiers with $n."""
    out: list[str] = []
    count = 0
    quote: str | None = None
    for char in sql:
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


class _PostgresConnection(Connection):
    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            status = await self._conn.execute(to_numbered(sql), *params)
        except asyncpg.PostgresError as err:
            raise DatabaseError(str(err)) from err
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self._conn.executemany(to_numbered(sql), list(rows))
        except asyncpg.PostgresError as err:
            raise DatabaseError(str(err)) from err

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return [dict(r) for r in await self._conn.fetch(to_numbered(sql), *params)]
        except asyncpg.PostgresError as err:
            raise DatabaseError(str(err)) from err


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, pool: asyncpg.Pool) -> None:
        self.url = url
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, max_size: int = 5) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size)
        except (OSError, asyncpg.PostgresError) as err:
            raise DatabaseError(f"Cannot connect to PostgreSQL: {err}") from err
        return cls(url, pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PostgresConnection(conn)

    async def _migration_lock(self, conn: Connection) -> None:
        await conn.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._pool.acquire() as conn:
            return await _PostgresConnection(conn).execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._pool.acquire() as conn:
            return await _PostgresConnection(conn).fetch_all(sql, params)

    async def fetch_batch(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        async with self._pool.acquire() as conn:  # one pool checkout for the lot
            reader = _PostgresConnection(conn)
            return [await reader.fetch_all(sql, params) for sql, params in queries]

    async def fetch_chain(self, queries: Sequence[Query], *steps: Step) -> list[list[list[Row]]]:
        # One connection, one snapshot: a read-only REPEATABLE READ transaction across the stages.
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await _PostgresConnection(conn).fetch_chain(queries, *steps)

    async def close(self) -> None:
        await self._pool.close()
