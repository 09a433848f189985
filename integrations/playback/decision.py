"""Playback decisions: can a client play a media source as it is (DirectPlay), with its streams copied into
another container (DirectStream: a remux, HLS for HLS clients), or only transcoded (Transcode)? And with what
encode targets and which subtitle delivery (HLS renditions: renditions.py).

Inputs are what the library stores: a media source dict as `integrations.library.queries.media_sources()`
returns it (see sources.py, which also numbers its streams) and a DeviceProfile. Everything here is pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from plugin_sdk.streaming import AudioTarget, VideoTarget

from .compatibility import SubtitleDelivery, TranscodeReason, audio_reasons, subtitle_delivery, video_reasons
from .errors import DecisionError
from .profiles import DeviceProfile
from .sources import codec_of, container_fits, container_for, source_bitrate, source_streams
from .targets import MIN_VIDEO_BITRATE, bitrate_cap, transcode_audio_target, transcode_video_target, video_bitrate

R = TranscodeReason


class PlayMethod(StrEnum):
    DIRECT_PLAY = "DirectPlay"
    DIRECT_STREAM = "DirectStream"
    TRANSCODE = "Transcode"


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


_PROGRESSIVE_VIDEO = ("mkv", "mp4", "webm", "ts")
_PROGRESSIVE_AUDIO = ("m4a", "mp3", "ogg", "flac", "aac", "opus", "mkv", "mp4", "webm")


def _pick(streams: list[dict[str, Any]], kind: str, index: int | None) -> dict[str, Any] | None:
    candidates = [s for s in streams if s.get("type") == kind]
    if index is None:
        return next((s for s in candidates if s.get("is_default")), candidates[0] if candidates else None)
    for stream in candidates:
        if stream["index"] == index:
            return stream
    raise DecisionError(f"no {kind} stream with index {index}")


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
    cap = bitrate_cap(max_bitrate, profile.max_bitrate)
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
        copied = {codec_of(s) for s, copy in ((video_out, video_copy), (audio, audio_copy)) if s is not None and copy}
        outputs = _outputs(profile, video_out is None)
        protocol, output = next(((p, c) for p, c in outputs if container_fits(c, copied)), outputs[0])
        if video_out is not None and video_copy and not container_fits(output, {codec_of(video_out)}):
            video_copy = False
        if audio is not None and audio_copy and not container_fits(output, {codec_of(audio)}):
            audio_copy = False
        audio_target = None
        if audio is not None and not audio_copy:
            audio_cap = cap if video_out is None else (max(cap // 4, 64_000) if cap is not None else None)
            audio_target = transcode_audio_target(audio, profile, output, audio_cap)
        video_target = None
        if video_out is not None and not video_copy:
            budget = None
            if cap is not None:
                audio_rate = audio_target.bitrate if audio_target else (audio or {}).get("bitrate") or 0
                budget = max(cap - audio_rate, MIN_VIDEO_BITRATE)
            video_target = transcode_video_target(video_out, profile, output, budget, video_bitrate(video_out, source))

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
