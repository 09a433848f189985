"""The Hub: one running Marquee instance — loop, bus, config, HTTP, storage, integrations, lifecycle."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import plugin_sdk.hookspecs
from core.bus import EventBus
from core.cache import MemoryCache
from core.config.core_config import LoadedConfig, load_config
from core.config.entries import ConfigEntries
from core.const import CORE_SECTIONS, CORE_VERSION, EVENT_HUB_STARTED, EVENT_HUB_STOPPING, EVENT_NOTIFICATION
from core.hooks import HookRegistry
from core.http import HttpBus
from core.loader import discover
from core.setup import IntegrationManager
from core.storage import Database, open_database
from core.storage.core_tables import CORE_MIGRATIONS, CORE_OWNER

_LOGGER = logging.getLogger(__name__)


class HubState(StrEnum):
    CREATED = "created"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class Hub:
    def __init__(self, config: LoadedConfig, *, only: Iterable[str] | None = None, headless: bool = False) -> None:
        self.config = config
        # Headless: a CLI command's hub. No HTTP server; integrations skip watchers and schedules.
        self.headless = headless
        self.only = set(only) if only is not None else None
        self.bus = EventBus()
        self.http = HttpBus(trusted_proxies=config.http["trusted_proxies"], access_log=config.http["access_log"])
        self.hooks = HookRegistry(plugin_sdk.hookspecs)
        self.cache = MemoryCache()
        self.integrations = IntegrationManager(self)
        self.state = HubState.CREATED
        self.version = CORE_VERSION
        self.notifications: deque[dict[str, Any]] = deque(maxlen=200)
        self.started_monotonic: float | None = None
        self.startup_seconds: float | None = None
        self._db: Database | None = None
        self._entries: ConfigEntries | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.http.on_startup.append(self.start)
        self.http.on_shutdown.append(self.stop)

    @property
    def config_dir(self) -> Path:
        return self.config.config_dir

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @property
    def name(self) -> str:
        return self.config.core["name"]

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("The database is not open yet (the hub has not started)")
        return self._db

    @property
    def entries(self) -> ConfigEntries:
        if self._entries is None:
            raise RuntimeError("Config entries are not available before the hub starts")
        return self._entries

    async def start(self) -> None:
        started = time.perf_counter()
        self.state = HubState.STARTING
        self.started_monotonic = time.monotonic()
        self.bus.bind(asyncio.get_running_loop())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._db = await open_database(self.config.database_url, readers=self.config.database["readers"])
        await self._db.migrate(CORE_OWNER, CORE_MIGRATIONS)
        self._entries = ConfigEntries(self._db, self.bus)
        discovery = discover(self.config_dir, allow_override=frozenset(self.config.core["allow_override"]))
        for integration in discovery.integrations.values():
            self.integrations.add(integration)
        wanted = await self._wanted(discovery.default_domains)
        await self.integrations.setup_all(wanted, await self._entries.disabled_domains())
        self.state = HubState.RUNNING
        self.startup_seconds = time.perf_counter() - started
        loaded = len(self.integrations.loaded())
        _LOGGER.info("Marquee %s started in %.2f s with %d integrations", self.version, self.startup_seconds, loaded)
        self.bus.fire(EVENT_HUB_STARTED, {"seconds": self.startup_seconds, "integrations": loaded})

    async def _wanted(self, defaults: set[str]) -> set[str]:
        """Built-ins load by default; third-party ones when named in the YAML or enabled through the API."""
        known = set(self.integrations.records)
        configured = {key for key in self.config.raw if key not in CORE_SECTIONS}
        wanted = defaults | (configured & known) | (await self.entries.enabled_domains() & known)
        return wanted & self.only if self.only is not None else wanted

    async def stop(self) -> None:
        if self.state in (HubState.STOPPING, HubState.STOPPED):
            return
        self.state = HubState.STOPPING
        self.bus.fire(EVENT_HUB_STOPPING)
        await self.integrations.unload_all()
        await self.bus.drain()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._db is not None:
            await self._db.close()
        self.state = HubState.STOPPED
        _LOGGER.info("Marquee stopped")

    def reread_configuration(self) -> None:
        """Load configuration.yaml again for integration sections (core sections apply at restart)."""
        self.config.raw = load_config(self.config_dir).raw

    def uptime(self) -> float:
        return time.monotonic() - self.started_monotonic if self.started_monotonic else 0.0

    def notify(self, title: str, message: str, *, level: str = "info", source: str | None = None) -> None:
        """Record a notification, put it on the bus, and hand it to every `notify` hook implementation."""
        notification = {
            "title": title,
            "message": message,
            "level": level,
            "source": source,
            "time": time.time(),
        }
        self.notifications.append(notification)
        self.bus.fire(EVENT_NOTIFICATION, notification)
        if self.hooks.implementers("notify"):
            task = asyncio.get_running_loop().create_task(self._deliver(notification))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, notification: dict[str, Any]) -> None:
        args = {k: notification[k] for k in ("title", "message", "level", "source")}
        for result in await self.hooks.call_each("notify", timeout=30, **args):
            if result.error is not None:
                _LOGGER.error("notify hook of '%s' failed: %s", result.owner, result.error)
