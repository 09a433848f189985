"""The native library API under /api/v1: libraries, items, children, metadata, images, search."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import voluptuous as vol
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.config.validation import validate_section
from core.responses import FastJSONResponse, error_response
from core.scope import IntegrationScope
from integrations.library.const import EVENT_LIBRARY_CHANGED, EVENT_METADATA_UPDATED
from integrations.library.images import FORMATS, ImageUnreadable, cache_name, render
from integrations.library.libraries import LibraryNotFound, LibraryStore
from integrations.library.metadata_edit import apply_edit, read_metadata
from integrations.library.models import LIBRARY_SCHEMA, Library
from integrations.library.params import (
    IMAGE_PARAMS,
    LIST_PARAMS,
    METADATA_EDIT,
    BadRequest,
    boolean,
    json_body,
    query_params,
)
from integrations.library.queries import ItemQuery, get_item, image_path, item_details, list_items
from integrations.library.ratings import may_see
from integrations.library.scanner import Scanner
from plugin_sdk.auth import principal_of

Handler = Callable[[Request], Awaitable[Response]]

_ANY_OBJECT = vol.Schema(dict, extra=vol.ALLOW_EXTRA)
_SCAN_PARAMS = vol.Schema(
    {vol.Optional("full", default=False): boolean, vol.Optional("wait", default=False): boolean},
    extra=vol.REMOVE_EXTRA,
)


class ItemNotFound(LookupError):
    pass


def _guard(handler: Handler) -> Handler:
    """Bad input becomes a 400 with the reasons; unknown ids a 404."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except BadRequest as err:
            return error_response(400, str(err), problems=err.problems)
        except LibraryNotFound as err:
            return error_response(404, f"No library '{err.args[0]}'")
        except ItemNotFound as err:
            return error_response(404, f"No item '{err.args[0]}'")

    return guarded


USER_FILTERS = ("played", "favorite", "resumable")


def _user_filters(scope: IntegrationScope, values: dict[str, Any], principal: Any) -> list[tuple[str, list[Any]]]:
    """Filters on per-user state (played, favorites) come from whichever integration keeps that state."""
    filters = []
    for name in USER_FILTERS:
        if name not in values:
            continue
        if principal is None:
            raise BadRequest(f"Filter '{name}' needs a signed-in user")
        found = scope.root.hooks.hook.item_query_filter(name=name, value=values[name], user_id=principal.user_id)
        if found is None:
            raise BadRequest(f"Filter '{name}' needs an integration that keeps playback state (playstate)")
        filters.append(found)
    return filters


def _item_query(values: dict[str, Any], **fixed: Any) -> ItemQuery:
    search = values.get("q")
    return ItemQuery(
        types=values.get("type", []),
        genres=values.get("genre", []),
        year_min=values.get("year_min"),
        year_max=values.get("year_max"),
        rating_min=values.get("rating_min"),
        search=search,
        sort=values.get("sort") or ("relevance" if search else "name"),
        descending=values["order"] == "desc",
        limit=values["limit"],
        offset=values["offset"],
        facets=values["facets"],
        **fixed,
    )


