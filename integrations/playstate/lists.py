"""Home-screen lists for one user: continue watching, next up, recently added, history, favorites."""

from __future__ import annotations

from typing import Any

from core.storage import Database
from integrations.library.queries import LIST_COLUMNS
from integrations.library.ratings import access_clause
from plugin_sdk.auth import Principal

_SERIES_OF = "CASE WHEN p.type = 'season' THEN p.parent_id ELSE p.id END"


def _restriction(principal: Principal) -> tuple[str, list[Any]]:
    clause, params = access_clause(principal)
    return (f" AND {clause}" if clause else ""), params


async def continue_watching(db: Database, principal: Principal, limit: int) -> list[dict[str, Any]]:
    clause, params = _restriction(principal)
    return await db.fetch_all(
        f"SELECT {LIST_COLUMNS}, d.position_ticks, d.last_played_at FROM user_item_data d "
        f"JOIN items i ON i.id = d.item_id WHERE d.user_id = ? AND d.position_ticks > 0 AND d.played = 0{clause} "
        "ORDER BY d.last_played_at DESC LIMIT ?",
        [principal.user_id, *params, limit],
    )


async def history(db: Database, principal: Principal, limit: int, offset: int) -> list[dict[str, Any]]:
    clause, params = _restriction(principal)
    return await db.fetch_all(
        f"SELECT {LIST_COLUMNS}, d.play_count, d.last_played_at FROM user_item_data d JOIN items i ON i.id = d.item_id "
        f"WHERE d.user_id = ? AND d.last_played_at IS NOT NULL{clause} ORDER BY d.last_played_at DESC LIMIT ? OFFSET ?",
        [principal.user_id, *params, limit, offset],
    )


async def favorites(db: Database, principal: Principal, limit: int) -> list[dict[str, Any]]:
    clause, params = _restriction(principal)
    return await db.fetch_all(
        f"SELECT {LIST_COLUMNS} FROM user_item_data d JOIN items i ON i.id = d.item_id "
        f"WHERE d.user_id = ? AND d.is_favorite = 1{clause} ORDER BY i.sort_name LIMIT ?",
        [principal.user_id, *params, limit],
    )


async def latest(db: Database, principal: Principal, library_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Recently added playable things (movies, episodes, albums), newest first, per library when asked."""
    clause, params = _restriction(principal)
    library = " AND i.library_id = ?" if library_id else ""
    return await db.fetch_all(
        f"SELECT {LIST_COLUMNS} FROM items i WHERE i.type IN ('movie', 'episode', 'album'){library}{clause} "
        "ORDER BY i.date_added DESC, i.sort_name LIMIT ?",
        [*([library_id] if library_id else []), *params, limit],
    )


async def next_up(db: Database, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """For each series the user is watching (most recent first): the first unwatched episode after the last
    watched one. Specials are left out."""
    clause, params = _restriction(principal)
    series_rows = await db.fetch_all(
        f"SELECT {_SERIES_OF} AS series_id, MAX(d.last_played_at) AS last FROM user_item_data d "
        "JOIN items e ON e.id = d.item_id JOIN items p ON p.id = e.parent_id "
        "WHERE d.user_id = ? AND d.played = 1 AND e.type = 'episode' "
        f"GROUP BY {_SERIES_OF} ORDER BY last DESC LIMIT ?",
        [principal.user_id, limit * 2],
    )
    results: list[dict[str, Any]] = []
    for series in series_rows:
        episodes = await db.fetch_all(
            f"SELECT {LIST_COLUMNS}, COALESCE(d.played, 0) AS played FROM items i JOIN items p ON p.id = i.parent_id "
            "LEFT JOIN user_item_data d ON d.item_id = i.id AND d.user_id = ? "
            f"WHERE i.type = 'episode' AND {_SERIES_OF} = ? AND COALESCE(i.parent_index_number, 1) <> 0{clause} "
            "ORDER BY COALESCE(i.parent_index_number, 1), i.index_number, i.premiere_date",
            [principal.user_id, series["series_id"], *params],
        )
        watched = [n for n, e in enumerate(episodes) if e["played"]]
        following = [e for e in episodes[(watched[-1] + 1 if watched else 0) :] if not e["played"]]
        if following:
            results.append({k: v for k, v in following[0].items() if k != "played"})
        if len(results) >= limit:
            break
    return results
