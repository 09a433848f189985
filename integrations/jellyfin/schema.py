"""The Jellyfin surface's own table: display preferences the clients store per user, screen and client."""

from core.storage import Migration

MIGRATIONS = [
    Migration(
        1,
        "display preferences",
        [
            """CREATE TABLE jellyfin_display_preferences (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                pref_id TEXT NOT NULL,
                client TEXT NOT NULL,
                data TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (user_id, pref_id, client)
            )""",
        ],
    ),
]
