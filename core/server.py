"""Serve the HTTP bus with the configured ASGI server and shut down gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from core.hub import Hub

_LOGGER = logging.getLogger(__name__)
# granian's embedded server queues 128 connections and serves at most backlog/workers requests at once: a long
# streamed response holds its request for its whole length, so those defaults stopped at about 128 clients.
GRANIAN_BACKLOG = 2048
GRANIAN_BACKPRESSURE = 4096


async def serve(
    hub: Hub,
    *,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run until `stop` is set or a termination signal arrives; in-flight requests finish first."""
    http = hub.config.http
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT) if handle_signals else ():
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or not supported
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        hub.http.on_startup.append(_set_later(ready))
    server = http["server"]
    if server == "hypercorn":
        await _hypercorn(hub, http, stop)
    elif server == "uvicorn":
        await _uvicorn(hub, http, stop)
    else:
        await _granian(hub, http, stop)


def _set_later(event: asyncio.Event) -> Any:
    async def mark() -> None:
        event.set()

    return mark


async def _hypercorn(hub: Hub, http: dict[str, Any], stop: asyncio.Event) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [_bind(http["host"], http["port"])]
    config.graceful_timeout = http["graceful_timeout"]
    config.accesslog = None  # the hub's own access log (no query strings) replaces Hypercorn's
    config.errorlog = logging.getLogger("hypercorn.error")
    await hypercorn_serve(hub.http, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]


async def _uvicorn(hub: Hub, http: dict[str, Any], stop: asyncio.Event) -> None:
    try:
        import uvicorn
    except ImportError:
        raise RuntimeError("http: server: uvicorn needs `pip install marquee[servers]`") from None
    config = uvicorn.Config(
        hub.http,
        host=http["host"],
        port=http["port"],
        lifespan="on",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=int(http["graceful_timeout"]) or None,
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    watcher = asyncio.create_task(_stop_when(stop, server))
    try:
        await server.serve()
    finally:
        watcher.cancel()


async def _stop_when(stop: asyncio.Event, server: Any) -> None:
    await stop.wait()
    server.should_exit = True


async def _granian(hub: Hub, http: dict[str, Any], stop: asyncio.Event) -> None:
    try:
        from granian.server.embed import Server
    except ImportError:
        raise RuntimeError("http: server: granian needs `pip install marquee[servers]` (granian >= 1.6)") from None
    server = Server(
        hub.http, address=http["host"], port=http["port"], interface="asgi",
        backlog=GRANIAN_BACKLOG, backpressure=GRANIAN_BACKPRESSURE,
    )  # fmt: skip
    watcher = asyncio.create_task(_stop_when_granian(stop, server))
    try:
        await server.serve()
    finally:
        watcher.cancel()


async def _stop_when_granian(stop: asyncio.Event, server: Any) -> None:
    await stop.wait()
    server.stop()


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
