"""The media library: libraries, scanning, identification through hooks, the item model, search and its API."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.library.api import LibraryApi
from integrations.library.const import DOMAIN, EVENT_METADATA_UPDATED, EVENT_SCAN_FINISHED, EVENT_SCAN_PROGRESS
from integrations.library.libraries import LibraryStore
from integrations.library.models import LIBRARY_SCHEMA, Library
from integrations.library.scanner import Scanner
from integrations.library.schema import MIGRATIONS
from integrations.library.watcher import scan_every, watch_library
from plugin_sdk import hookimpl

_LOGGER = logging.getLogger(__name__)

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("workers", default=min(4, os.cpu_count() or 1)): vol.All(int, vol.Range(min=1, max=64)),
        vol.Optional("watch", default=True): bool,
        vol.Optional("watch_debounce_ms", default=1500): vol.All(int, vol.Range(min=10, max=60_000)),
        vol.Optional("scan_on_start", default=True): bool,
        vol.Optional("libraries", default=[]): [LIBRARY_SCHEMA],
    }
)


@hookimpl
def websocket_events() -> list[str]:
    return [EVENT_SCAN_PROGRESS, EVENT_SCAN_FINISHED, EVENT_METADATA_UPDATED]


@hookimpl
def cli_commands() -> list[Any]:
    from integrations.library.cli import SCAN_COMMAND

    return [SCAN_COMMAND]


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    await hub.db.migrate(DOMAIN, MIGRATIONS)
    store = LibraryStore(hub.db)
    await _sync_yaml_libraries(store, config["libraries"])
    await _add_demo_libraries(store, os.environ.get(DEMO_MEDIA_ENV))
    scanner = Scanner(hub, store, config["workers"])
    hub.on_unload(scanner.close)
    hub.root.__dict__["library"] = _Service(store, scanner)  # for the CLI and sibling integrations
    hub.on_unload(lambda: hub.root.__dict__.pop("library", None))
    LibraryApi(hub, store, scanner).register()
    if not getattr(hub.root, "headless", False):
        await _start_background(hub, store, scanner, config)
    return True


DEMO_MEDIA_ENV = "MARQUEE_DEMO_MEDIA"


async def _add_demo_libraries(store: LibraryStore, folder: str | None) -> None:
    """`./scripts/run --demo`: libraries over the generated test media, when the server has none yet."""
    if not folder or await store.list():
        return
    for name, kind, sub in (("Demo Movies", "movies", "movies"), ("Demo Shows", "tvshows", "shows"),
                            ("Demo Music", "music", "music")):  # fmt: skip
        path = Path(folder) / sub
        if path.is_dir():  # a handful of stat calls at setup
            await store.create({"name": name, "type": kind, "folders": [str(path)]})
            _LOGGER.info("Added demo library '%s' at %s", name, path)


class _Service:
    def __init__(self, store: LibraryStore, scanner: Scanner) -> None:
        self.store, self.scanner = store, scanner


async def _sync_yaml_libraries(store: LibraryStore, specs: list[dict[str, Any]]) -> None:
    """configuration.yaml is the truth for its libraries: add, update, and drop those removed from it."""
    names = {spec["name"].casefold() for spec in specs}
    for library in await store.list():
        if library.source == "yaml" and library.name.casefold() not in names:
            await store.delete(library.id)
    for spec in specs:
        existing = await store.find_by_name(spec["name"])
        if existing is None:
            await store.create(spec, source="yaml")
        else:
            await store.update(existing.id, spec)


async def _start_background(
    hub: IntegrationScope, store: LibraryStore, scanner: Scanner, config: dict[str, Any]
) -> None:
    stop = asyncio.Event()
    hub.on_unload(stop.set)
    libraries = await store.list()

    def rescan(library: Library, changes: int = 0) -> None:
        scanner.start(library)

    for library in libraries:
        if config["scan_on_start"]:
            rescan(library)
        if config["watch"]:
            hub.create_task(watch_library(library, rescan, config["watch_debounce_ms"], stop), name="library-watch")
        if library.scan_interval_minutes:
            hub.create_task(scan_every(library, library.scan_interval_minutes, rescan), name="library-schedule")
