"""API keys for integrations and automation: shown once, stored hashed, scoped, revocable, last use recorded."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from core.storage import Database, Row
from integrations.auth.secrets import TokenHasher, new_token
from plugin_sdk.auth import PERMISSIONS

PREFIX = "mq_"
SCOPES = ("read", "full", "permissions")  # read: GET only; full: the creator's permissions; or a named list
LAST_USED_EVERY = 60.0  # seconds between last-used writes for one key


class ApiKeys:
    def __init__(self, db: Database, hasher: TokenHasher) -> None:
        self.db = db
        self.hasher = hasher
        self._last_write: dict[str, float] = {}

    async def create(self, name: str, scope: str, permissions: list[str], created_by: str) -> tuple[str, str]:
        """Returns (key id, the key itself). The key is never stored or shown again."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        unknown = set(permissions) - PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permission(s): {', '.join(sorted(unknown))}")
        key_id, key = uuid.uuid4().hex, new_token(PREFIX)
        await self.db.execute(
            "INSERT INTO api_keys (id, name, key_hash, scope, permissions, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key_id, name, self.hasher.hash(key), scope, orjson.dumps(sorted(permissions)).decode(), created_by,
             time.time()),
        )  # fmt: skip
        return key_id, key

    async def find(self, key: str) -> Row | None:
        row = await self.db.fetch_one(
            "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (self.hasher.hash(key),)
        )
        if row is not None and time.monotonic() - self._last_write.get(row["id"], -LAST_USED_EVERY) >= LAST_USED_EVERY:
            self._last_write[row["id"]] = time.monotonic()
            await self.db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (time.time(), row["id"]))
        return row

    async def list(self) -> list[dict[str, Any]]:
        rows = await self.db.fetch_all(
            "SELECT id, name, scope, permissions, created_by, created_at, last_used_at, revoked_at FROM api_keys "
            "ORDER BY created_at"
        )
        return [{**row, "permissions": orjson.loads(row["permissions"])} for row in rows]

    async def revoke(self, key_id: str) -> bool:
        return bool(
            await self.db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (time.time(), key_id)
            )
        )
