"""Where a file belongs: the chain of items (series > season > episode, artist > album > track, movie)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integrations.library.analysis import Analysis
from plugin_sdk.media import ItemType

_ARTICLES = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TRACK_NUMBER = re.compile(r"^\s*(\d+)")
_YEAR = re.compile(r"(\d{4})")
VARIOUS_ARTISTS = "Various Artists"


def normalise(text: str) -> str:
    """Identity of a title: case, punctuation and spacing don't matter."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def sort_name(name: str) -> str:
    return _ARTICLES.sub("", name.strip()).casefold()


@dataclass(slots=True)
class ItemSpec:
    """One item in a placement chain. `fields` are item columns; `path` the folder that holds its own files."""

    type: str
    key: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    path: str | None = None


def place(analysis: Analysis, library_type: str, root: str) -> list[ItemSpec]:
    """The chain from the top-level item down to the one that owns this file."""
    probe = analysis.probe
    assert probe is not None
    if not any(s.type == "video" for s in probe.streams):
        return _music(analysis, root)
    parsed = analysis.parsed
    stem = Path(analysis.entry.path).stem
    if parsed is not None and parsed.kind == "extra":
        return _extra(analysis, root)
    if parsed is not None and parsed.kind == "episode" and library_type != "movies":
        return _episode(analysis, root)
    title = (parsed.title if parsed and parsed.title else None) or stem
    year = parsed.year if parsed else None
    edition = parsed.edition if parsed else None
    key = f"movie:{normalise(title)}|{year or ''}|{normalise(edition or '')}"
    return [ItemSpec(ItemType.MOVIE, key, title, {"year": year, "edition": edition})]


def _relative_parts(path: str, root: str) -> list[str]:
    return list(Path(os.path.relpath(path, root)).parts)


def _extra(analysis: Analysis, root: str) -> list[ItemSpec]:
    parsed = analysis.parsed
    assert parsed is not None
    parts = _relative_parts(analysis.entry.path, root)
    # The owner is the folder above the extras folder ("Movie (2010)/trailers/x.mp4"), else the file's folder.
    owner_folder = Path(analysis.entry.path).parent
    if owner_folder.name.lower() in _EXTRA_FOLDERS and len(parts) > 2:
        owner_folder = owner_folder.parent
    owner_title, owner_year = _title_year(owner_folder.name)
    owner_key = f"movie:{normalise(owner_title)}|{owner_year or ''}|"
    owner = ItemSpec(ItemType.MOVIE, owner_key, owner_title, {"year": owner_year}, path=str(owner_folder))
    title = parsed.title or Path(analysis.entry.path).stem
    extra = ItemSpec(
        ItemType.EXTRA, f"extra:{analysis.entry.path}", title, {"extra_type": parsed.extra_type or "extra"}
    )
    return [owner, extra]


_EXTRA_FOLDERS = {
    "trailers", "featurettes", "behind the scenes", "deleted scenes", "interviews", "scenes", "shorts", "extras",
    "other", "clips",
}  # fmt: skip


def _title_year(name: str) -> tuple[str, int | None]:
    match = re.match(r"^(.*?)[\s.]*[(\[]?((?:19|20)\d{2})[)\]]?\s*$", name)
    if match and match.group(1).strip():
        return match.group(1).strip(), int(match.group(2))
    return name, None


