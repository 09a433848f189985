"""Items and media sources as the caller may see them (404 for anything else, never 403)."""

from __future__ import annotations

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
