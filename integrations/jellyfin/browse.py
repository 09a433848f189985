"""What the browsing route groups share: the acting user, visibility checks, DTOs for listing rows, and the
QueryResult shape their lists come in."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from integrations.jellyfin.batched import fetch_in
from integrations.jellyfin.dto import DtoBuilder
from integrations.jellyfin.protocol import JellyfinError, Query, normalize_id
from integrations.jellyfin.server import JellyfinServer
from integrations.library.libraries import LibraryNotFound
from integrations.library.queries import get_item
from integrations.library.ratings import may_see
from plugin_sdk.auth import Principal


def query_result(items: list[dict[str, Any]], total: int | None = None, start: int = 0) -> dict[str, Any]:
    return {"Items": items, "TotalRecordCount": len(items) if total is None else total, "StartIndex": start}


def index_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Season and episode (or disc and track) order, for full item rows."""
    return (
        row["parent_index_number"] if row["parent_index_number"] is not None else 1,
        row["index_number"] if row["index_number"] is not None else 1 << 30,
        row["sort_name"],
    )


class BrowseRoutes:
    """The base of a browsing route group; `register` adds its routes."""

    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self.dto = DtoBuilder(server.db, server.server_id, server.scope.hooks, server.image_signer, server.trickplay)

    async def _principal(self, request: Request, query: Query) -> Principal:
        user_id = request.path_params.get("userId") or query.text("userId")
        return await self.server.acting_user(request, user_id)

    async def _full_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        """Full item rows (SELECT *) for `ids`, in that order; ids with no item left out."""
        found = {
            row["id"]: row for row in await fetch_in(self.server.db, "SELECT * FROM items WHERE id IN ({ids})", ids)
        }
        return [found[i] for i in ids if i in found]

    async def _visible_item(self, principal: Principal, item_id: str) -> dict[str, Any]:
        item = await get_item(self.server.db, normalize_id(item_id, "item id"))
        if item is None or not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        return item

    async def _visible_library(self, principal: Principal, library_id: str) -> Any | None:
        try:
            library = await self.server.libraries.get(library_id)
        except LibraryNotFound:
            return None
        return library if principal.may_see_library(library.id) else None

    async def _dtos(
        self, rows: list[dict[str, Any]], principal: Principal, query: Query, detail: bool = False
    ) -> list[dict[str, Any]]:
        """DTOs for listing rows (LIST_COLUMNS): what they lack is read with the images, not by a second fetch."""
        return await self.dto.items(rows, principal, query.csv("Fields"), detail=detail, partial=True)

    def _playstate(self) -> bool:
        return bool(self.server.scope.hooks.implementers("item_user_data"))
