"""Device profiles: what a client plays as it is. Built-in profiles by name, or a client-supplied JSON profile
validated by PROFILE_SCHEMA (errors name the field: "max_bitrate: expected ...").

Names in a profile are lowercase: containers as the profile knows them ("mp4", "mkv", "webm", "ts", "m4a"...),
codecs as ffmpeg names them ("h264", "hevc", "aac", "eac3"...), subtitle formats as ffmpeg names them
("subrip", "ass", "webvtt", "mov_text", "pgssub"...), HDR formats as the probe reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol

from plugin_sdk.streaming import AUDIO_CODECS, VIDEO_CODECS

from .codec_strings import LEVELS, PROFILE_RANKS, format_level, normalize_profile, parse_level

CONTAINERS = frozenset(
    {
        "mp4", "m4v", "m4a", "mov", "3gp", "mkv", "webm", "ts", "m2ts", "avi", "asf", "wmv", "flv", "mpeg",
        "mp3", "aac", "flac", "ogg", "opus", "wav", "aiff", "wma", "ac3", "eac3", "dts", "ape", "wv",
    }
)  # fmt: skip
# Codecs a client may say it plays; the server encodes only plugin_sdk.streaming.VIDEO_CODECS / AUDIO_CODECS.
CLIENT_VIDEO_CODECS = VIDEO_CODECS | {"vp8", "mpeg2video", "mpeg4", "vc1"}
CLIENT_AUDIO_CODECS = AUDIO_CODECS | {"alac", "dts", "truehd", "vorbis", "mp2", "pcm", "wmav2"}
SUBTITLE_FORMATS = frozenset(
    {"webvtt", "subrip", "ass", "ssa", "mov_text", "ttml", "pgssub", "dvd_subtitle", "dvb_subtitle"}
)
HDR_FORMATS = ("HDR10", "HLG", "DolbyVision")
BIT_DEPTHS = (8, 10, 12)
MIN_BITRATE = 64_000
MAX_BITRATE = 10_000_000_000


class ProfileError(ValueError):
    """A profile name that doesn't exist or a client profile that doesn't validate; the message names the field."""


@dataclass(frozen=True, slots=True)
class VideoCodecSupport:
    """What a client decodes of one video codec. None: no limit."""

    max_profile: str | None = None  # normalised ("high", "main10", "profile2"): that profile and those below
    max_level: str | None = None  # "5.1"
    max_bit_depth: int = 8


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    name: str
    video_containers: frozenset[str] = frozenset()  # direct play of files with video
    audio_containers: frozenset[str] = frozenset()  # direct play of audio-only files
    video_codecs: Mapping[str, VideoCodecSupport] = field(default_factory=dict)
    audio_codecs: frozenset[str] = frozenset()
    max_width: int | None = None
    max_height: int | None = None
    max_bitrate: int | None = None  # bits per second
    max_audio_channels: int = 2
    # Subtitle formats the client renders itself: in-band (a stream inside the container it plays), and as a
    # separate file (a sidecar: <track>, an HLS subtitle rendition, an external file it loads).
    subtitle_formats: frozenset[str] = frozenset()
    external_subtitle_formats: frozenset[str] = frozenset()
    hdr: frozenset[str] = frozenset()  # HDR formats it displays: HDR10, HLG, DolbyVision
    hls: bool = False  # HLS with MPEG-TS segments
    hls_fmp4: bool = False  # HLS with fragmented MP4 segments too
    dash: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON form, as PROFILE_SCHEMA accepts it."""
        return {
            "name": self.name,
            "video_containers": sorted(self.video_containers),
            "audio_containers": sorted(self.audio_containers),
            "video_codecs": {
                codec: {
                    key: value
                    for key, value in (
                        ("max_profile", support.max_profile),
                        ("max_level", support.max_level),
                        ("max_bit_depth", support.max_bit_depth),
                    )
                    if value is not None
                }
                for codec, support in self.video_codecs.items()
            },
            "audio_codecs": sorted(self.audio_codecs),
            "max_width": self.max_width,
            "max_height": self.max_height,
            "max_bitrate": self.max_bitrate,
            "max_audio_channels": self.max_audio_channels,
            "subtitle_formats": sorted(self.subtitle_formats),
            "external_subtitle_formats": sorted(self.external_subtitle_formats),
            "hdr": sorted(self.hdr),
            "hls": self.hls,
            "hls_fmp4": self.hls_fmp4,
            "dash": self.dash,
        }


