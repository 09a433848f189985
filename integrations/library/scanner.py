"""Scan a library: walk, diff fingerprints, follow moves, probe and identify in parallel, write, prune."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from core.scope import IntegrationScope
from core.storage import Row
from core.storage.database import Connection
from integrations.library.blurhash import fill_blurhashes
from integrations.library.catalog import Catalog
from integrations.library.const import EVENT_SCAN_FINISHED, EVENT_SCAN_PROGRESS
from integrations.library.enrich import enrich
from integrations.library.libraries import LibraryStore
from integrations.library.models import Library
from integrations.library.prepare import Prepared, Preparer
from integrations.library.walker import FileEntry, extensions_for, walk

_LOGGER = logging.getLogger(__name__)
CHUNK = 64  # files per worker job (fewer for small scans)
TRANSACTION = 256  # files written per transaction: a commit costs ~2 ms (WAL pages, the FTS index's segment)
PROGRESS_EVERY = 0.25  # seconds between progress events
LEAF_TYPES = ("movie", "episode", "track", "extra")
CONTAINER_TYPES = ("season", "album", "series", "artist")


@dataclass(slots=True)
class ScanReport:
    library_id: str
    library: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    moved: int = 0
    failed: int = 0
    unchanged: int = 0
    skipped: int = 0  # walker problems: unreadable folders, bad names, symlinks out of the root
    seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Progress:
    def __init__(self, scope: IntegrationScope, library: Library) -> None:
        self.scope, self.library = scope, library
        self.started = time.monotonic()
        self.last = 0.0

    def report(self, phase: str, done: int, total: int, current: str | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        self.scope.bus.fire(
            EVENT_SCAN_PROGRESS,
            {
                "library_id": self.library.id,
                "library": self.library.name,
                "phase": phase,
                "done": done,
                "total": total,
                "current": current,
                "rate": round(done / elapsed, 1) if phase == "analysing" else None,
            },
        )


class Scanner:
    def __init__(self, scope: IntegrationScope, store: LibraryStore, workers: int) -> None:
        self.scope = scope
        self.store = store
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="library-scan")
        self.workers = workers
        self._running: dict[str, asyncio.Task[ScanReport]] = {}
        self._again: dict[str, bool] = {}  # changes arrived during a scan: run once more when it ends

    def is_running(self, library_id: str) -> bool:
        task = self._running.get(library_id)
        return task is not None and not task.done()

    def start(self, library: Library, *, full: bool = False) -> asyncio.Task[ScanReport]:
        """Start a scan. If one is running, it is returned, and one more scan follows it, so changes made
        while it walked the folders are not lost."""
        task = self._running.get(library.id)
        if task is None or task.done():
            task = self.scope.create_task(self._scan_until_settled(library, full), name=f"scan-{library.name}")
            self._running[library.id] = task
        else:
            self._again[library.id] = True
        return task

    async def _scan_until_settled(self, library: Library, full: bool) -> ScanReport:
        report = await self._scan(library, full=full)
        while self._again.pop(library.id, False):
            report = await self._scan(library, full=False)
        return report

    async def scan(self, library: Library, *, full: bool = False) -> ScanReport:
        return await self.start(library, full=full)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _scan(self, library: Library, *, full: bool) -> ScanReport:
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        report = ScanReport(library.id, library.name)
        progress = _Progress(self.scope, library)
        progress.report("walking", 0, 0, force=True)
        walked = await loop.run_in_executor(
            self.executor, walk, library.folders, extensions_for(library.type), library.ignore
        )
        for path, reason in walked.problems:
            _LOGGER.warning("Library '%s': %s: %s", library.name, path, reason)
        report.skipped = len(walked.problems)
        db = self.scope.db
        known = {
            row["path"]: row
            for row in await db.fetch_all(
                "SELECT id, path, size, mtime_ns, inode, device, item_id FROM media_sources WHERE library_id = ?",
                (library.id,),
            )
        }
        on_disk = {entry.path: entry for entry in walked.files}
        gone = {path: row for path, row in known.items() if path not in on_disk}
        moves = _match_moves([e for e in walked.files if e.path not in known], gone)
        todo: list[tuple[FileEntry, Row | None]] = []
        for entry in walked.files:
            row = known.get(entry.path)
            if row is None:
                todo.append((entry, moves.get(entry.path)))
            elif full or (row["size"], row["mtime_ns"]) != (entry.size, entry.mtime_ns):
                todo.append((entry, row))
            else:
                report.unchanged += 1
        report.moved = len(moves)
        for row in moves.values():
            del gone[row["path"]]
        async with db.transaction() as conn:
            for entry_path, row in moves.items():
                await conn.execute("UPDATE media_sources SET path = ? WHERE id = ?", (entry_path, row["id"]))
        created = await self._analyse_and_write(library, todo, known, report, progress)
        await fill_blurhashes(db, self.executor)  # artwork placeholders, for the rows just written
        report.removed = await self._remove(library.id, gone.values())
        await self.store.mark_scanned(library.id)
        report.seconds = round(time.monotonic() - started, 3)
        progress.report("finished", len(todo), len(todo), force=True)
        _LOGGER.info(
            "Scanned '%s' in %.2f s: %d added, %d updated, %d moved, %d removed, %d failed, %d unchanged",
            library.name, report.seconds, report.added, report.updated, report.moved, report.removed,
            report.failed, report.unchanged,
        )  # fmt: skip
        self.scope.bus.fire(EVENT_SCAN_FINISHED, report.as_dict())
        if created:
            self.scope.create_task(enrich(self.scope, created), name="library-enrich")
        return report

    async def _analyse_and_write(
        self,
        library: Library,
        todo: list[tuple[FileEntry, Row | None]],
        known: dict[str, Row],
        report: ScanReport,
        progress: _Progress,
    ) -> list[str]:
        """Returns the ids of items created by this scan."""
        if not todo:
            return []
        loop = asyncio.get_running_loop()
        catalog = Catalog(library.id, self.scope.data_dir / "covers")
        preparer = Preparer(self.scope.root.hooks.hook, library.type, library.folders)
        # Every chunk is queued now, so the workers never wait for the writes; they finish in about this order.
        size = min(CHUNK, -(-len(todo) // (self.workers * 4)))  # a small scan still spreads over every worker
        jobs = [
            loop.run_in_executor(self.executor, preparer.chunk, todo[start : start + size])
            for start in range(0, len(todo), size)
        ]
        done = 0
        ready: list[Prepared] = []
        try:
            for index, job in enumerate(jobs):
                ready += await job
                if len(ready) < TRANSACTION and index < len(jobs) - 1:
                    continue
                await self.scope.db.run_transaction(
                    partial(_write, catalog=catalog, chunk=ready, known=known, report=report)
                )
                done += len(ready)
                current = ready[-1].analysis.entry.path
                progress.report("analysing", done, len(todo), current, force=done == len(todo))
                ready = []
        finally:
            for job in jobs:
                job.cancel()  # when the scan itself was cancelled or failed: chunks not started yet are dropped
        return catalog.created_items

    async def _remove(self, library_id: str, gone: Iterable[Row]) -> int:
        ids = [row["id"] for row in gone]
        async with self.scope.db.transaction() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                await conn.execute(f"DELETE FROM media_sources WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            await _prune(conn, library_id)
        return len(ids)


async def _write(
    conn: Connection, catalog: Catalog, chunk: list[Prepared], known: dict[str, Row], report: ScanReport
) -> None:
    """One chunk's writes, in one transaction. Awaits nothing but `conn` (see Database.run_transaction)."""
    for prepared in chunk:
        analysis, previous = prepared.analysis, prepared.previous
        if analysis.error is not None:
            await catalog.record_failure(conn, analysis)
            report.failed += 1
            report.failures.append({"path": analysis.entry.path, "reason": analysis.error})
            _LOGGER.warning("Skipped %s: %s", analysis.entry.path, analysis.error)
            continue
        if previous is not None and previous["item_id"]:
            await _keep_identity(conn, previous["item_id"], prepared.chain[-1].key)
        label = analysis.parsed.version_label if analysis.parsed else None
        source_id = previous["id"] if previous is not None else None
        await catalog.place_file(conn, analysis, prepared.chain, prepared.folders, label, source_id)
        if analysis.entry.path in known:
            report.updated += 1
        elif previous is None:
            report.added += 1


