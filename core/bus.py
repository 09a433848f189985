"""The event bus: fire events, listen to them. One failing listener never stops the others."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.const import MATCH_ALL

_LOGGER = logging.getLogger(__name__)

Listener = Callable[["Event"], Awaitable[None] | None]
Unsubscribe = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "data": dict(self.data), "time": self.time}


class EventBus:
    """Dispatches events on the hub's loop; `fire` may be called from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._loop_thread: int | None = None
        self._listeners: dict[str, list[Listener]] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the bus to the loop that will run listeners (the hub does this at start)."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def listen(self, event_type: str, callback: Listener) -> Unsubscribe:
        """Call `callback(event)` for every `event_type` event (MATCH_ALL for all). Returns an unsubscribe."""
        self._listeners.setdefault(event_type, []).append(callback)

        def unsubscribe() -> None:
            listeners = self._listeners.get(event_type, [])
            if callback in listeners:
                listeners.remove(callback)

        return unsubscribe

    def listen_once(self, event_type: str, callback: Listener) -> Unsubscribe:
        """Like `listen`, but the callback runs for the first matching event only."""
        fired = False

        def once(event: Event) -> Awaitable[None] | None:
            nonlocal fired
            if fired:
                return None
            fired = True
            unsubscribe()
            return callback(event)

        unsubscribe = self.listen(event_type, once)
        return unsubscribe

    def listener_count(self, event_type: str | None = None) -> int:
        if event_type is not None:
            return len(self._listeners.get(event_type, []))
        return sum(len(listeners) for listeners in self._listeners.values())

    def fire(self, event_type: str, data: Mapping[str, Any] | None = None) -> Event:
        """Deliver an event. Safe from worker threads: delivery then happens on the hub's loop."""
        event = Event(event_type, dict(data or {}))
        if self._loop is not None and self._loop_thread not in (None, threading.get_ident()):
            self._loop.call_soon_threadsafe(self._dispatch, event)
        else:
            self._dispatch(event)
        return event

    async def wait_for(
        self,
        event_type: str,
        predicate: Callable[[Event], bool] | None = None,
        timeout: float = 10.0,
    ) -> Event:
        """Wait for the next matching event (handy for tests and for callers that must not poll)."""
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()

        def check(event: Event) -> None:
            if not future.done() and (predicate is None or predicate(event)):
                future.set_result(event)

        unsubscribe = self.listen(event_type, check)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            unsubscribe()

    async def drain(self) -> None:
        """Wait until the async listeners already started have finished."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def _dispatch(self, event: Event) -> None:
        listeners = [*self._listeners.get(event.type, ()), *self._listeners.get(MATCH_ALL, ())]
        for listener in listeners:
            try:
                result = listener(event)
            except Exception:
                _LOGGER.exception("Listener %s failed on event %s", _name(listener), event.type)
                continue
            if inspect.isawaitable(result):
                self._track(listener, result, event)

    def _track(self, listener: Listener, awaitable: Awaitable[None], event: Event) -> None:
        async def run() -> None:
            try:
                await awaitable
            except Exception:
                _LOGGER.exception("Listener %s failed on event %s", _name(listener), event.type)

        task = asyncio.ensure_future(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


def _name(listener: Listener) -> str:
    return getattr(listener, "__qualname__", repr(listener))
