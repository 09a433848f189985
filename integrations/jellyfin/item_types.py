"""Jellyfin's names for Marquee's item types, and what follows from a type: its media type, whether it is a
folder, an extra's kind, the shape of its primary image, a library's collection type."""

from __future__ import annotations

from collections.abc import Iterable

TYPE_NAMES = {
    "movie": "Movie",
    "series": "Series",
    "season": "Season",
    "episode": "Episode",
    "artist": "MusicArtist",
    "album": "MusicAlbum",
    "track": "Audio",
    "folder": "Folder",
    "extra": "Video",
}
MARQUEE_TYPES = {name.lower(): kind for kind, name in TYPE_NAMES.items()} | {"trailer": "extra"}
MEDIA_TYPES = {"movie": "Video", "episode": "Video", "extra": "Video", "track": "Audio"}
FOLDER_TYPES = frozenset({"series", "season", "artist", "album", "folder"})
# "mixed" libraries have no single collection type; Jellyfin leaves it out for mixed content, and so do we.
COLLECTION_TYPES = {"movies": "movies", "tvshows": "tvshows", "music": "music"}
EXTRA_TYPES = {
    "trailer": "Trailer",
    "featurette": "Featurette",
    "behindthescenes": "BehindTheScenes",
    "deleted": "DeletedScene",
    "interview": "Interview",
    "scene": "Scene",
    "short": "Short",
}
# Marquee keeps no image dimensions: the shape each kind's primary image has by convention (posters 2:3, episode
# stills 16:9, square covers), as Jellyfin falls back to when it knows no size either.
PRIMARY_ASPECT = {"movie": 2 / 3, "series": 2 / 3, "season": 2 / 3, "extra": 16 / 9, "episode": 16 / 9,
                  "artist": 1.0, "album": 1.0, "track": 1.0, "folder": 1.0}  # fmt: skip


def marquee_types(names: Iterable[str]) -> list[str]:
    """Marquee's types for Jellyfin item type names (`IncludeItemTypes`, any case), sorted; unknown ones left out."""
    return sorted({MARQUEE_TYPES[name.lower()] for name in names if name.lower() in MARQUEE_TYPES})
