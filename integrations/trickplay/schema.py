"""One row per media source and thumbnail width: what the sprite sheets on disk hold.

`source_size` and `source_mtime_ns` record the file the sheets were made from: when the scanner sees the file
change (same source id, new size or mtime), the row no longer matches and the sheets are made again.
"""

from core.storage import Migration

MIGRATIONS = [
    Migration(
        1,
        "trickplay manifests",
        [
            """CREATE TABLE trickplay (
                source_id TEXT NOT NULL REFERENCES media_sources(id) ON DELETE CASCADE,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                interval_ms INTEGER NOT NULL,
                tiles_x INTEGER NOT NULL,
                tiles_y INTEGER NOT NULL,
                thumbnail_count INTEGER NOT NULL,
                sheet_count INTEGER NOT NULL,
                source_size BIGINT NOT NULL,
                source_mtime_ns BIGINT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (source_id, width)
            )""",
        ],
    )
]
