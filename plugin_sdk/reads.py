"""A read one integration hands to another, to run inside the caller's own batch of queries.

Each aiosqlite call is a hop to a reader thread and back, and under load every hop waits for the GIL again; a
page that reads its own tables and then asks another integration for its part pays for two. With a `BatchRead`
the owner keeps its SQL and its shaping, and the caller runs the queries in its own `Database.fetch_batch`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Rows = list[dict[str, Any]]
Query = tuple[str, Sequence[Any]]


@dataclass(frozen=True, slots=True)
class BatchRead:
    """`queries` to run in one batch, and `answer`, which makes the result out of their rows (in that order)."""

    queries: list[Query]
    answer: Callable[[list[Rows]], Any]

    async def run(self, db: Any) -> Any:
        """Run it on its own: one `fetch_batch` (for callers with nothing to batch it with)."""
        return self.answer(await db.fetch_batch(self.queries) if self.queries else [])
