"""BaseItemDto from Marquee's rows: items, libraries (CollectionFolder), media sources and streams, user data.

Everything a page needs is read in a handful of batched queries (images, parents, values, child counts, user
data), never per item, except media sources, which are only built for details and when `Fields` asks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from core.storage import Database
from integrations.jellyfin.protocol import jf_date
from integrations.library.models import Library
from integrations.library.queries import media_sources
from integrations.playback.decision import container_for, source_streams
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


def user_data_dto(item_id: str, data: dict[str, Any] | None, runtime: int | None) -> dict[str, Any]:
    data = data or {}
    position = data.get("position_ticks") or 0
    dto: dict[str, Any] = {
        "PlaybackPositionTicks": position,
        "PlayCount": data.get("play_count") or 0,
        "IsFavorite": bool(data.get("is_favorite")),
        "Played": bool(data.get("played")),
        "LastPlayedDate": jf_date(data.get("last_played_at")),
        "Rating": data.get("rating"),
        "Key": item_id,
        "ItemId": item_id,
    }
    if position and runtime:
        dto["PlayedPercentage"] = min(100.0, 100.0 * position / runtime)
    return dto


class DtoBuilder:
    def __init__(self, db: Database, server_id: str, hooks: Any) -> None:
        self.db, self.server_id, self.hooks = db, server_id, hooks

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
        self, rows: list[dict[str, Any]], principal: Principal, fields: Iterable[str] = (), *, detail: bool = False
    ) -> list[dict[str, Any]]:
        """BaseItemDtos for full item rows (SELECT * FROM items), in the order given."""
        if not rows:
            return []
        wanted = {f.lower() for f in fields}
        ids = [row["id"] for row in rows]
        images: dict[str, list[dict[str, Any]]] = {}
        parents: dict[str, dict[str, Any]] = {}
        parent_ids = sorted({row["parent_id"] for row in rows if row["parent_id"]})
        for row in await _in(self.db, "SELECT id, type, name, parent_id FROM items WHERE id IN ({ids})", parent_ids):
            parents[row["id"]] = row
        grand_ids = sorted({p["parent_id"] for p in parents.values() if p["parent_id"]} - set(parents))
        for row in await _in(self.db, "SELECT id, type, name, parent_id FROM items WHERE id IN ({ids})", grand_ids):
            parents[row["id"]] = row
        image_ids = sorted(set(ids) | set(parents))
        for row in await _in(
            self.db,
            "SELECT item_id, type, position, tag FROM images WHERE item_id IN ({ids}) ORDER BY position",
            image_ids,
        ):
            images.setdefault(row["item_id"], []).append(row)
        values: dict[str, dict[str, list[str]]] = {}
        for row in await _in(
            self.db, "SELECT item_id, kind, value FROM item_values WHERE item_id IN ({ids}) ORDER BY value", ids
        ):
            values.setdefault(row["item_id"], {}).setdefault(row["kind"], []).append(row["value"])
        folders = [row["id"] for row in rows if row["type"] in FOLDER_TYPES]
        counts = {
            row["parent_id"]: row["count"]
            for row in await _in(
                self.db,
                "SELECT parent_id, COUNT(*) AS count FROM items WHERE parent_id IN ({ids}) AND type <> 'extra' "
                "GROUP BY parent_id",
                folders,
            )
        }
        people: dict[str, list[dict[str, Any]]] = {}
        if detail or "people" in wanted:
            for row in await _in(
                self.db,
                "SELECT ip.item_id, p.id, p.name, ip.kind, ip.role FROM item_people ip JOIN people p "
                "ON p.id = ip.person_id WHERE ip.item_id IN ({ids}) ORDER BY ip.position",
                ids,
            ):
                people.setdefault(row["item_id"], []).append(row)
        user_data = await self.user_data(principal, ids)
        out = []
        for row in rows:
            dto = self._item(row, parents, images, values.get(row["id"], {}), counts.get(row["id"]))
            dto["UserData"] = user_data_dto(row["id"], user_data.get(row["id"]), row["runtime_ticks"])
            dto["CanDownload"] = row["type"] in MEDIA_TYPES and principal.can("download")
            if detail or "people" in wanted:
                dto["People"] = [
                    {
                        "Name": p["name"],
                        "Id": p["id"],
                        "Role": p["role"] or "",
                        "Type": PERSON_KINDS.get((p["kind"] or "").lower(), "Unknown"),
                    }
                    for p in people.get(row["id"], [])
                ]
            if (detail or "mediasources" in wanted) and row["type"] in MEDIA_TYPES:
                sources = await media_sources(self.db, row["id"])
                dto["MediaSources"] = [self.media_source(source, row) for source in sources]
                if dto["MediaSources"]:
                    dto["MediaStreams"] = dto["MediaSources"][0]["MediaStreams"]
                    dto["Container"] = dto["MediaSources"][0]["Container"]
            out.append(dto)
        return out

    def _item(
        self,
        row: dict[str, Any],
        parents: dict[str, dict[str, Any]],
        images: dict[str, list[dict[str, Any]]],
        values: dict[str, list[str]],
        child_count: int | None,
    ) -> dict[str, Any]:
        kind = row["type"]
        item_id = row["id"]
        tags, backdrops = _image_tags(images.get(item_id, []))
        genres, studios = values.get("genre", []), values.get("studio", [])
        dto: dict[str, Any] = {
            "Name": row["name"],
            "OriginalTitle": row["original_title"],
            "ServerId": self.server_id,
            "Id": item_id,
            "Etag": str(int(row["date_modified"] or 0)),
            "DateCreated": jf_date(row["date_added"]),
            "CanDelete": False,
            "SortName": row["sort_name"],
            "PremiereDate": jf_date(row["premiere_date"]),
            "ExternalUrls": [],
            "Overview": row["overview"],
            "Taglines": [row["tagline"]] if row["tagline"] else [],
            "Genres": genres,
            "CommunityRating": row["community_rating"],
            "CriticRating": row["critic_rating"],
            "OfficialRating": row["official_rating"],
            "RunTimeTicks": row["runtime_ticks"],
            "ProductionYear": row["year"],
            "IndexNumber": row["index_number"],
            "IndexNumberEnd": row["index_number_end"],
            "ParentIndexNumber": row["parent_index_number"],
            "ProviderIds": {k: str(v) for k, v in orjson.loads(row["provider_ids"] or "{}").items()},
            "IsFolder": kind in FOLDER_TYPES,
            "ParentId": row["parent_id"] or row["library_id"],
            "Type": TYPE_NAMES.get(kind, "Folder"),
            "Studios": [{"Name": s, "Id": name_id("studio", s)} for s in studios],
            "GenreItems": [{"Name": g, "Id": name_id("genre", g)} for g in genres],
            "LocalTrailerCount": 0,
            "ChildCount": child_count if kind in FOLDER_TYPES else None,
            "SpecialFeatureCount": 0,
            "DisplayPreferencesId": item_id,
            "Tags": values.get("tag", []),
            "ImageTags": tags,
            "BackdropImageTags": backdrops,
            "LocationType": "FileSystem",
            "MediaType": MEDIA_TYPES.get(kind, "Unknown"),
            "PlayAccess": "Full",
            "LockData": False,
            "LockedFields": [],
        }
        if kind == "extra":
            dto["ExtraType"] = EXTRA_TYPES.get(row["extra_type"] or "", "Unknown")
        if kind in ("movie", "episode", "extra"):
            dto["VideoType"] = "VideoFile"
            dto["HasSubtitles"] = None
        parent = parents.get(row["parent_id"] or "")
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
                album_tags, _ = _image_tags(images.get(album["id"], []))
                dto["AlbumPrimaryImageTag"] = album_tags.get("Primary")
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
    def _series(dto: dict[str, Any], series: dict[str, Any], images: dict[str, list[dict[str, Any]]]) -> None:
        dto["SeriesId"], dto["SeriesName"] = series["id"], series["name"]
        tags, backdrops = _image_tags(images.get(series["id"], []))
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


def _image_tags(rows: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    tags: dict[str, str] = {}
    backdrops: list[str] = []
    for row in rows:
        if row["type"] == "Backdrop":
            backdrops.append(row["tag"])
        elif row["position"] == 0:
            tags.setdefault(row["type"], row["tag"])
    return tags, backdrops
