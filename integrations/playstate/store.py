"""Reading and writing user item data; the played/resume rules for stop reports."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.storage import Database
from plugin_sdk.reads import BatchRead

_CHUNK = 500  # ids per query, within SQLite's limit on bound parameters
FIELDS = ("position_ticks", "played", "play_count", "last_played_at", "is_favorite", "rating")


@dataclass(frozen=True, slots=True)
class Thresholds:
    played_percent: float = 90.0  # at or past this, the item counts as watched
    min_resume_percent: float = 5.0  # below this, nothing to resume
    min_resume_seconds: float = 30.0


def shape(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"position_ticks": 0, "played": False, "play_count": 0, "last_played_at": None, "is_favorite": False,
                "rating": None}  # fmt: skip
    return {
        "position_ticks": row["position_ticks"],
        "played": bool(row["played"]),
        "play_count": row["play_count"],
        "last_played_at": row["last_played_at"],
        "is_favorite": bool(row["is_favorite"]),
        "rating": row["rating"],
    }


def _found_by_item(answers: list[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {row["item_id"]: shape(row) for rows in answers for row in rows}


class PlayStateStore:
    def __init__(self, db: Database, thresholds: Thresholds) -> None:
        self.db = db
        self.thresholds = thresholds

    async def get(self, user_id: str, item_id: str) -> dict[str, Any]:
        row = await self.db.fetch_one(
            "SELECT * FROM user_item_data WHERE user_id = ? AND item_id = ?", (user_id, item_id)
        )
        return shape(row)

    async def many(self, user_id: str, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The state of every one of `item_ids` (the default state for those without any)."""
        found = await self.found_read(user_id, item_ids).run(self.db)
        return {item_id: found.get(item_id) or shape(None) for item_id in item_ids}

    def found_read(self, user_id: str, item_ids: list[str]) -> BatchRead:
        """The read of the state that `item_ids` have, for the caller's own batch: {item id: state}, only for
        items with state (most of a page has none)."""
        queries = [
            (f"SELECT * FROM user_item_data WHERE user_id = ? AND item_id IN ({', '.join('?' * len(chunk))})",
             [user_id, *chunk])
            for chunk in (item_ids[start : start + _CHUNK] for start in range(0, len(item_ids), _CHUNK))
        ]  # fmt: skip
        return BatchRead(queries, _found_by_item)

    async def save(
        self, user_id: str, item_id: str, values: dict[str, Any], *, read_back: bool = True
    ) -> dict[str, Any]:
        values = {k: v for k, v in values.items() if k in FIELDS}
        now = time.time()
        columns = ["user_id", "item_id", "updated_at", *values]
        updates = ", ".join([*(f"{c} = excluded.{c}" for c in values), "updated_at = excluded.updated_at"])
        await self.db.execute(
            f"INSERT INTO user_item_data ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (user_id, item_id) DO UPDATE SET {updates}",
            [user_id, item_id, now, *values.values()],
        )
        return await self.get(user_id, item_id) if read_back else {}

    def after_stop(self, current: dict[str, Any], position: int, runtime: int | None) -> dict[str, Any]:
        """Past the played threshold: watched, counted, resume cleared. Barely started: nothing to resume."""
        now = time.time()
        if not runtime:
            return {"position_ticks": max(position, 0), "last_played_at": now}
        percent = 100.0 * position / runtime
        if percent >= self.thresholds.played_percent:
            return {"played": 1, "play_count": current["play_count"] + 1, "position_ticks": 0, "last_played_at": now}
        too_early = percent < self.thresholds.min_resume_percent or position < self.thresholds.min_resume_seconds * 1e7
        return {"position_ticks": 0 if too_early else position, "last_played_at": now}
