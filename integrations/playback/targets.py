"""Encode targets: the size, bitrate, codec, profile and level a transcode produces for a client, from the
ladder of standard sizes (1080p 8 Mbps, 720p 4 Mbps, 480p 1.5 Mbps...) and the client's limits."""

from __future__ import annotations

from typing import Any

from plugin_sdk.streaming import AUDIO_CODECS, VIDEO_CODECS, AudioTarget, VideoTarget

from .codec_strings import PROFILE_RANKS, format_level, parse_level, required_level
from .compatibility import hdr_format
from .errors import DecisionError
from .profiles import DeviceProfile, VideoCodecSupport
from .sources import codec_of, container_fits, source_bitrate

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
BOX_RATE = {height: rate for height, _, rate in BOXES}
BOX_WIDTH = {height: width for height, width, _ in BOXES}
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


def even(value: float) -> int:
    return max(2, int(value / 2 + 0.5) * 2)


def fit_size(width: int, height: int, max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """Scale down (never up) to fit, keeping the aspect ratio; even dimensions."""
    scale = min(1.0, (max_width / width) if max_width else 1.0, (max_height / height) if max_height else 1.0)
    return even(width * scale), even(height * scale)


def class_height(width: int, height: int) -> int:
    """The "p" a picture counts as: 1920x800 is 1080p, 1440x1080 is 1080p."""
    return max(height, round(width * 9 / 16))


def reference_bitrate(width: int, height: int) -> int:
    """What an H.264 stream of this size gets by default (1080p 8 Mbps, 720p 4 Mbps, 480p 1.5 Mbps...)."""
    size = class_height(width, height)
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
        if support is None or codec not in VIDEO_CODECS or not container_fits(container, {codec}):
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
    return [c for c in codecs if container_fits(container, {c})]


def _target_profile(codec: str, support: VideoCodecSupport, bit_depth: int) -> str | None:
    if codec == "h264":
        limit = PROFILE_RANKS["h264"][support.max_profile] if support.max_profile else 99
        return next(name for name in ("high", "main", "baseline") if PROFILE_RANKS["h264"][name] <= limit)
    if codec == "hevc":
        return "main10" if bit_depth > 8 else "main"
    if codec == "av1":
        return "main"
    return None


def encode_target(
    video: dict[str, Any], profile: DeviceProfile, container: str, width: int, height: int, bitrate: int
) -> VideoTarget:
    """Encode settings for `video` at (at most) this size and bitrate: codec, profile, level, HDR handling."""
    hdr = hdr_format(video)
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
            fitted = fit_size(width, height, box_width, box_height)
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


def transcode_video_target(
    video: dict[str, Any], profile: DeviceProfile, container: str, budget: int | None, source_video_bitrate: int | None
) -> VideoTarget:
    width, height = fit_size(
        video.get("width") or 1920, video.get("height") or 1080, profile.max_width, profile.max_height
    )
    if budget is not None:  # the largest standard size that looks right at this bitrate
        for box_height, box_width, rate in BOXES:
            if rate <= budget * 3 // 2:
                width, height = fit_size(width, height, box_width, box_height)
                break
        else:
            width, height = fit_size(width, height, BOX_WIDTH[360], 360)
    bitrate = reference_bitrate(width, height)
    if source_video_bitrate:
        factor = 1.5 if video.get("codec") in _EFFICIENT else 1.0
        bitrate = min(bitrate, int(source_video_bitrate * factor))
    if budget is not None:
        bitrate = min(bitrate, budget)
    return encode_target(video, profile, container, width, height, max(bitrate, MIN_VIDEO_BITRATE))


def transcode_audio_target(
    audio: dict[str, Any], profile: DeviceProfile, container: str, cap: int | None
) -> AudioTarget:
    source_channels = audio.get("channels") or 2
    channels = min(source_channels, profile.max_audio_channels)
    candidates = _audio_candidates(profile, container, channels)
    if not candidates:
        raise DecisionError(f"the client plays none of the audio codecs the server encodes in {container}")
    codec = candidates[0]
    channels = min(channels, _AUDIO_MAX_CHANNELS[codec])
    mono, stereo, surround = _AUDIO_BITRATES[codec]
    bitrate = mono if channels == 1 else stereo if channels == 2 else surround
    if audio.get("bitrate") and codec_of(audio) not in _LOSSLESS and codec != "flac":
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


def bitrate_cap(*values: int | None) -> int | None:
    """The cap in force: the smallest of the caps given (None: no cap)."""
    present = [v for v in values if v is not None]
    return min(present) if present else None
