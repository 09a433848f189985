"""Access control hooks of the HTTP bus. The core knows *that* a route needs checking, not *how*.

Every route, WebSocket and mount is registered with a RouteAccess. An auth integration installs the guard
(`hub.http.guard = ...`); the bus calls it before every non-public endpoint. With no guard installed,
non-public routes answer 503: a server whose authentication is missing fails closed, never open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from core.responses import error_response


@dataclass(frozen=True, slots=True)
class RouteAccess:
    public: bool = False  # on the short list that needs no credentials
    permission: str | None = None  # a named permission the caller must hold
    token_in_query: bool = False  # players fetch these URLs without headers: accept ?api_key=
    owner: str = ""


# Returns None to let the request through, or the response that refuses it.
Guard = Callable[[HTTPConnection, RouteAccess], Awaitable[Response | None]]


class GuardHolder:
    """Where the bus keeps the installed guard, read at call time so installing it later still applies."""

    def __init__(self) -> None:
        self.guard: Guard | None = None

    async def check(self, connection: HTTPConnection, access: RouteAccess) -> Response | None:
        if access.public:
            return None
        if self.guard is None:
            return error_response(503, "No authentication integration is loaded; only public routes answer")
        return await self.guard(connection, access)


def guard_endpoint(endpoint: Callable[[Request], Awaitable[Response]], access: RouteAccess, holder: GuardHolder) -> Any:
    async def guarded(request: Request) -> Response:
        denial = await holder.check(request, access)
        return denial if denial is not None else await endpoint(request)

    guarded.__name__ = getattr(endpoint, "__name__", "endpoint")
    return guarded


def guard_websocket(endpoint: Callable[[WebSocket], Awaitable[None]], access: RouteAccess, holder: GuardHolder) -> Any:
    async def guarded(websocket: WebSocket) -> None:
        denial = await holder.check(websocket, access)
        if denial is not None:
            await websocket.close(code=4401 if denial.status_code == 401 else 4403)
            return
        await endpoint(websocket)

    return guarded


class GuardedApp:
    """The same check in front of a mounted ASGI app (static files, sub-applications)."""

    def __init__(self, app: ASGIApp, access: RouteAccess, holder: GuardHolder) -> None:
        self.app, self.access, self.holder = app, access, holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            denial = await self.holder.check(HTTPConnection(scope, receive), self.access)
            if denial is not None:
                if scope["type"] == "http":
                    await denial(scope, receive, send)
                else:
                    await send({"type": "websocket.close", "code": 4401})
                return
        await self.app(scope, receive, send)
