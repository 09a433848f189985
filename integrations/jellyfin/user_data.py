"""UserItemDataDto: an item's watch state for one user, from Marquee's playstate integration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.jellyfin.protocol import jf_date
from plugin_sdk.auth import Principal
from plugin_sdk.reads import BatchRead


async def user_data_read(hooks: Any, principal: Principal) -> Callable[[list[str]], BatchRead] | None:
    """How to read the user's state of items in the page's own chain of reads (item ids -> read); None when the
    integration that keeps the state offers no such read (then `read_user_data`)."""
    read_for: Callable[[list[str]], BatchRead] | None = await hooks.call_first(
        "item_user_data_read", user_id=principal.user_id
    )
    return read_for


async def read_user_data(hooks: Any, principal: Principal, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    """{item id: playstate row} for the items the user has state for; empty without a playstate integration."""
    if not item_ids:
        return {}
    found = await hooks.call_first("item_user_data", user_id=principal.user_id, item_ids=item_ids)
    return found or {}


def user_data_dto(item_id: str, data: dict[str, Any] | None, runtime: int | None) -> dict[str, Any]:
    if not data:  # most items of a page: never played
        return {"PlaybackPositionTicks": 0, "PlayCount": 0, "IsFavorite": False, "Played": False, "Key": item_id,
                "ItemId": item_id}  # fmt: skip
    position = data.get("position_ticks") or 0
    dto: dict[str, Any] = {
        "PlaybackPositionTicks": position,
        "PlayCount": data.get("play_count") or 0,
        "IsFavorite": bool(data.get("is_favorite")),
        "Played": bool(data.get("played")),
        "Key": item_id,
        "ItemId": item_id,
    }
    if data.get("last_played_at") is not None:
        dto["LastPlayedDate"] = jf_date(data["last_played_at"])
    if data.get("rating") is not None:
        dto["Rating"] = data["rating"]
    if position and runtime:
        dto["PlayedPercentage"] = min(100.0, 100.0 * position / runtime)
    return dto
