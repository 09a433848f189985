"""User records: create, read, update, disable, delete; roles and their permissions."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import orjson

from core.storage import Database, Row
from plugin_sdk.auth import PERMISSIONS

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
USERNAME = re.compile(r"^[\w.@+-]{1,64}$", re.UNICODE)


class UserError(ValueError):
    """A request about users that can't be honoured; the message is for the client."""


def clean_label(value: str | None, limit: int = 100) -> str | None:
    """Client-supplied names (devices, clients) lose control characters, so they can't split headers or logs."""
    if value is None:
        return None
    return _CONTROL.sub("", value).strip()[:limit] or None


def public_user(row: Row) -> dict[str, Any]:
    access = orjson.loads(row["library_access"])
    return {
        "id": row["id"],
        "username": row["username"],
        "display_name": row["display_name"] or row["username"],
        "provider": row["provider"],
        "role": row["role"],
        "disabled": bool(row["disabled"]),
        "library_access": "all" if access is None else access,
        "max_parental_rating": row["max_parental_rating"],
        "block_unrated": bool(row["block_unrated"]),
        "two_factor": bool(row["totp_enabled"]),
        "failed_logins": row["failed_logins"],
        "last_login_at": row["last_login_at"],
        "has_image": row["image_path"] is not None,
        "created_at": row["created_at"],
    }


class UserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self) -> int:
        return int(await self.db.fetch_value("SELECT COUNT(*) FROM users") or 0)

    async def get(self, user_id: str) -> Row | None:
        return await self.db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))

    async def by_username(self, username: str) -> Row | None:
        return await self.db.fetch_one("SELECT * FROM users WHERE username_key = ?", (username.casefold(),))

    async def list(self) -> list[Row]:
        return await self.db.fetch_all("SELECT * FROM users ORDER BY username_key")

    async def role_permissions(self, role: str) -> frozenset[str]:
        raw = await self.db.fetch_value("SELECT permissions FROM roles WHERE name = ?", (role,))
        return frozenset(orjson.loads(raw)) if raw else frozenset()

    async def roles(self) -> list[dict[str, Any]]:
        rows = await self.db.fetch_all("SELECT * FROM roles ORDER BY name")
        return [{"name": r["name"], "permissions": orjson.loads(r["permissions"]), "builtin": bool(r["builtin"])}
                for r in rows]  # fmt: skip

    async def save_role(self, name: str, permissions: list[str]) -> None:
        unknown = set(permissions) - PERMISSIONS
        if unknown:
            raise UserError(f"unknown permission(s): {', '.join(sorted(unknown))}")
        if await self.db.fetch_value("SELECT builtin FROM roles WHERE name = ?", (name,)):
            raise UserError(f"role '{name}' is built in and can't be changed")
        await self.db.execute(
            "INSERT INTO roles (name, permissions, builtin) VALUES (?, ?, 0) "
            "ON CONFLICT (name) DO UPDATE SET permissions = excluded.permissions",
            (name, orjson.dumps(sorted(permissions)).decode()),
        )

    async def create(
        self, username: str, *, provider: str, role: str, password_hash: str | None = None,
        display_name: str | None = None,
    ) -> Row:  # fmt: skip
        if not USERNAME.match(username):
            raise UserError("username may use letters, digits and . _ @ + - (1 to 64 characters)")
        if await self.by_username(username):
            raise UserError(f"user '{username}' already exists")
        if not await self.db.fetch_value("SELECT 1 FROM roles WHERE name = ?", (role,)):
            raise UserError(f"unknown role '{role}'")
        now = time.time()
        user_id = uuid.uuid4().hex
        await self.db.execute(
            "INSERT INTO users (id, username, username_key, display_name, provider, password_hash, role, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, username, username.casefold(), clean_label(display_name), provider, password_hash, role, now,
             now),
        )  # fmt: skip
        row = await self.get(user_id)
        assert row is not None
        return row

    async def update(self, user_id: str, **values: Any) -> None:
        if not values:
            return
        values["updated_at"] = time.time()
        assignments = ", ".join(f"{column} = ?" for column in values)
        await self.db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*values.values(), user_id])

    async def delete(self, user_id: str) -> bool:
        """Sessions, devices, tokens and (through ON DELETE CASCADE) watch state go with the user."""
        return bool(await self.db.execute("DELETE FROM users WHERE id = ?", (user_id,)))

    async def admins_left(self, excluding: str) -> int:
        return int(
            await self.db.fetch_value(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?", (excluding,)
            )
            or 0
        )
