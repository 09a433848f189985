"""Shows: next up, a series' seasons and episodes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes, index_key, query_result
from integrations.jellyfin.protocol import MAX_LIMIT, Query, respond
from integrations.library.ratings import access_clause
from integrations.playstate import lists


class ShowRoutes(BrowseRoutes):
    def register(self) -> None:
        route = self.server.route
        route("/Shows/NextUp", self.next_up)
        route("/Shows/{seriesId}/Seasons", self.seasons)
        route("/Shows/{seriesId}/Episodes", self.episodes)

    async def next_up(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(24)
        if not self._playstate():
            return respond(request, query_result([], 0, start))
        rows = await lists.next_up(self.server.db, principal, min(start + (limit or 0), 500))
        series_id = query.id("SeriesId")
        full = await self._full_rows([r["id"] for r in rows])
        if series_id:
            seasons = {
                r["id"]
                for r in await self.server.db.fetch_all("SELECT id FROM items WHERE parent_id = ?", (series_id,))
            }
            full = [r for r in full if r["parent_id"] == series_id or r["parent_id"] in seasons]
        page = full[start : start + (limit or 0)]
        items = await self.dto.items(page, principal, query.csv("Fields"))
        return respond(request, query_result(items, len(full), start))

    async def seasons(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        series = await self._visible_item(principal, request.path_params["seriesId"])
        clause, params = access_clause(principal)
        rows = await self.server.db.fetch_all(
            f"SELECT * FROM items i WHERE i.parent_id = ? AND i.type = 'season'{' AND ' + clause if clause else ''}",
            [series["id"], *params],
        )
        rows.sort(key=lambda r: (r["index_number"] if r["index_number"] is not None else 1 << 30, r["sort_name"]))
        return respond(request, query_result(await self.dto.items(rows, principal, query.csv("Fields"))))

    async def episodes(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        series = await self._visible_item(principal, request.path_params["seriesId"])
        start, limit = query.paging(MAX_LIMIT)
        clause, params = access_clause(principal)
        rows = await self.server.db.fetch_all(
            "SELECT i.* FROM items i LEFT JOIN items p ON p.id = i.parent_id WHERE i.type = 'episode' AND "
            f"(i.parent_id = ? OR (p.type = 'season' AND p.parent_id = ?)){' AND ' + clause if clause else ''}",
            [series["id"], series["id"], *params],
        )
        season_id = query.id("SeasonId")
        season_number = query.integer("Season", None, 0, 10_000)
        if season_id:
            rows = [r for r in rows if r["parent_id"] == season_id]
        if season_number is not None:
            rows = [r for r in rows if (r["parent_index_number"] or 0) == season_number]
        rows.sort(key=index_key)
        page = rows[start : start + (limit or 0)]
        return respond(
            request, query_result(await self.dto.items(page, principal, query.csv("Fields")), len(rows), start)
        )
