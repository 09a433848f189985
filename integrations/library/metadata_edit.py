"""User edits to an item's metadata. Every edited field is locked so later scans leave it alone."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from core.storage import Database
from integrations.library.catalog import index_search
from integrations.library.placement import sort_name

COLUMNS = (
    "name", "sort_name", "original_title", "overview", "tagline", "year", "premiere_date", "community_rating",
    "critic_rating", "official_rating",
)  # fmt: skip
RELATIONS = {"genres": "genre", "studios": "studio", "tags": "tag"}


async def read_metadata(db: Database, item: dict[str, Any]) -> dict[str, Any]:
    values = await db.fetch_all("SELECT kind, value FROM item_values WHERE item_id = ? ORDER BY value", (item["id"],))
    people = await db.fetch_all(
        "SELECT p.name, ip.kind, ip.role FROM item_people ip JOIN people p ON p.id = ip.person_id "
        "WHERE ip.item_id = ? ORDER BY ip.position",
        (item["id"],),
    )
    body = {column: item[column] for column in COLUMNS}
    body["provider_ids"] = orjson.loads(item["provider_ids"])
    for field, kind in RELATIONS.items():
        body[field] = [v["value"] for v in values if v["kind"] == kind]
    body["people"] = people
    body["locked_fields"] = orjson.loads(item["locked_fields"])
    return body


async def apply_edit(db: Database, item: dict[str, Any], edit: dict[str, Any]) -> list[str]:
    """Write the edit and lock its fields; `unlock` releases fields back to the scanner. Returns locked fields."""
    locked = set(orjson.loads(item["locked_fields"]))
    locked -= set(edit.pop("unlock", []))
    columns = {k: v for k, v in edit.items() if k in COLUMNS}
    if "name" in columns and "sort_name" not in columns:
        columns["sort_name"] = sort_name(columns["name"])
    if "provider_ids" in edit:
        columns["provider_ids"] = orjson.dumps(edit["provider_ids"]).decode()
    locked |= set(edit)
    columns["locked_fields"] = orjson.dumps(sorted(locked)).decode()
    columns["date_modified"] = time.time()
    async with db.transaction() as conn:
        assignments = ", ".join(f"{column} = ?" for column in columns)
        await conn.execute(f"UPDATE items SET {assignments} WHERE id = ?", [*columns.values(), item["id"]])
        for field, kind in RELATIONS.items():
            if field in edit:
                await conn.execute("DELETE FROM item_values WHERE item_id = ? AND kind = ?", (item["id"], kind))
                await conn.executemany(
                    "INSERT INTO item_values (item_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(item["id"], kind, v.strip()) for v in edit[field] if v.strip()],
                )
        if "people" in edit:
            await conn.execute("DELETE FROM item_people WHERE item_id = ?", (item["id"],))
            for position, person in enumerate(edit["people"]):
                await conn.execute(
                    "INSERT INTO people (id, name) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (uuid.uuid4().hex, person["name"]),
                )
                person_id = await conn.fetch_value("SELECT id FROM people WHERE name = ?", (person["name"],))
                await conn.execute(
                    "INSERT INTO item_people (item_id, position, person_id, kind, role) VALUES (?, ?, ?, ?, ?)",
                    (item["id"], position, person_id, person["kind"], person.get("role")),
                )
        await index_search(conn, item["id"])
    return sorted(locked)
