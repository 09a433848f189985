"""Everything a page of BaseItemDtos needs beside its rows (images, parents, item values, child counts, people,
user data; media sources and trickplay only when `Fields` asks for them), read in batched queries, never per
item, and in one round trip to the database: a chain of stages (the rows themselves when they are not given,
their parents, the grandparents, then the rest), each made from the rows of the one before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.storage import Database
from integrations.jellyfin.artwork import ImageSigner, PageImages
from integrations.jellyfin.batched import GroupedQueries, in_queries
from integrations.jellyfin.fields import Wanted
from integrations.jellyfin.item_types import FOLDER_TYPES, MEDIA_TYPES
from integrations.jellyfin.lineage import PARENT_ROWS, grandparent_ids, parent_ids
from integrations.jellyfin.media_info import media_source_queries, sources_of
from integrations.jellyfin.user_data import read_user_data, user_data_read
from integrations.library.queries import Page
from plugin_sdk.auth import Principal
from plugin_sdk.reads import BatchRead

Rows = list[dict[str, Any]]
_IMAGES = ("SELECT item_id AS row_id, type AS image_type, position, tag, blurhash FROM images "
           "WHERE item_id IN ({ids}) ORDER BY position")  # fmt: skip
_MUSIC = frozenset({"album", "track"})  # their artists come from item values whatever Fields says


@dataclass
class PageData:
    rows: Rows  # the page's rows, with the columns listing rows lack
    parents: dict[str, dict[str, Any]]
    images: PageImages
    values: dict[str, dict[str, list[str]]]  # item id -> kind (genre, studio, tag, artist) -> values
    child_counts: dict[str, int]
    people: dict[str, Rows]
    sources: dict[str, Rows]
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


async def read_page(rows: Rows, principal: Principal, want: Wanted, readers: PageReaders, *, partial: bool) -> PageData:
    """What the DTOs of `rows` need; `partial`: the rows are listing rows (see fields.ROW_COLUMNS)."""
    chain = await _PageChain.start(principal, want, readers, partial=partial, rows_of=lambda _: rows)
    return await chain.run([])


async def read_item_page(item_id: str, principal: Principal, want: Wanted, readers: PageReaders) -> PageData | None:
    """One item's row and everything its DTO needs, in one round trip (None: no such item)."""
    chain = await _PageChain.start(principal, want, readers, partial=False, rows_of=lambda answers: answers[0])
    page = await chain.run([("SELECT * FROM items WHERE id = ?", [item_id])])
    return page if page.rows else None


async def read_listing_page(
    listing: BatchRead, principal: Principal, want: Wanted, readers: PageReaders
) -> tuple[Page, PageData]:
    """A listing (a read answering the library's Page of listing rows) and what the DTOs of its rows need, in
    one round trip: the library's Page, and the PageData of its items."""
    found: list[Page] = []

    def rows_of(answers: list[Rows]) -> Rows:
        found.append(listing.answer(answers))
        return found[0].items

    chain = await _PageChain.start(principal, want, readers, partial=True, rows_of=rows_of)
    page = await chain.run(listing.queries)
    return found[0], page


