"""Media types shared by the library, probe, identification and metadata integrations (hook payloads).

Times are in ticks of 100 ns (what the Jellyfin surface uses); TICKS_PER_SECOND converts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

TICKS_PER_SECOND = 10_000_000


def seconds_to_ticks(seconds: float) -> int:
    return round(seconds * TICKS_PER_SECOND)


class LibraryType(StrEnum):
    MOVIES = "movies"
    TVSHOWS = "tvshows"
    MUSIC = "music"
    MIXED = "mixed"


class ItemType(StrEnum):
    MOVIE = "movie"
    SERIES = "series"
    SEASON = "season"
    EPISODE = "episode"
    ARTIST = "artist"
    ALBUM = "album"
    TRACK = "track"
    FOLDER = "folder"
    EXTRA = "extra"  # trailers, featurettes...: children of the item they belong to


class ProbeError(Exception):
    """A file is not playable media (truncated, corrupt, not media at all). The message is the reason."""


@dataclass(slots=True)
class StreamInfo:
    index: int
    type: str  # video | audio | subtitle | attachment | data
    codec: str | None = None
    profile: str | None = None
    level: int | None = None
    bitrate: int | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    bit_depth: int | None = None
    pixel_format: str | None = None
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    hdr: str | None = None  # SDR | HDR10 | HLG | DolbyVision (video only)
    channels: int | None = None
    channel_layout: str | None = None
    sample_rate: int | None = None
    language: str | None = None  # ISO 639-2/B (three letters: "eng", "fre", "ger") when known
    title: str | None = None
    is_default: bool = False
    is_forced: bool = False
    is_hearing_impaired: bool = False
    is_external: bool = False
    path: str | None = None  # external subtitle file


@dataclass(slots=True)
class Chapter:
    start_ticks: int
    end_ticks: int | None = None
    title: str | None = None


@dataclass(slots=True)
class Attachment:
    filename: str | None
    mime_type: str | None


@dataclass(slots=True)
class ProbeResult:
    container: str  # the demuxer's names, e.g. "matroska,webm" or "mov,mp4,m4a,3gp,3g2,mj2"
    size: int
    duration_ticks: int | None = None
    bitrate: int | None = None
    streams: list[StreamInfo] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # Embedded tags, keys lowercased: title, artist, album_artist, album, track, disc, date, genre, compilation...
    tags: dict[str, str] = field(default_factory=dict)
    cover_art: bytes | None = None  # an embedded picture (attached_pic stream), encoded as in the file
    cover_art_mime: str | None = None


@dataclass(slots=True)
class ParsedName:
    """What a file or folder name says. `kind` is movie | episode | extra | unknown."""

    kind: str
    title: str | None = None
    year: int | None = None
    series_title: str | None = None
    season: int | None = None
    episodes: list[int] = field(default_factory=list)
    absolute_episode: int | None = None
    air_date: dt.date | None = None
    episode_title: str | None = None
    edition: str | None = None  # "Director's Cut", "Extended"...
    version_label: str | None = None  # "1080p", "4K": tells versions of one movie apart
    extra_type: str | None = None  # trailer | featurette | behindthescenes | deleted | interview | scene | short


@dataclass(slots=True)
class Person:
    name: str
    kind: str = "Actor"  # Actor | Director | Writer | Producer | GuestStar | Composer
    role: str | None = None
    order: int | None = None


@dataclass(slots=True)
class ItemMetadata:
    """Descriptive metadata, from local files (NFO, tags) or a provider. Every field is optional."""

    title: str | None = None
    original_title: str | None = None
    sort_title: str | None = None
    year: int | None = None
    overview: str | None = None
    tagline: str | None = None
    premiere_date: dt.date | None = None
    genres: list[str] = field(default_factory=list)
    studios: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    community_rating: float | None = None
    critic_rating: float | None = None
    official_rating: str | None = None  # "PG-13", "TV-MA", "FSK 12"
    people: list[Person] = field(default_factory=list)
    provider_ids: dict[str, str] = field(default_factory=dict)  # tmdb, imdb, tvdb, ...
    season: int | None = None
    episode: int | None = None


@dataclass(slots=True)
class LocalImage:
    type: str  # Primary | Backdrop | Logo | Banner | Thumb | Art | Disc
    path: str


@dataclass(slots=True)
class RemoteImage:
    type: str
    url: str
    width: int | None = None
    height: int | None = None
    language: str | None = None


@dataclass(slots=True)
class MetadataQuery:
    """What the library knows about an item when it asks providers for more."""

    item_type: str  # an ItemType value
    title: str
    year: int | None = None
    provider_ids: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    series_title: str | None = None
    season: int | None = None
    episode: int | None = None


@dataclass(slots=True)
class MetadataMatch:
    provider: str  # the domain of the integration that answered
    metadata: ItemMetadata
    images: list[RemoteImage] = field(default_factory=list)
    score: float = 1.0  # 0..1, how sure the provider is that this is the item
