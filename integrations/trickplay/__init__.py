"""Seek-preview thumbnails ("trickplay"): keyframes every few seconds, packed into JPEG sprite sheets per source.

Made in the background after each library scan for video sources that have none yet (one thread, one decoder
thread: it never takes more than one core), or on demand through POST /api/v1/items/{id}/trickplay.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.library.const import EVENT_SCAN_FINISHED
from integrations.trickplay.const import DOMAIN
from integrations.trickplay.routes import TrickplayRoutes
from integrations.trickplay.schema import MIGRATIONS
from integrations.trickplay.service import Settings, TrickplayService


def _widths(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    widths = [vol.All(vol.Coerce(int), vol.Range(min=32, max=1920))(v) for v in values]
    if not widths:
        raise vol.Invalid("expected at least one width")
    if len(set(widths)) != len(widths):
        raise vol.Invalid("widths must not repeat")
    return sorted(widths)


CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("interval_seconds", default=10.0): vol.All(vol.Coerce(float), vol.Range(min=1, max=600)),
        vol.Optional("width", default=[320]): _widths,
        vol.Optional("tiles_x", default=10): vol.All(int, vol.Range(min=1, max=32)),
        vol.Optional("tiles_y", default=10): vol.All(int, vol.Range(min=1, max=32)),
        vol.Optional("quality", default=80): vol.All(int, vol.Range(min=10, max=100)),
        vol.Optional("generate_after_scan", default=True): bool,
    }
)


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    await hub.db.migrate(DOMAIN, MIGRATIONS)
    settings = Settings(
        widths=config["width"],
        interval_ms=round(config["interval_seconds"] * 1000),
        tiles_x=config["tiles_x"],
        tiles_y=config["tiles_y"],
        quality=config["quality"],
    )
    service = TrickplayService(hub, settings)
    hub.on_unload(service.close)
    TrickplayRoutes(hub, service).register()
    if config["generate_after_scan"] and not getattr(hub.root, "headless", False):
        hub.bus.listen(EVENT_SCAN_FINISHED, service.after_scan)
        hub.create_task(service.start(), name="trickplay-start")
    return True
