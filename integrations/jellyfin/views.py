"""The user's views: the libraries they may see, as CollectionFolders (`/UserViews`, and `/Items` with no
parent, search or type)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes, query_result
from integrations.jellyfin.dto import DtoBuilder
from integrations.jellyfin.protocol import Query, respond
from integrations.jellyfin.server import JellyfinServer
from plugin_sdk.auth import Principal


async def user_views(
    server: JellyfinServer, dto: DtoBuilder, principal: Principal, query: Query
) -> list[dict[str, Any]]:
    libraries = [lib for lib in await server.libraries.list() if principal.may_see_library(lib.id)]
    if "childcount" not in {f.lower() for f in query.csv("Fields")}:  # as in Jellyfin, only when asked for
        return [dto.library(lib) for lib in libraries]
    counts = {}
    for lib in libraries:  # one index range each; a GROUP BY over all items reads every row (~100 ms at 100k)
        counts[lib.id] = await server.db.fetch_value(
            "SELECT COUNT(*) FROM items WHERE library_id = ? AND parent_id IS NULL", (lib.id,)
        )
    return [dto.library(lib, int(counts[lib.id] or 0)) for lib in libraries]


class ViewRoutes(BrowseRoutes):
    def register(self) -> None:
        self.server.route(["/UserViews", "/Users/{userId}/Views"], self.views)

    async def views(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        return respond(request, query_result(await user_views(self.server, self.dto, principal, query)))
