"""WebSocket /socket: Jellyfin's {MessageType, Data, MessageId} messages.

On connect the server sends ForceKeepAlive (seconds); the client's KeepAlive is answered with KeepAlive.
Marquee bus events become Jellyfin messages, under the same per-user rules as Marquee's own WebSocket
(`integrations.websocket_api._may_receive`): a user's watch-state changes (`playback.state.changed`) go to that
user's other devices as UserDataChanged; a finished scan goes, as LibraryChanged, to users who see the library.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from core.bus import Event
from integrations.jellyfin.protocol import clean
from integrations.jellyfin.server import JellyfinServer
from integrations.jellyfin.user_data import user_data_dto
from integrations.playstate.events import EVENT_STATE_CHANGED
from integrations.websocket_api import _may_receive
from plugin_sdk.auth import Principal, principal_of

EVENT_SCAN_FINISHED = "library.scan.finished"
KEEPALIVE_SECONDS = 60
QUEUE_LIMIT = 1000


def message(kind: str, data: Any = None) -> str:
    body: dict[str, Any] = {"MessageType": kind, "MessageId": uuid.uuid4().hex}
    if data is not None:
        body["Data"] = clean(data)
    return orjson.dumps(body).decode()


def translate(principal: Principal | None, event: Event) -> str | None:
    """The Jellyfin message for a bus event, or None when this caller doesn't get one."""
    if event.type not in (EVENT_STATE_CHANGED, EVENT_SCAN_FINISHED) or not _may_receive(principal, event):
        return None
    data = event.data
    if event.type == EVENT_STATE_CHANGED:
        if principal is None or data.get("user_id") != principal.user_id or not data.get("item_id"):
            return None
        user_data = user_data_dto(str(data["item_id"]), dict(data.get("user_data") or {}), None)
        return message("UserDataChanged", {"UserId": principal.user_id, "UserDataList": [user_data]})
    library = str(data.get("library_id") or "")
    return message(
        "LibraryChanged",
        {
            "FoldersAddedTo": [library] if data.get("added") else [],
            "FoldersRemovedFrom": [],
            "ItemsAdded": [],
            "ItemsRemoved": [],
            "ItemsUpdated": [],
            "CollectionFolders": [library] if library else [],
            "IsEmpty": not (data.get("added") or data.get("updated") or data.get("removed") or data.get("moved")),
        },
    )


class SocketRoute:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server

    def register(self) -> None:
        self.server.canon.add("/socket")
        self.server.scope.http.register_websocket("/socket", self.socket)

    async def socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        principal = principal_of(websocket)
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_LIMIT)

        def enqueue(event: Event) -> None:
            text = translate(principal, event)
            if text is None:
                return
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(text)

        unsubscribe = [
            self.server.scope.bus.listen(kind, enqueue) for kind in (EVENT_STATE_CHANGED, EVENT_SCAN_FINISHED)
        ]
        await queue.put(message("ForceKeepAlive", KEEPALIVE_SECONDS))
        sender = asyncio.create_task(_send(websocket, queue))
        sessions_feed: asyncio.Task[None] | None = None
        try:
            while True:
                text = await websocket.receive_text()
                kind = _kind(text)
                if kind == "KeepAlive":
                    await queue.put(message("KeepAlive"))
                elif kind == "SessionsStart" and principal is not None:
                    if sessions_feed is not None:
                        sessions_feed.cancel()
                    sessions_feed = asyncio.create_task(self._sessions(principal, queue, _interval(text)))
                elif kind == "SessionsStop" and sessions_feed is not None:
                    sessions_feed.cancel()
                    sessions_feed = None
        except WebSocketDisconnect:
            pass
        finally:
            if sessions_feed is not None:
                sessions_feed.cancel()
            for stop in unsubscribe:
                stop()
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _sessions(self, principal: Principal, queue: asyncio.Queue[str], interval: float) -> None:
        """`SessionsStart` asks for the session list now and then every `interval` (a dashboard)."""
        while True:
            await queue.put(message("Sessions", await self.server.sessions_of(principal)))
            await asyncio.sleep(interval)


def _interval(text: str) -> float:
    """`"Data": "0,1500"`: initial delay and period in ms; the period is kept between 1 and 60 s."""
    data = str(orjson.loads(text).get("Data") or "")
    parts = data.split(",")
    period = int(parts[1]) if len(parts) > 1 and parts[1].strip().isdigit() else 1500
    return min(max(period / 1000, 1.0), 60.0)


async def _send(websocket: WebSocket, queue: asyncio.Queue[str]) -> None:
    while True:
        text = await queue.get()
        try:
            await websocket.send_text(text)
        except Exception:  # the client went away
            return


def _kind(text: str) -> str | None:
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return body.get("MessageType") if isinstance(body, dict) else None
