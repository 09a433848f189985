"""HLS renditions: the variants of a master playlist (the source copied, then 1080p / 720p / 480p encodes) with
their RFC 6381 codec strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugin_sdk.streaming import AudioTarget, VideoTarget

from .codec_strings import audio_codec_string, parse_level, required_level, source_level, video_codec_string
from .compatibility import video_reasons
from .errors import DecisionError
from .profiles import DeviceProfile
from .sources import codec_of, container_fits
from .targets import (
    BOX_RATE,
    BOX_WIDTH,
    LADDER,
    MIN_VIDEO_BITRATE,
    bitrate_cap,
    class_height,
    encode_target,
    even,
    fit_size,
    reference_bitrate,
)


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


def stream_codec_string(stream: dict[str, Any]) -> str | None:
    """RFC 6381 codec string of a source stream as it is (for a copied stream's CODECS=)."""
    codec = codec_of(stream)
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
    cap = bitrate_cap(max_bitrate, profile.max_bitrate)
    budget = max(cap - audio_bitrate, MIN_VIDEO_BITRATE) if cap is not None else None
    container = "fmp4" if profile.hls_fmp4 else "mpegts"
    width, height = source_video.get("width") or 1920, source_video.get("height") or 1080
    size = class_height(width, height)
    source_rate = source_video.get("bitrate")
    fps = source_video.get("frame_rate")

    def codecs(video_string: str | None) -> str:
        return ",".join(s for s in (video_string, audio_codecs) if s)

    renditions = []
    copyable = (
        not video_reasons(source_video, profile)
        and container_fits(container, {codec_of(source_video)})
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
        box_width = BOX_WIDTH[rung]
        if rung > size or (copyable and rung >= size):
            continue
        if (profile.max_width and box_width > profile.max_width) or (profile.max_height and rung > profile.max_height):
            continue
        rungs.append(rung)
    if not rungs and not copyable:  # a source below 480p, or a profile smaller than every rung
        fitted = fit_size(width, height, profile.max_width, profile.max_height)
        rungs.append(class_height(*fitted))
    chosen = [r for r in rungs if budget is None or BOX_RATE.get(r, reference_bitrate(1, r)) <= budget * 3 // 2]
    if not chosen and not renditions and rungs:
        chosen = rungs[-1:]
    for rung in chosen:
        fitted = fit_size(width, height, BOX_WIDTH.get(rung, even(rung * 16 / 9)), rung)
        fitted = fit_size(*fitted, profile.max_width, profile.max_height)
        rate = BOX_RATE.get(rung) or reference_bitrate(*fitted)
        if budget is not None:
            rate = min(rate, budget)
        target = encode_target(source_video, profile, container, fitted[0], fitted[1], rate)
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
