"""Per user and item: resume position, played, play count, last played, favorite, rating."""

from core.storage import Migration

MIGRATIONS = [
    Migration(
        1,
        "user item data",
        [
            """CREATE TABLE user_item_data (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                position_ticks BIGINT NOT NULL DEFAULT 0,
                played INTEGER NOT NULL DEFAULT 0,
                play_count INTEGER NOT NULL DEFAULT 0,
                last_played_at DOUBLE PRECISION,
                is_favorite INTEGER NOT NULL DEFAULT 0,
                rating DOUBLE PRECISION,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (user_id, item_id)
            )""",
            "CREATE INDEX user_item_data_recent ON user_item_data (user_id, last_played_at)",
            "CREATE INDEX user_item_data_item ON user_item_data (item_id)",
        ],
    )
]
