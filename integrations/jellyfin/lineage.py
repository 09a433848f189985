"""What an item shows of its parents: a season's or episode's series (and season), an album's artists, a
track's album and artists. The parents (and grandparents) of a whole page are read in two stages of its chain
of reads (page_data.py)."""

from __future__ import annotations

from typing import Any

from integrations.jellyfin.artwork import PageImages
from integrations.jellyfin.names import name_id

HAS_PARENTS = frozenset({"season", "episode", "album", "track"})  # parents they show (series, season, album)
PARENT_ROWS = "SELECT id, type, name, parent_id FROM items WHERE id IN ({ids})"  # with batched.in_queries


def parent_ids(rows: list[dict[str, Any]]) -> list[str]:
    """The parents of the rows that show theirs."""
    return sorted({row["parent_id"] for row in rows if row.get("parent_id") and row["type"] in HAS_PARENTS})


def grandparent_ids(parents: dict[str, dict[str, Any]]) -> list[str]:
    """The parents of `parents` (PARENT_ROWS rows by id) not among them: an episode's series, a track's artist."""
    return sorted({p["parent_id"] for p in parents.values() if p["parent_id"]} - set(parents))


def add_lineage(
    dto: dict[str, Any],
    row: dict[str, Any],
    parents: dict[str, dict[str, Any]],
    images: PageImages,
    values: dict[str, list[str]],
) -> None:
    """Fill in the members `row` shows of its parents; `values`: its item values (artists) by kind."""
    kind = row["type"]
    parent = parents.get(row.get("parent_id") or "")
    if kind == "season" and parent:
        _series(dto, parent, images)
    elif kind == "episode" and parent:
        series = parent if parent["type"] == "series" else parents.get(parent["parent_id"] or "")
        if parent["type"] == "season":
            dto["SeasonId"], dto["SeasonName"] = parent["id"], parent["name"]
        if series:
            _series(dto, series, images)
    elif kind == "album":
        artists = values.get("artist") or ([parent["name"]] if parent and parent["type"] == "artist" else [])
        dto["AlbumArtist"] = artists[0] if artists else None
        dto["Artists"] = artists
        owner = parent["id"] if parent and parent["type"] == "artist" else None
        dto["AlbumArtists"] = [{"Name": a, "Id": owner or name_id("artist", a)} for a in artists]
        dto["ArtistItems"] = dto["AlbumArtists"]
    elif kind == "track":
        album = parent if parent and parent["type"] == "album" else None
        artist = parents.get(album["parent_id"] or "") if album else None
        names = values.get("artist") or ([artist["name"]] if artist else [])
        if album:
            dto["Album"], dto["AlbumId"] = album["name"], album["id"]
            dto["AlbumPrimaryImageTag"] = images.of(album["id"]).tags.get("Primary")
        dto["Artists"] = names
        dto["ArtistItems"] = [
            {"Name": n, "Id": artist["id"] if artist and artist["name"] == n else name_id("artist", n)} for n in names
        ]
        if artist:
            dto["AlbumArtist"] = artist["name"]
            dto["AlbumArtists"] = [{"Name": artist["name"], "Id": artist["id"]}]


def _series(dto: dict[str, Any], series: dict[str, Any], images: PageImages) -> None:
    dto["SeriesId"], dto["SeriesName"] = series["id"], series["name"]
    found = images.of(series["id"])
    tags, backdrops = found.tags, found.backdrops
    dto["SeriesPrimaryImageTag"] = tags.get("Primary")
    if backdrops and not dto["BackdropImageTags"]:
        dto["ParentBackdropItemId"], dto["ParentBackdropImageTags"] = series["id"], backdrops
    if "Thumb" in tags:
        dto["ParentThumbItemId"], dto["ParentThumbImageTag"] = series["id"], tags["Thumb"]
    if "Logo" in tags:
        dto["ParentLogoItemId"], dto["ParentLogoImageTag"] = series["id"], tags["Logo"]
