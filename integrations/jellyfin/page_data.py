"""Everything a page of BaseItemDtos needs beside its rows, read in a handful of batched queries (images,
parents, item values, child counts, people, user data), never per item; media sources and trickplay only when
`Fields` asks for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.storage import Database
from integrations.jellyfin.artwork import ImageSigner, PageImages
from integrations.jellyfin.batched import fetch_groups, fetch_in, in_queries
from integrations.jellyfin.fields import Wanted
from integrations.jellyfin.item_types import FOLDER_TYPES, MEDIA_TYPES
from integrations.jellyfin.lineage import read_parents
from integrations.jellyfin.media_info import media_source_queries, sources_of
from integrations.jellyfin.user_data import read_user_data, user_data_read
from plugin_sdk.auth import Principal

_IMAGES = ("SELECT item_id AS row_id, type AS image_type, position, tag, blurhash FROM images "
           "WHERE item_id IN ({ids}) ORDER BY position")  # fmt: skip
_MUSIC = frozenset({"album", "track"})  # their artists come from item values whatever Fields says


@dataclass
class PageData:
    rows: list[dict[str, Any]]  # the page's rows, with the columns listing rows lack
    parents: dict[str, dict[str, Any]]
    images: PageImages
    values: dict[str, dict[str, list[str]]]  # item id -> kind (genre, studio, tag, artist) -> values
    child_counts: dict[str, int]
    people: dict[str, list[dict[str, Any]]]
    sources: dict[str, list[dict[str, Any]]]
    user_data: dict[str, dict[str, Any]]
    trickplay: dict[str, Any]
    source_counts: dict[str, int]  # read when MediaSourceCount is asked for without the sources themselves


@dataclass(frozen=True, slots=True)
class PageReaders:
    """What a page's parts are read from: the database, the image tag signer, the hooks (user state from
    playstate) and the trickplay store (None without trickplay)."""

    db: Database
    signer: ImageSigner
    hooks: Any
    trickplay: Any


async def read_page(
    rows: list[dict[str, Any]], principal: Principal, want: Wanted, readers: PageReaders, *, partial: bool
) -> PageData:
    """What the DTOs of `rows` need; `partial`: the rows are listing rows (see fields.ROW_COLUMNS)."""
    parents = await read_parents(readers.db, rows)
    page = await _read(rows, None, parents, principal, want, readers, partial=partial)
    assert page is not None  # only a lookup by id finds nothing
    return page


async def read_item_page(item_id: str, principal: Principal, want: Wanted, readers: PageReaders) -> PageData | None:
    """One item's row and everything its DTO needs, looked up by id in the same round trip (None: no such item).
    What depends on its type is read whatever the type (a film's children are simply none); only an item that
    shows its parents (an episode, a track) needs a second trip, for them and their artwork."""
    return await _read(None, item_id, {}, principal, want, readers, partial=False)


async def _read(
    rows: list[dict[str, Any]] | None,
    item_id: str | None,
    parents: dict[str, dict[str, Any]],
    principal: Principal,
    want: Wanted,
    readers: PageReaders,
    *,
    partial: bool,
) -> PageData | None:
    """`rows`, or the item `item_id` (read in the batch), with what their DTOs need, in one round trip."""
    if rows is None:
        assert item_id is not None
        ids = media = folders = value_ids = [item_id]  # its type is not known yet: ask as if it had each
    else:
        ids = [row["id"] for row in rows]
        media = [row["id"] for row in rows if row["type"] in MEDIA_TYPES]
        folders = [row["id"] for row in rows if row["type"] in FOLDER_TYPES]
        value_ids = ids if want.genres or want.studios or want.tags else [r["id"] for r in rows if r["type"] in _MUSIC]
    db, hooks, trickplay = readers.db, readers.hooks, readers.trickplay
    columns = want.columns(partial)
    kinds = want.value_kinds()
    marks = ", ".join("?" * len(kinds))
    # One round trip for the page's own queries, the user's state and the trickplay manifests: a page that
    # made three hops to the reader threads waited for the GIL after each under load.
    user_read = await user_data_read(hooks, principal, ids)
    trickplay_read = trickplay.rows_read(media) if want.trickplay and trickplay else None
    tables, reads = await fetch_groups(
        db,
        [
            [("SELECT * FROM items WHERE id = ?", [item_id])] if rows is None else [],
            # With extra columns, the items joined to their images; else the images alone (looking up a page of
            # items by id again costs more than everything else the page reads).
            in_queries(
                f"SELECT i.id AS row_id, {''.join(c + ', ' for c in columns)}m.type AS image_type, m.position, "
                "m.tag, m.blurhash FROM items i LEFT JOIN images m ON m.item_id = i.id WHERE i.id IN ({ids}) "
                "ORDER BY m.position"
                if columns
                else _IMAGES,
                sorted(set(ids) | set(parents)),
            ),
            in_queries(
                "SELECT item_id, COUNT(*) AS count FROM media_sources WHERE item_id IN ({ids}) AND status = 'ok' "
                "GROUP BY item_id",
                media if want.source_count_only else [],
            ),
            in_queries(
                f"SELECT item_id, kind, value FROM item_values WHERE kind IN ({marks}) AND item_id IN ({{ids}}) "
                "ORDER BY value",
                value_ids,
                kinds,
            ),
            in_queries(
                "SELECT parent_id, COUNT(*) AS count FROM items WHERE parent_id IN ({ids}) AND type <> 'extra' "
                "GROUP BY parent_id",
                folders if want.child_count else [],
            ),
            in_queries(
                "SELECT ip.item_id, p.id, p.name, ip.kind, ip.role FROM item_people ip JOIN people p "
                "ON p.id = ip.person_id WHERE ip.item_id IN ({ids}) ORDER BY ip.position",
                ids if want.people else [],
            ),
            *media_source_queries(media if want.media_sources else []),
        ],
        [user_read, trickplay_read],
    )
    found, image_rows, source_count_rows, value_rows, count_rows, people_rows, source_rows, stream_rows = tables
    if rows is None:
        if not found:
            return None
        rows = found
        parents = await read_parents(db, rows)
        if parents:  # their artwork (a series poster on an episode), which the batch could not know to read
            image_rows += await fetch_in(db, _IMAGES, sorted(parents))
    # The user's state came with the batch, unless its keeper offers only the hook that reads it itself.
    user_data = reads[0] if user_read is not None else await read_user_data(hooks, principal, ids)
    manifests = await trickplay.manifests_of(reads[1]) if trickplay_read is not None else {}
    media_sources = sources_of(source_rows, stream_rows)
    images = PageImages(readers.signer)
    extras: dict[str, dict[str, Any]] = {}
    for row in image_rows:
        owner = row.pop("row_id")
        if row["image_type"] is not None:
            images.add(owner, row)
        if columns and owner not in extras:
            del row["image_type"], row["position"], row["tag"], row["blurhash"]
            extras[owner] = row
    if partial:  # listing rows are the caller's: extend copies
        rows = [{**row, **extras[row["id"]]} if row["id"] in extras else row for row in rows]
    values: dict[str, dict[str, list[str]]] = {}
    for row in value_rows:
        values.setdefault(row["item_id"], {}).setdefault(row["kind"], []).append(row["value"])
    people: dict[str, list[dict[str, Any]]] = {}
    for row in people_rows:
        people.setdefault(row["item_id"], []).append(row)
    source_counts = {row["item_id"]: row["count"] for row in source_count_rows}
    return PageData(
        rows=rows,
        parents=parents,
        images=images,
        values=values,
        child_counts={row["parent_id"]: row["count"] for row in count_rows},
        people=people,
        sources=media_sources,
        user_data=user_data,
        trickplay=manifests,
        source_counts=source_counts,
    )