def _match_moves(new: list[FileEntry], gone: dict[str, Row]) -> dict[str, Row]:
    """A new path whose (device, inode, size, mtime) equals a vanished one is that file, moved or renamed."""
    by_fingerprint = {(r["device"], r["inode"], r["size"], r["mtime_ns"]): r for r in gone.values()}
    moves = {}
    for entry in new:
        row = by_fingerprint.pop(entry.fingerprint, None)
        if row is not None:
            moves[entry.path] = row
    return moves


async def _keep_identity(conn: Connection, item_id: str, new_key: str) -> None:
    """A moved or renamed file keeps its item (and so its users' state) when its only source moves."""
    library_id = await conn.fetch_value("SELECT library_id FROM items WHERE id = ?", (item_id,))
    taken = await conn.fetch_value(
        "SELECT id FROM items WHERE library_id = ? AND natural_key = ?", (library_id, new_key)
    )
    sources = await conn.fetch_value("SELECT COUNT(*) FROM media_sources WHERE item_id = ?", (item_id,))
    if taken is None and sources == 1:
        await conn.execute("UPDATE items SET natural_key = ? WHERE id = ?", (new_key, item_id))


async def _prune(conn: Connection, library_id: str) -> None:
    """Items with no file left go, then containers with no children left."""
    leaf = ", ".join(f"'{t}'" for t in LEAF_TYPES)
    await conn.execute(
        f"DELETE FROM items WHERE library_id = ? AND type IN ({leaf}) "
        "AND NOT EXISTS (SELECT 1 FROM media_sources s WHERE s.item_id = items.id) "
        "AND NOT EXISTS (SELECT 1 FROM items c WHERE c.parent_id = items.id)",
        (library_id,),
    )
    for kind in CONTAINER_TYPES:
        await conn.execute(
            "DELETE FROM items WHERE library_id = ? AND type = ? "
            "AND NOT EXISTS (SELECT 1 FROM items c WHERE c.parent_id = items.id)",
            (library_id, kind),
        )
