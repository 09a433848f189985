"""Events the playstate integration fires; other integrations listen to them by these names.

- `playback.state.changed`: {user_id, exclude_device_id, item_id, library_id, user_data}: a user's watch state
  for an item changed (sent to that user's other devices).
- `playback.stopped`: {user_id, device_id, item_id, play_session_id}: a player reported that it stopped.
  `play_session_id` is the streaming session it names, or None; streaming ends that session's transcodes, or
  else those of the same device and item.
"""

from __future__ import annotations

from typing import Any

from core.scope import ScopedBus
from plugin_sdk.auth import Principal

EVENT_STATE_CHANGED = "playback.state.changed"
EVENT_PLAYBACK_STOPPED = "playback.stopped"


def fire_state_changed(bus: ScopedBus, principal: Principal, item: dict[str, Any], data: dict[str, Any]) -> None:
    """Tell this user's other devices (never other users, never the reporting device)."""
    bus.fire(
        EVENT_STATE_CHANGED,
        {"user_id": principal.user_id, "exclude_device_id": principal.device_id, "item_id": item["id"],
         "library_id": item["library_id"], "user_data": data},
    )  # fmt: skip


def fire_stopped(bus: ScopedBus, principal: Principal, item_id: str, play_session_id: str | None) -> None:
    bus.fire(
        EVENT_PLAYBACK_STOPPED,
        {"user_id": principal.user_id, "device_id": principal.device_id, "item_id": item_id,
         "play_session_id": play_session_id},
    )  # fmt: skip
