"""The hook registry: pluggy underneath, with helpers that await implementations returning coroutines."""

from __future__ import annotations

import asyncio
import inspect
import types
from typing import Any, NamedTuple

import pluggy

from core.const import HOOK_PROJECT


async def await_me_maybe(value: Any) -> Any:
    """pluggy is synchronous: an async hookimpl returns an awaitable, which the caller awaits."""
    if inspect.isawaitable(value):
        value = await value
    return value


class HookResult(NamedTuple):
    owner: str  # the domain of the integration that implemented the hook
    value: Any
    error: Exception | None


class HookRegistry:
    def __init__(self, *spec_modules: types.ModuleType) -> None:
        self.manager = pluggy.PluginManager(HOOK_PROJECT)
        for module in spec_modules:
            self.manager.add_hookspecs(module)

    @property
    def hook(self) -> Any:
        return self.manager.hook

    def add_specs(self, module: types.ModuleType | type) -> None:
        """Integrations may declare hookspecs of their own for other integrations to implement."""
        self.manager.add_hookspecs(module)

    def register(self, plugin: object, name: str) -> None:
        self.manager.register(plugin, name=name)

    def unregister(self, name: str) -> None:
        plugin = self.manager.get_plugin(name)
        if plugin is not None:
            self.manager.unregister(plugin, name=name)

    def implementers(self, hook_name: str) -> list[str]:
        caller = getattr(self.manager.hook, hook_name)
        return [impl.plugin_name for impl in caller.get_hookimpls()]

    async def call(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Every implementation's result, awaited, None results dropped (pluggy drops them too)."""
        caller = getattr(self.manager.hook, hook_name)
        return [await await_me_maybe(result) for result in caller(**kwargs)]

    async def call_each(self, hook_name: str, *, timeout: float | None = None, **kwargs: Any) -> list[HookResult]:
        """Every implementation's result with its owner; one that raises or times out is reported, not raised."""
        caller = getattr(self.manager.hook, hook_name)
        results = []
        for impl in reversed(caller.get_hookimpls()):
            owner = impl.plugin_name.split("#", 1)[0]
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            try:
                value = await asyncio.wait_for(await_me_maybe(impl.function(**args)), timeout)
                results.append(HookResult(owner, value, None))
            except Exception as err:
                results.append(HookResult(owner, None, err))
        return results

    async def call_first(self, hook_name: str, **kwargs: Any) -> Any:
        """The first implementation's non-None result (in pluggy's LIFO/tryfirst order), awaited."""
        caller = getattr(self.manager.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            result = await await_me_maybe(impl.function(**args))
            if result is not None:
                return result
        return None


def has_hookimpls(obj: object) -> bool:
    marker = f"{HOOK_PROJECT}_impl"
    return any(hasattr(getattr(obj, name, None), marker) for name in dir(obj))
