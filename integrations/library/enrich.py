"""After local identification, ask metadata providers (fetch_metadata hook) to fill what is still missing.

Local metadata (NFO, tags) and user edits win: a provider only fills empty fields, never locked ones.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from core.scope import IntegrationScope
from integrations.library.catalog import index_search, metadata_fields
from integrations.library.const import EVENT_METADATA_UPDATED
from plugin_sdk.media import MetadataMatch, MetadataQuery

_LOGGER = logging.getLogger(__name__)
ENRICHED_TYPES = ("movie", "series", "season", "episode", "artist", "album")
PROVIDER_TIMEOUT = 30.0


async def enrich(scope: IntegrationScope, item_ids: list[str]) -> None:
    if not scope.hooks.implementers("fetch_metadata"):
        return
    for item_id in item_ids:
        item = await scope.db.fetch_one("SELECT * FROM items WHERE id = ?", (item_id,))
        if item is None or item["type"] not in ENRICHED_TYPES:
            continue
        query = MetadataQuery(
            item_type=item["type"],
            title=item["name"],
            year=item["year"],
            provider_ids=orjson.loads(item["provider_ids"]),
            season=item["parent_index_number"] if item["type"] == "episode" else item["index_number"],
            episode=item["index_number"] if item["type"] == "episode" else None,
        )
        results = await scope.hooks.call_each("fetch_metadata", timeout=PROVIDER_TIMEOUT, query=query)
        for result in results:
            if result.error is not None:
                _LOGGER.warning("Metadata provider '%s' failed for '%s': %s", result.owner, item["name"], result.error)
        matches = sorted((r.value for r in results if r.value is not None), key=lambda m: -m.score)
        filled: set[str] = set()
        for match in matches:
            filled |= await _fill(scope, item, match)
            item = await scope.db.fetch_one("SELECT * FROM items WHERE id = ?", (item_id,)) or item
        if filled:
            scope.bus.fire(
                EVENT_METADATA_UPDATED,
                {"item_id": item_id, "library_id": item["library_id"], "fields": sorted(filled), "source": "provider"},
            )


async def _fill(scope: IntegrationScope, item: dict[str, Any], match: MetadataMatch) -> set[str]:
    locked = set(orjson.loads(item["locked_fields"]))
    values = {k: v for k, v in metadata_fields(match.metadata).items() if k not in locked and item.get(k) in (None, "")}
    ids = orjson.loads(item["provider_ids"])
    merged = {**match.metadata.provider_ids, **ids}
    if merged != ids and "provider_ids" not in locked:
        values["provider_ids"] = orjson.dumps(merged).decode()
    filled = set(values)
    async with scope.db.transaction() as conn:
        if values:
            assignments = ", ".join(f"{column} = ?" for column in values)
            await conn.execute(f"UPDATE items SET {assignments} WHERE id = ?", [*values.values(), item["id"]])
        for kind, found in (("genre", match.metadata.genres), ("studio", match.metadata.studios)):
            if kind + "s" in locked or not found:
                continue
            if not await conn.fetch_value(
                "SELECT COUNT(*) FROM item_values WHERE item_id = ? AND kind = ?", (item["id"], kind)
            ):
                await conn.executemany(
                    "INSERT INTO item_values (item_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(item["id"], kind, value) for value in found],
                )
                filled.add(kind + "s")
        if filled:
            await index_search(conn, item["id"])
    return filled
