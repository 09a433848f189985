"""Queries over many ids at once, in chunks that stay within SQLite's limit on bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
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
    """`sql` (with one `{ids}` placeholder list) over `ids`, as one query per chunk, for `fetch_groups`."""
    return [
        (sql.format(ids=", ".join("?" * len(chunk))), [*params, *chunk])
        for chunk in (list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))
    ]


async def fetch_groups(
    db: Database, groups: Sequence[Sequence[tuple[str, list[Any]]]], reads: Sequence[BatchRead | None] = ()
) -> tuple[list[list[dict[str, Any]]], list[Any]]:
    """The rows of each group of queries (see `in_queries`) and the answer of each read (None for None), all
    read in one round trip."""
    batch = [query for group in groups for query in group]
    batch += [query for read in reads if read is not None for query in read.queries]
    answers = iter(await db.fetch_batch(batch) if batch else [])
    rows = [[row for _ in group for row in next(answers)] for group in groups]
    return rows, [None if read is None else read.answer([next(answers) for _ in read.queries]) for read in reads]
