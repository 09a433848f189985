"""Playback reports and user data through Marquee's playstate store: what a Jellyfin app reports shows up in
Marquee's continue-watching (and the other way round), and Marquee's other devices hear about it."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.protocol import JellyfinError, no_content, normalize_id, respond
from integrations.jellyfin.server import JellyfinServer
from integrations.jellyfin.system import json_object
from integrations.jellyfin.user_data import user_data_dto
from integrations.library.queries import get_item
from integrations.library.ratings import may_see
from integrations.playstate.events import fire_state_changed, fire_stopped
from plugin_sdk.auth import Principal

MAX_TICKS = 10**15


def _store() -> Any:
    from integrations.playstate import get_store

    store = get_store()
    if store is None:
        raise JellyfinError(503, "Playback state is not available (the playstate integration is not loaded)")
    return store


def _ticks(body: dict[str, Any], name: str) -> int:
    lowered = {k.lower(): v for k, v in body.items()}
    value = lowered.get(name.lower())
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise JellyfinError(400, f"{name} must be a number")
    try:
        ticks = int(value)
    except ValueError:
        raise JellyfinError(400, f"{name} must be a number") from None
    if not 0 <= ticks <= MAX_TICKS:
        raise JellyfinError(400, f"{name} is out of range")
    return ticks


class StateRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server

    def register(self) -> None:
        route = self.server.route
        route("/Sessions/Playing", self.playing, methods=["POST"])
        route("/Sessions/Playing/Progress", self.progress, methods=["POST"])
        route("/Sessions/Playing/Stopped", self.stopped, methods=["POST"])
        route("/Sessions/Playing/Ping", self.ping, methods=["POST"])
        played = ["/UserPlayedItems/{itemId}", "/Users/{userId}/PlayedItems/{itemId}"]
        favorite = ["/UserFavoriteItems/{itemId}", "/Users/{userId}/FavoriteItems/{itemId}"]
        route(played, self.mark_played, methods=["POST"])
        route(played, self.mark_unplayed, methods=["DELETE"])
        route(favorite, self.favorite, methods=["POST"])
        route(favorite, self.unfavorite, methods=["DELETE"])
        route("/UserItems/{itemId}/UserData", self.user_data)

    async def _item(self, principal: Principal, item_id: Any) -> dict[str, Any]:
        if not isinstance(item_id, str):
            raise JellyfinError(400, "ItemId is required")
        item = await get_item(self.server.db, normalize_id(item_id, "ItemId"))
        if item is None or not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        return item

    def _changed(self, principal: Principal, item: dict[str, Any], data: dict[str, Any]) -> None:
        fire_state_changed(self.server.scope.bus, principal, item, data)

    async def _report(self, request: Request) -> tuple[Principal, dict[str, Any], int, dict[str, Any]]:
        """The caller, the item, the position and the report's members by lower-cased name."""
        principal = self.server.caller(request)
        body = await json_object(request)
        lowered = {k.lower(): v for k, v in body.items()}
        item = await self._item(principal, lowered.get("itemid"))
        return principal, item, _ticks(body, "PositionTicks"), lowered

    async def playing(self, request: Request) -> Response:
        principal, item, position, _ = await self._report(request)
        data = await _store().save(principal.user_id, item["id"], {"position_ticks": position})
        self._changed(principal, item, data)
        return no_content()

    async def progress(self, request: Request) -> Response:
        principal, item, position, _ = await self._report(request)
        data = await _store().save(principal.user_id, item["id"], {"position_ticks": position})
        self._changed(principal, item, data)  # the user's other devices update their resume points
        return no_content()

    async def stopped(self, request: Request) -> Response:
        principal, item, position, report = await self._report(request)
        store = _store()
        current = await store.get(principal.user_id, item["id"])
        data = await store.save(
            principal.user_id, item["id"], store.after_stop(current, position, item["runtime_ticks"])
        )
        self._changed(principal, item, data)
        # The PlaySessionId is the Jellyfin layer's own (it forgets that session); streaming, which never issued
        # it, ends this device's sessions of the item instead.
        session_id = report.get("playsessionid")
        valid = isinstance(session_id, str) and len(session_id) <= 64
        fire_stopped(self.server.scope.bus, principal, item["id"], session_id if valid else None)
        return no_content()

    async def ping(self, request: Request) -> Response:
        self.server.caller(request)
        return no_content()

    async def _edit(self, request: Request, values: dict[str, Any]) -> Response:
        principal = await self.server.acting_user(request, request.path_params.get("userId"))
        item = await self._item(principal, request.path_params["itemId"])
        store = _store()
        if values.get("played"):
            current = await store.get(principal.user_id, item["id"])
            if not current["played"]:
                values = {**values, "play_count": current["play_count"] + 1, "position_ticks": 0}
        if values.get("played"):
            values = {**values, "last_played_at": time.time()}
        data = await store.save(principal.user_id, item["id"], values)
        self._changed(principal, item, data)
        return respond(request, user_data_dto(item["id"], data, item["runtime_ticks"]))

    async def mark_played(self, request: Request) -> Response:
        return await self._edit(request, {"played": 1})

    async def mark_unplayed(self, request: Request) -> Response:
        return await self._edit(request, {"played": 0, "position_ticks": 0})

    async def favorite(self, request: Request) -> Response:
        return await self._edit(request, {"is_favorite": 1})

    async def unfavorite(self, request: Request) -> Response:
        return await self._edit(request, {"is_favorite": 0})

    async def user_data(self, request: Request) -> Response:
        principal = self.server.caller(request)
        item = await self._item(principal, request.path_params["itemId"])
        data = await _store().get(principal.user_id, item["id"])
        return respond(request, user_data_dto(item["id"], data, item["runtime_ticks"]))
