"""What an integration's `async_setup(hub, config)` receives as `hub`: the hub, seen through its scope.

Everything registered through the scope (routes, middleware, listeners, hooks, tasks) is recorded, so
unloading the integration removes all of it without the integration having to remember.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from core.access import Guard
from core.bus import Event, Listener, Unsubscribe
from core.hooks import HookResult
from core.http import Endpoint

if TYPE_CHECKING:
    from core.cache import MemoryCache
    from core.config.entries import ConfigEntries
    from core.hub import Hub
    from core.storage import Database

_LOGGER = logging.getLogger(__name__)


class ScopedBus:
    def __init__(self, scope: IntegrationScope) -> None:
        self._scope = scope
        self._bus = scope.root.bus

    def listen(self, event_type: str, callback: Listener) -> Unsubscribe:
        return self._scope.on_unload(self._bus.listen(event_type, callback))

    def listen_once(self, event_type: str, callback: Listener) -> Unsubscribe:
        return self._scope.on_unload(self._bus.listen_once(event_type, callback))

    def fire(self, event_type: str, data: Mapping[str, Any] | None = None) -> Event:
        return self._bus.fire(event_type, data)

    async def wait_for(
        self, event_type: str, predicate: Callable[[Event], bool] | None = None, timeout: float = 10.0
    ) -> Event:
        return await self._bus.wait_for(event_type, predicate, timeout)


class ScopedHttp:
    """Registration on the HTTP bus, owned by this integration (see core.http for the parameters)."""

    def __init__(self, scope: IntegrationScope) -> None:
        self._owner = scope.domain
        self._scope = scope
        self._http = scope.root.http

    def register_route(self, path: str, endpoint: Endpoint, **options: Any) -> BaseRoute:
        return self._http.register_route(path, endpoint, owner=self._owner, **options)

    def register_websocket(self, path: str, endpoint: Endpoint, **options: Any) -> BaseRoute:
        return self._http.register_websocket(path, endpoint, owner=self._owner, **options)

    def register_static(self, path: str, directory: Path, **options: Any) -> BaseRoute:
        return self._http.register_static(path, directory, owner=self._owner, **options)

    def register_mount(self, path: str, app: ASGIApp, **options: Any) -> BaseRoute:
        return self._http.register_mount(path, app, owner=self._owner, **options)

    def register_middleware(self, factory: Callable[..., ASGIApp], *, priority: int = 100, **options: Any) -> None:
        self._http.register_middleware(factory, owner=self._owner, priority=priority, **options)

    def install_guard(self, guard: Guard) -> None:
        """Become the authentication guard for every non-public route (removed again on unload)."""
        self._http.guard = guard

        def remove() -> None:
            if self._http.guard is guard:
                self._http.guard = None

        self._scope.on_unload(remove)


class ScopedHooks:
    def __init__(self, scope: IntegrationScope) -> None:
        self._scope = scope
        self._registry = scope.root.hooks
        self._count = 0

    def register(self, plugin: object) -> None:
        self._count += 1
        name = f"{self._scope.domain}#{self._count}"
        self._registry.register(plugin, name)
        self._scope.on_unload(lambda: self._registry.unregister(name))

    def add_specs(self, module: Any) -> None:
        self._registry.add_specs(module)

    async def call(self, hook_name: str, **kwargs: Any) -> list[Any]:
        return await self._registry.call(hook_name, **kwargs)

    async def call_each(self, hook_name: str, *, timeout: float | None = None, **kwargs: Any) -> list[HookResult]:
        return await self._registry.call_each(hook_name, timeout=timeout, **kwargs)

    async def call_first(self, hook_name: str, **kwargs: Any) -> Any:
        return await self._registry.call_first(hook_name, **kwargs)

    def implementers(self, hook_name: str) -> list[str]:
        return self._registry.implementers(hook_name)


class IntegrationScope:
    """The hub as one integration sees it."""

    def __init__(self, root: Hub, domain: str) -> None:
        self.root = root
        self.domain = domain
        self.logger = logging.getLogger(f"marquee.{domain}")
        self._cleanups: list[Callable[[], Any]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bus = ScopedBus(self)
        self.http = ScopedHttp(self)
        self.hooks = ScopedHooks(self)

    # Shared services, read-only views of the hub.
    @property
    def db(self) -> Database:
        return self.root.db

    @property
    def entries(self) -> ConfigEntries:
        return self.root.entries

    @property
    def cache(self) -> MemoryCache:
        return self.root.cache

    @property
    def config_dir(self) -> Path:
        return self.root.config_dir

    @property
    def data_dir(self) -> Path:
        """A folder of this integration's own inside the data dir, created on first use."""
        folder = self.root.data_dir / self.domain
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def notify(self, title: str, message: str, level: str = "info") -> None:
        self.root.notify(title, message, level=level, source=self.domain)

    def on_unload(self, callback: Callable[[], Any]) -> Any:
        """Run `callback` (sync or async) when the integration unloads. Returns the callback."""
        self._cleanups.append(callback)
        return callback

    def create_task(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        """A background task that is cancelled when the integration unloads."""
        task = asyncio.get_running_loop().create_task(coro, name=name or f"{self.domain}-task")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def run_in_executor(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)

    async def close(self) -> None:
        """Undo everything this integration registered (called by the core on unload or failed setup)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for callback in reversed(self._cleanups):
            try:
                result = callback()
                if isinstance(result, Awaitable):
                    await result
            except Exception:
                _LOGGER.exception("Cleanup of '%s' failed", self.domain)
        self._cleanups.clear()
        self.root.http.remove_owner(self.domain)
