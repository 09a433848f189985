"""Devices: one per (user, client install). Tokens belong to a device; revoking it ends them all."""

from __future__ import annotations

import time
import uuid
from typing import Any

from core.storage import Database, Row
from integrations.auth.users import clean_label


class DeviceStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def register(
        self, user_id: str, device_key: str | None, name: str | None, client: str | None, version: str | None,
        ip: str | None,
    ) -> str:  # fmt: skip
        """The device row for this login (re-activated if it was revoked), with cleaned labels."""
        key = clean_label(device_key, 128) or uuid.uuid4().hex
        now = time.time()
        row = await self.db.fetch_one("SELECT id FROM devices WHERE user_id = ? AND device_key = ?", (user_id, key))
        labels = (clean_label(name) or "Unknown device", clean_label(client) or "Unknown client",
                  clean_label(version, 40))  # fmt: skip
        if row is None:
            device_id = uuid.uuid4().hex
            await self.db.execute(
                "INSERT INTO devices (id, user_id, device_key, name, client, client_version, last_seen_at, last_ip, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (device_id, user_id, key, *labels, now, ip, now),
            )
            return device_id
        await self.db.execute(
            "UPDATE devices SET name = ?, client = ?, client_version = ?, last_seen_at = ?, last_ip = ?, "
            "revoked_at = NULL WHERE id = ?",
            (*labels, now, ip, row["id"]),
        )
        return row["id"]

    async def get(self, device_id: str) -> Row | None:
        return await self.db.fetch_one("SELECT * FROM devices WHERE id = ?", (device_id,))

    async def of_user(self, user_id: str) -> list[dict[str, Any]]:
        rows = await self.db.fetch_all(
            "SELECT id, device_key, name, client, client_version, last_seen_at, last_ip, created_at, revoked_at "
            "FROM devices WHERE user_id = ? ORDER BY last_seen_at DESC",
            (user_id,),
        )
        return [{**row, "revoked": row["revoked_at"] is not None} for row in rows]

    async def revoke(self, device_id: str) -> None:
        await self.db.execute(
            "UPDATE devices SET revoked_at = ?, session_token_hash = NULL WHERE id = ?", (time.time(), device_id)
        )

    async def touch(self, device_id: str, ip: str | None = None) -> None:
        """Record activity; the address is kept when the caller doesn't know it."""
        await self.db.execute(
            "UPDATE devices SET last_seen_at = ?, last_ip = COALESCE(?, last_ip) WHERE id = ?",
            (time.time(), ip, device_id),
        )
