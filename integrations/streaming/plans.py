"""What each HLS/DASH rendition of a play session encodes, and the TranscodeRequest for a job of it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrations.playback.compatibility import SubtitleDelivery
from integrations.playback.decision import PlaybackDecision
from integrations.playback.renditions import stream_codec_string, target_codec_string
from integrations.playback.sources import source_streams
from integrations.streaming.sessions import PlaySession
from integrations.streaming.timeline import Timeline
from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import AudioTarget, SegmentOutput, SubtitleBurnIn, TranscodeRequest, VideoTarget

_STREAM_FIELDS = {f.name for f in dataclasses.fields(StreamInfo)}


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    video: VideoTarget | None  # None: copy the video stream (or no video at all)
    audio: AudioTarget | None  # None: copy the audio stream
    bandwidth: int
    width: int | None
    height: int | None
    codecs: str
    kind: str = "muxed"  # muxed: video+audio; video: video only; audio: one alternate audio track
    audio_stream: dict[str, Any] | None = None  # the track of an "audio" plan

    @property
    def is_audio(self) -> bool:
        return self.kind == "audio"


ALTERNATE_AUDIO = AudioTarget("aac", 160_000, 2)  # every HLS client plays it


def stream_info(stream: dict[str, Any] | None) -> StreamInfo | None:
    return StreamInfo(**{k: v for k, v in stream.items() if k in _STREAM_FIELDS}) if stream else None


def _codecs(decision: PlaybackDecision, video: VideoTarget | None) -> str:
    parts = []
    if decision.video_stream is not None:
        parts.append((target_codec_string(video) if video else stream_codec_string(decision.video_stream)) or "")
    if decision.audio_stream is not None:
        audio = decision.audio
        parts.append((target_codec_string(audio) if audio else stream_codec_string(decision.audio_stream)) or "")
    return ",".join(p for p in parts if p)


def audio_tracks(session: PlaySession) -> list[dict[str, Any]]:
    return [s for s in source_streams(session.source) if s.get("type") == "audio"]


def plans_for(session: PlaySession) -> list[Plan]:
    """Video renditions, and with several audio tracks, one alternate audio rendition per track (the player
    switches language without another play session)."""
    plans = _video_plans(session)
    tracks = audio_tracks(session)
    if len(tracks) < 2 or session.decision.video_stream is None:
        return plans
    video_only = [dataclasses.replace(p, kind="video", audio=None, codecs=p.codecs.split(",")[0]) for p in plans]
    alternates = [
        Plan(
            f"audio{t['index']}",
            None,
            ALTERNATE_AUDIO,
            ALTERNATE_AUDIO.bitrate,
            None,
            None,
            "mp4a.40.2",
            kind="audio",
            audio_stream=t,
        )
        for t in tracks
    ]
    return video_only + alternates


def _video_plans(session: PlaySession) -> list[Plan]:
    decision = session.decision
    audio = None if decision.audio_copy else decision.audio
    audio_bits = audio.bitrate if audio else 192_000
    if session.renditions:
        return [
            Plan(
                r.name,
                None if r.copy else r.video,
                audio,
                r.bandwidth,
                r.width,
                r.height,
                r.codecs or _codecs(decision, None if r.copy else r.video),
            )
            for r in session.renditions
        ]
    video = None if decision.video_copy else decision.video
    stream = decision.video_stream or {}
    width = video.width if video else stream.get("width")
    height = video.height if video else stream.get("height")
    bandwidth = (video.bitrate if video else (session.source.get("bitrate") or 4_000_000)) + audio_bits
    return [Plan("main", video, audio, int(bandwidth), width, height, _codecs(decision, video))]


def transcode_request(session: PlaySession, plan: Plan, directory: Path, number: int, timeline: Timeline,
                      container: str) -> TranscodeRequest:  # fmt: skip
    decision = session.decision
    burn = None
    if decision.subtitle_delivery is SubtitleDelivery.BURN_IN and decision.subtitle_stream is not None:
        burn = SubtitleBurnIn(stream_info(decision.subtitle_stream))  # type: ignore[arg-type]
    output = SegmentOutput(
        directory=str(directory),
        container=container,
        segment_seconds=timeline.segment,
        first_segment_seconds=timeline.first if number == 0 else None,
        start_number=number,
    )
    video_stream = None if plan.is_audio else decision.video_stream
    audio_stream = plan.audio_stream if plan.is_audio else (None if plan.kind == "video" else decision.audio_stream)
    return TranscodeRequest(
        input_path=str(session.source["path"]),
        video_stream=stream_info(video_stream),
        audio_stream=stream_info(audio_stream),
        video=None if plan.is_audio else plan.video,
        audio=plan.audio if audio_stream is not None else None,
        output=output,
        start_seconds=timeline.start(number),
        subtitle=burn,
    )
