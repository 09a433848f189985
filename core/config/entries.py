"""Runtime settings changed through the API, stored in the database so they survive restarts.

configuration.yaml belongs to the user and is never rewritten; these entries sit beside it.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from core.bus import EventBus
from core.const import EVENT_CONFIG_ENTRY_CHANGED
from core.storage import Database


class ConfigEntries:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self._db = db
        self._bus = bus

    async def get(self, domain: str, key: str, default: Any = None) -> Any:
        raw = await self._db.fetch_value("SELECT value FROM config_entries WHERE domain = ? AND key = ?", (domain, key))
        return default if raw is None else orjson.loads(raw)

    async def all(self, domain: str) -> dict[str, Any]:
        rows = await self._db.fetch_all(
            "SELECT key, value FROM config_entries WHERE domain = ? ORDER BY key", (domain,)
        )
        return {row["key"]: orjson.loads(row["value"]) for row in rows}

    async def set(self, domain: str, key: str, value: Any) -> None:
        await self._db.execute(
            "INSERT INTO config_entries (domain, key, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (domain, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (domain, key, orjson.dumps(value).decode(), time.time()),
        )
        self._bus.fire(EVENT_CONFIG_ENTRY_CHANGED, {"domain": domain, "key": key})

    async def replace(self, domain: str, values: dict[str, Any]) -> None:
        """Store exactly `values` for the domain (keys not given are removed), in one transaction."""
        now = time.time()
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM config_entries WHERE domain = ?", (domain,))
            await conn.executemany(
                "INSERT INTO config_entries (domain, key, value, updated_at) VALUES (?, ?, ?, ?)",
                [(domain, key, orjson.dumps(value).decode(), now) for key, value in values.items()],
            )
        self._bus.fire(EVENT_CONFIG_ENTRY_CHANGED, {"domain": domain, "key": None})

    async def delete(self, domain: str, key: str) -> bool:
        changed = await self._db.execute("DELETE FROM config_entries WHERE domain = ? AND key = ?", (domain, key))
        if changed:
            self._bus.fire(EVENT_CONFIG_ENTRY_CHANGED, {"domain": domain, "key": key})
        return bool(changed)

    async def integration_enabled(self, domain: str) -> bool | None:
        """The persisted enable switch, or None when the user never changed it."""
        value = await self._db.fetch_value("SELECT enabled FROM integration_state WHERE domain = ?", (domain,))
        return None if value is None else bool(value)

    async def disabled_domains(self) -> set[str]:
        rows = await self._db.fetch_all("SELECT domain FROM integration_state WHERE enabled = 0")
        return {row["domain"] for row in rows}

    async def enabled_domains(self) -> set[str]:
        rows = await self._db.fetch_all("SELECT domain FROM integration_state WHERE enabled = 1")
        return {row["domain"] for row in rows}

    async def set_integration_enabled(self, domain: str, enabled: bool) -> None:
        await self._db.execute(
            "INSERT INTO integration_state (domain, enabled, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (domain) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
            (domain, int(enabled), time.time()),
        )
