"""BaseItemDto from Marquee's rows: items, libraries (CollectionFolder), media sources and streams, user data.

Everything a page needs is read in a handful of batched queries (images, parents, values, child counts, user
data), never per item, except media sources, which are only built for details and when `Fields` asks.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from core.storage import Database
from integrations.jellyfin.artwork import ImageSigner, PageImages
from integrations.jellyfin.protocol import Prepared, clean, jf_date
from integrations.library.models import Library
from integrations.playback.sources import container_for, source_streams
from plugin_sdk.auth import Principal

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
EXTRA_TYPES = {
    "trailer": "Trailer",
    "featurette": "Featurette",
    "behindthescenes": "BehindTheScenes",
    "deleted": "DeletedScene",
    "interview": "Interview",
    "scene": "Scene",
    "short": "Short",
}
STREAM_TYPES = {"video": "Video", "audio": "Audio", "subtitle": "Subtitle", "data": "Data"}
TEXT_SUBTITLES = frozenset({"srt", "subrip", "ass", "ssa", "webvtt", "vtt", "mov_text", "text"})
# Marquee keeps no image dimensions: the shape each kind's primary image has by convention (posters 2:3, episode
# stills 16:9, square covers), as Jellyfin falls back to when it knows no size either.
PRIMARY_ASPECT = {"movie": 2 / 3, "series": 2 / 3, "season": 2 / 3, "extra": 16 / 9, "episode": 16 / 9,
                  "artist": 1.0, "album": 1.0, "track": 1.0, "folder": 1.0}  # fmt: skip
_MAY_HOLD_NULLS = frozenset({"MediaSources", "MediaStreams"})
_HAS_PARENTS = frozenset({"season", "episode", "album", "track"})  # parents they show (series, season, album)
_MUSIC = frozenset({"album", "track"})  # their artists come from item values whatever Fields says
_NO_VALUES: dict[str, list[str]] = {}
_PLAIN_COLUMNS = (
    ("CriticRating", "critic_rating"),
    ("OfficialRating", "official_rating"),
    ("RunTimeTicks", "runtime_ticks"),
    ("ProductionYear", "year"),
    ("IndexNumber", "index_number"),
    ("IndexNumberEnd", "index_number_end"),
    ("ParentIndexNumber", "parent_index_number"),
)
# The columns of `items` a DTO reads. Rows given as listings (library LIST_COLUMNS, None values left out) lack
# critic_rating and those of the fields asked for: they are read with the page's images, in the same query.
ROW_COLUMNS = (
    "id", "library_id", "parent_id", "type", "name", "sort_name", "original_title", "year", "premiere_date",
    "index_number", "index_number_end", "parent_index_number", "community_rating", "critic_rating",
    "official_rating", "runtime_ticks", "date_added", "extra_type", "overview", "tagline", "provider_ids",
    "date_modified",
)  # fmt: skip
_EMPTY_ROW = dict.fromkeys(ROW_COLUMNS)
_FIELD_COLUMNS = {"overview": "overview", "taglines": "tagline", "providerids": "provider_ids", "etag": "date_modified"}
SOURCE_COUNT = "(SELECT COUNT(*) FROM media_sources s WHERE s.item_id = i.id AND s.status = 'ok')"


class Wanted:
    """Which of the BaseItemDto parts that Jellyfin fills only on request (`Fields`) to fill: all for details."""

    def __init__(self, fields: Iterable[str], detail: bool) -> None:
        names = {f.lower() for f in fields}
        self.names, self.names_all = names, detail

        def has(name: str) -> bool:
            return detail or name in names

        self.overview, self.original_title, self.taglines = has("overview"), has("originaltitle"), has("taglines")
        self.genres, self.studios, self.tags = has("genres"), has("studios"), has("tags")
        self.provider_ids, self.sort_name, self.etag = has("providerids"), has("sortname"), has("etag")
        self.date_created, self.parent_id, self.child_count = has("datecreated"), has("parentid"), has("childcount")
        self.can_delete, self.can_download = has("candelete"), has("candownload")
        self.display_preferences_id, self.people = has("displaypreferencesid"), has("people")
        self.media_sources = has("mediasources") or has("mediastreams")
        self.media_source_count, self.trickplay = has("mediasourcecount"), has("trickplay")
        self.aspect_ratio = has("primaryimageaspectratio")
        self.external_urls, self.play_access, self.settings = has("externalurls"), has("playaccess"), has("settings")
        self.local_trailer_count, self.special_feature_count = has("localtrailercount"), has("specialfeaturecount")

    def columns(self, partial: bool) -> list[str]:
        """What to read beside the images: the columns listing rows lack, the media source count."""
        found = ["critic_rating", *(c for f, c in _FIELD_COLUMNS.items() if self.names_all or f in self.names)]
        columns = [f"i.{c}" for c in found] if partial else []
        if self.media_source_count and not self.media_sources:
            columns.append(f"{SOURCE_COUNT} AS media_source_count")
        return columns

    def value_kinds(self) -> list[str]:
        kinds = ["artist"]
        kinds += ["genre"] if self.genres else []
        kinds += ["studio"] if self.studios else []
        kinds += ["tag"] if self.tags else []
        return kinds


_NAMESPACE = uuid.UUID("6f0b0d3e-4a57-4b8e-9a53-6a1e0c4f3a11")
_CHUNK = 500


def name_id(kind: str, name: str) -> str:
    """A stable id for things Marquee keeps as names only (genres, studios): Jellyfin clients want ids."""
    return uuid.uuid5(_NAMESPACE, f"{kind}:{name.casefold()}").hex


async def _in(db: Database, sql: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run `sql` (with one `{ids}` placeholder list) over `ids` in chunks."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        rows.extend(await db.fetch_all(sql.format(ids=", ".join("?" * len(chunk))), [*params, *chunk]))
    return rows


async def _nothing(value: Any) -> Any:
    return value


def user_data_dto(item_id: str, data: dict[str, Any] | None, runtime: int | None) -> dict[str, Any]:
    data = data or {}
    position = data.get("position_ticks") or 0
    dto: dict[str, Any] = {
        "PlaybackPositionTicks": position,
        "PlayCount": data.get("play_count") or 0,
        "IsFavorite": bool(data.get("is_favorite")),
        "Played": bool(data.get("played")),
        "Key": item_id,
        "ItemId": item_id,
    }
    if data.get("last_played_at") is not None:
        dto["LastPlayedDate"] = jf_date(data["last_played_at"])
    if data.get("rating") is not None:
        dto["Rating"] = data["rating"]
    if position and runtime:
        dto["PlayedPercentage"] = min(100.0, 100.0 * position / runtime)
    return dto


class DtoBuilder:
    def __init__(self, db: Database, server_id: str, hooks: Any, signer: ImageSigner, trickplay: Any = None) -> None:
        self.db, self.server_id, self.hooks, self.signer = db, server_id, hooks, signer
        self.trickplay = trickplay  # a TrickplayStore, for the `Trickplay` field

    async def user_data(self, principal: Principal, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not item_ids:
            return {}
        found = await self.hooks.call_first("item_user_data", user_id=principal.user_id, item_ids=item_ids)
        return found or {}

    def library(self, library: Library, child_count: int | None = None) -> dict[str, Any]:
        return {
            "Name": library.name,
            "ServerId": self.server_id,
            "Id": library.id,
            "Etag": library.id[:8],
            "DateCreated": jf_date(library.created_at),
            "CanDelete": False,
            "CanDownload": False,
            "SortName": library.name.lower(),
            "ExternalUrls": [],
            "Taglines": [],
            "Genres": [],
            "PlayAccess": "Full",
            "RemoteTrailers": [],
            "ProviderIds": {},
            "IsFolder": True,
            "Type": "CollectionFolder",
            "CollectionType": COLLECTION_TYPES.get(library.type),
            "People": [],
            "Studios": [],
            "GenreItems": [],
            "LocalTrailerCount": 0,
            "UserData": user_data_dto(library.id, None, None),
            "ChildCount": child_count,
            "SpecialFeatureCount": 0,
            "DisplayPreferencesId": library.id,
            "Tags": [],
            "ImageTags": {},
            "BackdropImageTags": [],
            "LocationType": "FileSystem",
            "MediaType": "Unknown",
            "LockedFields": [],
            "LockData": False,
        }

    async def items(
        self,
        rows: list[dict[str, Any]],
        principal: Principal,
        fields: Iterable[str] = (),
        *,
        detail: bool = False,
        partial: bool = False,
    ) -> list[dict[str, Any]]:
        """BaseItemDtos for item rows, in the order given: full rows (SELECT * FROM items), or with `partial`
        listing rows (the library's LIST_COLUMNS, None values possibly left out). As Jellyfin does, what `Fields`
        names is only filled in when asked for (details get everything); each part a page needs is one batched
        query, never one per item."""
        if not rows:
            return []
        want = Wanted(fields, detail)
        ids = [row["id"] for row in rows]
        images = PageImages(self.signer)
        parents: dict[str, dict[str, Any]] = {}
        parent_ids = sorted(
            {row.get("parent_id") for row in rows if row.get("parent_id") and row["type"] in _HAS_PARENTS}
        )
        for row in await _in(self.db, "SELECT id, type, name, parent_id FROM items WHERE id IN ({ids})", parent_ids):
            parents[row["id"]] = row
        grand_ids = sorted({p["parent_id"] for p in parents.values() if p["parent_id"]} - set(parents))
        for row in await _in(self.db, "SELECT id, type, name, parent_id FROM items WHERE id IN ({ids})", grand_ids):
            parents[row["id"]] = row
        # Everything else at once: each is one query for the page, none waits for another.
        columns = want.columns(partial)
        kinds = want.value_kinds()
        value_ids = ids if want.genres or want.studios or want.tags else [r["id"] for r in rows if r["type"] in _MUSIC]
        marks = ", ".join("?" * len(kinds))
        media = [row["id"] for row in rows if row["type"] in MEDIA_TYPES]
        image_rows, value_rows, count_rows, people_rows, sources, user_data, trickplay = await asyncio.gather(
            _in(
                self.db,
                f"SELECT i.id AS row_id, {''.join(c + ', ' for c in columns)}m.type AS image_type, m.position, m.tag, "
                "m.blurhash FROM items i LEFT JOIN images m ON m.item_id = i.id WHERE i.id IN ({ids}) "
                "ORDER BY m.position",
                sorted(set(ids) | set(parents)),
            ),
            _in(
                self.db,
                f"SELECT item_id, kind, value FROM item_values WHERE kind IN ({marks}) AND item_id IN ({{ids}}) "
                "ORDER BY value",
                value_ids,
                kinds,
            ),
            _in(
                self.db,
                "SELECT parent_id, COUNT(*) AS count FROM items WHERE parent_id IN ({ids}) AND type <> 'extra' "
                "GROUP BY parent_id",
                [row["id"] for row in rows if row["type"] in FOLDER_TYPES],
            )
            if want.child_count
            else _nothing([]),
            _in(
                self.db,
                "SELECT ip.item_id, p.id, p.name, ip.kind, ip.role FROM item_people ip JOIN people p "
                "ON p.id = ip.person_id WHERE ip.item_id IN ({ids}) ORDER BY ip.position",
                ids,
            )
            if want.people
            else _nothing([]),
            self._media_sources(media) if want.media_sources else _nothing({}),
            self.user_data(principal, ids),
            self.trickplay.manifests(media) if want.trickplay and self.trickplay else _nothing({}),
        )
        extras: dict[str, dict[str, Any]] = {}
        for row in image_rows:
            item_id = row.pop("row_id")
            if row["image_type"] is not None:
                images.add(item_id, row)
            if columns and item_id not in extras:
                del row["image_type"], row["position"], row["tag"], row["blurhash"]
                extras[item_id] = row
        if partial:  # listing rows are the caller's: extend copies
            rows = [{**row, **extras[row["id"]]} if row["id"] in extras else row for row in rows]
        values: dict[str, dict[str, list[str]]] = {}
        for row in value_rows:
            values.setdefault(row["item_id"], {}).setdefault(row["kind"], []).append(row["value"])
        counts = {row["parent_id"]: row["count"] for row in count_rows}
        people: dict[str, list[dict[str, Any]]] = {}
        for row in people_rows:
            people.setdefault(row["item_id"], []).append(row)
        source_counts: dict[str, int] = {}
        if want.media_source_count and not want.media_sources:
            source_counts = {key: extra["media_source_count"] for key, extra in extras.items()}
        may_download = principal.can("download")
        out = []
        for row in rows:
            item_id, kind = row["id"], row["type"]
            dto = self._item(row, want, parents, images, values.get(item_id, _NO_VALUES), counts.get(item_id, 0))
            images.attach_blurhashes(dto)
            dto["UserData"] = user_data_dto(item_id, user_data.get(item_id), row.get("runtime_ticks"))
            if want.can_download:
                dto["CanDownload"] = kind in MEDIA_TYPES and may_download
            if want.people:
                dto["People"] = [
                    {
                        "Name": p["name"],
                        "Id": p["id"],
                        "Role": p["role"] or "",
                        "Type": PERSON_KINDS.get((p["kind"] or "").lower(), "Unknown"),
                    }
                    for p in people.get(item_id, [])
                ]
            if want.media_sources and kind in MEDIA_TYPES:
                full = {**_EMPTY_ROW, **row}
                dto["MediaSources"] = [self.media_source(source, full) for source in sources.get(item_id, [])]
                if dto["MediaSources"]:
                    dto["MediaStreams"] = dto["MediaSources"][0]["MediaStreams"]
                    dto["Container"] = dto["MediaSources"][0]["Container"]
                source_counts[item_id] = len(dto["MediaSources"])
            if item_id in trickplay:
                dto["Trickplay"] = trickplay[item_id]
            if want.aspect_ratio and "Primary" in dto["ImageTags"]:
                dto["PrimaryImageAspectRatio"] = PRIMARY_ASPECT.get(kind)
            if want.media_source_count and MEDIA_TYPES.get(kind) == "Video":
                count = source_counts.get(item_id, 0)
                if count != 1:  # Jellyfin sends it only when not 1
                    dto["MediaSourceCount"] = count
            out.append(_prepared(dto))
        return out

    async def _media_sources(self, item_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Each item's playable sources with their streams (as library.queries.media_sources has them), in two
        queries for the whole page."""
        found: dict[str, list[dict[str, Any]]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for source in await _in(
            self.db,
            "SELECT id, item_id, path, size, container, duration_ticks, bitrate, version_label FROM media_sources "
            "WHERE item_id IN ({ids}) AND status = 'ok' ORDER BY version_label, path",
            item_ids,
        ):
            source["streams"] = []
            found.setdefault(source.pop("item_id"), []).append(source)
            by_id[source["id"]] = source
        for stream in await _in(
            self.db,
            "SELECT source_id, data FROM media_streams WHERE source_id IN ({ids}) ORDER BY source_id, position",
            list(by_id),
        ):
            data = orjson.loads(stream["data"])
            by_id[stream["source_id"]]["streams"].append(
                {k: v for k, v in data.items() if v is not None and v is not False}
            )
        return found

    def _item(
        self,
        row: dict[str, Any],
        want: Wanted,
        parents: dict[str, dict[str, Any]],
        images: PageImages,
        values: dict[str, list[str]],
        child_count: int,
    ) -> dict[str, Any]:
        kind = row["type"]
        item_id = row["id"]
        get = row.get
        own = images.of(item_id)
        dto: dict[str, Any] = {
            "Name": row["name"],
            "ServerId": self.server_id,
            "Id": item_id,
            "IsFolder": kind in FOLDER_TYPES,
            "Type": TYPE_NAMES.get(kind, "Folder"),
            "ImageTags": own.tags,
            "BackdropImageTags": own.backdrops,
            "LocationType": "FileSystem",
            "MediaType": MEDIA_TYPES.get(kind, "Unknown"),
        }
        for key, column in _PLAIN_COLUMNS:  # None values are left out, not written and filtered later
            value = get(column)
            if value is not None:
                dto[key] = value
        if get("premiere_date") is not None:
            dto["PremiereDate"] = jf_date(row["premiere_date"])
        if get("community_rating"):  # Jellyfin leaves out 0
            dto["CommunityRating"] = row["community_rating"]
        if want.external_urls:
            dto["ExternalUrls"] = []
        if want.play_access:
            dto["PlayAccess"] = "Full"
        if want.local_trailer_count:
            dto["LocalTrailerCount"] = 0
        if want.special_feature_count:
            dto["SpecialFeatureCount"] = 0
        if want.settings:
            dto["LockData"], dto["LockedFields"] = False, []
        if want.original_title:
            dto["OriginalTitle"] = get("original_title")
        if want.etag:
            dto["Etag"] = str(int(get("date_modified") or 0))
        if want.date_created:
            dto["DateCreated"] = jf_date(get("date_added"))
        if want.sort_name:
            dto["SortName"] = get("sort_name")
        if want.overview:
            dto["Overview"] = get("overview")
        if want.taglines:
            dto["Taglines"] = [row["tagline"]] if get("tagline") else []
        if want.genres:
            genres = values.get("genre", [])
            dto["Genres"] = genres
            dto["GenreItems"] = [{"Name": g, "Id": name_id("genre", g)} for g in genres]
        if want.studios:
            dto["Studios"] = [{"Name": s, "Id": name_id("studio", s)} for s in values.get("studio", [])]
        if want.tags:
            dto["Tags"] = values.get("tag", [])
        if want.provider_ids:
            dto["ProviderIds"] = {k: str(v) for k, v in orjson.loads(get("provider_ids") or "{}").items()}
        if want.parent_id:
            dto["ParentId"] = get("parent_id") or row["library_id"]
        if want.child_count and kind in FOLDER_TYPES:
            dto["ChildCount"] = child_count
        if want.display_preferences_id:
            dto["DisplayPreferencesId"] = item_id
        if want.can_delete:
            dto["CanDelete"] = False
        if kind == "extra":
            dto["ExtraType"] = EXTRA_TYPES.get(get("extra_type") or "", "Unknown")
        if kind in ("movie", "episode", "extra"):
            dto["VideoType"] = "VideoFile"
        parent = parents.get(get("parent_id") or "")
        if kind == "season" and parent:
            self._series(dto, parent, images)
        elif kind == "episode" and parent:
            series = parent if parent["type"] == "series" else parents.get(parent["parent_id"] or "")
            if parent["type"] == "season":
                dto["SeasonId"], dto["SeasonName"] = parent["id"], parent["name"]
            if series:
                self._series(dto, series, images)
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
                {"Name": n, "Id": artist["id"] if artist and artist["name"] == n else name_id("artist", n)}
                for n in names
            ]
            if artist:
                dto["AlbumArtist"] = artist["name"]
                dto["AlbumArtists"] = [{"Name": artist["name"], "Id": artist["id"]}]
        return dto

    @staticmethod
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

    # -- media sources ----------------------------------------------------------------------------------------

    def media_source(self, source: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        streams = [self.media_stream(s["index"], s) for s in source_streams(source)]
        streams = [s for s in streams if s is not None]
        audio = next((s["Index"] for s in streams if s["Type"] == "Audio" and s.get("IsDefault")), None)
        audio = audio if audio is not None else next((s["Index"] for s in streams if s["Type"] == "Audio"), None)
        subtitles = [s for s in streams if s["Type"] == "Subtitle"]
        subtitle = next((s["Index"] for s in subtitles if s.get("IsDefault") or s.get("IsForced")), None)
        return {
            "Protocol": "File",
            "Id": source["id"],
            "Type": "Default",
            "Container": container_for(source),
            "Size": source.get("size"),
            "Name": source.get("version_label") or item["name"],
            "IsRemote": False,
            "ETag": source["id"][:16],
            "RunTimeTicks": source.get("duration_ticks") or item["runtime_ticks"],
            "ReadAtNativeFramerate": False,
            "IgnoreDts": False,
            "IgnoreIndex": False,
            "GenPtsInput": False,
            "SupportsTranscoding": True,
            "SupportsDirectStream": True,
            "SupportsDirectPlay": True,
            "IsInfiniteStream": False,
            "UseMostCompatibleTranscodingProfile": False,
            "RequiresOpening": False,
            "RequiresClosing": False,
            "RequiresLooping": False,
            "SupportsProbing": True,
            "VideoType": "VideoFile" if any(s["Type"] == "Video" for s in streams) else None,
            "MediaStreams": streams,
            "MediaAttachments": [],
            "Formats": [],
            "Bitrate": source.get("bitrate"),
            "RequiredHttpHeaders": {},
            "DefaultAudioStreamIndex": audio,
            "DefaultSubtitleStreamIndex": subtitle if subtitle is not None else -1,
            "HasSegments": False,
        }

    @staticmethod
    def media_stream(position: int, stream: dict[str, Any]) -> dict[str, Any] | None:
        kind = STREAM_TYPES.get(stream.get("type") or "")
        if kind is None:
            return None
        codec = (stream.get("codec") or "").lower() or None
        dto: dict[str, Any] = {
            "Codec": codec,
            "Language": stream.get("language"),
            "Title": stream.get("title"),
            "Type": kind,
            "Index": position,
            "IsDefault": bool(stream.get("is_default")),
            "IsForced": bool(stream.get("is_forced")),
            "IsHearingImpaired": bool(stream.get("is_hearing_impaired")),
            "IsExternal": bool(stream.get("is_external")),
            "IsInterlaced": False,
            "BitRate": stream.get("bitrate"),
            "Profile": stream.get("profile"),
            "Level": float(stream["level"]) if stream.get("level") is not None else None,
            "IsTextSubtitleStream": kind == "Subtitle" and codec in TEXT_SUBTITLES,
            "SupportsExternalStream": kind == "Subtitle" and codec in TEXT_SUBTITLES,
        }
        if kind == "Video":
            hdr = stream.get("hdr") or "SDR"
            range_type = {"SDR": "SDR", "HDR10": "HDR10", "HLG": "HLG", "DolbyVision": "DOVI"}.get(hdr, "Unknown")
            rate = stream.get("frame_rate")
            dto.update(
                {
                    "Width": stream.get("width"),
                    "Height": stream.get("height"),
                    "BitDepth": stream.get("bit_depth"),
                    "PixelFormat": stream.get("pixel_format"),
                    "ColorTransfer": stream.get("color_transfer"),
                    "ColorPrimaries": stream.get("color_primaries"),
                    "ColorSpace": stream.get("color_space"),
                    "AverageFrameRate": rate,
                    "RealFrameRate": rate,
                    "VideoRange": "SDR" if hdr == "SDR" else "HDR",
                    "VideoRangeType": range_type,
                    "IsAVC": codec == "h264",
                    "AspectRatio": None,
                }
            )
            height = stream.get("height") or 0
            label = f"{height}p" if height else ""
            dto["DisplayTitle"] = " ".join(x for x in (label, (codec or "").upper(), hdr) if x)
        elif kind == "Audio":
            dto.update(
                {
                    "Channels": stream.get("channels"),
                    "SampleRate": stream.get("sample_rate"),
                    "ChannelLayout": stream.get("channel_layout"),
                }
            )
            dto["DisplayTitle"] = " - ".join(
                x for x in (stream.get("language"), (codec or "").upper(), stream.get("channel_layout")) if x
            )
        elif kind == "Subtitle":
            dto["DisplayTitle"] = " - ".join(
                x for x in (stream.get("language") or "Undefined", (codec or "").upper()) if x
            )
        return dto


def _prepared(dto: dict[str, Any]) -> Prepared:
    """The DTO without None values, ready for `respond` as it is; only a few members can hold nested None."""
    if None in dto.values():
        out = Prepared({key: value for key, value in dto.items() if value is not None})
    else:
        out = Prepared(dto)
    for key in _MAY_HOLD_NULLS.intersection(out):
        out[key] = clean(out[key])
    return out
