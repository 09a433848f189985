"""Playback decisions: can a client play a media source as it is (DirectPlay), with its streams copied into
another container (DirectStream: a remux, HLS for HLS clients), or only transcoded (Transcode)? And with what
encode targets, which subtitle delivery, and which HLS renditions.

Inputs are what the library stores: a media source dict as `integrations.library.queries.media_sources()`
returns it (id, path, size, container, duration_ticks, bitrate, streams: StreamInfo dicts without None/False
fields...) and a DeviceProfile. Everything here is pure: no I/O.

Stream indexes: embedded streams are named by their index in the file; external subtitle files (stored with
index -1) get the numbers after the highest embedded index, in stored order (`source_streams`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from plugin_sdk.media import TICKS_PER_SECOND
from plugin_sdk.streaming import AUDIO_CODECS, VIDEO_CODECS, AudioTarget, VideoTarget

from .codec_strings import (
    PROFILE_RANKS,
    audio_codec_string,
    format_level,
    parse_level,
    profile_rank,
    required_level,
    source_level,
    video_codec_string,
)
from .profiles import HDR_FORMATS, DeviceProfile, VideoCodecSupport
from .subtitles import is_text_subtitle, normalize_subtitle_codec


class PlayMethod(StrEnum):
    DIRECT_PLAY = "DirectPlay"
    DIRECT_STREAM = "DirectStream"
    TRANSCODE = "Transcode"


class TranscodeReason(StrEnum):
    """Why a source isn't played as it is; reported in this order."""

    CONTAINER_NOT_SUPPORTED = "ContainerNotSupported"
    VIDEO_CODEC_NOT_SUPPORTED = "VideoCodecNotSupported"
    VIDEO_PROFILE_NOT_SUPPORTED = "VideoProfileNotSupported"
    VIDEO_LEVEL_NOT_SUPPORTED = "VideoLevelNotSupported"
    VIDEO_BIT_DEPTH_NOT_SUPPORTED = "VideoBitDepthNotSupported"
    VIDEO_RESOLUTION_NOT_SUPPORTED = "VideoResolutionNotSupported"
    HDR_NOT_SUPPORTED = "HdrNotSupported"
    AUDIO_CODEC_NOT_SUPPORTED = "AudioCodecNotSupported"
    AUDIO_CHANNELS_NOT_SUPPORTED = "AudioChannelsNotSupported"
    BITRATE_TOO_HIGH = "BitrateTooHigh"
    SUBTITLE_BURN_IN = "SubtitleBurnIn"


class SubtitleDelivery(StrEnum):
    NATIVE = "Native"  # the client renders the stream itself: in-band in direct play, or the external file as is
    SIDECAR = "Sidecar"  # converted to WebVTT (subtitles.to_webvtt) and served beside the stream
    BURN_IN = "BurnIn"  # drawn into the video by the transcoder


class DecisionError(ValueError):
    """Bad arguments (a stream index that isn't there, a negative start) or a client that can play nothing."""


@dataclass(frozen=True, slots=True)
class PlaybackDecision:
    method: PlayMethod
    reasons: tuple[TranscodeReason, ...]
    container: str  # the source's container, as profiles name them (container_for)
    protocol: str  # "file" (DirectPlay: the file as it is), "hls", "dash" or "http" (a progressive stream)
    output_container: str  # DirectPlay: `container`; hls/dash: "fmp4" or "mpegts" segments; http: e.g. "mkv"
    video_stream: dict[str, Any] | None  # None: an audio-only source, or a client that plays no video
    audio_stream: dict[str, Any] | None
    subtitle_stream: dict[str, Any] | None
    subtitle_delivery: SubtitleDelivery | None
    subtitle_offset_ticks: int  # shift for a sidecar: the stream's time 0 is start_ticks unless direct play
    video_copy: bool
    audio_copy: bool
    video: VideoTarget | None  # encode settings when the video is transcoded
    audio: AudioTarget | None  # encode settings when the audio is transcoded
    tone_map: bool
    start_ticks: int
    max_bitrate: int | None  # the cap in force: the smaller of the request's and the profile's
    source_bitrate: int | None

    @property
    def audio_only(self) -> bool:
        return self.video_stream is None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Rendition:
    """One variant of an HLS master playlist."""

    name: str  # "source", "1080p", "720p", "480p"
    width: int
    height: int
    bitrate: int  # video, bits per second
    bandwidth: int  # BANDWIDTH=: video + audio
    codecs: str  # CODECS=: RFC 6381, video then audio
    copy: bool  # the source video as it is
    video: VideoTarget | None  # encode settings (None when copied)
    frame_rate: float | None = None


