"""Items and media sources as the caller may see them (404 for anything else, never 403)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

from core.request_data import NotFound
from core.scope import IntegrationScope
from integrations.library.queries import get_item, media_sources
from integrations.library.ratings import may_see
from plugin_sdk.auth import Principal


async def visible_item(scope: IntegrationScope, principal: Principal | None, item_id: str) -> dict[str, Any]:
    item = await get_item(scope.db, item_id)
    if item is None or not may_see(principal, item):
        raise NotFound(f"No item '{item_id}'")
    return item


async def item_source(
    scope: IntegrationScope, item: dict[str, Any], source_id: str | None, *, streams: bool = True
) -> dict[str, Any]:
    """The chosen media source of an item (the first one when none is named). `streams=False` skips the
    stream and chapter rows: serving bytes needs only the path, and a player asks for ranges very often."""
    if streams:
        sources = await media_sources(scope.db, item["id"])
    else:
        sources = await scope.db.fetch_all(
            "SELECT id, path, size, container FROM media_sources WHERE item_id = ? AND status = 'ok' "
            "ORDER BY version_label, path",
            (item["id"],),
        )
    if not sources:
        raise NotFound(f"Item '{item['id']}' has no playable media source")
    if source_id is None:
        return sources[0]
    for source in sources:
        if source["id"] == source_id:
            return source
    raise NotFound(f"No media source '{source_id}' for item '{item['id']}'")


def existing_file(source: dict[str, Any]) -> Path:
    path = Path(source["path"])
    if not path.is_file():
        raise NotFound("The media file is missing on disk; rescan the library")
    return path


SOURCE_TTL = 5.0  # seconds an item and its media source are reused for byte requests
SOURCE_CACHE_SIZE = 1024


class SourceCache:
    """A player sends a range request every second or so for one file: the item row and its media source are
    reused for a few seconds instead of two database round trips each. Only the database answer is cached: who
    may see the item, and the file itself (stat), are checked on every request."""

    def __init__(self, ttl: float = SOURCE_TTL, size: int = SOURCE_CACHE_SIZE) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[tuple[str, str | None], tuple[float, dict[str, Any], dict[str, Any]]] = {}

    def get(self, item_id: str, source_id: str | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
        entry = self._entries.get((item_id, source_id))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1], entry[2]

    def put(self, item_id: str, source_id: str | None, item: dict[str, Any], source: dict[str, Any]) -> None:
        if len(self._entries) >= self.size:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
            if len(self._entries) >= self.size:
                self._entries.clear()
        self._entries[(item_id, source_id)] = (time.monotonic() + self.ttl, item, source)

    def drop(self, item_id: str, source_id: str | None) -> None:
        self._entries.pop((item_id, source_id), None)


async def direct_file(
    scope: IntegrationScope, cache: SourceCache, principal: Principal | None, item_id: str, source_id: str | None
) -> tuple[Path, os.stat_result]:
    """The file of a media source the caller may see, and its stat (one stat per request)."""
    cached = cache.get(item_id, source_id)
    if cached is not None:
        item, source = cached
        if not may_see(principal, item):
            raise NotFound(f"No item '{item_id}'")
        found = stat_file(source)
        if found is not None:
            return found
        cache.drop(item_id, source_id)  # moved or deleted since: ask the database again
    item = await visible_item(scope, principal, item_id)
    source = await item_source(scope, item, source_id, streams=False)
    cache.put(item_id, source_id, item, source)
    found = stat_file(source)
    if found is None:
        raise NotFound("The media file is missing on disk; rescan the library")
    return found


def stat_file(source: dict[str, Any]) -> tuple[Path, os.stat_result] | None:
    path = Path(source["path"])
    try:
        result = os.stat(path)
    except (OSError, ValueError):
        return None
    return (path, result) if stat.S_ISREG(result.st_mode) else None