def _episode(analysis: Analysis, root: str) -> list[ItemSpec]:
    parsed = analysis.parsed
    assert parsed is not None
    parts = _relative_parts(analysis.entry.path, root)
    series_folder = os.path.join(root, parts[0]) if len(parts) > 1 else None
    folder_title, folder_year = _title_year(parts[0]) if len(parts) > 1 else (None, None)
    series_title = folder_title or parsed.series_title or parsed.title or "Unknown series"
    year = folder_year or (parsed.year if parsed.series_title else None)
    series_key = f"series:{normalise(series_title)}|{year or ''}"
    series = ItemSpec(ItemType.SERIES, series_key, series_title, {"year": year}, path=series_folder)
    chain = [series]
    season_number = parsed.season
    if season_number is None and parsed.absolute_episode is None and parsed.air_date is None:
        season_number = 1
    if season_number is not None:
        season_folder = str(Path(analysis.entry.path).parent)
        season_name = "Specials" if season_number == 0 else f"Season {season_number}"
        chain.append(
            ItemSpec(
                ItemType.SEASON,
                f"season:{series_key}|{season_number}",
                season_name,
                {"index_number": season_number},
                path=season_folder if season_folder != series_folder else None,
            )
        )
    episodes = parsed.episodes or ([parsed.absolute_episode] if parsed.absolute_episode is not None else [])
    if episodes:
        number_key = f"{season_number}|{episodes[0]}"
    elif parsed.air_date is not None:
        number_key = f"date|{parsed.air_date.isoformat()}"
    else:
        number_key = f"file|{analysis.entry.path}"
    name = parsed.episode_title or (
        f"Episode {episodes[0]}" if episodes else (parsed.air_date.isoformat() if parsed.air_date else "Episode")
    )
    fields: dict[str, Any] = {
        "index_number": episodes[0] if episodes else None,
        "index_number_end": episodes[-1] if len(episodes) > 1 else None,
        "parent_index_number": season_number,
        "premiere_date": parsed.air_date.isoformat() if parsed.air_date else None,
        "year": parsed.air_date.year if parsed.air_date else None,
    }
    chain.append(ItemSpec(ItemType.EPISODE, f"episode:{series_key}|{number_key}", name, fields))
    return chain


def _music(analysis: Analysis, root: str) -> list[ItemSpec]:
    probe = analysis.probe
    assert probe is not None
    tags = probe.tags
    path = Path(analysis.entry.path)
    parts = _relative_parts(analysis.entry.path, root)
    album_folder = str(path.parent) if len(parts) > 1 else None
    artist_folder = str(path.parent.parent) if len(parts) > 2 else None
    compilation = tags.get("compilation", "").strip() in ("1", "true", "yes")
    album_artist = (
        tags.get("album_artist")
        or tags.get("albumartist")
        or (VARIOUS_ARTISTS if compilation else None)
        or tags.get("artist")
        or (path.parent.parent.name if len(parts) > 2 else "Unknown artist")
    )
    album_name = tags.get("album") or (path.parent.name if len(parts) > 1 else "Unknown album")
    album_title, folder_year = _title_year(album_name) if not tags.get("album") else (album_name, None)
    year_match = _YEAR.search(tags.get("date", "") or tags.get("year", ""))
    year = int(year_match.group(1)) if year_match else folder_year
    artist_key = f"artist:{normalise(album_artist)}"
    album_key = f"album:{normalise(album_artist)}|{normalise(album_title)}"
    track_number = _number(tags.get("track")) or _number(path.stem)
    disc_number = _number(tags.get("disc")) or 1
    title = tags.get("title") or re.sub(r"^\s*\d+\s*[-.]?\s*", "", path.stem) or path.stem
    return [
        ItemSpec(ItemType.ARTIST, artist_key, album_artist, {}, path=artist_folder),
        ItemSpec(
            ItemType.ALBUM,
            album_key,
            album_title,
            {"year": year, "is_compilation": int(compilation or album_artist == VARIOUS_ARTISTS)},
            path=album_folder,
        ),
        ItemSpec(
            ItemType.TRACK,
            f"track:{album_key}|{disc_number}|{track_number or ''}|{normalise(title)}",
            title,
            {"index_number": track_number, "parent_index_number": disc_number, "year": year},
        ),
    ]


def _number(value: str | None) -> int | None:
    match = _TRACK_NUMBER.match(value or "")
    return int(match.group(1)) if match else None
