"""A library media source as the playback decisions read it: its container as profiles name it, what each
container can carry, its streams and its bitrate.

A media source is a dict as `integrations.library.queries.media_sources()` returns it (id, path, size, container,
duration_ticks, bitrate, streams: StreamInfo dicts without None/False fields...).

Stream indexes: embedded streams are named by their index in the file; external subtitle files (stored with
index -1) get the numbers after the highest embedded index, in stored order (`source_streams`).
"""

from __future__ import annotations

import os
from typing import Any

from plugin_sdk.media import TICKS_PER_SECOND

from .subtitles import normalize_subtitle_codec

DEMUXER_CONTAINERS = {
    "matroska,webm": "mkv",
    "matroska": "mkv",
    "webm": "webm",
    "mov,mp4,m4a,3gp,3g2,mj2": "mp4",
    "mpegts": "ts",
    "mp3": "mp3",
    "aac": "aac",
    "flac": "flac",
    "ogg": "ogg",
    "wav": "wav",
    "w64": "wav",
    "aiff": "aiff",
    "avi": "avi",
    "asf": "asf",
    "flv": "flv",
    "mpeg": "mpeg",
    "ac3": "ac3",
    "eac3": "eac3",
    "dts": "dts",
    "ape": "ape",
    "wv": "wv",
}
_MOV_EXTENSIONS = {".mov": "mov", ".m4a": "m4a", ".m4b": "m4a", ".m4v": "m4v", ".3gp": "3gp", ".3g2": "3gp"}
_WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "opus", "vorbis", "webvtt"})
# What each output (or direct play) container can carry; "mkv" carries anything.
CONTAINER_CODECS: dict[str, frozenset[str]] = {
    "mp4": frozenset({"h264", "hevc", "av1", "vp9", "mpeg4", "aac", "mp3", "opus", "flac", "ac3", "eac3", "alac"}),
    "fmp4": frozenset({"h264", "hevc", "av1", "vp9", "aac", "mp3", "opus", "flac", "ac3", "eac3", "alac"}),
    "mpegts": frozenset({"h264", "hevc", "mpeg2video", "aac", "mp3", "ac3", "eac3", "mp2"}),
    "webm": frozenset({"vp8", "vp9", "av1", "opus", "vorbis"}),
    "m4a": frozenset({"aac", "alac", "mp3"}),
    "mp3": frozenset({"mp3"}),
    "aac": frozenset({"aac"}),
    "flac": frozenset({"flac"}),
    "ogg": frozenset({"opus", "vorbis", "flac"}),
    "opus": frozenset({"opus"}),
}
CONTAINER_CODECS["ts"] = CONTAINER_CODECS["mpegts"]
CONTAINER_CODECS["m4v"] = CONTAINER_CODECS["mp4"]


def container_for(source: dict[str, Any]) -> str:
    """The source's container as profiles name it, from the demuxer's names (and codecs, and the extension).

    "matroska,webm" -> "webm" when every stream is one WebM allows (VP8/VP9/AV1, Opus/Vorbis, WebVTT), else "mkv";
    "mov,mp4,m4a,3gp,3g2,mj2" -> "mov"/"m4a"/"m4v"/"3gp" by extension, else "m4a" for audio only, else "mp4".
    """
    demuxer = (source.get("container") or "").lower()
    streams = source.get("streams") or []
    embedded = [s for s in streams if not s.get("is_external") and s.get("type") in ("video", "audio", "subtitle")]
    if demuxer == "matroska,webm":
        codecs = {codec_of(s) for s in embedded}
        return "webm" if embedded and codecs <= _WEBM_CODECS else "mkv"
    if demuxer == "mov,mp4,m4a,3gp,3g2,mj2":
        extension = os.path.splitext(source.get("path") or "")[1].lower()
        if extension in _MOV_EXTENSIONS:
            return _MOV_EXTENSIONS[extension]
        return "mp4" if any(s.get("type") == "video" for s in embedded) else "m4a"
    if demuxer in DEMUXER_CONTAINERS:
        return DEMUXER_CONTAINERS[demuxer]
    return demuxer.split(",", 1)[0] or "unknown"


def codec_of(stream: dict[str, Any]) -> str:
    """A stream's codec as profiles name it ("pcm" for every PCM variant, subtitle codecs normalised)."""
    codec = (stream.get("codec") or "").lower()
    if stream.get("type") == "audio" and codec.startswith("pcm_"):
        return "pcm"
    if stream.get("type") == "subtitle":
        return normalize_subtitle_codec(codec) or codec
    return codec


def container_fits(container: str, codecs: set[str]) -> bool:
    """Whether `container` can carry all of `codecs` (Matroska carries anything)."""
    if container == "mkv":
        return True
    return codecs <= CONTAINER_CODECS.get(container, frozenset())


def source_streams(source: dict[str, Any]) -> list[dict[str, Any]]:
    """The source's streams (copies), each with a unique "index"; see the module docstring."""
    streams = [dict(s) for s in source.get("streams") or []]
    embedded = [s["index"] for s in streams if not s.get("is_external") and s.get("index", -1) >= 0]
    next_index = max(embedded, default=-1) + 1
    for stream in streams:
        if stream.get("is_external") or stream.get("index", -1) < 0:
            stream["index"] = next_index
            next_index += 1
    return streams


def source_bitrate(source: dict[str, Any]) -> int | None:
    """The overall bitrate: the container's, else the streams' sum, else size / duration."""
    if source.get("bitrate"):
        return int(source["bitrate"])
    total = sum(s.get("bitrate") or 0 for s in source.get("streams") or [] if not s.get("is_external"))
    if total:
        return total
    size, duration = source.get("size"), source.get("duration_ticks")
    if size and duration:
        return int(size * 8 * TICKS_PER_SECOND / duration)
    return None