# --- containers --------------------------------------------------------------------------------------------------

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
_PROGRESSIVE_VIDEO = ("mkv", "mp4", "webm", "ts")
_PROGRESSIVE_AUDIO = ("m4a", "mp3", "ogg", "flac", "aac", "opus", "mkv", "mp4", "webm")


def container_for(source: dict[str, Any]) -> str:
    """The source's container as profiles name it, from the demuxer's names (and codecs, and the extension).

    "matroska,webm" -> "webm" when every stream is one WebM allows (VP8/VP9/AV1, Opus/Vorbis, WebVTT), else "mkv";
    "mov,mp4,m4a,3gp,3g2,mj2" -> "mov"/"m4a"/"m4v"/"3gp" by extension, else "m4a" for audio only, else "mp4".
    """
    demuxer = (source.get("container") or "").lower()
    streams = source.get("streams") or []
    embedded = [s for s in streams if not s.get("is_external") and s.get("type") in ("video", "audio", "subtitle")]
    if demuxer == "matroska,webm":
        codecs = {_codec(s) for s in embedded}
        return "webm" if embedded and codecs <= _WEBM_CODECS else "mkv"
    if demuxer == "mov,mp4,m4a,3gp,3g2,mj2":
        extension = os.path.splitext(source.get("path") or "")[1].lower()
        if extension in _MOV_EXTENSIONS:
            return _MOV_EXTENSIONS[extension]
        return "mp4" if any(s.get("type") == "video" for s in embedded) else "m4a"
    if demuxer in DEMUXER_CONTAINERS:
        return DEMUXER_CONTAINERS[demuxer]
    return demuxer.split(",", 1)[0] or "unknown"


def _codec(stream: dict[str, Any]) -> str:
    codec = (stream.get("codec") or "").lower()
    if stream.get("type") == "audio" and codec.startswith("pcm_"):
        return "pcm"
    if stream.get("type") == "subtitle":
        return normalize_subtitle_codec(codec) or codec
    return codec


def _fits(container: str, codecs: set[str]) -> bool:
    if container == "mkv":
        return True
    return codecs <= CONTAINER_CODECS.get(container, frozenset())


# --- streams -----------------------------------------------------------------------------------------------------


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


def _pick(streams: list[dict[str, Any]], kind: str, index: int | None) -> dict[str, Any] | None:
    candidates = [s for s in streams if s.get("type") == kind]
    if index is None:
        return next((s for s in candidates if s.get("is_default")), candidates[0] if candidates else None)
    for stream in candidates:
        if stream["index"] == index:
            return stream
    raise DecisionError(f"no {kind} stream with index {index}")


# --- compatibility -----------------------------------------------------------------------------------------------

R = TranscodeReason


def _hdr_format(video: dict[str, Any]) -> str | None:
    hdr = video.get("hdr")
    return hdr if hdr in HDR_FORMATS else None


def video_reasons(video: dict[str, Any], profile: DeviceProfile) -> list[TranscodeReason]:
    """Why the client can't decode this video stream as it is (empty: it can)."""
    reasons = []
    codec = video.get("codec")
    support = profile.video_codecs.get(codec) if codec else None
    if support is None:
        reasons.append(R.VIDEO_CODEC_NOT_SUPPORTED)
    else:
        if support.max_profile and video.get("profile"):
            rank = profile_rank(codec, video["profile"])
            if rank is None or rank > PROFILE_RANKS[codec][support.max_profile]:
                reasons.append(R.VIDEO_PROFILE_NOT_SUPPORTED)
        level = source_level(codec, video.get("level"))
        if support.max_level and level is not None and level > (parse_level(support.max_level) or 0):
            reasons.append(R.VIDEO_LEVEL_NOT_SUPPORTED)
        if (video.get("bit_depth") or 8) > support.max_bit_depth:
            reasons.append(R.VIDEO_BIT_DEPTH_NOT_SUPPORTED)
    width, height = video.get("width") or 0, video.get("height") or 0
    if (profile.max_width and width > profile.max_width) or (profile.max_height and height > profile.max_height):
        reasons.append(R.VIDEO_RESOLUTION_NOT_SUPPORTED)
    hdr = _hdr_format(video)
    if hdr is not None and hdr not in profile.hdr:
        reasons.append(R.HDR_NOT_SUPPORTED)
    return reasons


