"""Turn a media file's path into a ParsedName with guessit, helped by the folder layout.

Only the file name and its nearest folders are read (the series folder, a season folder, a movie folder);
the library root is not known here, so nothing depends on how deep the file sits.

Decisions worth knowing:

* version_label is the text after " - " that follows the year (or the movie folder's name) in the file stem,
  Jellyfin's convention for several versions of one movie in one folder ("Movie (2008) - 1080p.mkv",
  "Movie (2008) - Director's Cut.mkv"); without one it is guessit's screen size, with 2160p reported as "4K"
  and 4320p as "8K". An explicit label is kept verbatim. `edition` is guessit's edition whatever the label
  is, so "Movie Title (1999) - Director's Cut.mkv" has edition and version_label both "Director's Cut".
* An episode number with no season in the file name ("Anime Test - 012.mkv") is a season number only when a
  season folder says so; otherwise it is the absolute_episode, with season None and episodes empty.
* Disc structures (VIDEO_TS, BDMV) and disc images (.iso) are skipped for now: kind "unknown".
* Music libraries answer None: a track's identity comes from its tags. So do library types we do not know.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from pathlib import PurePath
from typing import Any

from plugin_sdk.media import LibraryType, ParsedName

from .layout import clean_text, extra_type_of, is_disc_path, season_of_folder

_LOGGER = logging.getLogger(__name__)

_VIDEO_LIBRARIES = frozenset({LibraryType.MOVIES, LibraryType.TVSHOWS, LibraryType.MIXED})
_SCREEN_SIZE_LABELS = {"2160p": "4K", "4320p": "8K"}
# A season written out in the name: S01, s1e2, 2x01, "Season 2". Without one, guessit's season is a guess.
_EXPLICIT_SEASON = re.compile(r"(?<![a-z0-9])s\d{1,4}(?![0-9])|(?<![0-9])\d{1,4}x\d{1,4}(?![0-9])|season", re.I)
# "<title> (2008) - <label>": the year, optionally bracketed, then " - ".
_LABEL_AFTER_YEAR = re.compile(r"(?<!\d)(?:18|19|20|21)\d{2}(?!\d)[)\]]?\s+-\s+(?P<label>.+)$")
# "Title (2008)" at the start of a name, with no release-group tag in the title part.
_TITLE_BEFORE_YEAR = re.compile(r"^(?P<title>[^\[\](){}]+?)\s*\((?:18|19|20|21)\d{2}\)")
_LABEL_AFTER_FOLDER = re.compile(r"^\s+-\s+(?P<label>.+)$")


def parse_path(path: str, library_type: str) -> ParsedName | None:
    """What the path says. Never raises for a strange name: the worst answer is kind "unknown"."""
    if library_type not in _VIDEO_LIBRARIES:
        return None
    try:
        return _parse(path, library_type)
    except Exception:  # a name guessit cannot digest must not stop a library scan
        _LOGGER.warning("Could not parse the name of %r", path, exc_info=True)
        return ParsedName(kind="unknown")


def _parse(path: str, library_type: str) -> ParsedName:
    parts = PurePath(clean_text(path)).parts
    if not parts:
        return ParsedName(kind="unknown")
    if is_disc_path(parts):
        return ParsedName(kind="unknown")
    name = parts[-1]
    stem = _stem(name)
    folders = list(reversed(parts[:-1]))  # nearest first
    folder = folders[0] if folders else None

    extra = extra_type_of(stem, folder)
    if extra is not None:
        return ParsedName(kind="extra", title=stem.strip() or None, extra_type=extra)

    if library_type == LibraryType.TVSHOWS:
        return _episode(name, stem, folders)
    if library_type == LibraryType.MOVIES:
        return _movie(name, stem, folders)
    # mixed: guessit decides, helped by a season folder
    info = _guess(name, {})
    if info.get("type") == "episode" or (folder is not None and season_of_folder(folder) is not None):
        return _episode(name, stem, folders)
    return _movie(name, stem, folders)


# "Title (2010)" or "Title (2010) - 1080p": the naming convention Jellyfin, Plex and Kodi document. Such names
# need no guessing, and guessit costs ~6 ms of GIL-bound CPU per name (most of a cold scan's time).
_CONVENTIONAL = re.compile(
    r"^(?P<title>[^()\[\]{}.]+?) \((?P<year>(?:18|19|20)\d{2})\)(?: - (?P<label>\d{3,4}p|[48]K))?$"
)


def _conventional_movie(stem: str) -> ParsedName | None:
    match = _CONVENTIONAL.match(stem)
    if match is None:
        return None
    label = match.group("label")
    return ParsedName(
        kind="movie",
        title=match.group("title").strip(),
        year=int(match.group("year")),
        version_label=_SCREEN_SIZE_LABELS.get(label, label) if label else None,
    )


def _movie(name: str, stem: str, folders: list[str]) -> ParsedName:
    conventional = _conventional_movie(stem)
    if conventional is not None:
        return conventional
    info = _guess(name, {"type": "movie"})
    title, year = _full_title(info, stem), _int(info.get("year"))
    folder = folders[0] if folders else None
    if folder is not None and (title is None or year is None):
        folder_info = _guess_folder(folder, "movie")
        folder_title, folder_year = _full_title(folder_info, folder), _int(folder_info.get("year"))
        if title is None:
            title, year = folder_title, year if year is not None else folder_year
        elif folder_title is not None and _same_title(title, folder_title):
            year = folder_year
    if title is None:
        return ParsedName(kind="unknown", year=year)
    return ParsedName(
        kind="movie",
        title=title,
        year=year,
        edition=_edition(info.get("edition")),
        version_label=_version_label(stem, folder, _text(info.get("screen_size"))),
    )


def _episode(name: str, stem: str, folders: list[str]) -> ParsedName:
    folder_season = season_of_folder(folders[0]) if folders else None
    offset = 0 if folder_season is None else 1  # the series folder is above a season folder
    series_folder = folders[offset] if len(folders) > offset else None

    info = _guess(name, {"type": "episode"})
    if info.get("season") is not None and not _EXPLICIT_SEASON.search(stem):
        # guessit reads "012" as season 0 episode 12 and "101" as season 1 episode 1: a bare number is an
        # episode number, its season comes from the folder or it is an absolute number.
        info = _guess(name, {"type": "episode", "episode_prefer_number": True})

    season = _int(info.get("season"))
    episodes = _ints(info.get("episode"))
    absolute = _int(info.get("absolute_episode"))
    numbered = season is not None or bool(episodes) or absolute is not None or info.get("date") is not None
    if season is None:
        season = folder_season
    if season is None and episodes and absolute is None:
        absolute, episodes = episodes[0], []

    series_title, year = _text(info.get("title")), _int(info.get("year"))
    episode_title = _text(info.get("episode_title"))
    if not numbered and series_folder is not None and episode_title is None:
        # "Test Show (2019)/Season 01/Pilot.mkv": with no numbers, the name is the episode's, not the series'
        episode_title, series_title = series_title, None
    if series_folder is not None:
        folder_info = _guess_folder(series_folder, "episode")
        folder_title = _full_title(folder_info, series_folder)
        # The folder fills what the file name lacks, and wins when it spells the same title out in full:
        # guessit drops words it knows ("HDR Show - S01E01.mkv" -> "Show").
        if folder_title is not None and (series_title is None or _contains_title(folder_title, series_title)):
            series_title = folder_title
            if year is None:  # only a folder that is this series' says its year
                year = _int(folder_info.get("year"))

    air_date = info.get("date")
    return ParsedName(
        kind="episode",
        series_title=series_title,
        year=year,
        season=season,
        episodes=episodes,
        absolute_episode=absolute,
        air_date=air_date if isinstance(air_date, dt.date) else None,
        episode_title=episode_title,
    )


def _full_title(info: dict[str, Any], name: str) -> str | None:
    """The title guessit found, corrected where the name follows the "Title (Year)" convention.

    guessit drops words it knows from a title ("HDR Demo (2021)" -> "Demo") and splits "Mission Impossible -
    Fallout (2018)" into title and alternative_title; the text before a bracketed year is taken verbatim.
    """
    match = _TITLE_BEFORE_YEAR.match(name)
    if match is not None:
        literal = match.group("title").strip(" -")
        if " " not in literal:
            literal = " ".join(literal.replace(".", " ").replace("_", " ").split())
        if literal:
            return literal
    title = _text(info.get("title"))
    alternative = _text(info.get("alternative_title"))
    if title is not None and alternative is not None:
        joined = f"{title} - {alternative}"
        if joined.casefold() in name.casefold():
            return joined
    return title


def _version_label(stem: str, folder: str | None, screen_size: str | None) -> str | None:
    if folder and stem.casefold().startswith(folder.casefold()):
        match = _LABEL_AFTER_FOLDER.match(stem[len(folder) :])
        if match:
            return match.group("label").strip()
    match = _LABEL_AFTER_YEAR.search(stem)
    if match:
        return match.group("label").strip()
    if screen_size is None:
        return None
    return _SCREEN_SIZE_LABELS.get(screen_size, screen_size)


@functools.lru_cache(maxsize=4096)
def _guess_folder(folder: str, kind: str) -> dict[str, Any]:
    """Folder names repeat for every file inside them: guess each once."""
    return _guess(folder, {"type": kind})


def _guess(name: str, options: dict[str, Any]) -> dict[str, Any]:
    try:
        import guessit  # loads on the first unconventional name (~80 ms), not at start-up

        return dict(guessit.guessit(name, options))
    except Exception:
        _LOGGER.debug("guessit failed on %r", name, exc_info=True)
        return {}


def _stem(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    # "Movie.2010" has no extension to strip; "x.mkv", "x.m2ts" do.
    if dot and stem and 1 <= len(extension) <= 5 and extension.isalnum() and not extension.isdigit():
        return stem
    return name


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    value = _first(value)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    value = _first(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _edition(value: Any) -> str | None:
    if isinstance(value, list):
        return " ".join(str(v) for v in value) or None
    return _text(value)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _same_title(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def _contains_title(full: str, part: str) -> bool:
    """True when `part`'s words appear, in order and side by side, among `full`'s ("Show" in "HDR Show")."""
    words, inner = _words(full), _words(part)
    return bool(inner) and any(words[i : i + len(inner)] == inner for i in range(len(words) - len(inner) + 1))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())
