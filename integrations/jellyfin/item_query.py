"""`/Items` query parameters as a library ItemQuery: filters (user state, genres, years, people, rating) and
sorting."""

from __future__ import annotations

from typing import Any

from integrations.jellyfin.names import name_id
from integrations.jellyfin.protocol import JellyfinError, Query
from integrations.jellyfin.server import JellyfinServer
from integrations.library.queries import ItemQuery
from plugin_sdk.auth import Principal

SORTS = {
    "sortname": "name",
    "name": "name",
    "datecreated": "date_added",
    "premieredate": "release_date",
    "communityrating": "rating",
    "random": "random",
    "productionyear": "year",
}
INDEX_SORTS = frozenset({"indexnumber", "parentindexnumber", "airedepisodeorder"})
USER_FILTERS = {
    "isplayed": ("played", True),
    "isunplayed": ("played", False),
    "isfavorite": ("favorite", True),
    "isresumable": ("resumable", True),
}


async def add_filters(server: JellyfinServer, query: Query, principal: Principal, item_query: ItemQuery) -> None:
    """Add the query's filters to `item_query`; a 400 for one that is malformed or that nothing can answer."""
    wanted: dict[str, bool] = {}
    for name in query.csv("Filters"):
        if name.lower() in USER_FILTERS:
            key, value = USER_FILTERS[name.lower()]
            wanted[key] = value
    for param, key in (("IsPlayed", "played"), ("IsFavorite", "favorite")):
        value = query.boolean(param)
        if value is not None:
            wanted[key] = value
    for key, value in wanted.items():
        item_query.extra.append(_user_filter(server, key, value, principal))
    genres = query.csv("Genres", "|")
    genre_ids = set(query.ids("GenreIds"))
    if genre_ids:
        known = await server.db.fetch_all("SELECT DISTINCT value FROM item_values WHERE kind = 'genre'")
        genres = [*genres, *[r["value"] for r in known if name_id("genre", r["value"]) in genre_ids]]
    if genres:
        item_query.extra.append(
            (
                f"EXISTS (SELECT 1 FROM item_values v WHERE v.item_id = i.id AND v.kind = 'genre' AND v.value IN "
                f"({', '.join('?' * len(genres))}))",
                genres,
            )
        )
    years = []
    for year in query.csv("Years"):
        if not year.isdigit() or len(year) > 4:
            raise JellyfinError(400, "Years must be a comma-separated list of years")
        years.append(int(year))
    if years:
        item_query.extra.append((f"i.year IN ({', '.join('?' * len(years))})", years))
    person_ids = query.ids("PersonIds")
    if person_ids:
        item_query.extra.append(
            (
                f"EXISTS (SELECT 1 FROM item_people ip WHERE ip.item_id = i.id AND ip.person_id IN "
                f"({', '.join('?' * len(person_ids))}))",
                person_ids,
            )
        )
    rating = query.number("MinCommunityRating")
    if rating is not None:
        item_query.rating_min = rating


def _user_filter(server: JellyfinServer, name: str, value: bool, principal: Principal) -> tuple[str, list[Any]]:
    found = server.scope.root.hooks.hook.item_query_filter(name=name, value=value, user_id=principal.user_id)
    if found is None:
        raise JellyfinError(400, f"Filter '{name}' needs the playstate integration")
    return found


def set_sort(query: Query, item_query: ItemQuery, search: str | None, parent: dict[str, Any] | None) -> bool:
    """Set the order from SortBy and SortOrder; True when the rows are to be put in index order instead
    (episodes, tracks: asked for, or a season's or album's children with no known sort)."""
    sort_by = [s.lower() for s in query.csv("SortBy")]
    orders = [s.lower() for s in query.csv("SortOrder")]
    item_query.descending = bool(orders) and orders[0] == "descending"
    known = [SORTS[s] for s in sort_by if s in SORTS]
    item_query.sort = known[0] if known else ("relevance" if search else "name")
    return bool(INDEX_SORTS & set(sort_by[:2])) or (
        parent is not None and parent["type"] in ("season", "album") and not known
    )