def audio_reasons(audio: dict[str, Any], profile: DeviceProfile) -> list[TranscodeReason]:
    """Why the client can't decode this audio stream as it is (empty: it can)."""
    reasons = []
    if _codec(audio) not in profile.audio_codecs:
        reasons.append(R.AUDIO_CODEC_NOT_SUPPORTED)
    if (audio.get("channels") or 2) > profile.max_audio_channels:
        reasons.append(R.AUDIO_CHANNELS_NOT_SUPPORTED)
    return reasons


def subtitle_delivery(
    stream: dict[str, Any], profile: DeviceProfile, *, direct_play: bool, burn_in: bool = False
) -> SubtitleDelivery:
    """How a subtitle stream reaches the client. In direct play, a stream the client renders itself (in-band, or
    an external file in a format it loads) is Native; otherwise text becomes a WebVTT sidecar when the client
    takes WebVTT files, and everything else (image subtitles, or when asked) is burned in."""
    if burn_in:
        return SubtitleDelivery.BURN_IN
    codec = _codec(stream)
    if direct_play:
        native = profile.external_subtitle_formats if stream.get("is_external") else profile.subtitle_formats
        if codec in native:
            return SubtitleDelivery.NATIVE
    if is_text_subtitle(codec) and "webvtt" in profile.external_subtitle_formats:
        return SubtitleDelivery.SIDECAR
    return SubtitleDelivery.BURN_IN


# --- encode targets ----------------------------------------------------------------------------------------------

# (height, width, reference bitrate for H.264): the ladder of output sizes.
BOXES = (
    (2160, 3840, 20_000_000),
    (1440, 2560, 12_000_000),
    (1080, 1920, 8_000_000),
    (720, 1280, 4_000_000),
    (480, 854, 1_500_000),
    (360, 640, 800_000),
)
LADDER = (1080, 720, 480)
MIN_VIDEO_BITRATE = 150_000
_BOX_RATE = {height: rate for height, _, rate in BOXES}
_BOX_WIDTH = {height: width for height, width, _ in BOXES}
_EFFICIENT = frozenset({"hevc", "av1", "vp9"})
# Transcode audio: (mono, stereo, surround) bitrates, and the most channels each encoder takes here.
_AUDIO_BITRATES = {
    "aac": (96_000, 192_000, 384_000),
    "opus": (64_000, 128_000, 256_000),
    "mp3": (128_000, 192_000, 192_000),
    "ac3": (96_000, 192_000, 448_000),
    "eac3": (96_000, 192_000, 640_000),
    "flac": (768_000, 1_536_000, 4_608_000),
}
_AUDIO_MAX_CHANNELS = {"aac": 6, "opus": 6, "mp3": 2, "ac3": 6, "eac3": 6, "flac": 8}
_LOSSLESS = frozenset({"flac", "alac", "pcm", "truehd"})


def _even(value: float) -> int:
    return max(2, int(value / 2 + 0.5) * 2)


