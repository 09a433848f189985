"""GET /api/v1/ws: live events for clients (scan progress, metadata changes...).

Only event types that some integration lists through the `websocket_events` hook are delivered. Messages are
JSON objects {"type", "data", "time"}; a client may send {"type": "ping"} and gets {"type": "pong"}.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from core.bus import Event
from core.const import MATCH_ALL
from core.scope import IntegrationScope
from plugin_sdk.auth import Principal, principal_of

_LOGGER = logging.getLogger(__name__)
QUEUE_LIMIT = 1000  # a client that can't keep up loses old progress events, not the server's memory


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    async def events(websocket: WebSocket) -> None:
        await websocket.accept()
        allowed = {t for found in hub.root.hooks.hook.websocket_events() for t in found}
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)

        principal = principal_of(websocket)

        def enqueue(event: Event) -> None:
            if event.type in allowed and _may_receive(principal, event):
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(event)

        unsubscribe = hub.bus.listen(MATCH_ALL, enqueue)
        sender = asyncio.create_task(_send(websocket, queue))
        try:
            while True:
                message = await websocket.receive_text()
                if _is_ping(message):
                    await websocket.send_text('{"type":"pong"}')
        except WebSocketDisconnect:
            pass
        finally:
            unsubscribe()
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    hub.http.register_websocket("/api/v1/ws", events)
    return True


async def _send(websocket: WebSocket, queue: asyncio.Queue[Event]) -> None:
    while True:
        event = await queue.get()
        try:
            await websocket.send_text(orjson.dumps(event.as_dict(), default=str).decode())
        except Exception as err:  # the client went away
            _LOGGER.debug("WebSocket send failed: %s", err)
            return


def _may_receive(principal: Principal | None, event: Event) -> bool:
    """Events name whom they concern: a user (and the device to skip), or a library the user must see."""
    if principal is None:
        return True
    data = event.data
    if "user_id" in data and data["user_id"] != principal.user_id:
        return False
    if data.get("exclude_device_id") and data["exclude_device_id"] == principal.device_id:
        return False
    return not ("library_id" in data and not principal.may_see_library(str(data["library_id"])))


def _is_ping(message: str) -> bool:
    try:
        return orjson.loads(message).get("type") == "ping"
    except (orjson.JSONDecodeError, AttributeError):
        return False
