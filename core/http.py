"""The HTTP bus: one ASGI application whose routes and middleware integrations add and remove at runtime.

Integrations never touch Starlette globals: they call `hub.http.register_*` (through their scope, which
records ownership so that unloading removes everything they added). The app stays pure ASGI, so any ASGI
server can run it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from core.access import Guard, GuardedApp, GuardHolder, RouteAccess, guard_endpoint, guard_websocket
from core.http_context import RequestContextMiddleware, request_id_of
from core.request_data import BadRequest, NotFound
from core.responses import error_response
from core.routing import SegmentRouter

_LOGGER = logging.getLogger(__name__)

Endpoint = Callable[..., Any]
LifespanHook = Callable[[], Awaitable[None]]


@dataclass(order=True, slots=True)
class _MiddlewareEntry:
    priority: int
    owner: str = field(compare=False)
    factory: Callable[..., ASGIApp] = field(compare=False)
    options: dict[str, Any] = field(compare=False, default_factory=dict)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(exc.status_code, message, request_id=request_id_of(request.scope), headers=exc.headers)


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return error_response(400, exc.message, request_id=request_id_of(request.scope), problems=exc.problems)


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return error_response(404, exc.message, request_id=request_id_of(request.scope))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "Internal server error", request_id=request_id_of(request.scope))


class HttpBus:
    """The ASGI app. Lifespan startup/shutdown run the hooks the runner installs (hub start and stop)."""

    def __init__(
        self, *, trusted_proxies: Sequence[str] = (), access_log: bool = True, max_body_bytes: int = 1 << 20
    ) -> None:
        self._app = Starlette(
            exception_handlers={
                HTTPException: _http_error,
                BadRequest: _bad_request,
                NotFound: _not_found,
                Exception: _server_error,
            }
        )
        self._router = self._app.router = SegmentRouter()
        self._routes: dict[str, list[BaseRoute]] = {}
        self._middleware: list[_MiddlewareEntry] = []
        self._context_options = {
            "trusted_proxies": list(trusted_proxies),
            "access_log": access_log,
            "max_body_bytes": max_body_bytes,
        }
        self._stack: ASGIApp | None = None
        self._access: dict[int, RouteAccess] = {}  # by id(route): Starlette routes are unhashable
        self._guard = GuardHolder()
        self.on_startup: list[LifespanHook] = []
        self.on_shutdown: list[LifespanHook] = []

    # -- registration (normally through an IntegrationScope) --------------------------------------------

    def register_route(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        owner: str,
        methods: Sequence[str] | None = None,
        name: str | None = None,
        public: bool = False,
        permission: str | None = None,
        token_in_query: bool = False,
    ) -> BaseRoute:
        """A route that the installed guard checks first, unless `public` (the short list without credentials)."""
        access = RouteAccess(public, permission, token_in_query, owner)
        route = Route(path, guard_endpoint(endpoint, access, self._guard), methods=list(methods) if methods else None,
                      name=name)  # fmt: skip
        return self._add(owner, route, access)

    def register_websocket(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        owner: str,
        name: str | None = None,
        public: bool = False,
        permission: str | None = None,
        token_in_query: bool = True,  # browsers can't set headers on WebSocket connections
    ) -> BaseRoute:
        access = RouteAccess(public, permission, token_in_query, owner)
        return self._add(owner, WebSocketRoute(path, guard_websocket(endpoint, access, self._guard), name=name), access)

    def register_static(
        self, path: str, directory: Path, *, owner: str, html: bool = False, public: bool = False
    ) -> BaseRoute:
        return self.register_mount(path, StaticFiles(directory=directory, html=html), owner=owner, public=public)

    def register_mount(
        self, path: str, app: ASGIApp, *, owner: str, public: bool = False, permission: str | None = None
    ) -> BaseRoute:
        access = RouteAccess(public, permission, False, owner)
        return self._add(owner, Mount(path, app=GuardedApp(app, access, self._guard)), access)

    @property
    def guard(self) -> Guard | None:
        return self._guard.guard

    @guard.setter
    def guard(self, guard: Guard | None) -> None:
        self._guard.guard = guard

    def access_of(self, route: BaseRoute) -> RouteAccess:
        return self._access[id(route)]

    def all_routes(self) -> list[tuple[BaseRoute, RouteAccess]]:
        return [(route, self._access[id(route)]) for routes in self._routes.values() for route in routes]

    def register_middleware(
        self, factory: Callable[..., ASGIApp], *, owner: str, priority: int = 100, **options: Any
    ) -> None:
        """Wrap the app with `factory(app, **options)`. Lower priority runs closer to the network."""
        self._middleware.append(_MiddlewareEntry(priority, owner, factory, options))
        self._middleware.sort()
        self._stack = None

    def remove_owner(self, owner: str) -> None:
        """Drop every route and middleware an integration registered."""
        for route in self._routes.pop(owner, []):
            self._access.pop(id(route), None)
            if route in self._router.routes:
                self._router.routes.remove(route)
        self._router.invalidate()
        before = len(self._middleware)
        self._middleware = [m for m in self._middleware if m.owner != owner]
        if len(self._middleware) != before:
            self._stack = None

    def _add(self, owner: str, route: BaseRoute, access: RouteAccess) -> BaseRoute:
        path = getattr(route, "path", "")
        for other_owner, routes in self._routes.items():
            if any(getattr(r, "path", None) == path and _same_methods(r, route) for r in routes):
                _LOGGER.warning("Route %s from '%s' is already registered by '%s'", path, owner, other_owner)
        self._routes.setdefault(owner, []).append(route)
        self._access[id(route)] = access
        self._router.routes.append(route)
        self._router.invalidate()
        return route

    # -- ASGI ------------------------------------------------------------------------------------------

    def _build(self) -> ASGIApp:
        app: ASGIApp = self._app
        for entry in reversed(self._middleware):
            app = entry.factory(app, **entry.options)
        return RequestContextMiddleware(app, **self._context_options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if self._stack is None:
            self._stack = self._build()
        await self._stack(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    for hook in self.on_startup:
                        await hook()
                except Exception as err:
                    _LOGGER.exception("Startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(err)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    for hook in self.on_shutdown:
                        await hook()
                except Exception as err:
                    _LOGGER.exception("Shutdown failed")
                    await send({"type": "lifespan.shutdown.failed", "message": str(err)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def _same_methods(a: BaseRoute, b: BaseRoute) -> bool:
    methods_a, methods_b = getattr(a, "methods", None), getattr(b, "methods", None)
    return methods_a is None or methods_b is None or bool(methods_a & methods_b)
