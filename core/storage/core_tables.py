"""Tables the core itself owns: runtime settings and per-integration enable state."""

from core.storage.migrations import Migration

CORE_OWNER = "core"

CORE_MIGRATIONS = [
    Migration(
        1,
        "config entries and integration state",
        [
            """CREATE TABLE IF NOT EXISTS config_entries (
                domain TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (domain, key)
            )""",
            """CREATE TABLE IF NOT EXISTS integration_state (
                domain TEXT PRIMARY KEY,
                enabled INTEGER NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
        ],
    ),
]
