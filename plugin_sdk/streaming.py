"""Streaming types shared by the playback, job manager and transcoder integrations.

A transcoder integration returns TranscoderBackend objects from the `transcoders` hook. The job manager picks
backends in the configured order of preference, asks each to build an ffmpeg argv for a TranscodeRequest, and
falls back to the next when a job fails to start. Every value that reaches an argv is typed and allow-listed:
codec names from fixed sets, integers for sizes and bitrates, presets and levels from fixed tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from plugin_sdk.media import StreamInfo

VIDEO_CODECS = frozenset({"h264", "hevc", "av1", "vp9"})
AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "ac3", "eac3", "flac"})
SEGMENT_CONTAINERS = frozenset({"fmp4", "mpegts"})


@dataclass(frozen=True, slots=True)
class FfmpegInfo:
    """What the ffmpeg binary in use can do (read once per boot from `ffmpeg -encoders/-hwaccels/-filters`)."""

    path: str
    version: str
    encoders: frozenset[str] = frozenset()
    decoders: frozenset[str] = frozenset()
    hwaccels: frozenset[str] = frozenset()
    filters: frozenset[str] = frozenset()
    source: str = "system"  # system | imageio-ffmpeg | config


@dataclass(frozen=True, slots=True)
class VideoTarget:
    codec: str  # one of VIDEO_CODECS
    width: int
    height: int
    bitrate: int  # bits per second
    max_bitrate: int | None = None
    profile: str | None = None  # e.g. "high", "main", "main10"
    level: str | None = None  # e.g. "4.1" (normalised: digits and one dot)
    bit_depth: int = 8
    tone_map: bool = False  # HDR source, SDR client
    keyframe_seconds: float = 2.0


@dataclass(frozen=True, slots=True)
class AudioTarget:
    codec: str  # one of AUDIO_CODECS
    bitrate: int
    channels: int = 2
    sample_rate: int | None = None


@dataclass(frozen=True, slots=True)
class SubtitleBurnIn:
    stream: StreamInfo  # embedded (stream.index) or external (stream.path)


@dataclass(frozen=True, slots=True)
class SegmentOutput:
    """HLS/DASH output: numbered segments in `directory`, the first one short so playback starts fast."""

    directory: str
    container: str = "fmp4"  # one of SEGMENT_CONTAINERS
    segment_seconds: float = 6.0
    first_segment_seconds: float | None = 2.0
    start_number: int = 0
    playlist_name: str = "ffmpeg.m3u8"
    segment_pattern: str = "seg_%05d"  # extension added from the container


@dataclass(frozen=True, slots=True)
class TranscodeRequest:
    input_path: str
    video_stream: StreamInfo | None  # the source video stream (None for audio-only)
    audio_stream: StreamInfo | None
    video: VideoTarget | None  # None: copy the video stream as it is (remux)
    audio: AudioTarget | None  # None: copy the audio stream
    output: SegmentOutput
    start_seconds: float = 0.0
    subtitle: SubtitleBurnIn | None = None
    threads: int = 0  # 0: let ffmpeg decide
    extra_flags: tuple[str, ...] = field(default_factory=tuple)  # never from a request; backend-internal only


@dataclass(frozen=True, slots=True)
class TranscoderInfo:
    name: str
    available: bool
    reason: str | None = None  # why not available, in one line
    video_encoders: frozenset[str] = frozenset()  # codecs it can produce, from VIDEO_CODECS
    max_width: int = 7680
    max_height: int = 4320
    ten_bit: bool = False
    tone_mapping: bool = False
    hardware: bool = False


class TranscoderBackend(Protocol):
    """Implemented by transcode_software, transcode_vaapi, transcode_nvenc, transcode_qsv."""

    name: str

    async def detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        """Can this backend run here? Cached by the caller for the life of the process."""
        ...

    def build_argv(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
        """The complete argv, starting with ffmpeg.path. Raises ValueError for a request it can't serve."""
        ...
