"""A Jellyfin DeviceProfile (DirectPlay/Transcoding/Codec/Subtitle profiles) as a Marquee DeviceProfile.

Marquee's profile is flat (containers x codecs x limits) where Jellyfin's lists combinations; the mapping takes
the union of what the client says it plays, and the strictest of its limits. Names are checked twice: text that
isn't a plain name (spaces, `;`, `-f`, newlines...) is refused with a 400 that names the field, and plain names
Marquee doesn't know ("mpg", "msmpeg4v3") are left out, as a Jellyfin server ignores codecs it can't match.
Whatever comes out is validated again by `integrations.playback.profiles.validate_profile`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from integrations.jellyfin.protocol import JellyfinError, Query
from integrations.playback.codec_strings import LEVELS, PROFILE_RANKS, format_level, normalize_profile
from integrations.playback.profiles import (
    BUILTIN_PROFILES,
    CLIENT_AUDIO_CODECS,
    CLIENT_VIDEO_CODECS,
    CONTAINERS,
    MAX_BITRATE,
    MIN_BITRATE,
    DeviceProfile,
    ProfileError,
    validate_profile,
)

NAME = re.compile(r"^[A-Za-z0-9_.+]{1,32}$")
CONTAINER_ALIASES = {"matroska": "mkv", "mpegts": "ts", "webma": "webm", "oga": "ogg", "m4b": "m4a", "mpg": "mpeg"}
VIDEO_ALIASES = {"h265": "hevc", "avc": "h264", "x264": "h264", "x265": "hevc", "mpeg2": "mpeg2video"}
AUDIO_ALIASES = {"dca": "dts", "mp2": "mp2", "wma": "wmav2"}
SUBTITLE_ALIASES = {
    "vtt": "webvtt", "webvtt": "webvtt", "srt": "subrip", "subrip": "subrip", "ass": "ass", "ssa": "ssa",
    "pgs": "pgssub", "pgssub": "pgssub", "dvdsub": "dvd_subtitle", "dvd_subtitle": "dvd_subtitle",
    "dvbsub": "dvb_subtitle", "dvb_subtitle": "dvb_subtitle", "mov_text": "mov_text", "ttml": "ttml",
}  # fmt: skip
HDR_RANGES = {"hdr10": "HDR10", "hdr10plus": "HDR10", "hlg": "HLG"}
BIT_DEPTHS = (8, 10, 12)


def _split(value: Any, field: str, separators: str = ",") -> list[str]:
    """A Jellyfin list ("h264,hevc", "high|main"), each part a plain name; junk is a 400 naming the field."""
    if value is None:
        return []
    if not isinstance(value, str):
        raise JellyfinError(400, f"Invalid DeviceProfile: {field} must be a string")
    parts = re.split(f"[{re.escape(separators)}]", value)
    names = []
    for part in parts:
        name = part.strip()
        if not name:
            continue
        if not NAME.match(name.replace(" ", "")) or "\n" in part or "\r" in part:
            raise JellyfinError(400, f"Invalid DeviceProfile: {field} has an invalid name {name[:40]!r}")
        names.append(name.lower())
    return names


def _known(value: Any, field: str, aliases: dict[str, str], allowed: Collection[str]) -> set[str]:
    """The names Marquee knows (after Jellyfin's aliases); plain names it doesn't know are dropped."""
    return {name for name in (aliases.get(n, n) for n in _split(value, field)) if name in allowed}


def container_names(value: Any, field: str) -> set[str]:
    return _known(value, field, CONTAINER_ALIASES, CONTAINERS)


def video_codec_names(value: Any, field: str) -> set[str]:
    return _known(value, field, VIDEO_ALIASES, CLIENT_VIDEO_CODECS)


def audio_codec_names(value: Any, field: str) -> set[str]:
    pcm = {name: "pcm" for name in _split(value, field) if name.startswith("pcm_")}
    return _known(value, field, {**AUDIO_ALIASES, **pcm}, CLIENT_AUDIO_CODECS)


def _list(value: Any, field: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise JellyfinError(400, f"Invalid DeviceProfile: {field} must be a list of objects")
    return [{str(k).lower(): v for k, v in entry.items()} for entry in value]


def _number(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise JellyfinError(400, f"Invalid DeviceProfile: {field} must be a number")
    try:
        return int(float(str(value).strip()))
    except ValueError:
        raise JellyfinError(400, f"Invalid DeviceProfile: {field} must be a number, got {str(value)[:40]!r}") from None


def _level(codec: str, raw: int) -> str | None:
    """Jellyfin's level numbers (H.264 x10, HEVC x30, AV1 seq_level_idx) as a Marquee level, rounded down."""
    if codec == "h264" or codec == "vp9":
        tenths = raw
    elif codec == "hevc":
        tenths = raw * 10 // 30
    elif codec == "av1":
        tenths = (2 + raw // 4) * 10 + raw % 4
    else:
        return None
    known = [level for level in LEVELS.get(codec, ()) if level <= tenths]
    return format_level(known[-1]) if known else None


def bitrate(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    rate = _number(value, field)
    if rate <= 0:
        return None
    if rate < MIN_BITRATE:
        raise JellyfinError(400, f"Invalid {field}: at least {MIN_BITRATE} bits per second")
    return min(rate, MAX_BITRATE)


class _Builder:
    def __init__(self) -> None:
        self.video_containers: set[str] = set()
        self.audio_containers: set[str] = set()
        self.video_codecs: dict[str, dict[str, Any]] = {}
        self.audio_codecs: set[str] = set()
        self.max_width: int | None = None
        self.max_height: int | None = None
        self.max_channels: int | None = None
        self.subtitles: set[str] = set()
        self.external: set[str] = set()
        self.hdr: set[str] = set()
        self.hls = self.hls_fmp4 = False

    def add_video(self, codecs: set[str]) -> None:
        for codec in codecs:
            self.video_codecs.setdefault(codec, {})

    def cap(self, name: str, value: int) -> None:
        current = getattr(self, name)
        setattr(self, name, value if current is None else min(current, value))


def _codec_profile(builder: _Builder, entry: dict[str, Any], where: str) -> None:
    if entry.get("applyconditions"):
        return  # conditional (interlaced, secondary audio...): situational, not a general limit
    kind = str(entry.get("type") or "")
    codecs = _split(entry.get("codec"), f"{where}.Codec")
    conditions = _list(entry.get("conditions"), f"{where}.Conditions")
    for n, condition in enumerate(conditions):
        field = f"{where}.Conditions[{n}]"
        prop = str(condition.get("property") or "").lower()
        test = str(condition.get("condition") or "").lower()
        value = condition.get("value")
        if value is None or test not in ("lessthanequal", "equals", "equalsany"):
            continue
        if prop in ("width", "height") and kind.lower() == "video":
            builder.cap("max_width" if prop == "width" else "max_height", max(16, _number(value, f"{field}.Value")))
        elif prop == "audiochannels":
            builder.cap("max_channels", max(1, min(16, _number(value, f"{field}.Value"))))
        elif prop in ("videolevel", "videoprofile", "videobitdepth", "videorangetype") and kind.lower() == "video":
            targets = [VIDEO_ALIASES.get(c, c) for c in codecs] or list(builder.video_codecs)
            for codec in (c for c in targets if c in builder.video_codecs):
                _video_condition(builder, codec, prop, test, value, field)


def _video_condition(builder: _Builder, codec: str, prop: str, test: str, value: Any, field: str) -> None:
    support = builder.video_codecs[codec]
    if prop == "videolevel":
        if codec in LEVELS:
            level = _level(codec, _number(value, f"{field}.Value"))
            if level is None:
                raise JellyfinError(400, f"Invalid DeviceProfile: {field}.Value is below every {codec} level")
            support["max_level"] = level
    elif prop == "videoprofile":
        ranks = PROFILE_RANKS.get(codec)
        names = [normalize_profile(n) for n in _split(value, f"{field}.Value", "|,")]
        known = [n for n in names if ranks and n in ranks]
        if ranks and known:
            support["max_profile"] = max(known, key=lambda n: ranks[n])
    elif prop == "videobitdepth":
        depths = [_number(v, f"{field}.Value") for v in str(value).split("|")]
        allowed = [d for d in BIT_DEPTHS if d <= max(depths)]
        support["max_bit_depth"] = allowed[-1] if allowed else 8
    elif prop == "videorangetype":
        for name in _split(value, f"{field}.Value", "|,"):
            if name.startswith("dovi"):
                builder.hdr.add("DolbyVision")
            elif name in HDR_RANGES:
                builder.hdr.add(HDR_RANGES[name])


def _profile_name(value: Any) -> str:
    name = value.strip()[:64] if isinstance(value, str) else ""
    return name if name and name.isprintable() else "jellyfin"


def from_jellyfin(data: Any, max_streaming_bitrate: int | None = None) -> DeviceProfile:
    """The Marquee profile for a Jellyfin DeviceProfile object (None: Marquee's browser profile)."""
    if data is None:
        base = BUILTIN_PROFILES["browser"]
        if max_streaming_bitrate is None:
            return base
        return validate_profile({**base.as_dict(), "max_bitrate": max_streaming_bitrate})
    if not isinstance(data, dict):
        raise JellyfinError(400, "Invalid DeviceProfile: expected an object")
    profile = {str(k).lower(): v for k, v in data.items()}
    builder = _Builder()
    for n, entry in enumerate(_list(profile.get("directplayprofiles"), "DirectPlayProfiles")):
        where = f"DeviceProfile.DirectPlayProfiles[{n}]"
        containers = container_names(entry.get("container"), f"{where}.Container")
        builder.audio_codecs |= audio_codec_names(entry.get("audiocodec"), f"{where}.AudioCodec")
        if str(entry.get("type") or "").lower() == "audio":
            builder.audio_containers |= containers
        else:
            builder.video_containers |= containers
            builder.add_video(video_codec_names(entry.get("videocodec"), f"{where}.VideoCodec"))
    for n, entry in enumerate(_list(profile.get("transcodingprofiles"), "TranscodingProfiles")):
        where = f"DeviceProfile.TranscodingProfiles[{n}]"
        containers = container_names(entry.get("container"), f"{where}.Container")
        protocol = _split(entry.get("protocol"), f"{where}.Protocol")
        builder.audio_codecs |= audio_codec_names(entry.get("audiocodec"), f"{where}.AudioCodec")
        if entry.get("maxaudiochannels") not in (None, ""):
            channels = _number(entry["maxaudiochannels"], f"{where}.MaxAudioChannels")
            builder.cap("max_channels", max(1, min(16, channels)))
        if str(entry.get("type") or "").lower() == "audio":
            if "hls" in protocol:
                builder.hls = True
            else:
                builder.audio_containers |= containers
            continue
        builder.add_video(video_codec_names(entry.get("videocodec"), f"{where}.VideoCodec"))
        if "hls" in protocol:
            builder.hls = True
            builder.hls_fmp4 = builder.hls_fmp4 or bool(containers & {"mp4", "m4v"})
    for n, entry in enumerate(_list(profile.get("codecprofiles"), "CodecProfiles")):
        _codec_profile(builder, entry, f"DeviceProfile.CodecProfiles[{n}]")
    for n, entry in enumerate(_list(profile.get("subtitleprofiles"), "SubtitleProfiles")):
        where = f"DeviceProfile.SubtitleProfiles[{n}]"
        method = str(entry.get("method") or "").lower()
        for name in _split(entry.get("format"), f"{where}.Format"):
            fmt = SUBTITLE_ALIASES.get(name)
            if fmt is None:
                continue
            if method in ("external", "hls"):
                builder.external.add(fmt)
            elif method == "embed":
                builder.subtitles.add(fmt)
    cap = bitrate(profile.get("maxstreamingbitrate"), "DeviceProfile.MaxStreamingBitrate")
    if max_streaming_bitrate is not None:
        cap = min(cap, max_streaming_bitrate) if cap else max_streaming_bitrate
    body = {
        "name": _profile_name(profile.get("name")),
        "video_containers": sorted(builder.video_containers),
        "audio_containers": sorted(builder.audio_containers),
        "video_codecs": builder.video_codecs,
        "audio_codecs": sorted(builder.audio_codecs),
        "max_width": builder.max_width,
        "max_height": builder.max_height,
        "max_bitrate": cap,
        "max_audio_channels": builder.max_channels or 6,
        "subtitle_formats": sorted(builder.subtitles),
        "external_subtitle_formats": sorted(builder.external),
        "hdr": sorted(builder.hdr),
        "hls": builder.hls,
        "hls_fmp4": builder.hls_fmp4,
    }
    try:
        return validate_profile(body)
    except ProfileError as err:
        raise JellyfinError(400, f"Invalid DeviceProfile: {err}") from None


def from_stream_query(query: Query) -> DeviceProfile:
    """A profile from the parameters of a /Videos/{id}/master.m3u8 URL a client built itself: VideoCodec and
    AudioCodec are what it decodes, SegmentContainer how it takes HLS, the Max* parameters its limits."""
    video = video_codec_names(query.text("VideoCodec"), "VideoCodec")
    audio = audio_codec_names(query.text("AudioCodec"), "AudioCodec")
    segment = container_names(query.text("SegmentContainer"), "SegmentContainer")
    channels = query.integer("TranscodingMaxAudioChannels", None, 1, 16)
    channels = channels or query.integer("MaxAudioChannels", None, 1, 16)
    body = {
        "name": "jellyfin-hls",
        "video_codecs": {codec: {} for codec in (video or {"h264"})},
        "audio_codecs": sorted(audio or {"aac"}),
        "max_width": query.integer("MaxWidth", None, 16, 16384),
        "max_height": query.integer("MaxHeight", None, 16, 16384),
        "max_bitrate": bitrate(query.text("MaxStreamingBitrate") or query.text("VideoBitrate"), "MaxStreamingBitrate"),
        "max_audio_channels": channels or 2,
        "external_subtitle_formats": ["webvtt"],
        "hls": True,
        "hls_fmp4": bool(segment & {"mp4", "m4v"}),
    }
    try:
        return validate_profile(body)
    except ProfileError as err:
        raise JellyfinError(400, f"Invalid stream parameters: {err}") from None


def check_names(query: Query) -> None:
    """Refuse codec/container text that isn't a plain list of names, wherever a client may put it."""
    for name in ("VideoCodec", "AudioCodec", "Container", "SegmentContainer", "SubtitleCodec", "TranscodingContainer"):
        _split(query.text(name), name, ",|")
    for name in ("Level", "Profile", "VideoLevel", "VideoProfile"):
        value = query.text(name)
        if value is not None and not re.fullmatch(r"[A-Za-z0-9 ._|,]{1,40}", value):
            raise JellyfinError(400, f"Invalid {name}")
