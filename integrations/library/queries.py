"""Read the item model: listings with filters, sorting, paging and facets; full item details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from core.storage import Database, Row
from integrations.library.ratings import access_clause
from integrations.library.search import candidates
from plugin_sdk.auth import Principal
from plugin_sdk.reads import BatchRead

SORTS = {
    "name": "i.sort_name",
    "date_added": "i.date_added",
    "release_date": "COALESCE(i.premiere_date, CAST(i.year AS TEXT))",
    "rating": "i.community_rating",
    "year": "i.year",
    "random": "RANDOM()",
    "relevance": "",  # search results: ordered by score in Python
}
NOT_NULL_SORTS = frozenset({"i.sort_name", "i.date_added"})
LIST_COLUMNS = (
    "i.id, i.library_id, i.parent_id, i.type, i.name, i.sort_name, i.original_title, i.year, i.premiere_date, "
    "i.index_number, i.index_number_end, i.parent_index_number, i.community_rating, i.critic_rating, "
    "i.official_rating, i.runtime_ticks, i.date_added, i.edition, i.extra_type"
)


@dataclass(slots=True)
class ItemQuery:
    library_id: str | None = None
    parent_id: str | None = None
    top_level: bool = False
    types: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    rating_min: float | None = None
    search: str | None = None
    sort: str = "name"
    descending: bool = False
    limit: int = 50
    offset: int = 0
    facets: bool = False
    access: Principal | None = None  # the caller: limits results to their libraries and rating ceiling
    extra: list[tuple[str, list[Any]]] = field(default_factory=list)  # per-user filters from other integrations


@dataclass(slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    facets: dict[str, list[dict[str, Any]]] | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset}
        if self.facets is not None:
            body["facets"] = self.facets
        return body


async def list_items(db: Database, query: ItemQuery, *, summarize: bool = True) -> Page:
    """A page of items; `summarize`: drop their None values (callers that rebuild each row skip that pass)."""
    page: Page = await (await listing_read(db, query, summarize=summarize)).run(db)
    return page


async def listing_read(db: Database, query: ItemQuery, *, summarize: bool = True) -> BatchRead:
    """The read of a page of items (see `list_items`), whose answer is the Page: to run on its own, or as the
    first stage of a caller's chain of reads (what the page's items need, read in the same round trip). A
    search looks up its candidates first."""
    where: list[str] = []
    params: list[Any] = []
    scores: dict[str, float] | None = None
    if query.search:
        scores = await candidates(db, query.search)
        if not scores:
            empty = Page([], 0, query.limit, query.offset, _empty_facets() if query.facets else None)
            return BatchRead([], lambda _: empty)
        where.append(f"i.id IN ({', '.join('?' * len(scores))})")
        params.extend(scores)
    restriction, restriction_params = access_clause(query.access)
    if restriction:
        where.append(restriction)
        params.extend(restriction_params)
    if query.library_id:
        where.append("i.library_id = ?")
        params.append(query.library_id)
    if query.parent_id:
        where.append("i.parent_id = ?")
        params.append(query.parent_id)
    elif query.top_level and not query.types and not query.search:
        where.append("i.parent_id IS NULL")
    if query.types:
        where.append(f"i.type IN ({', '.join('?' * len(query.types))})")
        params.extend(query.types)
    elif query.search:
        where.append("i.type <> 'extra'")  # trailers and featurettes show under their movie, not in search
    for clause_sql, clause_params in query.extra:
        where.append(clause_sql)
        params.extend(clause_params)
    for genre in query.genres:
        where.append("EXISTS (SELECT 1 FROM item_values v WHERE v.item_id = i.id AND v.kind = 'genre' AND v.value = ?)")
        params.append(genre)
    for column, operator, value in (
        ("i.year", ">=", query.year_min),
        ("i.year", "<=", query.year_max),
        ("i.community_rating", ">=", query.rating_min),
    ):
        if value is not None:
            where.append(f"{column} {operator} ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    relevance = scores is not None and query.sort == "relevance"
    if relevance:
        listing = (f"SELECT {LIST_COLUMNS} FROM items i {clause}", params)
    else:
        expression = SORTS[query.sort] or SORTS["name"]
        direction = "DESC" if query.descending else "ASC"
        if query.sort == "random":
            order = "RANDOM()"
        elif expression in NOT_NULL_SORTS:  # a plain column order lets an index do the sorting
            order = f"{expression} {direction}, i.id"
        else:  # missing values last, whichever the direction
            order = f"({expression}) IS NULL, {expression} {direction}, i.sort_name, i.id"
        listing = (
            f"SELECT {LIST_COLUMNS} FROM items i {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        )
    # The count, the page and the facets in one round trip.
    queries = [(f"SELECT COUNT(*) AS n FROM items i {clause}", params), listing,
               *(_facet_queries(clause, params) if query.facets else [])]  # fmt: skip

    def page_of(answers: list[list[Row]]) -> Page:
        counted, rows, *facet_rows = answers
        if relevance:
            assert scores is not None
            rows.sort(key=lambda r: (-scores[r["id"]], r["sort_name"]))
            rows = rows[query.offset : query.offset + query.limit]
        facets = dict(zip(("genres", "years", "types"), facet_rows, strict=True)) if query.facets else None
        items = [_summary(r) for r in rows] if summarize else rows
        return Page(items, int(counted[0]["n"] or 0), query.limit, query.offset, facets)

    return BatchRead(queries, page_of)


def _empty_facets() -> dict[str, list[dict[str, Any]]]:
    return {"genres": [], "years": [], "types": []}


def _facet_queries(clause: str, params: list[Any]) -> list[tuple[str, list[Any]]]:
    """Counts per genre, year and type over the filtered items, in that order."""
    subset = f"SELECT i.id FROM items i {clause}"
    return [
        (
            f"SELECT v.value AS value, COUNT(*) AS count FROM item_values v WHERE v.kind = 'genre' "
            f"AND v.item_id IN ({subset}) GROUP BY v.value ORDER BY count DESC, v.value LIMIT 100",
            params,
        ),
        (
            f"SELECT i.year AS value, COUNT(*) AS count FROM items i {clause} {'AND' if clause else 'WHERE'} "
            "i.year IS NOT NULL GROUP BY i.year ORDER BY i.year DESC",
            params,
        ),
        (
            f"SELECT i.type AS value, COUNT(*) AS count FROM items i {clause} GROUP BY i.type ORDER BY count DESC",
            params,
        ),
    ]


def _summary(row: Row) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


async def get_item(db: Database, item_id: str) -> Row | None:
    return await db.fetch_one("SELECT * FROM items WHERE id = ?", (item_id,))


async def item_details(db: Database, item: Row) -> dict[str, Any]:
    """Everything about one item: fields, relations, images, media sources with streams and chapters."""
    item_id = item["id"]
    details = {k: v for k, v in item.items() if v is not None and k not in ("natural_key",)}
    details["provider_ids"] = orjson.loads(item["provider_ids"])
    details["locked_fields"] = orjson.loads(item["locked_fields"])
    values, people, images, children, sources = await db.fetch_batch(
        [
            ("SELECT kind, value FROM item_values WHERE item_id = ? ORDER BY kind, value", (item_id,)),
            (
                "SELECT p.id, p.name, ip.kind, ip.role FROM item_people ip JOIN people p ON p.id = ip.person_id "
                "WHERE ip.item_id = ? ORDER BY ip.position",
                (item_id,),
            ),
            (
                "SELECT type, position, tag, source, NULLIF(blurhash, '') AS blurhash FROM images WHERE item_id = ? "
                "ORDER BY type, position",
                (item_id,),
            ),
            ("SELECT COUNT(*) AS n FROM items WHERE parent_id = ?", (item_id,)),
            (_SOURCES, (item_id,)),
        ]
    )
    for kind in ("genre", "studio", "tag", "artist"):
        details[kind + "s"] = [v["value"] for v in values if v["kind"] == kind]
    details["people"] = people
    details["images"] = images
    details["child_count"] = children[0]["n"]
    details["media_sources"] = await _with_streams(db, sources)
    return details


_SOURCES = (
    "SELECT id, path, size, container, duration_ticks, bitrate, version_label FROM media_sources "
    "WHERE item_id = ? AND status = 'ok' ORDER BY version_label, path"
)


_CHAPTERS = "SELECT start_ticks, end_ticks, title FROM chapters WHERE source_id = ? ORDER BY position"


async def media_sources(db: Database, item_id: str) -> list[dict[str, Any]]:
    return await _with_streams(db, await db.fetch_all(_SOURCES, (item_id,)))


async def _with_streams(db: Database, sources: list[Row]) -> list[dict[str, Any]]:
    """Each source with its streams and chapters, read in one batch."""
    queries: list[tuple[str, tuple[Any, ...]]] = []
    for source in sources:
        queries.append(("SELECT data FROM media_streams WHERE source_id = ? ORDER BY position", (source["id"],)))
        queries.append((_CHAPTERS, (source["id"],)))
    answers = await db.fetch_batch(queries) if queries else []
    for source, streams, chapters in zip(sources, answers[::2], answers[1::2], strict=True):
        source["streams"] = [
            {k: v for k, v in orjson.loads(s["data"]).items() if v is not None and v is not False} for s in streams
        ]
        source["chapters"] = chapters
    return sources


async def image_path(db: Database, item_id: str, image_type: str, index: int) -> Row | None:
    return await db.fetch_one(
        "SELECT path, tag FROM images WHERE item_id = ? AND lower(type) = lower(?) AND position = ?",
        (item_id, image_type, index),
    )
