"""What items are filed under: filters (genres, tags, ratings, years), genres, studios, people, artists."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes, query_result
from integrations.jellyfin.item_types import marquee_types
from integrations.jellyfin.names import name_id, name_item_dto, name_pairs
from integrations.jellyfin.protocol import MAX_LIMIT, Query, respond
from integrations.library.queries import ItemQuery, list_items
from integrations.library.ratings import access_clause
from plugin_sdk.auth import Principal


class FacetRoutes(BrowseRoutes):
    def register(self) -> None:
        route = self.server.route
        route(["/Items/Filters"], self.filters)  # before /Items/{itemId}, which matches it too
        route(["/Items/Filters2"], self.filters2)
        route("/Genres", self.genres)
        route("/Studios", self.studios)
        route("/Persons", self.persons)
        route(["/Artists", "/Artists/AlbumArtists"], self.artists)

    def _scope_clause(self, principal: Principal, query: Query) -> tuple[str, list[Any]]:
        clause, params = access_clause(principal)
        parts = [clause] if clause else []
        parent_id = query.id("ParentId")
        if parent_id:
            parts.append("i.library_id = ?")
            params = [*params, parent_id]
        types = marquee_types(query.csv("IncludeItemTypes"))
        if types:
            parts.append(f"i.type IN ({', '.join('?' * len(types))})")
            params = [*params, *types]
        return (" AND ".join(parts) or "1 = 1"), params

    async def _values(self, principal: Principal, query: Query, kind: str) -> list[str]:
        where, params = self._scope_clause(principal, query)
        rows = await self.server.db.fetch_all(
            f"SELECT DISTINCT v.value AS value FROM item_values v JOIN items i ON i.id = v.item_id "
            f"WHERE v.kind = ? AND {where} ORDER BY v.value",
            [kind, *params],
        )
        return [row["value"] for row in rows]

    async def _names(self, request: Request, kind: str, type_name: str) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(MAX_LIMIT)
        names = await self._values(principal, query, kind)
        term = (query.text("SearchTerm") or query.text("NameStartsWith") or "").casefold()
        if term:
            names = [n for n in names if term in n.casefold()]
        page = names[start : start + (limit or 0)]
        items = [name_item_dto(self.server.server_id, n, type_name, name_id(kind, n)) for n in page]
        return respond(request, query_result(items, len(names), start))

    async def genres(self, request: Request) -> Response:
        return await self._names(request, "genre", "Genre")

    async def studios(self, request: Request) -> Response:
        return await self._names(request, "studio", "Studio")

    async def persons(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(100)
        where, params = self._scope_clause(principal, query)
        term = query.text("SearchTerm")
        if term:
            where += " AND p.name LIKE ?"
            params = [*params, f"%{term[:100]}%"]
        rows = await self.server.db.fetch_all(
            "SELECT DISTINCT p.id, p.name FROM people p JOIN item_people ip ON ip.person_id = p.id "
            f"JOIN items i ON i.id = ip.item_id WHERE {where} ORDER BY p.name",
            params,
        )
        page = rows[start : start + (limit or 0)]
        items = [name_item_dto(self.server.server_id, r["name"], "Person", r["id"]) for r in page]
        return respond(request, query_result(items, len(rows), start))

    async def artists(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(MAX_LIMIT)
        item_query = ItemQuery(
            access=principal,
            types=["artist"],
            limit=limit or 0,
            offset=start,
            search=(query.text("SearchTerm") or None),
        )
        parent_id = query.id("ParentId")
        if parent_id:
            item_query.library_id = parent_id
        page = await list_items(self.server.db, item_query)
        return respond(request, query_result(await self._dtos(page.items, principal, query), page.total, start))

    async def filters(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        where, params = self._scope_clause(principal, query)
        years = await self.server.db.fetch_all(
            f"SELECT DISTINCT i.year AS year FROM items i WHERE {where} AND i.year IS NOT NULL ORDER BY i.year", params
        )
        ratings = await self.server.db.fetch_all(
            f"SELECT DISTINCT i.official_rating AS rating FROM items i WHERE {where} AND i.official_rating IS NOT NULL "
            "ORDER BY i.official_rating",
            params,
        )
        genres, tags = await self._values(principal, query, "genre"), await self._values(principal, query, "tag")
        return respond(
            request,
            {
                "Genres": genres,
                "Tags": tags,
                "OfficialRatings": [r["rating"] for r in ratings],
                "Years": [r["year"] for r in years],
            },
        )

    async def filters2(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        genres = await self._values(principal, query, "genre")
        return respond(
            request,
            {"Genres": name_pairs("genre", genres), "Tags": await self._values(principal, query, "tag")},
        )
