"""Whether a client decodes a source's streams as they are (and why not), and how a subtitle stream reaches it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .codec_strings import PROFILE_RANKS, parse_level, profile_rank, source_level
from .profiles import HDR_FORMATS, DeviceProfile
from .sources import codec_of
from .subtitles import is_text_subtitle


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


R = TranscodeReason


def hdr_format(video: dict[str, Any]) -> str | None:
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
    hdr = hdr_format(video)
    if hdr is not None and hdr not in profile.hdr:
        reasons.append(R.HDR_NOT_SUPPORTED)
    return reasons


def audio_reasons(audio: dict[str, Any], profile: DeviceProfile) -> list[TranscodeReason]:
    """Why the client can't decode this audio stream as it is (empty: it can)."""
    reasons = []
    if codec_of(audio) not in profile.audio_codecs:
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
    codec = codec_of(stream)
    if direct_play:
        native = profile.external_subtitle_formats if stream.get("is_external") else profile.subtitle_formats
        if codec in native:
            return SubtitleDelivery.NATIVE
    if is_text_subtitle(codec) and "webvtt" in profile.external_subtitle_formats:
        return SubtitleDelivery.SIDECAR
    return SubtitleDelivery.BURN_IN
