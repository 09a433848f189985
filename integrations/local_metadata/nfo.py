"""Kodi / Jellyfin NFO files: find the one that belongs to an item, parse it safely, map it to ItemMetadata.

Parsing goes through defusedxml: entity declarations (billion laughs, external entities) are refused before
anything expands, so a hostile file costs a warning and None, not memory or time. Files over MAX_NFO_BYTES
are not read at all. Kodi lets an NFO end with a URL after the XML: the XML part before it is parsed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DefusedET

from plugin_sdk.media import ItemMetadata, ItemType, Person

_LOGGER = logging.getLogger(__name__)

MAX_NFO_BYTES = 5 * 1024 * 1024

# Folder items: the NFO's fixed name inside the folder.
_FOLDER_NFO = {
    ItemType.SERIES: "tvshow.nfo",
    ItemType.SEASON: "season.nfo",
    ItemType.ALBUM: "album.nfo",
    ItemType.ARTIST: "artist.nfo",
}
# Legacy id elements -> provider id key. <id> is handled apart: what it holds depends on the item.
# Matched case-insensitively: Kodi writes <musicBrainzArtistID>.
_LEGACY_IDS = {
    "imdbid": "imdb",
    "imdb_id": "imdb",
    "tmdbid": "tmdb",
    "tvdbid": "tvdb",
    "tvmazeid": "tvmaze",
    "musicbrainzartistid": "musicbrainzartist",
    "musicbrainzalbumid": "musicbrainzalbum",
    "musicbrainzreleasegroupid": "musicbrainzreleasegroup",
}
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.-]*)[\s/>]")
_YEAR = re.compile(r"^\s*(\d{4})")


def nfo_path_for(path: str, item_type: str) -> str | None:
    """The NFO file that describes the item, or None when there is none."""
    if item_type in _FOLDER_NFO:
        return _existing(os.path.join(path, _FOLDER_NFO[item_type]))
    if os.path.isdir(path):
        # A movie given as its folder (a disc structure, say): movie.nfo inside it.
        return _existing(os.path.join(path, "movie.nfo")) if item_type == ItemType.MOVIE else None
    if item_type not in (ItemType.MOVIE, ItemType.EPISODE, ItemType.EXTRA):
        return None
    folder, name = os.path.split(path)
    stem = os.path.splitext(name)[0]
    found = _existing(os.path.join(folder, f"{stem}.nfo"))
    if found is None and item_type == ItemType.MOVIE:
        found = _existing(os.path.join(folder, "movie.nfo"))
    return found


def read_local_metadata(path: str, item_type: str) -> ItemMetadata | None:
    nfo = nfo_path_for(path, item_type)
    if nfo is None:
        return None
    root = parse_nfo(nfo)
    if root is None:
        return None
    return metadata_from_nfo(root, item_type)


def parse_nfo(nfo: str) -> Element | None:
    """The NFO's root element, or None (logged) for an unreadable, oversized, hostile or malformed file."""
    try:
        size = os.stat(nfo).st_size
        if size > MAX_NFO_BYTES:
            _LOGGER.warning("Ignoring %s: %d bytes is over the %d byte limit for NFO files", nfo, size, MAX_NFO_BYTES)
            return None
        with open(nfo, "rb") as file:
            data = file.read(MAX_NFO_BYTES + 1)
    except OSError as err:
        _LOGGER.warning("Cannot read %s: %s", nfo, err)
        return None
    if len(data) > MAX_NFO_BYTES:  # grew while we looked
        _LOGGER.warning("Ignoring %s: over the %d byte limit for NFO files", nfo, MAX_NFO_BYTES)
        return None
    try:
        return _fromstring(data)
    except defusedxml.DefusedXmlException as err:
        _LOGGER.warning("Refusing %s: unsafe XML (%s)", nfo, type(err).__name__)
    except ParseError as err:
        xml = _xml_part(data)
        if xml is not None and xml != data:
            try:
                return _fromstring(xml)
            except defusedxml.DefusedXmlException as again:
                _LOGGER.warning("Refusing %s: unsafe XML (%s)", nfo, type(again).__name__)
                return None
            except ParseError:
                pass
        _LOGGER.warning("Ignoring %s: not well-formed XML (%s)", nfo, err)
    except Exception as err:  # expat can raise ValueError & co. on odd encodings
        _LOGGER.warning("Ignoring %s: cannot parse it (%s: %s)", nfo, type(err).__name__, err)
    return None


def _fromstring(data: bytes) -> Element:
    return DefusedET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)


