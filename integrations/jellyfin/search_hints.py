"""`/Search/Hints`: items matching a search term, as SearchHints."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes
from integrations.jellyfin.item_types import marquee_types
from integrations.jellyfin.protocol import JellyfinError, Query, respond
from integrations.library.queries import ItemQuery, list_items


def search_hint(dto: dict[str, Any], term: str) -> dict[str, Any]:
    """The SearchHint of an item's BaseItemDto, found by `term`."""
    return {
        "ItemId": dto["Id"],
        "Id": dto["Id"],
        "Name": dto["Name"],
        "MatchedTerm": term,
        "IndexNumber": dto.get("IndexNumber"),
        "ProductionYear": dto.get("ProductionYear"),
        "ParentIndexNumber": dto.get("ParentIndexNumber"),
        "PrimaryImageTag": dto["ImageTags"].get("Primary"),
        "ThumbImageTag": dto["ImageTags"].get("Thumb"),
        "Type": dto["Type"],
        "IsFolder": dto["IsFolder"],
        "RunTimeTicks": dto.get("RunTimeTicks"),
        "MediaType": dto["MediaType"],
        "Series": dto.get("SeriesName"),
        "Album": dto.get("Album"),
        "AlbumId": dto.get("AlbumId"),
        "AlbumArtist": dto.get("AlbumArtist"),
        "Artists": dto.get("Artists", []),
    }


class SearchHintRoutes(BrowseRoutes):
    def register(self) -> None:
        self.server.route("/Search/Hints", self.search_hints)

    async def search_hints(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        term = query.text("SearchTerm")
        if not term:
            raise JellyfinError(400, "SearchTerm is required")
        start, limit = query.paging(20)
        item_query = ItemQuery(access=principal, search=term[:200], sort="relevance", limit=limit or 0, offset=start)
        include = query.csv("IncludeItemTypes")
        if include:
            item_query.types = marquee_types(include)
            if not item_query.types:
                return respond(request, {"SearchHints": [], "TotalRecordCount": 0})
        page = await list_items(self.server.db, item_query)
        dtos = await self._dtos(page.items, principal, query)
        hints = [search_hint(dto, term) for dto in dtos]
        return respond(request, {"SearchHints": hints, "TotalRecordCount": page.total})
