"""Queries over many ids at once, in chunks that stay within SQLite's limit on bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.storage import Database

CHUNK = 500


async def fetch_in(db: Database, sql: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run `sql` (with one `{ids}` placeholder list) over `ids` in chunks."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows.extend(await db.fetch_all(sql.format(ids=", ".join("?" * len(chunk))), [*params, *chunk]))
    return rows


async def ready(value: Any) -> Any:
    """`value` as an awaitable: the stand-in for a query a page does not need."""
    return value