# --- validation -----------------------------------------------------------------------------------------------


def _names(allowed: frozenset[str], what: str) -> Any:
    def validate(value: Any) -> frozenset[str]:
        if not isinstance(value, list):
            raise vol.Invalid(f"expected a list of {what} names")
        names = []
        for position, item in enumerate(value):
            if not isinstance(item, str):
                raise vol.Invalid(f"expected a {what} name (a string), got {item!r}", path=[position])
            name = item.lower()
            if name not in allowed:
                raise vol.Invalid(
                    f"unknown {what} {item!r} (expected one of: {', '.join(sorted(allowed))})", path=[position]
                )
            names.append(name)
        return frozenset(names)

    return validate


def _integer(low: int, high: int, what: str) -> Any:
    def validate(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise vol.Invalid(f"expected {what} from {low} to {high}, got {value!r}")
        return value

    return validate


def _optional(validator: Any) -> Any:
    def validate(value: Any) -> Any:
        return None if value is None else validator(value)

    return validate


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise vol.Invalid(f"expected true or false, got {value!r}")
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isprintable():
        raise vol.Invalid("expected a name of 1 to 64 printable characters")
    return value


def _hdr(value: Any) -> frozenset[str]:
    canonical = {name.lower(): name for name in HDR_FORMATS}
    if not isinstance(value, list):
        raise vol.Invalid("expected a list of HDR formats")
    formats = []
    for position, item in enumerate(value):
        if not isinstance(item, str) or item.lower() not in canonical:
            raise vol.Invalid(
                f"unknown HDR format {item!r} (expected one of: {', '.join(HDR_FORMATS)})", path=[position]
            )
        formats.append(canonical[item.lower()])
    return frozenset(formats)


def _codec_support(codec: str, key: str, value: Any) -> VideoCodecSupport:
    if not isinstance(value, dict):
        raise vol.Invalid("expected an object with max_profile, max_level, max_bit_depth", path=[key])
    extra = sorted(str(name) for name in set(value) - {"max_profile", "max_level", "max_bit_depth"})
    if extra:
        raise vol.Invalid("unknown field", path=[key, extra[0]])
    profile = value.get("max_profile")
    if profile is not None:
        ranks = PROFILE_RANKS.get(codec)
        if ranks is None:
            raise vol.Invalid(f"profiles are not checked for {codec}; leave it out", path=[key, "max_profile"])
        if not isinstance(profile, str) or normalize_profile(profile) not in ranks:
            raise vol.Invalid(
                f"unknown {codec} profile {profile!r} (expected one of: {', '.join(ranks)})",
                path=[key, "max_profile"],
            )
        profile = normalize_profile(profile)
    level = value.get("max_level")
    if level is not None:
        if codec not in LEVELS:
            raise vol.Invalid(f"levels are not checked for {codec}; leave it out", path=[key, "max_level"])
        tenths = parse_level(level) if isinstance(level, str) else None
        if tenths is None:
            raise vol.Invalid(f"expected a level such as '4.1', got {level!r}", path=[key, "max_level"])
        if tenths not in LEVELS[codec]:
            known = LEVELS[codec]
            raise vol.Invalid(
                f"{level!r} is not a level of {codec} ({format_level(known[0])} to {format_level(known[-1])})",
                path=[key, "max_level"],
            )
        level = format_level(tenths)
    depth = value.get("max_bit_depth", 8)
    if isinstance(depth, bool) or depth not in BIT_DEPTHS:
        raise vol.Invalid(f"expected one of 8, 10, 12, got {depth!r}", path=[key, "max_bit_depth"])
    return VideoCodecSupport(max_profile=profile, max_level=level, max_bit_depth=depth)


def _video_codecs(value: Any) -> dict[str, VideoCodecSupport]:
    if not isinstance(value, dict):
        raise vol.Invalid("expected an object: codec name -> {max_profile, max_level, max_bit_depth}")
    codecs = {}
    for key, support in value.items():
        codec = key.lower() if isinstance(key, str) else key
        if codec not in CLIENT_VIDEO_CODECS:
            raise vol.Invalid(
                f"unknown video codec {key!r} (expected one of: {', '.join(sorted(CLIENT_VIDEO_CODECS))})",
                path=[key],
            )
        codecs[codec] = _codec_support(codec, key, support)
    return codecs


def _check_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """Rules across fields."""
    video = profile["video_codecs"]
    if video and not VIDEO_CODECS & set(video):
        raise vol.Invalid(
            f"must include at least one codec the server encodes ({', '.join(sorted(VIDEO_CODECS))})",
            path=["video_codecs"],
        )
    if not AUDIO_CODECS & profile["audio_codecs"]:
        raise vol.Invalid(
            f"must include at least one codec the server encodes ({', '.join(sorted(AUDIO_CODECS))})",
            path=["audio_codecs"],
        )
    if profile["hls_fmp4"] and not profile["hls"]:
        raise vol.Invalid("needs hls: true", path=["hls_fmp4"])
    if video and profile["video_containers"] == frozenset() and not (profile["hls"] or profile["dash"]):
        raise vol.Invalid("a client with video codecs needs video_containers, hls or dash", path=["video_containers"])
    return profile


_BITRATE = _optional(_integer(MIN_BITRATE, MAX_BITRATE, "a bitrate in bits per second"))
_SIZE = _optional(_integer(16, 16384, "a size in pixels"))

PROFILE_SCHEMA = vol.Schema(
    vol.All(
        vol.Schema(
            {
                vol.Optional("name", default="custom"): _name,
                vol.Optional("video_containers", default=list): _names(CONTAINERS, "container"),
                vol.Optional("audio_containers", default=list): _names(CONTAINERS, "container"),
                vol.Optional("video_codecs", default=dict): _video_codecs,
                vol.Required("audio_codecs"): _names(CLIENT_AUDIO_CODECS, "audio codec"),
                vol.Optional("max_width", default=None): _SIZE,
                vol.Optional("max_height", default=None): _SIZE,
                vol.Optional("max_bitrate", default=None): _BITRATE,
                vol.Optional("max_audio_channels", default=2): _integer(1, 16, "a number of channels"),
                vol.Optional("subtitle_formats", default=list): _names(SUBTITLE_FORMATS, "subtitle format"),
                vol.Optional("external_subtitle_formats", default=list): _names(SUBTITLE_FORMATS, "subtitle format"),
                vol.Optional("hdr", default=list): _hdr,
                vol.Optional("hls", default=False): _boolean,
                vol.Optional("hls_fmp4", default=False): _boolean,
                vol.Optional("dash", default=False): _boolean,
            }
        ),
        _check_profile,
    )
)


def _message(error: vol.Invalid) -> str:
    path = ""
    for part in error.path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    text = {"extra keys not allowed": "unknown field", "required key not provided": "is required"}.get(
        error.msg, error.msg
    )
    return f"{path}: {text}" if path else text


def validate_profile(data: Any) -> DeviceProfile:
    """A DeviceProfile from a client's JSON profile. Raises ProfileError naming each bad field."""
    if not isinstance(data, dict):
        raise ProfileError("expected a JSON object")
    try:
        valid = PROFILE_SCHEMA(data)
    except vol.MultipleInvalid as err:
        raise ProfileError("; ".join(sorted(_message(e) for e in err.errors))) from None
    except vol.Invalid as err:
        raise ProfileError(_message(err)) from None
    return DeviceProfile(**valid)


# --- built-in profiles ------------------------------------------------------------------------------------------

_TEXT_SIDECAR = frozenset({"webvtt"})

BUILTIN_PROFILES: dict[str, DeviceProfile] = {
    # Chrome / Firefox / Edge: <video> and MSE (hls.js).
    "browser": DeviceProfile(
        name="browser",
        video_containers=frozenset({"mp4", "m4v", "webm"}),
        audio_containers=frozenset({"mp3", "m4a", "mp4", "webm", "ogg", "flac", "wav"}),
        video_codecs={
            "h264": VideoCodecSupport(max_profile="high", max_level="5.1", max_bit_depth=8),
            "vp9": VideoCodecSupport(max_profile="profile2", max_bit_depth=10),
            "av1": VideoCodecSupport(max_profile="main", max_bit_depth=10),
        },
        audio_codecs=frozenset({"aac", "mp3", "opus", "flac", "vorbis"}),
        max_width=3840,
        max_height=2160,
        max_bitrate=120_000_000,
        max_audio_channels=6,
        subtitle_formats=frozenset(),
        external_subtitle_formats=_TEXT_SIDECAR,
        hls=True,
        hls_fmp4=True,
    ),
    # Safari on macOS / iOS: AVFoundation, native HLS.
    "safari": DeviceProfile(
        name="safari",
        video_containers=frozenset({"mp4", "m4v", "mov"}),
        audio_containers=frozenset({"mp3", "m4a", "mp4", "aac", "flac", "wav"}),
        video_codecs={
            "h264": VideoCodecSupport(max_profile="high", max_level="5.2", max_bit_depth=8),
            "hevc": VideoCodecSupport(max_profile="main10", max_level="5.1", max_bit_depth=10),
        },
        audio_codecs=frozenset({"aac", "mp3", "ac3", "eac3", "alac", "flac"}),
        max_width=3840,
        max_height=2160,
        max_bitrate=120_000_000,
        max_audio_channels=6,
        subtitle_formats=frozenset({"mov_text", "webvtt"}),
        external_subtitle_formats=_TEXT_SIDECAR,
        hdr=frozenset({"HDR10", "HLG", "DolbyVision"}),
        hls=True,
        hls_fmp4=True,
    ),
    # Android app (ExoPlayer / Media3).
    "android": DeviceProfile(
        name="android",
        video_containers=frozenset({"mkv", "mp4", "m4v", "webm"}),
        audio_containers=frozenset({"mp3", "m4a", "mp4", "flac", "ogg", "mkv", "webm", "wav"}),
        video_codecs={
            "h264": VideoCodecSupport(max_profile="high", max_level="5.1", max_bit_depth=8),
            "hevc": VideoCodecSupport(max_profile="main10", max_level="5.1", max_bit_depth=10),
            "vp9": VideoCodecSupport(max_profile="profile2", max_bit_depth=10),
            "av1": VideoCodecSupport(max_profile="main", max_bit_depth=10),
        },
        audio_codecs=frozenset({"aac", "opus", "ac3", "mp3", "flac", "vorbis"}),
        max_width=1920,
        max_height=1080,
        max_bitrate=40_000_000,
        max_audio_channels=6,
        subtitle_formats=frozenset({"subrip", "ass", "ssa", "webvtt"}),
        external_subtitle_formats=frozenset({"subrip", "ass", "ssa", "webvtt"}),
        hls=True,
        hls_fmp4=True,
        dash=True,
    ),
    # Living-room TV app (Android TV / webOS / Tizen class): 4K HDR, passthrough audio, PGS.
    "tv": DeviceProfile(
        name="tv",
        video_containers=frozenset({"mkv", "mp4", "m4v", "ts", "m2ts"}),
        audio_containers=frozenset({"mp3", "m4a", "mp4", "flac", "mkv", "wav"}),
        video_codecs={
            "h264": VideoCodecSupport(max_profile="high", max_level="5.1", max_bit_depth=8),
            "hevc": VideoCodecSupport(max_profile="main10", max_level="5.1", max_bit_depth=10),
        },
        audio_codecs=frozenset({"ac3", "eac3", "dts", "aac", "mp3"}),
        max_width=3840,
        max_height=2160,
        max_bitrate=150_000_000,
        max_audio_channels=8,
        subtitle_formats=frozenset({"pgssub", "subrip"}),
        external_subtitle_formats=frozenset({"subrip", "webvtt"}),
        hdr=frozenset({"HDR10", "HLG"}),
        hls=True,
        hls_fmp4=True,
    ),
    # Audio-only players (music apps, car, speakers).
    "audio": DeviceProfile(
        name="audio",
        audio_containers=frozenset({"mp3", "aac", "m4a", "flac", "ogg", "opus"}),
        audio_codecs=frozenset({"mp3", "aac", "flac", "opus", "vorbis"}),
        max_audio_channels=2,
        hls=True,
    ),
}
DEFAULT_PROFILE = "browser"


def resolve_profile(name: str | None, custom: dict[str, Any] | None) -> DeviceProfile:
    """The profile a client asked for: a built-in one by name, a custom JSON profile, or a built-in one with
    fields overridden by `custom` (both given). Neither: the browser profile. Raises ProfileError."""
    base = None
    if name is not None:
        base = BUILTIN_PROFILES.get(name)
        if base is None:
            raise ProfileError(f"unknown profile {name!r} (expected one of: {', '.join(sorted(BUILTIN_PROFILES))})")
    if custom is None:
        return base or BUILTIN_PROFILES[DEFAULT_PROFILE]
    if not isinstance(custom, dict):
        raise ProfileError("expected a JSON object")
    if base is None:
        return validate_profile(custom)
    return validate_profile({**base.as_dict(), **custom})
