"""Queries over many ids at once, in chunks that stay within SQLite's limit on bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.storage import Database
from plugin_sdk.reads import BatchRead

CHUNK = 500


async def fetch_in(db: Database, sql: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run `sql` (with one `{ids}` placeholder list) over `ids` in chunks."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows.extend(await db.fetch_all(sql.format(ids=", ".join("?" * len(chunk))), [*params, *chunk]))
    return rows


def in_queries(sql: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[tuple[str, list[Any]]]:
    """`sql` (with one `{ids}` placeholder list) over `ids`, as one query per chunk (see `GroupedQueries`)."""
    return [
        (sql.format(ids=", ".join("?" * len(chunk))), [*params, *chunk])
        for chunk in (list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))
    ]


@dataclass(frozen=True, slots=True)
class GroupedQueries:
    """Groups of queries (see `in_queries`) and other integrations' reads, to run as one batch, and how to
    take the batch's answers apart again."""

    groups: Sequence[Sequence[tuple[str, list[Any]]]]
    reads: Sequence[BatchRead | None] = ()

    @property
    def queries(self) -> list[tuple[str, list[Any]]]:
        batch = [query for group in self.groups for query in group]
        return batch + [query for read in self.reads if read is not None for query in read.queries]

    def unpack(self, answers: Sequence[list[dict[str, Any]]]) -> tuple[list[list[dict[str, Any]]], list[Any]]:
        """The rows of each group, and the answer of each read (None for None)."""
        rest = iter(answers)
        rows = [[row for _ in group for row in next(rest)] for group in self.groups]
        return rows, [None if read is None else read.answer([next(rest) for _ in read.queries]) for read in self.reads]
