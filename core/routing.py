"""Routing that does not walk every route: Starlette's router tries routes in order until one matches, which
with a few hundred routes (the native API and the compatibility surfaces) cost ~120 regex matches for a late
route. This router indexes routes by the first literal segment of their path and tries only the routes that can match
(those of that segment and those starting with a parameter), still in registration order, so the route chosen
is the one Starlette would choose. Requests it can't place fall through to Starlette's own pass (trailing-slash
redirects, 404)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Router
from starlette.types import Receive, Scope, Send

_ANY = None  # the index key of routes whose first segment is a parameter (or that match any path)


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _route_key(route: BaseRoute) -> str | None:
    path = getattr(route, "path", None)
    if path is None:
        return _ANY
    segment = _first_segment(path)
    if "{" in segment or (segment == "" and path != "/"):  # a parameter, or a Mount at the root
        return _ANY
    return segment


class SegmentRouter(Router):
    def __init__(self) -> None:
        super().__init__()
        self._index: tuple[dict[str, list[BaseRoute]], list[BaseRoute]] | None = None

    def invalidate(self) -> None:
        """Routes were added or removed: rebuild the index on the next request."""
        self._index = None

    def _candidates(self, path: str) -> list[BaseRoute]:
        if self._index is None:
            keys = [(route, _route_key(route)) for route in self.routes]
            anywhere = [route for route, key in keys if key is _ANY]
            by_segment = {
                segment: [route for route, key in keys if key == segment or key is _ANY]
                for segment in {key for _, key in keys if key is not _ANY}
            }
            self._index = (by_segment, anywhere)
        by_segment, anywhere = self._index
        return by_segment.get(_first_segment(path), anywhere)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        partial = None
        for route in self._candidates(path):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:  # the path fits but not the method: Starlette answers 405 through it
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        await super().app(scope, receive, send)
