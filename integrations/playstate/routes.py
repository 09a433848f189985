"""Player reports, user data edits, and the user's lists."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from starlette.requests import Request
from starlette.responses import Response

from core.request_data import NotFound, json_body, nullable, query_params
from core.responses import FastJSONResponse
from core.scope import IntegrationScope
from integrations.library.queries import get_item
from integrations.library.ratings import may_see
from integrations.playstate import lists
from integrations.playstate.events import fire_state_changed, fire_stopped
from integrations.playstate.store import PlayStateStore
from plugin_sdk.auth import Principal, principal_of

REPORT = vol.Schema(
    {
        vol.Required("item_id"): vol.All(str, vol.Length(min=1, max=64)),
        vol.Optional("position_ticks", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional("media_source_id"): nullable(str),
        vol.Optional("is_paused", default=False): bool,
        vol.Optional("play_method"): vol.In(["DirectPlay", "DirectStream", "Transcode"]),
        vol.Optional("play_session_id"): nullable(vol.All(str, vol.Length(max=64))),
    }
)
USER_DATA = vol.Schema(
    {
        vol.Optional("played"): bool,
        vol.Optional("is_favorite"): bool,
        vol.Optional("rating"): nullable(vol.All(vol.Coerce(float), vol.Range(min=0, max=10))),
        vol.Optional("position_ticks"): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)
LIST_PARAMS = vol.Schema(
    {
        vol.Optional("limit", default=20): vol.All(vol.Coerce(int), vol.Range(min=1, max=200)),
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional("library_id"): str,
    },
    extra=vol.REMOVE_EXTRA,
)


def _caller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None
    return principal


class PlayStateRoutes:
    def __init__(self, scope: IntegrationScope, store: PlayStateStore) -> None:
        self.scope = scope
        self.store = store
        self.sessions: dict[str, dict[str, Any]] = {}  # device id -> what it is playing now

    def register(self) -> None:
        http = self.scope.http
        for path, handler, methods in (
            ("/api/v1/sessions/playing", self.playing, ["POST"]),
            ("/api/v1/sessions/progress", self.progress, ["POST"]),
            ("/api/v1/sessions/stopped", self.stopped, ["POST"]),
            ("/api/v1/sessions/active", self.active, ["GET"]),
            ("/api/v1/items/{item_id}/user-data", self.get_user_data, ["GET"]),
            ("/api/v1/items/{item_id}/user-data", self.put_user_data, ["PUT"]),
            ("/api/v1/users/me/continue-watching", self.continue_watching, ["GET"]),
            ("/api/v1/users/me/next-up", self.next_up, ["GET"]),
            ("/api/v1/users/me/latest", self.latest, ["GET"]),
            ("/api/v1/users/me/history", self.history, ["GET"]),
            ("/api/v1/users/me/favorites", self.favorites, ["GET"]),
        ):
            http.register_route(path, handler, methods=methods)

    async def _item(self, principal: Principal, item_id: str) -> dict[str, Any]:
        item = await get_item(self.scope.db, item_id)
        if item is None or not may_see(principal, item):
            raise NotFound(f"No item '{item_id}'")
        return item

    def _changed(self, principal: Principal, item: dict[str, Any], data: dict[str, Any]) -> None:
        fire_state_changed(self.scope.bus, principal, item, data)

    async def playing(self, request: Request) -> Response:
        principal, report = _caller(request), await json_body(request, REPORT)
        item = await self._item(principal, report["item_id"])
        self.sessions[principal.device_id or principal.user_id] = {"user_id": principal.user_id, **report}
        data = await self.store.save(principal.user_id, item["id"], {"position_ticks": report["position_ticks"]})
        self._changed(principal, item, data)
        return Response(status_code=204)

    async def progress(self, request: Request) -> Response:
        principal, report = _caller(request), await json_body(request, REPORT)
        item = await self._item(principal, report["item_id"])
        self.sessions[principal.device_id or principal.user_id] = {"user_id": principal.user_id, **report}
        await self.store.save(
            principal.user_id, item["id"], {"position_ticks": report["position_ticks"]}, read_back=False
        )
        return Response(status_code=204)

    async def stopped(self, request: Request) -> Response:
        principal, report = _caller(request), await json_body(request, REPORT)
        item = await self._item(principal, report["item_id"])
        self.sessions.pop(principal.device_id or principal.user_id, None)
        current = await self.store.get(principal.user_id, item["id"])
        changes = self.store.after_stop(current, report["position_ticks"], item["runtime_ticks"])
        data = await self.store.save(principal.user_id, item["id"], changes)
        self._changed(principal, item, data)
        fire_stopped(self.scope.bus, principal, item["id"], report.get("play_session_id"))
        return FastJSONResponse(data)

    async def active(self, request: Request) -> Response:
        principal = _caller(request)
        mine = [s for s in self.sessions.values() if principal.is_admin or s["user_id"] == principal.user_id]
        return FastJSONResponse(mine)

    async def get_user_data(self, request: Request) -> Response:
        principal = _caller(request)
        item = await self._item(principal, request.path_params["item_id"])
        return FastJSONResponse(await self.store.get(principal.user_id, item["id"]))

    async def put_user_data(self, request: Request) -> Response:
        principal = _caller(request)
        item = await self._item(principal, request.path_params["item_id"])
        edit = await json_body(request, USER_DATA)
        values: dict[str, Any] = {k: v for k, v in edit.items() if k in ("rating", "position_ticks")}
        if "is_favorite" in edit:
            values["is_favorite"] = int(edit["is_favorite"])
        if "played" in edit:
            current = await self.store.get(principal.user_id, item["id"])
            values["played"] = int(edit["played"])
            if edit["played"] and not current["played"]:
                values.update(play_count=current["play_count"] + 1, position_ticks=0)
        data = await self.store.save(principal.user_id, item["id"], values)
        self._changed(principal, item, data)
        return FastJSONResponse(data)

    async def continue_watching(self, request: Request) -> Response:
        params = query_params(request, LIST_PARAMS)
        return FastJSONResponse(await lists.continue_watching(self.scope.db, _caller(request), params["limit"]))

    async def next_up(self, request: Request) -> Response:
        params = query_params(request, LIST_PARAMS)
        return FastJSONResponse(await lists.next_up(self.scope.db, _caller(request), params["limit"]))

    async def latest(self, request: Request) -> Response:
        params = query_params(request, LIST_PARAMS)
        return FastJSONResponse(
            await lists.latest(self.scope.db, _caller(request), params.get("library_id"), params["limit"])
        )

    async def history(self, request: Request) -> Response:
        params = query_params(request, LIST_PARAMS)
        return FastJSONResponse(await lists.history(self.scope.db, _caller(request), params["limit"], params["offset"]))

    async def favorites(self, request: Request) -> Response:
        params = query_params(request, LIST_PARAMS)
        return FastJSONResponse(await lists.favorites(self.scope.db, _caller(request), params["limit"]))
