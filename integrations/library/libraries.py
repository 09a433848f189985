"""Library records: create, list, update, delete. Deleting removes items from the database, never files."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from core.storage import Database, Row
from integrations.library.models import Library


class LibraryNotFound(LookupError):
    pass


def _library(row: Row) -> Library:
    return Library(
        id=row["id"],
        name=row["name"],
        type=row["type"],
        folders=orjson.loads(row["folders"]),
        ignore=orjson.loads(row["ignore_patterns"]),
        scan_interval_minutes=row["scan_interval_minutes"],
        source=row["source"],
        created_at=row["created_at"],
        last_scan_at=row["last_scan_at"],
    )


class LibraryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def list(self) -> list[Library]:
        return [_library(r) for r in await self.db.fetch_all("SELECT * FROM libraries ORDER BY name")]

    async def get(self, library_id: str) -> Library:
        row = await self.db.fetch_one("SELECT * FROM libraries WHERE id = ?", (library_id,))
        if row is None:
            raise LibraryNotFound(library_id)
        return _library(row)

    async def find_by_name(self, name: str) -> Library | None:
        row = await self.db.fetch_one("SELECT * FROM libraries WHERE lower(name) = lower(?)", (name,))
        return _library(row) if row else None

    async def create(self, spec: dict[str, Any], *, source: str = "api") -> Library:
        library = Library(
            id=uuid.uuid4().hex,
            name=spec["name"],
            type=spec["type"],
            folders=list(spec["folders"]),
            ignore=list(spec.get("ignore", [])),
            scan_interval_minutes=spec.get("scan_interval_minutes"),
            source=source,
            created_at=time.time(),
        )
        await self.db.execute(
            "INSERT INTO libraries (id, name, type, folders, ignore_patterns, scan_interval_minutes, source, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                library.id,
                library.name,
                library.type,
                orjson.dumps(library.folders).decode(),
                orjson.dumps(library.ignore).decode(),
                library.scan_interval_minutes,
                source,
                library.created_at,
            ),
        )
        return library

    async def update(self, library_id: str, spec: dict[str, Any]) -> Library:
        await self.get(library_id)
        await self.db.execute(
            "UPDATE libraries SET name = ?, type = ?, folders = ?, ignore_patterns = ?, scan_interval_minutes = ? "
            "WHERE id = ?",
            (
                spec["name"],
                spec["type"],
                orjson.dumps(list(spec["folders"])).decode(),
                orjson.dumps(list(spec.get("ignore", []))).decode(),
                spec.get("scan_interval_minutes"),
                library_id,
            ),
        )
        return await self.get(library_id)

    async def delete(self, library_id: str) -> None:
        """Items, media sources and their rows go with the library (ON DELETE CASCADE); files stay on disk."""
        if not await self.db.execute("DELETE FROM libraries WHERE id = ?", (library_id,)):
            raise LibraryNotFound(library_id)

    async def mark_scanned(self, library_id: str) -> None:
        await self.db.execute("UPDATE libraries SET last_scan_at = ? WHERE id = ?", (time.time(), library_id))
