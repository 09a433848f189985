"""Things Marquee keeps as names (genres, studios, artists) and people: their stable ids and their DTOs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from integrations.jellyfin.user_data import user_data_dto

PERSON_KINDS = {
    k.lower(): k
    for k in (
        "Actor",
        "Director",
        "Composer",
        "Writer",
        "GuestStar",
        "Producer",
        "Conductor",
        "Lyricist",
        "Arranger",
        "Engineer",
        "Mixer",
        "Remixer",
        "Creator",
        "Artist",
        "AlbumArtist",
        "Author",
        "Illustrator",
        "Editor",
    )
}
_NAMESPACE = uuid.UUID("6f0b0d3e-4a57-4b8e-9a53-6a1e0c4f3a11")


@lru_cache(maxsize=8192)  # a page names the same few genres and studios over and over; uuid5 is ~10 us
def name_id(kind: str, name: str) -> str:
    """A stable id for things Marquee keeps as names only (genres, studios): Jellyfin clients want ids."""
    return uuid.uuid5(_NAMESPACE, f"{kind}:{name.casefold()}").hex


def name_pairs(kind: str, names: Iterable[str]) -> list[dict[str, str]]:
    """NameGuidPairs (GenreItems, Studios) for names of one kind."""
    return [{"Name": name, "Id": name_id(kind, name)} for name in names]


def person_dto(row: dict[str, Any]) -> dict[str, Any]:
    """BaseItemPerson from an item_people row joined with its person (id, name, kind, role)."""
    return {
        "Name": row["name"],
        "Id": row["id"],
        "Role": row["role"] or "",
        "Type": PERSON_KINDS.get((row["kind"] or "").lower(), "Unknown"),
    }


def name_item_dto(server_id: str, name: str, type_name: str, item_id: str) -> dict[str, Any]:
    """The BaseItemDto of a genre, studio or person: a virtual folder with no images or watch state."""
    return {
        "Name": name,
        "ServerId": server_id,
        "Id": item_id,
        "Type": type_name,
        "IsFolder": True,
        "ImageTags": {},
        "BackdropImageTags": [],
        "LocationType": "Virtual",
        "MediaType": "Unknown",
        "UserData": user_data_dto(item_id, None, None),
    }
