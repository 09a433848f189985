"""Playback state per user and item: player reports, resume and played rules, home-screen lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.playstate.events import EVENT_STATE_CHANGED
from integrations.playstate.routes import PlayStateRoutes
from integrations.playstate.schema import MIGRATIONS
from integrations.playstate.store import PlayStateStore, Thresholds
from plugin_sdk import hookimpl
from plugin_sdk.reads import BatchRead

DOMAIN = "playstate"
CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("played_percent", default=90.0): vol.All(vol.Coerce(float), vol.Range(min=1, max=100)),
        vol.Optional("min_resume_percent", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
        vol.Optional("min_resume_seconds", default=30.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
    }
)
_STORE: list[PlayStateStore] = []

FILTERS = {
    "played": "d.played = 1",
    "favorite": "d.is_favorite = 1",
    "resumable": "d.position_ticks > 0 AND d.played = 0",
}


def get_store(hub: Any = None) -> PlayStateStore | None:
    """The running playstate store, for sibling integrations (the Jellyfin surface)."""
    return _STORE[0] if _STORE else None


@hookimpl
def item_query_filter(name: str, value: object, user_id: str) -> tuple[str, list[object]] | None:
    condition = FILTERS.get(name)
    if condition is None:
        return None
    exists = f"EXISTS (SELECT 1 FROM user_item_data d WHERE d.item_id = i.id AND d.user_id = ? AND {condition})"
    return (exists if value else f"NOT {exists}"), [user_id]


@hookimpl
async def item_user_data(user_id: str, item_ids: list[str]) -> dict[str, dict[str, Any]] | None:
    return await _STORE[0].many(user_id, item_ids) if _STORE else None


@hookimpl
def item_user_data_read(user_id: str) -> Callable[[list[str]], BatchRead] | None:
    if not _STORE:
        return None
    store = _STORE[0]
    return lambda item_ids: store.found_read(user_id, item_ids)


@hookimpl
def websocket_events() -> list[str]:
    return [EVENT_STATE_CHANGED]


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    await hub.db.migrate(DOMAIN, MIGRATIONS)
    store = PlayStateStore(hub.db, Thresholds(**config))
    _STORE[:] = [store]
    hub.on_unload(_STORE.clear)
    PlayStateRoutes(hub, store).register()
    return True
