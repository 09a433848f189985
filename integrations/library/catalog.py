"""Write what a scan learned into the item model: items by natural key, media sources, streams, relations."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from core.storage.database import Connection
from integrations.library.analysis import Analysis
from integrations.library.placement import ItemSpec, sort_name
from plugin_sdk.media import ItemMetadata, LocalImage

# Item columns that metadata may fill and a user may lock by editing them.
EDITABLE_FIELDS = (
    "name", "sort_name", "original_title", "overview", "tagline", "year", "premiere_date",
    "community_rating", "critic_rating", "official_rating", "provider_ids",
)  # fmt: skip
RELATION_KINDS = ("genre", "studio", "tag")
_COLUMNS = (*EDITABLE_FIELDS, "index_number", "index_number_end", "parent_index_number", "runtime_ticks", "path",
            "edition", "extra_type", "is_compilation")  # fmt: skip


def image_tag(path: str) -> str:
    try:
        stat = Path(path).stat()
        basis = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    except OSError:
        basis = path
    return hashlib.sha1(basis.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def metadata_fields(metadata: ItemMetadata | None) -> dict[str, Any]:
    if metadata is None:
        return {}
    values: dict[str, Any] = {
        "name": metadata.title,
        "original_title": metadata.original_title,
        "sort_name": sort_name(metadata.sort_title) if metadata.sort_title else None,
        "overview": metadata.overview,
        "tagline": metadata.tagline,
        "year": metadata.year or (metadata.premiere_date.year if metadata.premiere_date else None),
        "premiere_date": metadata.premiere_date.isoformat() if metadata.premiere_date else None,
        "community_rating": metadata.community_rating,
        "critic_rating": metadata.critic_rating,
        "official_rating": metadata.official_rating,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


class _Ids:
    """uuid4 hex ids, with one os.urandom call per 256 of them: uuid4() makes a system call per id, and each one
    hands the GIL to the probe threads and waits to get it back."""

    def __init__(self) -> None:
        self._random = b""
        self._at = 0

    def new(self) -> str:
        if self._at >= len(self._random):
            self._random, self._at = os.urandom(16 * 256), 0
        raw = self._random[self._at : self._at + 16]
        self._at += 16
        return uuid.UUID(bytes=raw, version=4).hex


class Catalog:
    """One scan's writer. Remembers items it already wrote so a series isn't rewritten for every episode."""

    def __init__(self, library_id: str, covers_dir: Path) -> None:
        self.library_id = library_id
        self.covers_dir = covers_dir
        self._written: dict[str, str] = {}
        self._ids = _Ids()
        self.created_items: list[str] = []

    async def place_file(
        self,
        conn: Connection,
        analysis: Analysis,
        chain: list[ItemSpec],
        folder_info: dict[str, tuple[ItemMetadata | None, list[LocalImage]]],
        version_label: str | None,
        source_id: str | None = None,
    ) -> str:
        """`source_id`: the media source row this file already has (known to the scanner), None for a new file."""
        parent_id: str | None = None
        for depth, spec in enumerate(chain):
            leaf = depth == len(chain) - 1
            if not leaf and spec.key in self._written:
                parent_id = self._written[spec.key]
                continue
            metadata, images = folder_info.get(spec.path or "", (None, [])) if not leaf else (None, [])
            if leaf:
                metadata, images = analysis.metadata, list(analysis.images)
                probe = analysis.probe
                assert probe is not None
                spec.fields["runtime_ticks"] = probe.duration_ticks
                if probe.cover_art:
                    images.append(self._save_cover(probe.cover_art, probe.cover_art_mime))
                    if chain[depth - 1].type == "album" and depth > 0:
                        await self._ensure_primary(conn, self._written.get(chain[depth - 1].key), images[-1])
            parent_id = await self._upsert_item(conn, spec, parent_id, metadata, images)
            self._written[spec.key] = parent_id
        assert parent_id is not None
        await self._upsert_source(conn, parent_id, analysis, version_label, source_id)
        if analysis.probe and analysis.probe.tags.get("artist"):
            new = parent_id in self.created_items
            await self._relations(conn, parent_id, {"artist": [analysis.probe.tags["artist"]]}, set(), new=new)
        return parent_id

    async def _upsert_item(
        self,
        conn: Connection,
        spec: ItemSpec,
        parent_id: str | None,
        metadata: ItemMetadata | None,
        images: list[LocalImage],
    ) -> str:
        now = time.time()
        values: dict[str, Any] = {k: v for k, v in spec.fields.items() if k in _COLUMNS}
        values.update(name=spec.name, sort_name=_episode_sort(spec) or sort_name(spec.name), path=spec.path)
        values.update(metadata_fields(metadata))
        if metadata and metadata.provider_ids:
            values["provider_ids"] = orjson.dumps(metadata.provider_ids).decode()
        # A cold scan writes mostly new items: try the insert first (one round trip), look up only on conflict.
        item_id = self._ids.new()
        columns = ["id", "library_id", "parent_id", "type", "natural_key", "date_added", "date_modified", *values]
        params = [item_id, self.library_id, parent_id, str(spec.type), spec.key, now, now, *values.values()]
        inserted = await conn.execute(
            f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            "ON CONFLICT (library_id, natural_key) DO NOTHING",
            params,
        )
        row = (
            None
            if inserted
            else await conn.fetch_one(
                "SELECT id, locked_fields FROM items WHERE library_id = ? AND natural_key = ?",
                (self.library_id, spec.key),
            )
        )
        new = row is None
        if new:
            self.created_items.append(item_id)
            locked: set[str] = set()
        else:
            item_id = row["id"]
            locked = set(orjson.loads(row["locked_fields"]))
            values = {k: v for k, v in values.items() if k not in locked}
            values.update(parent_id=parent_id, date_modified=now)
            assignments = ", ".join(f"{column} = ?" for column in values)
            await conn.execute(f"UPDATE items SET {assignments} WHERE id = ?", [*values.values(), item_id])
        if metadata is not None:
            await self._people(conn, item_id, metadata, locked)
            await self._relations(
                conn, item_id, {"genre": metadata.genres, "studio": metadata.studios, "tag": metadata.tags}, locked,
                new=new,
            )  # fmt: skip
        if "images" not in locked:
            await self._images(conn, item_id, images, new=new)
        if new:  # everything the document needs is at hand: no read-back
            people = [p.name for p in metadata.people] if metadata else []
            await write_search(conn, item_id, search_document(values, people), new=True)
        else:
            await index_search(conn, item_id)
        return item_id

    async def _people(self, conn: Connection, item_id: str, metadata: ItemMetadata, locked: set[str]) -> None:
        if "people" in locked or not metadata.people:
            return
        await conn.execute("DELETE FROM item_people WHERE item_id = ?", (item_id,))
        for position, person in enumerate(metadata.people):
            person_id = await conn.fetch_value("SELECT id FROM people WHERE name = ?", (person.name,))
            if person_id is None:
                person_id = self._ids.new()
                await conn.execute(
                    "INSERT INTO people (id, name) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (person_id, person.name),
                )
                person_id = await conn.fetch_value("SELECT id FROM people WHERE name = ?", (person.name,))
            await conn.execute(
                "INSERT INTO item_people (item_id, position, person_id, kind, role) VALUES (?, ?, ?, ?, ?)",
                (item_id, position, person_id, person.kind, person.role),
            )

    async def _relations(
        self, conn: Connection, item_id: str, relations: dict[str, list[str]], locked: set[str], *, new: bool = False
    ) -> None:
        for kind, values in relations.items():
            if kind + "s" in locked or not values:
                continue
            if not new:
                await conn.execute("DELETE FROM item_values WHERE item_id = ? AND kind = ?", (item_id, kind))
            await conn.executemany(
                "INSERT INTO item_values (item_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(item_id, kind, value.strip()) for value in values if value.strip()],
            )

    async def _images(self, conn: Connection, item_id: str, images: list[LocalImage], *, new: bool = False) -> None:
        if not new:
            await conn.execute("DELETE FROM images WHERE item_id = ? AND source IN ('local', 'embedded')", (item_id,))
        counts: dict[str, int] = {}
        rows = []
        for image in images:
            position = counts.get(image.type, 0)
            counts[image.type] = position + 1
            source = "embedded" if Path(image.path).is_relative_to(self.covers_dir) else "local"
            rows.append((item_id, image.type, position, image.path, source, image_tag(image.path)))
        if rows:
            await conn.executemany(
                "INSERT INTO images (item_id, type, position, path, source, tag) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

    async def _ensure_primary(self, conn: Connection, item_id: str | None, image: LocalImage) -> None:
        """An album without cover art on disk takes the first embedded one."""
        if item_id is None:
            return
        if await conn.fetch_value("SELECT COUNT(*) FROM images WHERE item_id = ? AND type = 'Primary'", (item_id,)):
            return
        await conn.execute(
            "INSERT INTO images (item_id, type, position, path, source, tag) "
            "VALUES (?, 'Primary', 0, ?, 'embedded', ?)",
            (item_id, image.path, image_tag(image.path)),
        )

    def _save_cover(self, data: bytes, mime: str | None) -> LocalImage:
        extension = ".png" if mime == "image/png" else ".jpg"
        path = self.covers_dir / (hashlib.sha1(data).hexdigest() + extension)
        if not path.exists():
            self.covers_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return LocalImage("Primary", str(path))

    async def _upsert_source(
        self, conn: Connection, item_id: str, analysis: Analysis, version_label: str | None, source_id: str | None
    ) -> None:
        probe = analysis.probe
        assert probe is not None
        entry = analysis.entry
        values = (
            item_id, entry.size, entry.mtime_ns, entry.inode, entry.device, probe.container, probe.duration_ticks,
            probe.bitrate, version_label, orjson.dumps(probe.tags).decode(), "ok", None, time.time(),
        )  # fmt: skip
        if source_id is None:
            source_id = self._ids.new()
            await conn.execute(
                "INSERT INTO media_sources (item_id, size, mtime_ns, inode, device, container, duration_ticks, "
                "bitrate, version_label, tags, status, error, probed_at, id, library_id, path) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, source_id, self.library_id, entry.path),
            )
        else:
            await conn.execute(
                "UPDATE media_sources SET item_id = ?, size = ?, mtime_ns = ?, inode = ?, device = ?, container = ?, "
                "duration_ticks = ?, bitrate = ?, version_label = ?, tags = ?, status = ?, error = ?, probed_at = ? "
                "WHERE id = ?",
                (*values, source_id),
            )
            await conn.execute("DELETE FROM media_streams WHERE source_id = ?", (source_id,))
            await conn.execute("DELETE FROM chapters WHERE source_id = ?", (source_id,))
        streams = [*probe.streams, *analysis.subtitles]
        await conn.executemany(
            "INSERT INTO media_streams (source_id, position, type, codec, language, data) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (source_id, position, s.type, s.codec, s.language, orjson.dumps(s).decode())
                for position, s in enumerate(streams)
            ],
        )
        if probe.chapters:
            await conn.executemany(
                "INSERT INTO chapters (source_id, position, start_ticks, end_ticks, title) VALUES (?, ?, ?, ?, ?)",
                [(source_id, i, c.start_ticks, c.end_ticks, c.title) for i, c in enumerate(probe.chapters)],
            )

    async def record_failure(self, conn: Connection, analysis: Analysis) -> None:
        entry = analysis.entry
        await conn.execute(
            "INSERT INTO media_sources (id, library_id, item_id, path, size, mtime_ns, inode, device, status, error, "
            "probed_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'failed', ?, ?) ON CONFLICT (library_id, path) DO UPDATE "
            "SET item_id = NULL, size = excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode, "
            "device = excluded.device, status = 'failed', error = excluded.error, probed_at = excluded.probed_at",
            (
                self._ids.new(), self.library_id, entry.path, entry.size, entry.mtime_ns, entry.inode, entry.device,
                analysis.error, time.time(),
            ),
        )  # fmt: skip


def _episode_sort(spec: ItemSpec) -> str | None:
    """Seasons, episodes and tracks sort by number, not name."""
    index = spec.fields.get("index_number")
    if spec.type in ("season", "episode", "track") and index is not None:
        return f"{spec.fields.get('parent_index_number') or 0:04d}{index:05d}"
    return None


def search_document(values: dict[str, Any], people: list[str]) -> str:
    """Line 1: titles; middle: overview; last line: people. Search scores typos on the first and last lines."""
    titles = " / ".join(dict.fromkeys(v for v in (values.get("name"), values.get("original_title"),
                                                  values.get("sort_name")) if v))  # fmt: skip
    overview = (values.get("overview") or "").replace("\n", " ")
    return f"{titles}\n{overview}\n" + " ".join(people)


async def write_search(conn: Connection, item_id: str, document: str, *, new: bool = False) -> None:
    if conn.dialect == "sqlite":
        if not new:
            await conn.execute("DELETE FROM item_search WHERE item_id = ?", (item_id,))
        await conn.execute("INSERT INTO item_search (item_id, document) VALUES (?, ?)", (item_id, document))
    else:
        await conn.execute(
            "INSERT INTO item_search (item_id, document) VALUES (?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET document = excluded.document",
            (item_id, document),
        )


async def index_search(conn: Connection, item_id: str) -> None:
    """Rewrite an item's search document from what is stored (after edits and provider updates)."""
    row = await conn.fetch_one("SELECT name, original_title, sort_name, overview FROM items WHERE id = ?", (item_id,))
    if row is None:
        return
    people = await conn.fetch_all(
        "SELECT p.name FROM item_people ip JOIN people p ON p.id = ip.person_id WHERE ip.item_id = ? "
        "ORDER BY ip.position",
        (item_id,),
    )
    await write_search(conn, item_id, search_document(row, [p["name"] for p in people]))
