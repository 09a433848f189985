"""Trickplay (seek previews) as Jellyfin serves it: the `Trickplay` manifest of BaseItemDto, an HLS image playlist
per width (`/Videos/{id}/Trickplay/{width}/tiles.m3u8`) and the sheets themselves (`.../{index}.jpg`).

The sheets are the trickplay integration's: its `trickplay` rows say what is ready (a row counts only while it
matches its media source's file: same size and mtime), and its files lie at
`<data_dir>/trickplay/<source_id>/<width>/sheet_<n>.jpg`. Jellyfin keys manifests by media source id, as we do.
Without the trickplay integration loaded, manifests are empty and the routes answer 404.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from integrations.auth.credentials import token_of
from integrations.jellyfin.protocol import JellyfinError, Query, normalize_id
from integrations.jellyfin.server import JellyfinServer
from integrations.library.queries import get_item
from integrations.library.ratings import may_see
from plugin_sdk.reads import BatchRead

DOMAIN = "trickplay"
_DIGITS = frozenset("0123456789")
_ROWS = (
    "SELECT s.item_id, t.source_id, t.width, t.height, t.interval_ms, t.tiles_x, t.tiles_y, t.thumbnail_count, "
    "t.sheet_count, t.created_at FROM trickplay t JOIN media_sources s ON s.id = t.source_id "
    "WHERE s.status = 'ok' AND t.source_size = s.size AND t.source_mtime_ns = s.mtime_ns"
)
_ORDER = " ORDER BY s.version_label, s.path, t.width"
PLAYLIST_TYPE = "application/x-mpegURL"
CACHE_CONTROL = "private, max-age=3600"
_CHUNK = 500


def sheet_path(root: Path, source_id: str, width: int, index: int) -> Path:
    return root / source_id / str(width) / f"sheet_{index}.jpg"


def _decimal(value: float) -> str:
    """.NET's `{0:0.###}`: up to three decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def hls_playlist(row: dict[str, Any], token: str) -> str:
    """The image playlist Jellyfin's TrickplayManager.GetHlsPlaylist writes, one segment per sheet."""
    per_sheet = row["tiles_x"] * row["tiles_y"]
    seconds = row["interval_ms"] / 1000
    count = row["thumbnail_count"]
    sheets = math.ceil(count / per_sheet)
    durations = [seconds * min(per_sheet, count - n * per_sheet) for n in range(sheets)]
    lines = [
        "#EXTM3U",
        f"#EXT-X-TARGETDURATION:{math.ceil(max(durations))}",  # HLS: at least the longest segment
        "#EXT-X-VERSION:7",
        "#EXT-X-MEDIA-SEQUENCE:1",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-IMAGES-ONLY",
    ]
    query = f"MediaSourceId={quote(row['source_id'], safe='')}&api_key={quote(token, safe='')}"
    for index, duration in enumerate(durations):
        lines += [
            f"#EXTINF:{_decimal(duration)},",
            f"#EXT-X-TILES:RESOLUTION={row['width']}x{row['height']},LAYOUT={row['tiles_x']}x{row['tiles_y']},"
            f"DURATION={_decimal(seconds)}",
            f"{index}.jpg?{query}",
        ]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _bandwidth(root: Path, row: dict[str, Any]) -> int:
    """Jellyfin's figure: the largest sheet's bits per thumbnail-second of one tile."""
    best = 0
    tiles = row["tiles_x"] * row["tiles_y"] * (row["interval_ms"] / 1000)
    for index in range(row["sheet_count"]):
        try:
            size = os.stat(sheet_path(root, row["source_id"], row["width"], index)).st_size
        except OSError:
            continue
        best = max(best, math.ceil(size * 8 / tiles))
    return best