def _fit(width: int, height: int, max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """Scale down (never up) to fit, keeping the aspect ratio; even dimensions."""
    scale = min(1.0, (max_width / width) if max_width else 1.0, (max_height / height) if max_height else 1.0)
    return _even(width * scale), _even(height * scale)


def _class_height(width: int, height: int) -> int:
    """The "p" a picture counts as: 1920x800 is 1080p, 1440x1080 is 1080p."""
    return max(height, round(width * 9 / 16))


def reference_bitrate(width: int, height: int) -> int:
    """What an H.264 stream of this size gets by default (1080p 8 Mbps, 720p 4 Mbps, 480p 1.5 Mbps...)."""
    size = _class_height(width, height)
    for box_height, _, rate in BOXES:
        if size >= box_height:
            return rate
    return max(MIN_VIDEO_BITRATE, BOXES[-1][2] * size // BOXES[-1][0])


def _video_candidates(profile: DeviceProfile, container: str, ten_bit: bool) -> list[tuple[str, VideoCodecSupport]]:
    order = ("hevc", "av1", "vp9") if ten_bit else ("h264", "hevc", "av1", "vp9")
    needed = {"hevc": "main10", "av1": "main", "vp9": "profile2"}
    found = []
    for codec in order:
        support = profile.video_codecs.get(codec)
        if support is None or codec not in VIDEO_CODECS or not _fits(container, {codec}):
            continue
        if ten_bit:
            if support.max_bit_depth < 10:
                continue
            limit = support.max_profile
            if limit and PROFILE_RANKS[codec][limit] < PROFILE_RANKS[codec][needed[codec]]:
                continue
        found.append((codec, support))
    return found


def _audio_candidates(profile: DeviceProfile, container: str, channels: int) -> list[str]:
    order = ("eac3", "ac3", "aac", "opus", "mp3") if channels > 2 else ("aac", "opus", "mp3", "ac3", "eac3")
    codecs = [c for c in (*order, "flac") if c in profile.audio_codecs and c in AUDIO_CODECS]
    return [c for c in codecs if _fits(container, {c})]


def _target_profile(codec: str, support: VideoCodecSupport, bit_depth: int) -> str | None:
    if codec == "h264":
        limit = PROFILE_RANKS["h264"][support.max_profile] if support.max_profile else 99
        return next(name for name in ("high", "main", "baseline") if PROFILE_RANKS["h264"][name] <= limit)
    if codec == "hevc":
        return "main10" if bit_depth > 8 else "main"
    if codec == "av1":
        return "main"
    return None


def _encode_target(
    video: dict[str, Any], profile: DeviceProfile, container: str, width: int, height: int, bitrate: int
) -> VideoTarget:
    """Encode settings for `video` at (at most) this size and bitrate: codec, profile, level, HDR handling."""
    hdr = _hdr_format(video)
    keep_hdr = hdr is not None and hdr in profile.hdr and bool(_video_candidates(profile, container, True))
    candidates = _video_candidates(profile, container, keep_hdr)
    if not candidates:
        raise DecisionError(f"the client plays none of the video codecs the server encodes in {container}")
    codec, support = candidates[0]
    bit_depth = 10 if keep_hdr else 8
    fps = video.get("frame_rate")
    level = required_level(codec, width, height, fps, bitrate)
    limit = parse_level(support.max_level) if support.max_level else None
    if limit is not None and level is not None and level > limit:
        for box_height, box_width, rate in BOXES:  # the largest standard size the client's level allows
            fitted = _fit(width, height, box_width, box_height)
            bitrate = min(bitrate, rate)
            level = required_level(codec, *fitted, fps, bitrate)
            if level is not None and level <= limit:
                width, height = fitted
                break
        else:
            width, height = fitted
    return VideoTarget(
        codec=codec,
        width=width,
        height=height,
        bitrate=bitrate,
        max_bitrate=bitrate,
        profile=_target_profile(codec, support, bit_depth),
        level=format_level(level) if level is not None else None,
        bit_depth=bit_depth,
        tone_map=hdr is not None and not keep_hdr,
    )


def video_bitrate(video: dict[str, Any], source: dict[str, Any] | None) -> int | None:
    """The video stream's bitrate, or the source's overall bitrate less its audio streams'."""
    if video.get("bitrate"):
        return int(video["bitrate"])
    if source is None:
        return None
    total = source_bitrate(source)
    if not total:
        return None
    audio = sum(s.get("bitrate") or 0 for s in source.get("streams") or [] if s.get("type") == "audio")
    return max(total - audio, MIN_VIDEO_BITRATE)


def _transcode_video(
    video: dict[str, Any], profile: DeviceProfile, container: str, budget: int | None, source_video_bitrate: int | None
) -> VideoTarget:
    width, height = _fit(video.get("width") or 1920, video.get("height") or 1080, profile.max_width, profile.max_height)
    if budget is not None:  # the largest standard size that looks right at this bitrate
        for box_height, box_width, rate in BOXES:
            if rate <= budget * 3 // 2:
                width, height = _fit(width, height, box_width, box_height)
                break
        else:
            width, height = _fit(width, height, _BOX_WIDTH[360], 360)
    bitrate = reference_bitrate(width, height)
    if source_video_bitrate:
        factor = 1.5 if video.get("codec") in _EFFICIENT else 1.0
        bitrate = min(bitrate, int(source_video_bitrate * factor))
    if budget is not None:
        bitrate = min(bitrate, budget)
    return _encode_target(video, profile, container, width, height, max(bitrate, MIN_VIDEO_BITRATE))


def _transcode_audio(audio: dict[str, Any], profile: DeviceProfile, container: str, cap: int | None) -> AudioTarget:
    source_channels = audio.get("channels") or 2
    channels = min(source_channels, profile.max_audio_channels)
    candidates = _audio_candidates(profile, container, channels)
    if not candidates:
        raise DecisionError(f"the client plays none of the audio codecs the server encodes in {container}")
    codec = candidates[0]
    channels = min(channels, _AUDIO_MAX_CHANNELS[codec])
    mono, stereo, surround = _AUDIO_BITRATES[codec]
    bitrate = mono if channels == 1 else stereo if channels == 2 else surround
    if audio.get("bitrate") and _codec(audio) not in _LOSSLESS and codec != "flac":
        bitrate = min(bitrate, max(int(audio["bitrate"]), 64_000))
    if cap is not None:
        bitrate = min(bitrate, max(cap, 64_000))
    sample_rate = audio.get("sample_rate")
    resample = (
        codec == "opus"
        or (codec != "flac" and sample_rate is not None and sample_rate > 48_000)
        or (codec in ("ac3", "eac3") and sample_rate not in (None, 32_000, 44_100, 48_000))
    )
    target_rate = 48_000 if resample else None
    return AudioTarget(codec=codec, bitrate=bitrate, channels=channels, sample_rate=target_rate)


# --- the decision ------------------------------------------------------------------------------------------------


def _outputs(profile: DeviceProfile, audio_only: bool) -> list[tuple[str, str]]:
    """(protocol, container) a remux or transcode can use, best first."""
    outputs = []
    if profile.hls:
        if profile.hls_fmp4:
            outputs.append(("hls", "fmp4"))
        outputs.append(("hls", "mpegts"))
    if profile.dash:
        outputs.append(("dash", "fmp4"))
    containers = profile.audio_containers if audio_only else profile.video_containers
    order = _PROGRESSIVE_AUDIO if audio_only else _PROGRESSIVE_VIDEO
    outputs.extend(("http", c) for c in order if c in containers)
    if not outputs:
        raise DecisionError("the client takes no stream the server can produce (no HLS, DASH or container)")
    return outputs


def _cap(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def decide(
    source: dict[str, Any],
    profile: DeviceProfile,
    *,
    audio_index: int | None = None,
    subtitle_index: int | None = None,
    max_bitrate: int | None = None,
    start_ticks: int = 0,
    burn_in_subtitles: bool = False,
) -> PlaybackDecision:
    """How to play `source` on a client with `profile`.

    audio_index / subtitle_index: stream indexes as `source_streams` numbers them; no audio index: the default
    audio stream (else the first); no subtitle index: no subtitles. max_bitrate: the client's cap in bits per
    second (the profile's own cap applies too). Raises DecisionError for an index that isn't there.
    """
    if max_bitrate is not None and (isinstance(max_bitrate, bool) or not isinstance(max_bitrate, int)):
        raise DecisionError("max_bitrate must be an integer (bits per second)")
    if max_bitrate is not None and max_bitrate <= 0:
        raise DecisionError("max_bitrate must be positive")
    if start_ticks < 0:
        raise DecisionError("start_ticks must not be negative")
    streams = source_streams(source)
    video = next((s for s in streams if s.get("type") == "video"), None)
    audio = _pick(streams, "audio", audio_index)
    subtitle = _pick(streams, "subtitle", subtitle_index) if subtitle_index is not None else None
    if video is None and audio is None:
        raise DecisionError("the source has no audio or video stream")
    container = container_for(source)
    cap = _cap(max_bitrate, profile.max_bitrate)
    bitrate = source_bitrate(source)

    reasons: list[TranscodeReason] = []
    video_out = video if video is not None and profile.video_codecs else None
    if video is not None and video_out is None:  # an audio-only client: the video is left out
        reasons.append(R.VIDEO_CODEC_NOT_SUPPORTED)
    direct_containers = profile.video_containers if video is not None else profile.audio_containers
    if container not in direct_containers:  # (an audio-only client has no video containers)
        reasons.append(R.CONTAINER_NOT_SUPPORTED)
    if video_out is None and audio is None:
        raise DecisionError("the client plays no stream of this source (a video-only source, an audio-only client)")
    v_reasons = video_reasons(video_out, profile) if video_out is not None else []
    a_reasons = audio_reasons(audio, profile) if audio is not None else []
    too_high = cap is not None and bitrate is not None and bitrate > cap
    reasons += v_reasons + a_reasons
    if too_high:
        reasons.append(R.BITRATE_TOO_HIGH)
    direct_play = not reasons

    delivery = None
    if subtitle is not None and video_out is not None:
        delivery = subtitle_delivery(subtitle, profile, direct_play=direct_play, burn_in=burn_in_subtitles)
        if delivery is SubtitleDelivery.BURN_IN:
            reasons.append(R.SUBTITLE_BURN_IN)
            direct_play = False
    else:
        subtitle = None

    video_copy = video_out is not None and not v_reasons and not too_high and delivery is not SubtitleDelivery.BURN_IN
    audio_copy = audio is not None and not a_reasons and not (too_high and video_out is None)
    if direct_play:
        protocol, output = "file", container
        video_target = audio_target = None
    else:
        copied = {_codec(s) for s, copy in ((video_out, video_copy), (audio, audio_copy)) if s is not None and copy}
        outputs = _outputs(profile, video_out is None)
        protocol, output = next(((p, c) for p, c in outputs if _fits(c, copied)), outputs[0])
        if video_out is not None and video_copy and not _fits(output, {_codec(video_out)}):
            video_copy = False
        if audio is not None and audio_copy and not _fits(output, {_codec(audio)}):
            audio_copy = False
        audio_target = None
        if audio is not None and not audio_copy:
            audio_cap = cap if video_out is None else (max(cap // 4, 64_000) if cap is not None else None)
            audio_target = _transcode_audio(audio, profile, output, audio_cap)
        video_target = None
        if video_out is not None and not video_copy:
            budget = None
            if cap is not None:
                audio_rate = audio_target.bitrate if audio_target else (audio or {}).get("bitrate") or 0
                budget = max(cap - audio_rate, MIN_VIDEO_BITRATE)
            video_target = _transcode_video(video_out, profile, output, budget, video_bitrate(video_out, source))

    if direct_play:
        method = PlayMethod.DIRECT_PLAY
    elif (video_out is None or video_copy) and (audio is None or audio_copy):
        method = PlayMethod.DIRECT_STREAM
    else:
        method = PlayMethod.TRANSCODE
    return PlaybackDecision(
        method=method,
        reasons=tuple(r for r in TranscodeReason if r in reasons),
        container=container,
        protocol=protocol,
        output_container=output,
        video_stream=video_out,
        audio_stream=audio,
        subtitle_stream=subtitle,
        subtitle_delivery=delivery,
        subtitle_offset_ticks=0 if direct_play else start_ticks,
        video_copy=video_copy,
        audio_copy=audio_copy,
        video=video_target,
        audio=audio_target,
        tone_map=bool(video_target and video_target.tone_map),
        start_ticks=start_ticks,
        max_bitrate=cap,
        source_bitrate=bitrate,
    )


# --- HLS renditions ----------------------------------------------------------------------------------------------


def stream_codec_string(stream: dict[str, Any]) -> str | None:
    """RFC 6381 codec string of a source stream as it is (for a copied stream's CODECS=)."""
    codec = _codec(stream)
    if stream.get("type") == "audio":
        return audio_codec_string(codec, stream.get("profile"))
    if stream.get("type") != "video":
        return None
    level = source_level(codec, stream.get("level"))
    if level is None and codec in ("h264", "hevc", "vp9", "av1"):
        level = required_level(
            codec,
            stream.get("width") or 1920,
            stream.get("height") or 1080,
            stream.get("frame_rate"),
            stream.get("bitrate"),
        )
    return video_codec_string(codec, stream.get("profile"), level, stream.get("bit_depth"))


def target_codec_string(target: VideoTarget | AudioTarget) -> str | None:
    """RFC 6381 codec string of what a transcode produces."""
    if isinstance(target, AudioTarget):
        return audio_codec_string(target.codec)
    return video_codec_string(target.codec, target.profile, parse_level(target.level or ""), target.bit_depth)


def bitrate_ladder(
    source_video: dict[str, Any],
    profile: DeviceProfile,
    max_bitrate: int | None = None,
    *,
    audio_codecs: str | None = None,
    audio_bitrate: int = 0,
) -> list[Rendition]:
    """The variants of an HLS master playlist, best first: the source itself when the client decodes it and it
    fits the cap (copied), then 1080p / 720p / 480p encodes no larger than the source or the profile allows.

    Encodes get 8 / 4 / 1.5 Mbps; with a cap (the smaller of max_bitrate and the profile's, less audio_bitrate)
    below that, a size keeps the cap as its bitrate while the cap is at least 2/3 of its default, and is left
    out below that (the smallest size always stays). `source_video["bitrate"]` should be set (fill it from the
    source's overall bitrate when the stream has none); an unknown bitrate can't be copied under a cap.
    audio_codecs / audio_bitrate: the audio that goes with every variant (for CODECS= and BANDWIDTH=).
    """
    if not profile.video_codecs:
        raise DecisionError(f"the {profile.name} profile plays no video")
    cap = _cap(max_bitrate, profile.max_bitrate)
    budget = max(cap - audio_bitrate, MIN_VIDEO_BITRATE) if cap is not None else None
    container = "fmp4" if profile.hls_fmp4 else "mpegts"
    width, height = source_video.get("width") or 1920, source_video.get("height") or 1080
    size = _class_height(width, height)
    source_rate = source_video.get("bitrate")
    fps = source_video.get("frame_rate")

    def codecs(video_string: str | None) -> str:
        return ",".join(s for s in (video_string, audio_codecs) if s)

    renditions = []
    copyable = (
        not video_reasons(source_video, profile)
        and _fits(container, {_codec(source_video)})
        and (budget is None or (source_rate is not None and source_rate <= budget))
    )
    if copyable:
        rate = source_rate or 2 * reference_bitrate(width, height)
        renditions.append(
            Rendition(
                name="source",
                width=width,
                height=height,
                bitrate=rate,
                bandwidth=rate + audio_bitrate,
                codecs=codecs(stream_codec_string(source_video)),
                copy=True,
                video=None,
                frame_rate=fps,
            )
        )
    rungs = []
    for rung in LADDER:
        box_width = _BOX_WIDTH[rung]
        if rung > size or (copyable and rung >= size):
            continue
        if (profile.max_width and box_width > profile.max_width) or (profile.max_height and rung > profile.max_height):
            continue
        rungs.append(rung)
    if not rungs and not copyable:  # a source below 480p, or a profile smaller than every rung
        fitted = _fit(width, height, profile.max_width, profile.max_height)
        rungs.append(_class_height(*fitted))
    chosen = [r for r in rungs if budget is None or _BOX_RATE.get(r, reference_bitrate(1, r)) <= budget * 3 // 2]
    if not chosen and not renditions and rungs:
        chosen = rungs[-1:]
    for rung in chosen:
        fitted = _fit(width, height, _BOX_WIDTH.get(rung, _even(rung * 16 / 9)), rung)
        fitted = _fit(*fitted, profile.max_width, profile.max_height)
        rate = _BOX_RATE.get(rung) or reference_bitrate(*fitted)
        if budget is not None:
            rate = min(rate, budget)
        target = _encode_target(source_video, profile, container, fitted[0], fitted[1], rate)
        renditions.append(
            Rendition(
                name=f"{rung}p",
                width=target.width,
                height=target.height,
                bitrate=target.bitrate,
                bandwidth=target.bitrate + audio_bitrate,
                codecs=codecs(target_codec_string(target)),
                copy=False,
                video=target,
                frame_rate=fps,
            )
        )
    return renditions
