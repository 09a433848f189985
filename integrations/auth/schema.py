"""Users, roles, devices, tokens, API keys, recovery codes."""

import orjson

from core.storage import Migration
from core.storage.database import Connection
from plugin_sdk.auth import PERMISSIONS

BUILTIN_ROLES = {
    "admin": sorted(PERMISSIONS),
    "user": ["download", "remote_access", "transcode"],
}


async def _builtin_roles(conn: Connection) -> None:
    for name, permissions in BUILTIN_ROLES.items():
        await conn.execute(
            "INSERT INTO roles (name, permissions, builtin) VALUES (?, ?, 1)",
            (name, orjson.dumps(permissions).decode()),
        )


MIGRATIONS = [
    Migration(
        1,
        "users, devices, tokens",
        [
            "CREATE TABLE roles (name TEXT PRIMARY KEY, permissions TEXT NOT NULL, builtin INTEGER NOT NULL)",
            """CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                display_name TEXT,
                provider TEXT NOT NULL,
                password_hash TEXT,
                role TEXT NOT NULL REFERENCES roles(name),
                disabled INTEGER NOT NULL DEFAULT 0,
                library_access TEXT NOT NULL DEFAULT 'null',
                max_parental_rating INTEGER,
                block_unrated INTEGER NOT NULL DEFAULT 0,
                preferences TEXT NOT NULL DEFAULT '{}',
                totp_secret TEXT,
                totp_enabled INTEGER NOT NULL DEFAULT 0,
                totp_last_counter BIGINT,
                failed_logins INTEGER NOT NULL DEFAULT 0,
                last_failed_login_at DOUBLE PRECISION,
                last_login_at DOUBLE PRECISION,
                image_path TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
            """CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                device_key TEXT NOT NULL,
                name TEXT NOT NULL,
                client TEXT NOT NULL,
                client_version TEXT,
                last_seen_at DOUBLE PRECISION,
                last_ip TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION,
                session_token_hash TEXT UNIQUE,
                UNIQUE (user_id, device_key)
            )""",
            """CREATE TABLE refresh_tokens (
                id TEXT PRIMARY KEY,
                family TEXT NOT NULL,
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                secret_hash TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                used_at DOUBLE PRECISION,
                revoked_at DOUBLE PRECISION
            )""",
            "CREATE INDEX refresh_tokens_family ON refresh_tokens (family)",
            """CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                scope TEXT NOT NULL,
                permissions TEXT NOT NULL,
                created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                created_at DOUBLE PRECISION NOT NULL,
                last_used_at DOUBLE PRECISION,
                revoked_at DOUBLE PRECISION
            )""",
            """CREATE TABLE recovery_codes (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                code_hash TEXT NOT NULL,
                used_at DOUBLE PRECISION,
                PRIMARY KEY (user_id, code_hash)
            )""",
        ],
        run=_builtin_roles,
    ),
]