def _concatenated(answers: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [row for rows in answers for row in rows]


class TrickplayStore:
    """Reads the trickplay integration's rows and files for the Jellyfin surface."""

    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self._bandwidths: dict[tuple[str, int, float], int] = {}  # (source, width, created_at): sheets never change

    @property
    def root(self) -> Path:
        return self.server.scope.root.data_dir / DOMAIN

    def available(self) -> bool:
        return DOMAIN in self.server.scope.root.integrations.loaded()

    def rows_read(self, item_ids: Sequence[str]) -> BatchRead | None:
        """The manifest rows of these items' current sheets, as a read for the caller's batch (None for no
        items). It only builds queries, so a chained read may call it on a database thread; whether trickplay
        is loaded (`available`) is the caller's to ask first."""
        if not item_ids:
            return None
        chunks = (list(item_ids[start : start + _CHUNK]) for start in range(0, len(item_ids), _CHUNK))
        queries = [(f"{_ROWS} AND s.item_id IN ({', '.join('?' * len(chunk))}){_ORDER}", chunk) for chunk in chunks]
        return BatchRead(queries, _concatenated)

    async def rows(self, item_ids: Sequence[str]) -> list[dict[str, Any]]:
        read = self.rows_read(item_ids) if self.available() else None
        return await read.run(self.server.db) if read else []

    async def manifests(self, item_ids: Sequence[str]) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
        """{item_id: {media_source_id: {width: TrickplayInfoDto}}} for the items that have sheets ready."""
        return await self.manifests_of(await self.rows(item_ids))

    async def manifests_of(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
        """`manifests` from rows already read (`rows_read`)."""
        missing = [r for r in rows if (r["source_id"], r["width"], r["created_at"]) not in self._bandwidths]
        if missing:
            root = self.root
            figures = await self.server.scope.run_in_executor(lambda: [_bandwidth(root, r) for r in missing])
            for row, figure in zip(missing, figures, strict=True):
                self._bandwidths[row["source_id"], row["width"], row["created_at"]] = figure
        out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for row in rows:
            out.setdefault(row["item_id"], {}).setdefault(row["source_id"], {})[str(row["width"])] = {
                "Width": row["width"],
                "Height": row["height"],
                "TileWidth": row["tiles_x"],
                "TileHeight": row["tiles_y"],
                "ThumbnailCount": row["thumbnail_count"],
                "Interval": row["interval_ms"],
                "Bandwidth": self._bandwidths[row["source_id"], row["width"], row["created_at"]],
            }
        return out


class TrickplayRoutes:
    def __init__(self, server: JellyfinServer, store: TrickplayStore) -> None:
        self.server = server
        self.store = store

    def register(self) -> None:
        media = {"token_in_query": True}
        self.server.route("/Videos/{itemId}/Trickplay/{width}/tiles.m3u8", self.playlist, **media)
        self.server.route("/Videos/{itemId}/Trickplay/{width}/{index}.jpg", self.sheet, **media)

    async def _row(self, request: Request) -> tuple[dict[str, Any], Query]:
        """The trickplay row the request names: a visible item, a width it has, the media source asked for."""
        principal = self.server.caller(request)
        query = Query(request)
        item = await get_item(self.server.db, normalize_id(request.path_params["itemId"], "item id"))
        if item is None or not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        width = _number(request.path_params["width"], "width")
        wanted = query.text("MediaSourceId")
        source_id = normalize_id(wanted, "MediaSourceId") if wanted else None
        for row in await self.store.rows([item["id"]]):
            if row["width"] == width and (source_id is None or row["source_id"] == source_id):
                return row, query
        raise JellyfinError(404, "No trickplay images at this width")

    async def playlist(self, request: Request) -> Response:
        row, _ = await self._row(request)
        token = token_of(request, allow_query=True) or ""
        return Response(hls_playlist(row, token), media_type=PLAYLIST_TYPE, headers={"Cache-Control": "no-store"})

    async def sheet(self, request: Request) -> Response:
        row, _ = await self._row(request)
        index = _number(request.path_params["index"], "index")
        if index >= row["sheet_count"]:
            raise JellyfinError(404, "Trickplay tile not found")
        path = sheet_path(self.store.root, row["source_id"], row["width"], index)
        etag = f'"{row["source_id"]}-{row["width"]}-{index}-{int(row["created_at"] * 1000)}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        if not path.is_file():
            raise JellyfinError(404, "Trickplay tile not found")
        return FileResponse(path, media_type="image/jpeg", headers=headers)


def _number(text: str, what: str) -> int:
    if not text or len(text) > 9 or not set(text) <= _DIGITS:
        raise JellyfinError(400, f"Invalid {what}")
    return int(text)
