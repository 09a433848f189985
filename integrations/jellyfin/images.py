"""Artwork: /Items/{id}/Images/{type}[/{index}] resized through the library's renderer and its disk cache.

Registered with token_in_query: Jellyfin clients load images with plain <img> tags. A client that sends no
token at all (jellyfin-web does so for most images) is refused: Marquee never serves artwork anonymously.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from integrations.jellyfin.protocol import JellyfinError, Query, normalize_id
from integrations.jellyfin.server import JellyfinServer
from integrations.library.images import FORMATS, ImageUnreadable, cache_name, render
from integrations.library.queries import get_item, image_path
from integrations.library.ratings import may_see

IMAGE_TYPES = {t.lower(): t for t in ("Primary", "Backdrop", "Logo", "Thumb", "Banner", "Art", "Disc", "Box", "Menu")}
MAX_SIZE = 4096


class ImageRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self.cache = server.scope.root.data_dir / "library" / "image-cache"

    def register(self) -> None:
        for path in ("/Items/{itemId}/Images/{imageType}", "/Items/{itemId}/Images/{imageType}/{imageIndex}"):
            self.server.route(path, self.image, methods=["GET", "HEAD"], token_in_query=True)
        self.server.route(
            "/Users/{userId}/Images/{imageType}", self.user_image, methods=["GET", "HEAD"], token_in_query=True
        )

    async def image(self, request: Request) -> Response:
        principal = self.server.caller(request)
        query = Query(request)
        item = await get_item(self.server.db, normalize_id(request.path_params["itemId"], "item id"))
        if item is None or not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        image_type = IMAGE_TYPES.get(request.path_params["imageType"].lower())
        if image_type is None:
            raise JellyfinError(400, "Unknown image type")
        raw_index = request.path_params.get("imageIndex") or query.text("imageIndex") or "0"
        if not raw_index.isdigit() or int(raw_index) > 100:
            raise JellyfinError(400, "Invalid image index")
        row = await image_path(self.server.db, item["id"], image_type, int(raw_index))
        if row is None:
            raise JellyfinError(404, "Image not found")
        width = query.integer("width", None, 1, MAX_SIZE) or query.integer("fillWidth", None, 1, MAX_SIZE)
        width = width or query.integer("maxWidth", None, 1, MAX_SIZE)
        height = query.integer("height", None, 1, MAX_SIZE) or query.integer("fillHeight", None, 1, MAX_SIZE)
        height = height or query.integer("maxHeight", None, 1, MAX_SIZE)
        quality = query.integer("quality", 90, 1, 100) or 90
        fmt = {"png": "png", "webp": "webp"}.get((query.text("format") or "jpg").lower(), "jpg")
        name = cache_name(row["tag"], width, height, quality, fmt)
        headers = {"ETag": f'"{name}"', "Cache-Control": "private, max-age=31536000, immutable"}
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        try:
            path = await self.server.scope.run_in_executor(
                render, Path(row["path"]), self.cache / name, width, height, quality, fmt
            )
        except ImageUnreadable:
            raise JellyfinError(404, "Image file can't be read") from None
        return FileResponse(path, media_type=FORMATS[fmt][1], headers=headers)

    async def user_image(self, request: Request) -> Response:
        principal = self.server.caller(request)
        user_id = normalize_id(request.path_params["userId"], "userId")
        if user_id != principal.user_id and not principal.is_admin:
            raise JellyfinError(403, "Access denied to another user")
        user = await self.server.auth.users.get(user_id)
        if user is None or not user["image_path"] or request.path_params["imageType"].lower() != "primary":
            raise JellyfinError(404, "Image not found")
        return FileResponse(user["image_path"], headers={"Cache-Control": "private, max-age=3600"})