class LibraryApi:
    def __init__(self, scope: IntegrationScope, store: LibraryStore, scanner: Scanner) -> None:
        self.scope = scope
        self.store = store
        self.scanner = scanner
        self.image_cache = scope.data_dir / "image-cache"

    def register(self) -> None:
        http = self.scope.http
        manage, edit = {"permission": "manage_libraries"}, {"permission": "edit_metadata"}
        for path, handler, methods, access in (
            ("/api/v1/libraries", self.list_libraries, ["GET"], {}),
            ("/api/v1/libraries", self.create_library, ["POST"], manage),
            ("/api/v1/libraries/{library_id}", self.get_library, ["GET"], {}),
            ("/api/v1/libraries/{library_id}", self.update_library, ["PUT"], manage),
            ("/api/v1/libraries/{library_id}", self.delete_library, ["DELETE"], manage),
            ("/api/v1/libraries/{library_id}/scan", self.scan_library, ["POST"], manage),
            ("/api/v1/libraries/{library_id}/items", self.library_items, ["GET"], {}),
            ("/api/v1/items/{item_id}", self.get_item, ["GET"], {}),
            ("/api/v1/items/{item_id}/children", self.children, ["GET"], {}),
            ("/api/v1/items/{item_id}/metadata", self.get_metadata, ["GET"], edit),
            ("/api/v1/items/{item_id}/metadata", self.put_metadata, ["PUT"], edit),
            # <img> tags can't send headers: images accept the token in the query string, like media URLs.
            ("/api/v1/items/{item_id}/images/{image_type}", self.image, ["GET"], {"token_in_query": True}),
            ("/api/v1/search", self.search, ["GET"], {}),
        ):
            http.register_route(path, _guard(handler), methods=methods, **access)

    # -- libraries -------------------------------------------------------------------------------------

    async def _library(self, request: Request) -> Library:
        library = await self.store.get(request.path_params["library_id"])
        principal = principal_of(request)
        if principal is not None and not principal.may_see_library(library.id):
            raise LibraryNotFound(library.id)  # 404, not 403: no existence leak
        return library

    async def list_libraries(self, request: Request) -> Response:
        principal = principal_of(request)
        libraries = [lib for lib in await self.store.list() if principal is None or principal.may_see_library(lib.id)]
        return FastJSONResponse([library.as_dict() for library in libraries])

    async def _library_spec(self, request: Request) -> dict[str, Any]:
        body = await json_body(request, _ANY_OBJECT)
        spec, issues = validate_section(LIBRARY_SCHEMA, body, domain=None, root=body, prefix=[])
        if issues:
            raise BadRequest("Invalid library", [issue.message for issue in issues])
        return spec

    async def create_library(self, request: Request) -> Response:
        spec = await self._library_spec(request)
        if await self.store.find_by_name(spec["name"]):
            return error_response(409, f"A library named '{spec['name']}' already exists")
        library = await self.store.create(spec)
        self.scope.bus.fire(EVENT_LIBRARY_CHANGED, {"library_id": library.id, "action": "created"})
        return FastJSONResponse(library.as_dict(), status_code=201)

    async def get_library(self, request: Request) -> Response:
        return FastJSONResponse((await self._library(request)).as_dict())

    async def update_library(self, request: Request) -> Response:
        library = await self.store.get(request.path_params["library_id"])
        if library.source == "yaml":
            return error_response(409, f"Library '{library.name}' is defined in configuration.yaml; edit it there")
        library = await self.store.update(library.id, await self._library_spec(request))
        self.scope.bus.fire(EVENT_LIBRARY_CHANGED, {"library_id": library.id, "action": "updated"})
        return FastJSONResponse(library.as_dict())

    async def delete_library(self, request: Request) -> Response:
        library = await self.store.get(request.path_params["library_id"])
        if library.source == "yaml":
            return error_response(409, f"Library '{library.name}' is defined in configuration.yaml; remove it there")
        if self.scanner.is_running(library.id):
            return error_response(409, f"Library '{library.name}' is being scanned; try again when it finishes")
        await self.store.delete(library.id)
        self.scope.bus.fire(EVENT_LIBRARY_CHANGED, {"library_id": library.id, "action": "deleted"})
        return Response(status_code=204)

    async def scan_library(self, request: Request) -> Response:
        library = await self._library(request)
        options = query_params(request, _SCAN_PARAMS)
        task = self.scanner.start(library, full=options["full"])
        if options["wait"]:
            return FastJSONResponse((await asyncio.shield(task)).as_dict())
        return FastJSONResponse({"status": "scanning", "library_id": library.id}, status_code=202)

    async def library_items(self, request: Request) -> Response:
        library = await self._library(request)
        values = query_params(request, LIST_PARAMS)
        principal = principal_of(request)
        query = _item_query(
            values,
            library_id=library.id,
            top_level=not values["recursive"],
            access=principal,
            extra=_user_filters(self.scope, values, principal),
        )
        return FastJSONResponse((await list_items(self.scope.db, query)).as_dict())

    # -- items -----------------------------------------------------------------------------------------

    async def _item(self, request: Request) -> dict[str, Any]:
        item = await get_item(self.scope.db, request.path_params["item_id"])
        if item is None or not may_see(principal_of(request), item):
            raise ItemNotFound(request.path_params["item_id"])
        return item

    async def get_item(self, request: Request) -> Response:
        item = await self._item(request)
        details = await item_details(self.scope.db, item)
        principal = principal_of(request)
        if principal is not None:
            found = await self.scope.hooks.call_first(
                "item_user_data", user_id=principal.user_id, item_ids=[item["id"]]
            )
            if found:
                details["user_data"] = found.get(item["id"])
        return FastJSONResponse(details)

    async def children(self, request: Request) -> Response:
        item = await self._item(request)
        values = query_params(request, LIST_PARAMS)
        values.setdefault("sort", "name")
        principal = principal_of(request)
        query = _item_query(
            values, parent_id=item["id"], access=principal, extra=_user_filters(self.scope, values, principal)
        )
        return FastJSONResponse((await list_items(self.scope.db, query)).as_dict())

    async def get_metadata(self, request: Request) -> Response:
        item = await self._item(request)
        return FastJSONResponse(await read_metadata(self.scope.db, item))

    async def put_metadata(self, request: Request) -> Response:
        item = await self._item(request)
        edit = await json_body(request, METADATA_EDIT)
        fields = sorted(k for k in edit if k != "unlock")
        await apply_edit(self.scope.db, item, edit)
        self.scope.bus.fire(
            EVENT_METADATA_UPDATED,
            {"item_id": item["id"], "library_id": item["library_id"], "fields": fields, "source": "user"},
        )
        return FastJSONResponse(await read_metadata(self.scope.db, await get_item(self.scope.db, item["id"]) or item))

    async def image(self, request: Request) -> Response:
        item = await self._item(request)
        options = query_params(request, IMAGE_PARAMS)
        image_type = request.path_params["image_type"]
        row = await image_path(self.scope.db, item["id"], image_type, options["index"])
        if row is None:
            return error_response(404, f"Item has no {image_type} image #{options['index']}")
        width, height, quality, fmt = options.get("width"), options.get("height"), options["quality"], options["format"]
        etag = f'"{cache_name(row["tag"], width, height, quality, fmt)}"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        target = self.image_cache / cache_name(row["tag"], width, height, quality, fmt)
        try:
            path = await self.scope.run_in_executor(render, Path(row["path"]), target, width, height, quality, fmt)
        except ImageUnreadable as err:
            return error_response(404, f"Image file can't be read: {err}")
        return FileResponse(path, media_type=FORMATS[fmt][1], headers=headers)

    async def search(self, request: Request) -> Response:
        values = query_params(request, LIST_PARAMS)
        if not values.get("q"):
            raise BadRequest("Missing query parameter 'q'")
        principal = principal_of(request)
        query = _item_query(
            values,
            library_id=values.get("library_id"),
            access=principal,
            extra=_user_filters(self.scope, values, principal),
        )
        return FastJSONResponse((await list_items(self.scope.db, query)).as_dict())
