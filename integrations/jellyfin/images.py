"""Artwork: /Items/{id}/Images/{type}[/{index}] resized through the library's renderer and its disk cache, and
/Users/{id}/Images/Primary.

jellyfin-web loads images with plain <img> tags and sends no token, so these routes are public and check the
caller themselves (they are on the public list for that reason, and nothing else there serves media):

- a request with no token at all is served only when its `tag` query parameter is a valid capability for
  exactly that image (artwork.py: a signed tag, handed out only in DTOs built for users allowed to see the item)
  and names the image as it is now; anything else is refused with 401, as a guarded route would;
- a request that carries a token goes through the installed auth guard exactly as a guarded route with
  token_in_query does, then through the usual access checks (libraries, parental rating, own user).

A tag names one content version, so those responses may be cached for good (their ETag says the same).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.access import RouteAccess
from core.responses import error_response
from integrations.auth.credentials import token_of
from integrations.jellyfin.protocol import JellyfinError, Query, normalize_id
from integrations.jellyfin.server import DOMAIN, JellyfinServer
from integrations.library.catalog import image_tag
from integrations.library.images import FORMATS, ImageUnreadable, cache_name, render
from integrations.library.queries import get_item, image_path
from integrations.library.ratings import may_see

IMAGE_TYPES = {t.lower(): t for t in ("Primary", "Backdrop", "Logo", "Thumb", "Banner", "Art", "Disc", "Box", "Menu")}
MAX_SIZE = 4096
# What the guard is told when a token is present: what these routes were registered with before they checked
# anonymous callers themselves.
_WITH_TOKEN = RouteAccess(token_in_query=True, owner=DOMAIN)


class ImageRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self.signer = server.image_signer
        self.cache = server.scope.root.data_dir / "library" / "image-cache"

    def register(self) -> None:
        for path in ("/Items/{itemId}/Images/{imageType}", "/Items/{itemId}/Images/{imageType}/{imageIndex}"):
            self.server.route(path, self.image, methods=["GET", "HEAD"], public=True)
        self.server.route("/Users/{userId}/Images/{imageType}", self.user_image, methods=["GET", "HEAD"], public=True)

    async def _guard(self, request: Request) -> Response | None:
        """The installed auth guard, as the core runs it before a guarded route; None lets the request on."""
        if token_of(request, allow_query=True) is None:
            return error_response(401, "Authentication required", headers={"WWW-Authenticate": "Bearer"})
        guard = self.server.scope.root.http.guard
        if guard is None:  # no auth integration: fail closed, as the core does
            return error_response(503, "No authentication integration is loaded; only public routes answer")
        return await guard(request, _WITH_TOKEN)

    async def image(self, request: Request) -> Response:
        query = Query(request)
        item_id = normalize_id(request.path_params["itemId"], "item id")
        image_type = IMAGE_TYPES.get(request.path_params["imageType"].lower())
        raw_index = request.path_params.get("imageIndex") or query.text("imageIndex") or "0"
        index = int(raw_index) if raw_index.isdigit() and int(raw_index) <= 100 else None
        tag = query.text("tag") or ""
        anonymous = token_of(request, allow_query=True) is None
        content = None
        if anonymous and image_type is not None and index is not None:
            content = self.signer.verify(item_id, image_type, index, tag)
        if content is None:  # no capability: the caller must sign in, as for any guarded route
            denial = await self._guard(request)
            if denial is not None:
                return denial
            item = await get_item(self.server.db, item_id)
            if item is None or not may_see(self.server.caller(request), item):
                raise JellyfinError(404, "Item not found")
        if image_type is None:
            raise JellyfinError(400, "Unknown image type")
        if index is None:
            raise JellyfinError(400, "Invalid image index")
        row = await image_path(self.server.db, item_id, image_type, index)
        if content is not None and (row is None or row["tag"] != content):
            # Signed for an image that has since changed or gone: the capability was for that version only.
            return error_response(401, "Authentication required", headers={"WWW-Authenticate": "Bearer"})
        if row is None:
            raise JellyfinError(404, "Image not found")
        return await self._render(request, query, row)

    async def _render(self, request: Request, query: Query, row: Any) -> Response:
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
        user_id = normalize_id(request.path_params["userId"], "userId")
        primary = request.path_params["imageType"].lower() == "primary"
        content = None
        if token_of(request, allow_query=True) is None and primary:
            content = self.signer.verify(user_id, "Primary", 0, Query(request).text("tag") or "", owner="user")
        if content is None:
            denial = await self._guard(request)
            if denial is not None:
                return denial
            principal = self.server.caller(request)
            if user_id != principal.user_id and not principal.is_admin:
                raise JellyfinError(403, "Access denied to another user")
        user = await self.server.auth.users.get(user_id)
        image = user["image_path"] if user is not None and primary else None
        if content is not None and (not image or image_tag(image) != content):
            return error_response(401, "Authentication required", headers={"WWW-Authenticate": "Bearer"})
        if not image:
            raise JellyfinError(404, "Image not found")
        return FileResponse(image, headers={"Cache-Control": "private, max-age=3600"})
