"""Logging: plain or JSON lines, a default level, and levels per integration or logger name.

YAML sets the starting levels; `PUT /api/v1/integrations/logger/settings {"logs": {...}}` changes them at
runtime, and the change is stored so it survives a restart.
"""

from __future__ import annotations

import logging
from typing import Any

import voluptuous as vol

from core.bus import Event
from core.const import EVENT_CONFIG_ENTRY_CHANGED
from core.scope import IntegrationScope
from integrations.logger.formatters import make_formatter

DOMAIN = "logger"
LEVELS = ("debug", "info", "warning", "error", "critical")
_LEVEL = vol.All(vol.Lower, vol.In(LEVELS))

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("default", default="info"): _LEVEL,
        vol.Optional("format", default="plain"): vol.In(("plain", "json")),
        vol.Optional("logs", default={}): {str: _LEVEL},
    }
)
SETTINGS_SCHEMA = vol.Schema({vol.Optional("logs", default={}): {str: _LEVEL}})


def logger_names(hub: IntegrationScope, key: str) -> list[str]:
    """An integration's domain covers its scope logger and its package's module loggers."""
    record = hub.root.integrations.records.get(key)
    if record is None:
        return [key]
    return [f"marquee.{key}", record.integration.module_name]


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    root = logging.getLogger()
    saved_level = root.level
    saved_formatters = [(handler, handler.formatter) for handler in root.handlers]
    touched: dict[str, int] = {}

    formatter = make_formatter(config["format"])
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(config["default"].upper())

    def apply(levels: dict[str, str]) -> None:
        for key, level in levels.items():
            for name in logger_names(hub, key):
                logger = logging.getLogger(name)
                touched.setdefault(name, logger.level)
                logger.setLevel(level.upper())

    async def apply_all() -> None:
        for name, level in touched.items():  # settings removed at runtime fall back to what they were
            logging.getLogger(name).setLevel(level)
        apply(config["logs"])
        stored = await hub.entries.all(DOMAIN)
        apply(stored.get("logs", {}))

    async def on_settings(event: Event) -> None:
        if event.data.get("domain") == DOMAIN:
            await apply_all()

    def restore() -> None:
        root.setLevel(saved_level)
        for handler, previous in saved_formatters:
            handler.setFormatter(previous)
        for name, level in touched.items():
            logging.getLogger(name).setLevel(level)

    await apply_all()
    hub.bus.listen(EVENT_CONFIG_ENTRY_CHANGED, on_settings)
    hub.on_unload(restore)
    return True
