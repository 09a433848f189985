"""The library's tables. Portable SQL, except full-text search (FTS5 trigram / pg_trgm)."""

from core.storage import Migration

_TABLES = [
    """CREATE TABLE libraries (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        folders TEXT NOT NULL,
        ignore_patterns TEXT NOT NULL,
        scan_interval_minutes INTEGER,
        source TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        last_scan_at DOUBLE PRECISION
    )""",
    """CREATE TABLE items (
        id TEXT PRIMARY KEY,
        library_id TEXT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        parent_id TEXT REFERENCES items(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        natural_key TEXT NOT NULL,
        name TEXT NOT NULL,
        sort_name TEXT NOT NULL,
        original_title TEXT,
        overview TEXT,
        tagline TEXT,
        year INTEGER,
        premiere_date TEXT,
        index_number INTEGER,
        index_number_end INTEGER,
        parent_index_number INTEGER,
        community_rating DOUBLE PRECISION,
        critic_rating DOUBLE PRECISION,
        official_rating TEXT,
        runtime_ticks BIGINT,
        path TEXT,
        edition TEXT,
        extra_type TEXT,
        is_compilation INTEGER NOT NULL DEFAULT 0,
        provider_ids TEXT NOT NULL DEFAULT '{}',
        locked_fields TEXT NOT NULL DEFAULT '[]',
        date_added DOUBLE PRECISION NOT NULL,
        date_modified DOUBLE PRECISION NOT NULL,
        UNIQUE (library_id, natural_key)
    )""",
    "CREATE INDEX items_parent ON items (parent_id, sort_name)",
    "CREATE INDEX items_library_type ON items (library_id, type, sort_name)",
    "CREATE INDEX items_date_added ON items (library_id, date_added)",
    """CREATE TABLE media_sources (
        id TEXT PRIMARY KEY,
        library_id TEXT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        item_id TEXT REFERENCES items(id) ON DELETE SET NULL,
        path TEXT NOT NULL,
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        inode BIGINT NOT NULL,
        device BIGINT NOT NULL,
        container TEXT,
        duration_ticks BIGINT,
        bitrate BIGINT,
        version_label TEXT,
        tags TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        error TEXT,
        probed_at DOUBLE PRECISION NOT NULL,
        UNIQUE (library_id, path)
    )""",
    "CREATE INDEX media_sources_item ON media_sources (item_id)",
    """CREATE TABLE media_streams (
        source_id TEXT NOT NULL REFERENCES media_sources(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        type TEXT NOT NULL,
        codec TEXT,
        language TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (source_id, position)
    )""",
    """CREATE TABLE chapters (
        source_id TEXT NOT NULL REFERENCES media_sources(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        start_ticks BIGINT NOT NULL,
        end_ticks BIGINT,
        title TEXT,
        PRIMARY KEY (source_id, position)
    )""",
    "CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    """CREATE TABLE item_people (
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        role TEXT,
        PRIMARY KEY (item_id, position)
    )""",
    "CREATE INDEX item_people_person ON item_people (person_id)",
    """CREATE TABLE item_values (
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (item_id, kind, value)
    )""",
    "CREATE INDEX item_values_value ON item_values (kind, value)",
    """CREATE TABLE images (
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        position INTEGER NOT NULL,
        path TEXT NOT NULL,
        source TEXT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (item_id, type, position)
    )""",
]

_SEARCH = {
    "sqlite": [
        # item_id is kept beside the text; one row per item, rewritten when the item changes.
        "CREATE VIRTUAL TABLE item_search USING fts5(item_id UNINDEXED, document, tokenize='trigram')",
        # FTS5 tables take no foreign keys; cascaded deletes of items fire this trigger too.
        """CREATE TRIGGER items_search_cleanup AFTER DELETE ON items BEGIN
            DELETE FROM item_search WHERE item_id = old.id;
        END""",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE item_search (item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE, document TEXT)",
        "CREATE INDEX item_search_trgm ON item_search USING GIN (document gin_trgm_ops)",
    ],
}

MIGRATIONS = [
    Migration(1, "library model", _TABLES),
    Migration(2, "search index", _SEARCH),
    Migration(
        3,
        "indexes for library listings",
        [
            # Top-level listings (parent_id IS NULL) sorted by name or date added, without a full sort.
            "CREATE INDEX items_library_parent_sort ON items (library_id, parent_id, sort_name)",
            "CREATE INDEX items_library_parent_added ON items (library_id, parent_id, date_added)",
        ],
    ),
    Migration(
        4,
        "image blurhashes",
        [
            # Filled right after a scan writes its images (library/blurhash.py); '' when one could not be made.
            "ALTER TABLE images ADD COLUMN blurhash TEXT",
            # The rows still waiting for one: a no-change rescan finds none without reading every image row.
            "CREATE INDEX images_blurhash_pending ON images (item_id) WHERE blurhash IS NULL",
        ],
    ),
]
