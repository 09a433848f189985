"""Browsing: views, item queries, details, latest, resume, next up, shows, similar, filters, genres, people,
studios, artists, search hints, and the empty answers for features Marquee doesn't have (live TV, intros)."""

from __future__ import annotations

import random
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.dto import MARQUEE_TYPES, TYPE_NAMES, DtoBuilder, name_id
from integrations.jellyfin.protocol import MAX_LIMIT, JellyfinError, Query, normalize_id, respond
from integrations.jellyfin.server import JellyfinServer
from integrations.library.libraries import LibraryNotFound
from integrations.library.queries import ItemQuery, get_item, list_items
from integrations.library.ratings import access_clause, may_see
from integrations.playstate import lists
from plugin_sdk.auth import Principal

SORTS = {
    "sortname": "name",
    "name": "name",
    "datecreated": "date_added",
    "premieredate": "release_date",
    "communityrating": "rating",
    "random": "random",
    "productionyear": "year",
}
INDEX_SORTS = frozenset({"indexnumber", "parentindexnumber", "airedepisodeorder"})
USER_FILTERS = {
    "isplayed": ("played", True),
    "isunplayed": ("played", False),
    "isfavorite": ("favorite", True),
    "isresumable": ("resumable", True),
}


def query_result(items: list[dict[str, Any]], total: int | None = None, start: int = 0) -> dict[str, Any]:
    return {"Items": items, "TotalRecordCount": len(items) if total is None else total, "StartIndex": start}


def _index_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["parent_index_number"] if row["parent_index_number"] is not None else 1,
        row["index_number"] if row["index_number"] is not None else 1 << 30,
        row["sort_name"],
    )


class ItemRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self.dto = DtoBuilder(server.db, server.server_id, server.scope.hooks, server.image_signer, server.trickplay)

    def register(self) -> None:
        route = self.server.route
        route(["/UserViews", "/Users/{userId}/Views"], self.views)
        route(["/Items/Latest", "/Users/{userId}/Items/Latest"], self.latest)
        route(["/UserItems/Resume", "/Users/{userId}/Items/Resume"], self.resume)
        route(["/Items/Filters"], self.filters)
        route(["/Items/Filters2"], self.filters2)
        route(["/Items", "/Users/{userId}/Items"], self.items)
        route(["/Items/{itemId}", "/Users/{userId}/Items/{itemId}"], self.item)
        route(["/Items/{itemId}/Intros", "/Users/{userId}/Items/{itemId}/Intros"], self.empty_result)
        route(["/Items/{itemId}/SpecialFeatures", "/Users/{userId}/Items/{itemId}/SpecialFeatures"], self.extras)
        route(["/Items/{itemId}/LocalTrailers", "/Users/{userId}/Items/{itemId}/LocalTrailers"], self.trailers)
        route("/Items/{itemId}/Similar", self.similar)
        route("/Items/{itemId}/ThemeMedia", self.theme_media)
        route("/Shows/NextUp", self.next_up)
        route("/Shows/{seriesId}/Seasons", self.seasons)
        route("/Shows/{seriesId}/Episodes", self.episodes)
        route("/Genres", self.genres)
        route("/Studios", self.studios)
        route("/Persons", self.persons)
        route(["/Artists", "/Artists/AlbumArtists"], self.artists)
        route("/Search/Hints", self.search_hints)
        route(
            [
                "/LiveTv/Programs/Recommended",
                "/LiveTv/Channels",
                "/LiveTv/Recordings",
                "/LiveTv/Timers",
                "/LiveTv/Programs",
            ],
            self.empty_result,
        )
        route("/LiveTv/Programs", self.empty_result, methods=["POST"])
        route("/LiveTv/Info", self.live_tv_info)

    # -- helpers --------------------------------------------------------------------------------------------------

    async def _principal(self, request: Request, query: Query) -> Principal:
        user_id = request.path_params.get("userId") or query.text("userId")
        return await self.server.acting_user(request, user_id)

    async def _full_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in await self.server.db.fetch_all(
                f"SELECT * FROM items WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ):
                found[row["id"]] = row
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

    def _user_filter(self, name: str, value: bool, principal: Principal) -> tuple[str, list[Any]]:
        found = self.server.scope.root.hooks.hook.item_query_filter(name=name, value=value, user_id=principal.user_id)
        if found is None:
            raise JellyfinError(400, f"Filter '{name}' needs the playstate integration")
        return found

    def _playstate(self) -> bool:
        return bool(self.server.scope.hooks.implementers("item_user_data"))

    async def _views(self, principal: Principal, query: Query) -> list[dict[str, Any]]:
        libraries = [lib for lib in await self.server.libraries.list() if principal.may_see_library(lib.id)]
        if "childcount" not in {f.lower() for f in query.csv("Fields")}:  # as in Jellyfin, only when asked for
            return [self.dto.library(lib) for lib in libraries]
        counts = {}
        for lib in libraries:  # one index range each; a GROUP BY over all items reads every row (~100 ms at 100k)
            counts[lib.id] = await self.server.db.fetch_value(
                "SELECT COUNT(*) FROM items WHERE library_id = ? AND parent_id IS NULL", (lib.id,)
            )
        return [self.dto.library(lib, int(counts[lib.id] or 0)) for lib in libraries]

    # -- views and queries ----------------------------------------------------------------------------------------

    async def views(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        return respond(request, query_result(await self._views(principal, query)))

    async def items(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(MAX_LIMIT)
        assert limit is not None
        parent_id = query.id("ParentId")
        recursive = bool(query.boolean("Recursive", False))
        ids = query.ids("Ids")
        search = query.text("SearchTerm") or query.text("NameStartsWith")
        include = [t.lower() for t in query.csv("IncludeItemTypes")]
        item_query = ItemQuery(access=principal, limit=limit, offset=start)
        await self._filters(query, principal, item_query)  # validates every filter, even where it ends up unused
        if not parent_id and not recursive and not ids and not search and not include:
            views = await self._views(principal, query)
            return respond(request, query_result(views[start : start + limit], len(views), start))
        parent: dict[str, Any] | None = None
        if parent_id:
            library = await self._visible_library(principal, parent_id)
            if library is not None:
                item_query.library_id = library.id
                item_query.top_level = not recursive
            else:
                parent = await self._visible_item(principal, parent_id)
                if recursive:
                    item_query.extra.append(
                        (
                            "(i.parent_id = ? OR i.parent_id IN (SELECT c.id FROM items c WHERE c.parent_id = ?))",
                            [parent["id"], parent["id"]],
                        )
                    )
                else:
                    item_query.parent_id = parent["id"]
        if include:
            types = sorted({MARQUEE_TYPES[t] for t in include if t in MARQUEE_TYPES})
            if not types:
                return respond(request, query_result([], 0, start))
            item_query.types = types
        exclude = sorted(
            {MARQUEE_TYPES[t] for t in (x.lower() for x in query.csv("ExcludeItemTypes")) if t in MARQUEE_TYPES}
        )
        if exclude:
            item_query.extra.append((f"i.type NOT IN ({', '.join('?' * len(exclude))})", exclude))
        if ids:
            item_query.extra.append((f"i.id IN ({', '.join('?' * len(ids))})", ids))
        if search:
            item_query.search = search[:200]
        sort_by = [s.lower() for s in query.csv("SortBy")]
        orders = [s.lower() for s in query.csv("SortOrder")]
        item_query.descending = bool(orders) and orders[0] == "descending"
        known = [SORTS[s] for s in sort_by if s in SORTS]
        item_query.sort = known[0] if known else ("relevance" if search else "name")
        index_sort = bool(INDEX_SORTS & set(sort_by[:2])) or (
            parent is not None and parent["type"] in ("season", "album") and not known
        )
        if index_sort:
            item_query.limit, item_query.offset = MAX_LIMIT, 0
        page = await list_items(self.server.db, item_query)
        rows = page.items
        if index_sort:
            rows = sorted(
                await self._full_rows([r["id"] for r in rows]), key=_index_key, reverse=item_query.descending
            )[start : start + limit]
        items = await self._dtos(rows, principal, query)
        total = page.total if query.boolean("EnableTotalRecordCount", True) else 0
        return respond(request, query_result(items, total, start))

    async def _filters(self, query: Query, principal: Principal, item_query: ItemQuery) -> None:
        wanted: dict[str, bool] = {}
        for name in query.csv("Filters"):
            if name.lower() in USER_FILTERS:
                key, value = USER_FILTERS[name.lower()]
                wanted[key] = value
        for param, key in (("IsPlayed", "played"), ("IsFavorite", "favorite")):
            value = query.boolean(param)
            if value is not None:
                wanted[key] = value
        for key, value in wanted.items():
            item_query.extra.append(self._user_filter(key, value, principal))
        genres = query.csv("Genres", "|")
        genre_ids = set(query.ids("GenreIds"))
        if genre_ids:
            known = await self.server.db.fetch_all("SELECT DISTINCT value FROM item_values WHERE kind = 'genre'")
            genres = [*genres, *[r["value"] for r in known if name_id("genre", r["value"]) in genre_ids]]
        if genres:
            item_query.extra.append(
                (
                    f"EXISTS (SELECT 1 FROM item_values v WHERE v.item_id = i.id AND v.kind = 'genre' AND v.value IN "
                    f"({', '.join('?' * len(genres))}))",
                    genres,
                )
            )
        years = []
        for year in query.csv("Years"):
            if not year.isdigit() or len(year) > 4:
                raise JellyfinError(400, "Years must be a comma-separated list of years")
            years.append(int(year))
        if years:
            item_query.extra.append((f"i.year IN ({', '.join('?' * len(years))})", years))
        person_ids = query.ids("PersonIds")
        if person_ids:
            item_query.extra.append(
                (
                    f"EXISTS (SELECT 1 FROM item_people ip WHERE ip.item_id = i.id AND ip.person_id IN "
                    f"({', '.join('?' * len(person_ids))}))",
                    person_ids,
                )
            )
        rating = query.number("MinCommunityRating")
        if rating is not None:
            item_query.rating_min = rating

    async def item(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        item_id = normalize_id(request.path_params["itemId"], "item id")
        item = await get_item(self.server.db, item_id)  # items first: far more often asked for than libraries
        if item is None:
            library = await self._visible_library(principal, item_id)
            if library is None:
                raise JellyfinError(404, "Item not found")
            count = await self.server.db.fetch_value(
                "SELECT COUNT(*) FROM items WHERE library_id = ? AND parent_id IS NULL", (library.id,)
            )
            return respond(request, self.dto.library(library, int(count or 0)))
        if not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        return respond(request, (await self.dto.items([item], principal, query.csv("Fields"), detail=True))[0])

    async def latest(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        limit = query.integer("Limit", 20, 0, 200) or 0
        parent_id = query.id("ParentId")
        library_id = None
        if parent_id:
            library = await self._visible_library(principal, parent_id)
            if library is None:
                raise JellyfinError(404, "Library not found")
            library_id = library.id
        include = {MARQUEE_TYPES.get(t.lower()) for t in query.csv("IncludeItemTypes")}
        rows = await lists.latest(self.server.db, principal, library_id, limit * 3 if include else limit)
        if include:
            rows = [r for r in rows if r["type"] in include][:limit]
        return respond(request, await self._dtos(rows, principal, query))

    async def resume(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(12)
        if not self._playstate():
            return respond(request, query_result([], 0, start))
        rows = await lists.continue_watching(self.server.db, principal, min(start + (limit or 0), MAX_LIMIT))
        media = {m.lower() for m in query.csv("MediaTypes")}
        if media:
            rows = [r for r in rows if {"track": "audio"}.get(r["type"], "video") in media]
        parent_id = query.id("ParentId")
        if parent_id:
            rows = [r for r in rows if r["library_id"] == parent_id]
        page = rows[start : start + (limit or 0)]
        return respond(request, query_result(await self._dtos(page, principal, query), len(rows), start))

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

    # -- shows ------------------------------------------------------------------------------------------------------

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
        rows.sort(key=_index_key)
        page = rows[start : start + (limit or 0)]
        return respond(
            request, query_result(await self.dto.items(page, principal, query.csv("Fields")), len(rows), start)
        )

    # -- related ------------------------------------------------------------------------------------------------------

    async def similar(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        item = await self._visible_item(principal, request.path_params["itemId"])
        limit = query.integer("Limit", 12, 0, 100) or 0
        clause, params = access_clause(principal)
        rows = await self.server.db.fetch_all(
            "SELECT DISTINCT i.* FROM items i JOIN item_values v ON v.item_id = i.id AND v.kind = 'genre' "
            "WHERE i.type = ? AND i.id <> ? AND v.value IN (SELECT value FROM item_values WHERE item_id = ? AND "
            f"kind = 'genre'){' AND ' + clause if clause else ''} LIMIT 200",
            [item["type"], item["id"], item["id"], *params],
        )
        random.shuffle(rows)
        return respond(request, query_result(await self.dto.items(rows[:limit], principal, query.csv("Fields"))))

    async def _children_of_kind(self, request: Request, extra_types: tuple[str, ...] | None) -> list[dict[str, Any]]:
        query = Query(request)
        principal = await self._principal(request, query)
        item = await self._visible_item(principal, request.path_params["itemId"])
        rows = await self.server.db.fetch_all(
            "SELECT * FROM items WHERE parent_id = ? AND type = 'extra' ORDER BY sort_name", (item["id"],)
        )
        rows = [r for r in rows if may_see(principal, r) and (extra_types is None or r["extra_type"] in extra_types)]
        return await self.dto.items(rows, principal, query.csv("Fields"))

    async def extras(self, request: Request) -> Response:
        return respond(request, await self._children_of_kind(request, None))

    async def trailers(self, request: Request) -> Response:
        return respond(request, await self._children_of_kind(request, ("trailer",)))

    async def theme_media(self, request: Request) -> Response:
        principal = self.server.caller(request)
        item = await self._visible_item(principal, request.path_params["itemId"])
        empty = {"Items": [], "TotalRecordCount": 0, "StartIndex": 0, "OwnerId": item["id"]}
        return respond(request, {"ThemeVideosResult": empty, "ThemeSongsResult": empty, "SoundtrackSongsResult": empty})

    async def empty_result(self, request: Request) -> Response:
        query = Query(request)
        await self._principal(request, query)
        return respond(request, query_result([], 0, 0))

    async def live_tv_info(self, request: Request) -> Response:
        self.server.caller(request)
        return respond(request, {"Services": [], "IsEnabled": False, "EnabledUsers": []})

    # -- names: genres, studios, people, artists, filters -----------------------------------------------------------

    def _scope_clause(self, principal: Principal, query: Query) -> tuple[str, list[Any]]:
        clause, params = access_clause(principal)
        parts = [clause] if clause else []
        parent_id = query.id("ParentId")
        if parent_id:
            parts.append("i.library_id = ?")
            params = [*params, parent_id]
        types = sorted({MARQUEE_TYPES[t.lower()] for t in query.csv("IncludeItemTypes") if t.lower() in MARQUEE_TYPES})
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

    def _name_item(self, name: str, kind: str, item_id: str) -> dict[str, Any]:
        return {
            "Name": name,
            "ServerId": self.server.server_id,
            "Id": item_id,
            "Type": kind,
            "IsFolder": True,
            "ImageTags": {},
            "BackdropImageTags": [],
            "LocationType": "Virtual",
            "MediaType": "Unknown",
            "UserData": {
                "PlaybackPositionTicks": 0,
                "PlayCount": 0,
                "IsFavorite": False,
                "Played": False,
                "Key": item_id,
                "ItemId": item_id,
            },
        }

    async def _names(self, request: Request, kind: str, type_name: str) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(MAX_LIMIT)
        names = await self._values(principal, query, kind)
        term = (query.text("SearchTerm") or query.text("NameStartsWith") or "").casefold()
        if term:
            names = [n for n in names if term in n.casefold()]
        page = names[start : start + (limit or 0)]
        items = [self._name_item(n, type_name, name_id(kind, n)) for n in page]
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
        items = [self._name_item(r["name"], "Person", r["id"]) for r in page]
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
            {
                "Genres": [{"Name": g, "Id": name_id("genre", g)} for g in genres],
                "Tags": await self._values(principal, query, "tag"),
            },
        )

    # -- search ---------------------------------------------------------------------------------------------------

    async def search_hints(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        term = query.text("SearchTerm")
        if not term:
            raise JellyfinError(400, "SearchTerm is required")
        start, limit = query.paging(20)
        item_query = ItemQuery(access=principal, search=term[:200], sort="relevance", limit=limit or 0, offset=start)
        include = [t.lower() for t in query.csv("IncludeItemTypes")]
        if include:
            item_query.types = sorted({MARQUEE_TYPES[t] for t in include if t in MARQUEE_TYPES})
            if not item_query.types:
                return respond(request, {"SearchHints": [], "TotalRecordCount": 0})
        page = await list_items(self.server.db, item_query)
        dtos = await self._dtos(page.items, principal, query)
        hints = []
        for dto in dtos:
            hints.append(
                {
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
            )
        return respond(request, {"SearchHints": hints, "TotalRecordCount": page.total})


__all__ = ["TYPE_NAMES", "ItemRoutes"]
