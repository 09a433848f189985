"""The manifest of an item's sheets, the sheets themselves, and making them again on request.

Item access rules are the library's: an item the caller may not see is a 404 on every route here. Paths on disk
are built from integers and from ids read back from the database, never from request text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import voluptuous as vol
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.request_data import BadRequest, NotFound, query_params
from core.responses import FastJSONResponse
from core.scope import IntegrationScope
from core.storage import Row
from integrations.library.params import boolean
from integrations.library.queries import get_item
from integrations.library.ratings import may_see
from integrations.trickplay.generator import sheet_name
from integrations.trickplay.service import TrickplayService
from plugin_sdk.auth import Principal, principal_of

_DIGITS = re.compile(r"^[0-9]{1,9}$")
# Sheets change only when made again (new ETag); players fetch them for one playback and may keep them an hour.
CACHE_CONTROL = "private, max-age=3600"

SHEET_PARAMS = vol.Schema({vol.Optional("source_id"): vol.All(str, vol.Length(min=1, max=64))}, extra=vol.REMOVE_EXTRA)
REGENERATE_PARAMS = vol.Schema({vol.Optional("wait", default=False): boolean}, extra=vol.REMOVE_EXTRA)
_ROWS = (
    "SELECT t.* FROM trickplay t JOIN media_sources s ON s.id = t.source_id WHERE s.item_id = ? AND s.status = 'ok' "
    "AND t.source_size = s.size AND t.source_mtime_ns = s.mtime_ns"
)
_ORDER = " ORDER BY s.version_label, s.path, t.width"


def _caller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None
    return principal


def _number(text: str, what: str) -> int:
    if not _DIGITS.match(text):
        raise BadRequest(f"The {what} must be a whole number, 0 or more (got '{text[:20]}')")
    return int(text)


class TrickplayRoutes:
    def __init__(self, scope: IntegrationScope, service: TrickplayService) -> None:
        self.scope = scope
        self.service = service
        self.widths = service.settings.widths

    def register(self) -> None:
        http = self.scope.http
        http.register_route("/api/v1/items/{item_id}/trickplay", self.manifest, methods=["GET"])
        http.register_route(
            "/api/v1/items/{item_id}/trickplay", self.regenerate, methods=["POST"], permission="manage_libraries"
        )
        # Players fetch sheets like images, without headers: the token may come in the query string.
        http.register_route(
            "/api/v1/items/{item_id}/trickplay/{width}/{index}.jpg", self.sheet, methods=["GET"], token_in_query=True
        )

    async def _item(self, request: Request) -> Row:
        item_id = request.path_params["item_id"]
        item = await get_item(self.scope.db, item_id)
        if item is None or not may_see(_caller(request), item):
            raise NotFound(f"No item '{item_id}'")
        return item

    async def manifest(self, request: Request) -> Response:
        """{source_id: {width: {width, height, interval_ms, tiles_x, tiles_y, thumbnail_count, sheet_count,
        url_template}}} for the sheets that are ready; {} while none are."""
        item = await self._item(request)
        body: dict[str, dict[str, dict[str, Any]]] = {}
        for row in await self.scope.db.fetch_all(_ROWS + _ORDER, (item["id"],)):
            if row["width"] not in self.widths:
                continue
            url = (
                f"/api/v1/items/{quote(item['id'], safe='')}/trickplay/{row['width']}/{{index}}.jpg"
                f"?source_id={quote(row['source_id'], safe='')}"
            )
            body.setdefault(row["source_id"], {})[str(row["width"])] = {
                **{key: row[key] for key in ("width", "height", "interval_ms", "tiles_x", "tiles_y")},
                "thumbnail_count": row["thumbnail_count"],
                "sheet_count": row["sheet_count"],
                "url_template": url,
            }
        return FastJSONResponse(body)

    async def sheet(self, request: Request) -> Response:
        item = await self._item(request)
        width = _number(request.path_params["width"], "width")
        index = _number(request.path_params["index"], "sheet index")
        if width not in self.widths:
            raise NotFound(f"No trickplay at width {width}; widths: {', '.join(map(str, self.widths))}")
        source_id = query_params(request, SHEET_PARAMS).get("source_id")
        source = " AND t.source_id = ?" if source_id else ""
        row = await self.scope.db.fetch_one(
            f"{_ROWS} AND t.width = ?{source}{_ORDER} LIMIT 1", [item["id"], width, *([source_id] if source_id else [])]
        )
        if row is None:
            whose = f"media source '{source_id}' of this item" if source_id else "this item"
            raise NotFound(f"No trickplay at width {width} for {whose} (yet)")
        if index >= row["sheet_count"]:
            raise NotFound(f"No sheet {index}: there are {row['sheet_count']} (0 to {row['sheet_count'] - 1})")
        etag = f'"{row["source_id"]}-{width}-{index}-{int(row["created_at"] * 1000)}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        path = self.service.folder(row["source_id"]) / str(width) / sheet_name(index)
        if not path.is_file():  # removed behind our back: make it again
            self.service.queue([row["source_id"]])
            raise NotFound("The sheet's file is missing; it is being made again")
        return FileResponse(path, media_type="image/jpeg", headers=headers)

    async def regenerate(self, request: Request) -> Response:
        """Make the item's sheets again. `?wait=true` answers when done, with each source's outcome; otherwise
        202 at once, and `trickplay.ready` / `trickplay.skipped` events follow."""
        item = await self._item(request)
        params = query_params(request, REGENERATE_PARAMS)
        sources = await self.scope.db.fetch_all(
            "SELECT id FROM media_sources WHERE item_id = ? AND status = 'ok' ORDER BY version_label, path",
            (item["id"],),
        )
        if not sources:
            raise BadRequest(f"Item '{item['id']}' has no media files")
        ids = [source["id"] for source in sources]
        if not params["wait"]:
            self.service.queue(ids)
            return FastJSONResponse({"item_id": item["id"], "queued": ids}, status_code=202)
        outcomes = [await self.service.generate(source_id, force=True) for source_id in ids]
        return FastJSONResponse({"item_id": item["id"], "results": [outcome.as_dict() for outcome in outcomes]})
