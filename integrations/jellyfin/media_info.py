"""MediaSourceInfo and MediaStream DTOs of the library's media sources, as item details and PlaybackInfo show
them before any playback decision (media_source.py adds that)."""

from __future__ import annotations

from typing import Any

import orjson

from integrations.jellyfin.batched import in_queries
from integrations.jellyfin.protocol import Prepared
from integrations.playback.sources import container_for, source_streams

STREAM_TYPES = {"video": "Video", "audio": "Audio", "subtitle": "Subtitle", "data": "Data"}
TEXT_SUBTITLES = frozenset({"srt", "subrip", "ass", "ssa", "webvtt", "vtt", "mov_text", "text"})


def media_source_queries(item_ids: list[str]) -> list[list[tuple[str, list[Any]]]]:
    """The two query groups (sources, their streams) for `sources_of`; neither waits for the other, so a page
    reads them in its one batch."""
    return [
        in_queries(
            "SELECT id, item_id, path, size, container, duration_ticks, bitrate, version_label FROM media_sources "
            "WHERE item_id IN ({ids}) AND status = 'ok' ORDER BY version_label, path",
            item_ids,
        ),
        in_queries(
            "SELECT s.source_id, s.data FROM media_streams s JOIN media_sources m ON m.id = s.source_id "
            "WHERE m.item_id IN ({ids}) AND m.status = 'ok' ORDER BY s.source_id, s.position",
            item_ids,
        ),
    ]


def sources_of(source_rows: list[dict[str, Any]], stream_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each item's playable sources with their streams (as library.queries.media_sources has them)."""
    found: dict[str, list[dict[str, Any]]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for source in source_rows:
        source["streams"] = []
        found.setdefault(source.pop("item_id"), []).append(source)
        by_id[source["id"]] = source
    for stream in stream_rows:
        data = orjson.loads(stream["data"])
        by_id[stream["source_id"]]["streams"].append(
            {k: v for k, v in data.items() if v is not None and v is not False}
        )
    return found


def media_source(source: dict[str, Any], item: dict[str, Any]) -> Prepared:
    """The MediaSourceInfo of `source`, a source of the item row `item`."""
    streams = [media_stream(s["index"], s) for s in source_streams(source)]
    streams = [s for s in streams if s is not None]
    audio = next((s["Index"] for s in streams if s["Type"] == "Audio" and s.get("IsDefault")), None)
    audio = audio if audio is not None else next((s["Index"] for s in streams if s["Type"] == "Audio"), None)
    subtitles = [s for s in streams if s["Type"] == "Subtitle"]
    subtitle = next((s["Index"] for s in subtitles if s.get("IsDefault") or s.get("IsForced")), None)
    return _without_nulls({
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
    })  # fmt: skip


def _without_nulls(dto: dict[str, Any]) -> Prepared:
    """Built once without None values, so a page's many sources and streams need no cleaning pass later."""
    return Prepared({key: value for key, value in dto.items() if value is not None})


def media_stream(position: int, stream: dict[str, Any]) -> Prepared | None:
    """The MediaStream of a probed stream at `position`; None for stream types Jellyfin has no name for."""
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
        dto["DisplayTitle"] = " - ".join(x for x in (stream.get("language") or "Undefined", (codec or "").upper()) if x)
    return _without_nulls(dto)
