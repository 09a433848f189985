"""Items: queries (`/Items`), details, latest, resume, an item's extras and trailers, similar items."""

from __future__ import annotations

import random
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes, index_key, query_result
from integrations.jellyfin.item_query import add_filters, set_sort
from integrations.jellyfin.item_types import MARQUEE_TYPES, marquee_types
from integrations.jellyfin.protocol import MAX_LIMIT, JellyfinError, Query, normalize_id, respond
from integrations.jellyfin.views import user_views
from integrations.library.queries import ItemQuery, list_items, listing_read
from integrations.library.ratings import access_clause, may_see
from integrations.playstate import lists


class ItemRoutes(BrowseRoutes):
    def register(self) -> None:
        route = self.server.route
        # Latest and Resume before /Items/{itemId}, which their paths match too.
        route(["/Items/Latest", "/Users/{userId}/Items/Latest"], self.latest)
        route(["/UserItems/Resume", "/Users/{userId}/Items/Resume"], self.resume)
        route(["/Items", "/Users/{userId}/Items"], self.items)
        route(["/Items/{itemId}", "/Users/{userId}/Items/{itemId}"], self.item)
        route(["/Items/{itemId}/SpecialFeatures", "/Users/{userId}/Items/{itemId}/SpecialFeatures"], self.extras)
        route(["/Items/{itemId}/LocalTrailers", "/Users/{userId}/Items/{itemId}/LocalTrailers"], self.trailers)
        route("/Items/{itemId}/Similar", self.similar)

    async def items(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        start, limit = query.paging(MAX_LIMIT)
        assert limit is not None
        parent_id = query.id("ParentId")
        recursive = bool(query.boolean("Recursive", False))
        ids = query.ids("Ids")
        search = query.text("SearchTerm") or query.text("NameStartsWith")
        include = query.csv("IncludeItemTypes")
        item_query = ItemQuery(access=principal, limit=limit, offset=start)
        await add_filters(self.server, query, principal, item_query)  # validates every filter, even if unused
        if not parent_id and not recursive and not ids and not search and not include:
            views = await user_views(self.server, self.dto, principal, query)
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
            types = marquee_types(include)
            if not types:
                return respond(request, query_result([], 0, start))
            item_query.types = types
        exclude = marquee_types(query.csv("ExcludeItemTypes"))
        if exclude:
            item_query.extra.append((f"i.type NOT IN ({', '.join('?' * len(exclude))})", exclude))
        if ids:
            item_query.extra.append((f"i.id IN ({', '.join('?' * len(ids))})", ids))
        if search:
            item_query.search = search[:200]
        index_sort = set_sort(query, item_query, search, parent)
        if index_sort:  # episodes or tracks in index order: sorted here, over every match
            item_query.limit, item_query.offset = MAX_LIMIT, 0
            page = await list_items(self.server.db, item_query, summarize=False)
            rows = sorted(await self._full_rows([r["id"] for r in page.items]), key=index_key,
                          reverse=item_query.descending)[start : start + limit]  # fmt: skip
            items = await self._dtos(rows, principal, query)
        else:  # the listing and what its items' DTOs need, in one round trip
            listing = await listing_read(self.server.db, item_query, summarize=False)
            page, items = await self.dto.listing(listing, principal, query.csv("Fields"))
        total = page.total if query.boolean("EnableTotalRecordCount", True) else 0
        return respond(request, query_result(items, total, start))

    async def item(self, request: Request) -> Response:
        query = Query(request)
        principal = await self._principal(request, query)
        item_id = normalize_id(request.path_params["itemId"], "item id")
        fields = query.csv("Fields")
        # Items first (far more often asked for than libraries): the row and its DTO in one round trip.
        found = await self.dto.item(item_id, principal, fields)
        source_id = None
        if found is None:
            # Jellyfin gives each version of a film its own item, so clients fetch a MediaSourceId as an item
            # (jellyfin-web reads the chosen version's MediaStreams that way before playing): answer with the
            # owning item, that version first.
            owner = await self.server.db.fetch_value("SELECT item_id FROM media_sources WHERE id = ?", (item_id,))
            found = await self.dto.item(owner, principal, fields) if owner else None
            source_id = item_id if found is not None else None
        if found is None:
            library = await self._visible_library(principal, item_id)
            if library is None:
                raise JellyfinError(404, "Item not found")
            count = await self.server.db.fetch_value(
                "SELECT COUNT(*) FROM items WHERE library_id = ? AND parent_id IS NULL", (library.id,)
            )
            return respond(request, self.dto.library(library, int(count or 0)))
        item, dto = found
        if not may_see(principal, item):  # the DTO built for it goes nowhere
            raise JellyfinError(404, "Item not found")
        if source_id is not None:
            sources = dto.get("MediaSources") or []
            chosen = [s for s in sources if s["Id"] == source_id]
            dto["MediaSources"] = chosen + [s for s in sources if s["Id"] != source_id]
            if chosen:
                dto["MediaStreams"], dto["Container"] = chosen[0]["MediaStreams"], chosen[0]["Container"]
        return respond(request, dto)

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