class _PageChain:
    """The stages of one page's read. The steps run wherever the database reads (SQLite: a reader's thread), so
    they only build queries and keep what they found on this object, which no other task touches."""

    def __init__(self, principal: Principal, want: Wanted, readers: PageReaders, *, partial: bool,
                 rows_of: Callable[[list[Rows]], Rows], user_read_for: Callable[[list[str]], BatchRead] | None,
                 trickplay: bool) -> None:  # fmt: skip
        self.principal, self.want, self.readers, self.partial = principal, want, readers, partial
        self.rows_of, self.user_read_for, self.trickplay = rows_of, user_read_for, trickplay
        self.rows: Rows = []
        self.parents: dict[str, dict[str, Any]] = {}
        self.data = GroupedQueries([])

    @classmethod
    async def start(cls, principal: Principal, want: Wanted, readers: PageReaders, *, partial: bool,
                    rows_of: Callable[[list[Rows]], Rows]) -> _PageChain:  # fmt: skip
        """A chain for this page, with what only the event loop may ask beforehand (hooks, loaded integrations)."""
        user_read_for = await user_data_read(readers.hooks, principal)
        trickplay = bool(want.trickplay and readers.trickplay and readers.trickplay.available())
        return cls(principal, want, readers, partial=partial, rows_of=rows_of, user_read_for=user_read_for,
                   trickplay=trickplay)  # fmt: skip

    async def run(self, first: Sequence[tuple[str, Sequence[Any]]]) -> PageData:
        """Read `first` (the queries that find the rows; none when they are given) and the rest of the chain."""
        stages = await self.readers.db.fetch_chain(first, self._parents_of_rows, self._grandparents, self._data)
        return await self._shape(stages[-1])

    def _parents_of_rows(self, answers: list[Rows]) -> list[tuple[str, list[Any]]]:
        self.rows = self.rows_of(answers)
        return in_queries(PARENT_ROWS, parent_ids(self.rows))

    def _grandparents(self, answers: list[Rows]) -> list[tuple[str, list[Any]]]:
        self.parents = {row["id"]: row for rows in answers for row in rows}
        return in_queries(PARENT_ROWS, grandparent_ids(self.parents))

    def _data(self, answers: list[Rows]) -> list[tuple[str, list[Any]]]:
        self.parents.update((row["id"], row) for rows in answers for row in rows)
        rows, want = self.rows, self.want
        ids = [row["id"] for row in rows]
        media = [row["id"] for row in rows if row["type"] in MEDIA_TYPES]
        folders = [row["id"] for row in rows if row["type"] in FOLDER_TYPES]
        value_ids = ids if want.genres or want.studios or want.tags else [r["id"] for r in rows if r["type"] in _MUSIC]
        columns = want.columns(self.partial)
        kinds = want.value_kinds()
        marks = ", ".join("?" * len(kinds))
        self.data = GroupedQueries(
            [
                # With extra columns, the items joined to their images; else the images alone (looking up a
                # page of items by id again costs more than everything else the page reads). The parents'
                # images come too: a series poster shows on its episodes.
                in_queries(
                    f"SELECT i.id AS row_id, {''.join(c + ', ' for c in columns)}m.type AS image_type, m.position, "
                    "m.tag, m.blurhash FROM items i LEFT JOIN images m ON m.item_id = i.id WHERE i.id IN ({ids}) "
                    "ORDER BY m.position"
                    if columns
                    else _IMAGES,
                    sorted(set(ids) | set(self.parents)),
                ),
                in_queries(
                    "SELECT item_id, COUNT(*) AS count FROM media_sources WHERE item_id IN ({ids}) "
                    "AND status = 'ok' GROUP BY item_id",
                    media if want.source_count_only else [],
                ),
                in_queries(
                    f"SELECT item_id, kind, value FROM item_values WHERE kind IN ({marks}) "
                    "AND item_id IN ({ids}) ORDER BY value",
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
            [
                self.user_read_for(ids) if self.user_read_for else None,
                self.readers.trickplay.rows_read(media) if self.trickplay else None,
            ],
        )
        return self.data.queries

    async def _shape(self, answers: list[Rows]) -> PageData:
        tables, (user_data, trickplay_rows) = self.data.unpack(answers)
        image_rows, source_count_rows, value_rows, count_rows, people_rows, source_rows, stream_rows = tables
        rows, readers = self.rows, self.readers
        ids = [row["id"] for row in rows]
        if self.user_read_for is None:  # the state's keeper offers only the hook that reads it itself
            user_data = await read_user_data(readers.hooks, self.principal, ids)
        manifests = await readers.trickplay.manifests_of(trickplay_rows) if trickplay_rows is not None else {}
        images = PageImages(readers.signer)
        extras: dict[str, dict[str, Any]] = {}
        columns = self.want.columns(self.partial)
        for row in image_rows:
            owner = row.pop("row_id")
            if row["image_type"] is not None:
                images.add(owner, row)
            if columns and owner not in extras:
                del row["image_type"], row["position"], row["tag"], row["blurhash"]
                extras[owner] = row
        if self.partial:  # listing rows are the caller's: extend copies
            rows = [{**row, **extras[row["id"]]} if row["id"] in extras else row for row in rows]
        values: dict[str, dict[str, list[str]]] = {}
        for row in value_rows:
            values.setdefault(row["item_id"], {}).setdefault(row["kind"], []).append(row["value"])
        people: dict[str, Rows] = {}
        for row in people_rows:
            people.setdefault(row["item_id"], []).append(row)
        return PageData(
            rows=rows,
            parents=self.parents,
            images=images,
            values=values,
            child_counts={row["parent_id"]: row["count"] for row in count_rows},
            people=people,
            sources=sources_of(source_rows, stream_rows),
            user_data=user_data or {},
            trickplay=manifests,
            source_counts={row["item_id"]: row["count"] for row in source_count_rows},
        )