def _xml_part(data: bytes) -> bytes | None:
    """The document up to the end of the first root element: drops a trailing URL line (Kodi allows one)
    and the second and later <episodedetails> of a multi-episode NFO."""
    match = _ROOT_TAG.search(data)  # "<?xml" and "<!--" do not match: a tag name starts with a letter
    if match is None:
        return None
    closing = b"</" + match.group(1) + b">"
    end = data.find(closing, match.end())
    return data[: end + len(closing)] if end >= 0 else None


# -- mapping -----------------------------------------------------------------------------------------------


def metadata_from_nfo(root: Element, item_type: str) -> ItemMetadata:
    meta = ItemMetadata(
        title=_text(root, "title") or (_text(root, "name") if root.tag == "artist" else None),  # Kodi: <name>
        original_title=_text(root, "originaltitle"),
        sort_title=_text(root, "sorttitle"),
        year=_int(_text(root, "year")),
        overview=_text(root, "plot") or _text(root, "outline") or _text(root, "review"),
        tagline=_text(root, "tagline"),
        premiere_date=_date(_text(root, "premiered") or _text(root, "aired") or _text(root, "releasedate")),
        genres=_split_list(_texts(root, "genre")),
        studios=_split_list(_texts(root, "studio")),
        tags=_unique(_texts(root, "tag")),
        community_rating=_community_rating(root),
        critic_rating=_float(_text(root, "criticrating")),
        official_rating=_official_rating(_text(root, "mpaa")),
        people=_people(root),
        provider_ids=_provider_ids(root, item_type),
    )
    if meta.year is None and meta.premiere_date is not None:
        meta.year = meta.premiere_date.year
    if root.tag == "episodedetails":
        meta.season = _int(_text(root, "season"))
        meta.episode = _int(_text(root, "episode"))
    elif root.tag == "season":
        meta.season = _int(_text(root, "seasonnumber") or _text(root, "season"))
    return meta


def _text(root: Element, tag: str) -> str | None:
    element = root.find(tag)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _texts(root: Element, tag: str) -> list[str]:
    return [e.text.strip() for e in root.findall(tag) if e.text and e.text.strip()]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _split_list(values: Iterable[str]) -> list[str]:
    """Old Kodi exports write several genres in one element: "Action / Drama"."""
    return _unique(part.strip() for value in values for part in value.split(" / ") if part.strip())


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        match = _YEAR.match(text)
        return int(match.group(1)) if match else None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _official_rating(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"^rated\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^[A-Z]{2}:\s*", "", text)  # "US:PG-13", as some scrapers write it
    return text.strip() or None


def _community_rating(root: Element) -> float | None:
    ratings = [r for r in root.findall("ratings/rating") if r.find("value") is not None]
    chosen = next((r for r in ratings if (r.get("default") or "").lower() == "true"), None)
    if chosen is None and ratings:
        chosen = ratings[0]
    if chosen is not None:
        value = _float(_text(chosen, "value"))
        scale = _float(chosen.get("max")) or 10.0
        if value is not None:
            return round(value * 10.0 / scale, 2) if scale != 10.0 else value
    return _float(_text(root, "rating"))


def _people(root: Element) -> list[Person]:
    people: list[Person] = []
    for actor in root.findall("actor"):
        name = _text(actor, "name")
        if name:
            people.append(Person(name=name, kind="Actor", role=_text(actor, "role"), order=_int(_text(actor, "order"))))
    for name in _unique(_texts(root, "director")):
        people.append(Person(name=name, kind="Director"))
    for name in _unique([*_texts(root, "credits"), *_texts(root, "writer")]):
        people.append(Person(name=name, kind="Writer"))
    return people


def _provider_ids(root: Element, item_type: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    # legacy elements first, so that <uniqueid> wins where both name a provider
    legacy = _text(root, "id")
    if legacy:
        if legacy.startswith("tt"):
            ids["imdb"] = legacy
        elif legacy.isdigit():
            ids["tvdb" if item_type in (ItemType.SERIES, ItemType.SEASON, ItemType.EPISODE) else "tmdb"] = legacy
    for element in root:
        provider = _LEGACY_IDS.get(element.tag.lower()) if isinstance(element.tag, str) else None
        value = (element.text or "").strip()
        if provider and value:
            ids[provider] = value
    for element in root.findall("uniqueid"):
        provider = (element.get("type") or "").strip().lower()
        value = (element.text or "").strip()
        if provider and value:
            ids[provider] = value
    return ids


def _existing(path: str) -> str | None:
    return path if os.path.isfile(path) else None
