"""The queue of sources waiting for sheets, the single generation thread, manifest rows and clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.bus import Event
from core.scope import IntegrationScope
from core.storage import DatabaseError, Row
from integrations.trickplay.const import EVENT_QUEUED, EVENT_READY, EVENT_SKIPPED
from integrations.trickplay.generator import Cancelled, Layout, Sheets, Skipped, Unreadable, generate

_LOGGER = logging.getLogger(__name__)
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # source ids are uuid4 hex; anything else never becomes a path
TICKS_PER_MS = 10_000

_SOURCE_COLUMNS = "s.id, s.path, s.size, s.mtime_ns, s.item_id, s.library_id, s.duration_ticks"
_HAS_VIDEO = "EXISTS (SELECT 1 FROM media_streams m WHERE m.source_id = s.id AND m.type = 'video')"


@dataclass(frozen=True, slots=True)
class Settings:
    widths: list[int]
    interval_ms: int
    tiles_x: int
    tiles_y: int
    quality: int

    @property
    def layout(self) -> Layout:
        return Layout(self.interval_ms, self.tiles_x, self.tiles_y, self.quality)


@dataclass(slots=True)
class Outcome:
    source_id: str
    status: str  # generated | current | skipped | failed | cancelled
    reason: str | None = None
    thumbnail_count: int | None = None
    sheet_count: int | None = None
    seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


class TrickplayService:
    def __init__(self, scope: IntegrationScope, settings: Settings) -> None:
        self.scope = scope
        self.settings = settings
        self.root = scope.data_dir
        # One thread, and one decoder thread inside it: generation never takes more than one core.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trickplay")
        self.stopping = threading.Event()
        self.lock = asyncio.Lock()  # one generation or clean-up at a time
        self.pending: dict[str, bool] = {}  # source id -> forced; insertion-ordered, so a queue without repeats
        self.worker: asyncio.Task[None] | None = None
        # Sources skipped or failed, with the (size, mtime_ns) they had: not tried again after every scan,
        # only when the file changes (or the server restarts, or someone asks through the API).
        self.given_up: dict[str, tuple[int, int]] = {}

    def folder(self, source_id: str) -> Path:
        if not SAFE_ID.match(source_id):
            raise ValueError(f"unexpected media source id {source_id!r}")
        return self.root / source_id

    async def _blocking(self, func: Callable[..., Any], *args: Any) -> Any:
        if self.stopping.is_set():  # unloading: the thread takes no new work
            raise Cancelled
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    # Triggers

    async def start(self) -> None:
        """At start-up: remove what deleted sources left, then queue every video source without sheets."""
        with contextlib.suppress(Cancelled):
            await self.clean_up()
            await self.queue_missing(None)

    async def after_scan(self, event: Event) -> None:
        library_id = event.data.get("library_id")
        with contextlib.suppress(Cancelled):
            await self.clean_up()
            count = await self.queue_missing(library_id)
            self.scope.bus.fire(EVENT_QUEUED, {"library_id": library_id, "sources": count})

    async def queue_missing(self, library_id: str | None) -> int:
        """Queue the library's (or every library's) video sources whose sheets are missing or out of date."""
        current, params = self._current_clause()
        library = " AND s.library_id = ?" if library_id else ""
        rows = await self.scope.db.fetch_all(
            f"SELECT s.id, s.size, s.mtime_ns FROM media_sources s WHERE s.status = 'ok' AND s.item_id IS NOT NULL"
            f"{library} AND {_HAS_VIDEO} AND ({current}) < ? ORDER BY s.probed_at DESC, s.id",
            [*([library_id] if library_id else []), *params, len(self.settings.widths)],
        )
        fresh = [r["id"] for r in rows if self.given_up.get(r["id"]) != (r["size"], r["mtime_ns"])]
        for source_id in fresh:
            self.pending.setdefault(source_id, False)
        if fresh:
            self._wake()
        return len(fresh)

    def queue(self, source_ids: list[str]) -> None:
        """Queue these sources to be made again, whatever they have now."""
        for source_id in source_ids:
            self.pending[source_id] = True
        self._wake()

    def _wake(self) -> None:
        if self.stopping.is_set():
            return
        if self.worker is None or self.worker.done():
            self.worker = self.scope.create_task(self._work(), name="trickplay-worker")

    async def _work(self) -> None:
        while self.pending and not self.stopping.is_set():
            source_id = next(iter(self.pending))
            forced = self.pending.pop(source_id)
            try:
                await self.generate(source_id, force=forced)
            except Exception:
                _LOGGER.exception("Trickplay for media source %s failed", source_id)

    def _current_clause(self) -> tuple[str, list[Any]]:
        """SQL counting the rows of source `s` that match today's settings and today's file."""
        widths = self.settings.widths
        marks = ", ".join("?" * len(widths))
        clause = (
            f"SELECT COUNT(*) FROM trickplay t WHERE t.source_id = s.id AND t.width IN ({marks}) "
            "AND t.interval_ms = ? AND t.tiles_x = ? AND t.tiles_y = ? AND t.source_size = s.size "
            "AND t.source_mtime_ns = s.mtime_ns"
        )
        return clause, [*widths, self.settings.interval_ms, self.settings.tiles_x, self.settings.tiles_y]

    # Generation

    async def generate(self, source_id: str, *, force: bool) -> Outcome:
        """Make the sheets of one source (unless they are current and not `force`), save the manifest rows."""
        async with self.lock:
            source = await self.scope.db.fetch_one(
                f"SELECT {_SOURCE_COLUMNS} FROM media_sources s WHERE s.id = ? AND s.status = 'ok'", (source_id,)
            )
            if source is None:
                return Outcome(source_id, "skipped", "the media source is gone")
            if not force and await self._is_current(source_id):
                return Outcome(source_id, "current")
            try:
                return await self._generate(source)
            except Cancelled:
                return Outcome(source_id, "cancelled")

    async def _is_current(self, source_id: str) -> bool:
        current, params = self._current_clause()
        count = await self.scope.db.fetch_value(
            f"SELECT ({current}) FROM media_sources s WHERE s.id = ?", [*params, source_id]
        )
        return int(count or 0) >= len(self.settings.widths)

    async def _generate(self, source: Row) -> Outcome:
        source_id = source["id"]
        settings = self.settings
        hint = source["duration_ticks"] // TICKS_PER_MS if source["duration_ticks"] else None
        started = time.monotonic()
        try:
            sheets: list[Sheets] = await self._blocking(
                generate, source["path"], self.folder(source_id), settings.widths, settings.layout, self.stopping, hint
            )
        except Cancelled:
            raise
        except Skipped as err:
            _LOGGER.info("No trickplay for %s: %s", source["path"], err)
            return self._gave_up(source, "skipped", str(err))
        except Unreadable as err:
            _LOGGER.warning("No trickplay for %s (unreadable): %s", source["path"], err)
            return self._gave_up(source, "failed", str(err))
        except OSError as err:  # our own folder: disk full, permissions
            _LOGGER.error("Trickplay for %s can't be written: %s", source["path"], err)
            return Outcome(source_id, "failed", f"can't write the sheets: {err}")
        except Exception as err:  # a file that trips PyAV or Pillow in a way not foreseen: log it, go on
            _LOGGER.exception("Trickplay for %s failed", source["path"])
            return self._gave_up(source, "failed", f"unexpected error: {err}")
        seconds = round(time.monotonic() - started, 3)
        if not await self._save(source, sheets):
            await self._blocking(shutil.rmtree, self.folder(source_id), True)
            return Outcome(source_id, "skipped", "the media source changed or went away meanwhile")
        self.given_up.pop(source_id, None)
        count = sheets[0].thumbnail_count
        _LOGGER.info(
            "Trickplay for %s: %d thumbnails at %s px in %.2f s",
            source["path"], count, "/".join(str(s.width) for s in sheets), seconds,
        )  # fmt: skip
        self.scope.bus.fire(
            EVENT_READY,
            {"source_id": source_id, "item_id": source["item_id"], "library_id": source["library_id"],
             "widths": [s.width for s in sheets], "thumbnail_count": count, "sheet_count": sheets[0].sheet_count,
             "seconds": seconds},
        )  # fmt: skip
        return Outcome(source_id, "generated", None, count, sheets[0].sheet_count, seconds)

    def _gave_up(self, source: Row, status: str, reason: str) -> Outcome:
        self.given_up[source["id"]] = (source["size"], source["mtime_ns"])
        self.scope.bus.fire(
            EVENT_SKIPPED,
            {"source_id": source["id"], "item_id": source["item_id"], "library_id": source["library_id"],
             "status": status, "reason": reason},
        )  # fmt: skip
        return Outcome(source["id"], status, reason)

    async def _save(self, source: Row, sheets: list[Sheets]) -> bool:
        """Replace the source's rows, unless the source was deleted or its file changed while we worked."""
        settings, now = self.settings, time.time()
        try:
            async with self.scope.db.transaction() as conn:
                still = await conn.fetch_value(
                    "SELECT COUNT(*) FROM media_sources WHERE id = ? AND size = ? AND mtime_ns = ?",
                    (source["id"], source["size"], source["mtime_ns"]),
                )
                if not still:
                    return False
                await conn.execute("DELETE FROM trickplay WHERE source_id = ?", (source["id"],))
                await conn.executemany(
                    "INSERT INTO trickplay (source_id, width, height, interval_ms, tiles_x, tiles_y, thumbnail_count, "
                    "sheet_count, source_size, source_mtime_ns, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (source["id"], s.width, s.height, settings.interval_ms, settings.tiles_x, settings.tiles_y,
                         s.thumbnail_count, s.sheet_count, source["size"], source["mtime_ns"], now)
                        for s in sheets
                    ],
                )  # fmt: skip
        except DatabaseError as err:
            _LOGGER.warning("Trickplay rows for media source %s not saved: %s", source["id"], err)
            return False
        return True

    # Clean-up

    async def clean_up(self) -> int:
        """Drop rows of widths no longer configured; delete folders no row describes (deleted sources, old
        widths, half-written sheets of an interrupted run). Returns how many folders went."""
        async with self.lock:
            db = self.scope.db
            widths = self.settings.widths
            await db.execute(f"DELETE FROM trickplay WHERE width NOT IN ({', '.join('?' * len(widths))})", list(widths))
            keep: dict[str, set[str]] = {}
            for row in await db.fetch_all("SELECT source_id, width FROM trickplay"):
                keep.setdefault(row["source_id"], set()).add(str(row["width"]))
            removed = await self._blocking(_remove_unlisted, self.root, keep)
        if removed:
            _LOGGER.info("Removed %d trickplay folder(s) of deleted sources or old settings", removed)
        return removed

    async def close(self) -> None:
        """Unload: stop the thread at its next thumbnail and wait for it, so nothing writes after we're gone."""
        self.stopping.set()
        self.pending.clear()
        await asyncio.to_thread(self.executor.shutdown, wait=True, cancel_futures=True)


def _remove_unlisted(root: Path, keep: dict[str, set[str]]) -> int:
    removed = 0
    with os.scandir(root) as entries:
        for entry in entries:
            wanted = keep.get(entry.name)
            if wanted is None or not entry.is_dir(follow_symlinks=False):
                _remove(Path(entry.path))
                removed += 1
                continue
            with os.scandir(entry.path) as widths:
                for width in widths:
                    if width.name not in wanted:
                        _remove(Path(width.path))
                        removed += 1
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
