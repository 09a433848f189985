"""A whole TranscodeRequest checked field by field (`validate_request`), and what the check works out for the
backends (`Checked`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import (
    AUDIO_CODECS,
    SEGMENT_CONTAINERS,
    VIDEO_CODECS,
    AudioTarget,
    FfmpegInfo,
    SegmentOutput,
    SubtitleBurnIn,
    TranscodeRequest,
    VideoTarget,
)

from .allowed import (
    AUDIO_BITRATE,
    AUDIO_MAX_CHANNELS,
    CONTAINER_AUDIO,
    CONTAINER_VIDEO,
    IMAGE_SUBTITLE_CODECS,
    KEYFRAME_SECONDS,
    MAX_HEIGHT,
    MAX_START_NUMBER,
    MAX_START_SECONDS,
    MAX_STREAM_INDEX,
    MAX_THREADS,
    MAX_WIDTH,
    MIN_SIZE,
    OPUS_SAMPLE_RATES,
    PROFILES,
    SAMPLE_RATES,
    SEGMENT_SECONDS,
    TEN_BIT_PROFILES,
    TEXT_SUBTITLE_CODECS,
    VIDEO_BITRATE,
)
from .fields import check_choice, check_int, check_path, check_seconds, fail, parse_level
from .segmenting import segmenting

_PLAYLIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.m3u8")
_SEGMENT_PATTERN = re.compile(r"[A-Za-z0-9_-]{0,32}%0?[1-9]?d[A-Za-z0-9_-]{0,32}")


@dataclass(frozen=True, slots=True)
class Checked:
    """What validation worked out, for the backends: normalised level, subtitle kind, segmenting."""

    level: int | None  # tenths
    subtitle: str | None  # "text" | "image" | None
    hls_time: float
    keyframes: str | None  # the -force_key_frames value, for a video transcode


def _check_stream(field: str, stream: Any, kind: str) -> StreamInfo:
    if not isinstance(stream, StreamInfo):
        raise fail(field, "expected a StreamInfo")
    if stream.type != kind:
        raise fail(field, f"expected a {kind} stream, got {stream.type!r}")
    check_int(f"{field}.index", stream.index, 0, MAX_STREAM_INDEX)
    return stream


def _check_video(video: Any) -> int | None:
    if not isinstance(video, VideoTarget):
        raise fail("video", "expected a VideoTarget")
    codec = check_choice("video.codec", video.codec, VIDEO_CODECS)
    width = check_int("video.width", video.width, MIN_SIZE, MAX_WIDTH)
    height = check_int("video.height", video.height, MIN_SIZE, MAX_HEIGHT)
    if width % 2 or height % 2:
        raise fail("video.width" if width % 2 else "video.height", "must be even (4:2:0 chroma)")
    bitrate = check_int("video.bitrate", video.bitrate, *VIDEO_BITRATE)
    if video.max_bitrate is not None:
        check_int("video.max_bitrate", video.max_bitrate, bitrate, VIDEO_BITRATE[1])
    check_int("video.bit_depth", video.bit_depth, 8, 10)
    if video.bit_depth not in (8, 10):
        raise fail("video.bit_depth", "must be 8 or 10")
    if video.profile is not None:
        check_choice("video.profile", video.profile, PROFILES[codec])
        if (video.profile in TEN_BIT_PROFILES) != (video.bit_depth == 10):
            raise fail("video.profile", f"{video.profile!r} does not match bit_depth {video.bit_depth}")
    if not isinstance(video.tone_map, bool):
        raise fail("video.tone_map", "expected a bool")
    if video.tone_map and video.bit_depth != 8:
        raise fail("video.bit_depth", "tone mapping to SDR produces 8-bit video")
    check_seconds("video.keyframe_seconds", video.keyframe_seconds, *KEYFRAME_SECONDS)
    return parse_level(codec, video.level)


def _check_audio(audio: Any) -> None:
    if not isinstance(audio, AudioTarget):
        raise fail("audio", "expected an AudioTarget")
    codec = check_choice("audio.codec", audio.codec, AUDIO_CODECS)
    check_int("audio.bitrate", audio.bitrate, *AUDIO_BITRATE)
    check_int("audio.channels", audio.channels, 1, AUDIO_MAX_CHANNELS[codec])
    if audio.sample_rate is not None:
        check_int("audio.sample_rate", audio.sample_rate, 8000, 96000)
        rates = OPUS_SAMPLE_RATES if codec == "opus" else SAMPLE_RATES
        if audio.sample_rate not in rates:
            raise fail("audio.sample_rate", f"{audio.sample_rate} is not a rate {codec} can use")


def _check_output(output: Any) -> None:
    if not isinstance(output, SegmentOutput):
        raise fail("output", "expected a SegmentOutput")
    check_path("output.directory", output.directory)
    if "%" in output.directory:
        raise fail("output.directory", "'%' is not allowed (the segment name is a printf-style pattern)")
    check_choice("output.container", output.container, SEGMENT_CONTAINERS)
    segment = check_seconds("output.segment_seconds", output.segment_seconds, *SEGMENT_SECONDS)
    if output.first_segment_seconds is not None:
        check_seconds("output.first_segment_seconds", output.first_segment_seconds, SEGMENT_SECONDS[0], segment)
    check_int("output.start_number", output.start_number, 0, MAX_START_NUMBER)
    if not isinstance(output.playlist_name, str) or not _PLAYLIST_NAME.fullmatch(output.playlist_name):
        raise fail("output.playlist_name", f"{output.playlist_name!r} is not a plain name ending in .m3u8")
    if not isinstance(output.segment_pattern, str) or not _SEGMENT_PATTERN.fullmatch(output.segment_pattern):
        raise fail("output.segment_pattern", f"{output.segment_pattern!r} is not like 'seg_%05d'")


def _check_subtitle(subtitle: Any, request: TranscodeRequest) -> str:
    if not isinstance(subtitle, SubtitleBurnIn) or not isinstance(subtitle.stream, StreamInfo):
        raise fail("subtitle", "expected a SubtitleBurnIn with a StreamInfo")
    if request.video is None:
        raise fail("subtitle", "burning in subtitles needs a video transcode (video is None)")
    stream = subtitle.stream
    if stream.type != "subtitle":
        raise fail("subtitle.stream", f"expected a subtitle stream, got {stream.type!r}")
    codec = stream.codec
    if codec in TEXT_SUBTITLE_CODECS:
        kind = "text"
    elif codec in IMAGE_SUBTITLE_CODECS:
        kind = "image"
    else:
        raise fail("subtitle.stream.codec", f"{codec!r} can't be burned in")
    if stream.is_external or stream.path is not None:
        check_path("subtitle.stream.path", stream.path)
        if kind == "image":
            raise fail("subtitle.stream", "external image subtitles can't be burned in (only embedded ones)")
    else:
        check_int("subtitle.stream.index", stream.index, 0, MAX_STREAM_INDEX)
        if kind == "text":
            # The subtitles filter would demux the whole media file at every job start (each seek) and needs the
            # index among subtitle streams, which StreamInfo does not carry. Extract it once instead.
            raise fail(
                "subtitle.stream",
                "embedded text subtitles must be extracted to a file first (subtitle_extract_argv) and burned in "
                "from that file",
            )
    return kind


def validate_request(request: Any) -> Checked:
    """Check every field of a TranscodeRequest (ValueError naming the field) and work out the derived values."""
    if not isinstance(request, TranscodeRequest):
        raise fail("request", "expected a TranscodeRequest")
    check_path("input_path", request.input_path)
    if request.video_stream is None and request.audio_stream is None:
        raise fail("video_stream", "a request needs a video or an audio stream")
    if request.video_stream is not None:
        _check_stream("video_stream", request.video_stream, "video")
    elif request.video is not None:
        raise fail("video", "there is no video_stream to transcode")
    if request.audio_stream is not None:
        _check_stream("audio_stream", request.audio_stream, "audio")
    elif request.audio is not None:
        raise fail("audio", "there is no audio_stream to transcode")
    level = _check_video(request.video) if request.video is not None else None
    if request.audio is not None:
        _check_audio(request.audio)
    _check_output(request.output)
    container = request.output.container
    if request.video is not None and request.video.codec not in CONTAINER_VIDEO[container]:
        raise fail("video.codec", f"{request.video.codec} can't go in {container} segments")
    if request.audio is not None and request.audio.codec not in CONTAINER_AUDIO[container]:
        raise fail("audio.codec", f"{request.audio.codec} can't go in {container} segments")
    check_seconds("start_seconds", request.start_seconds, 0.0, MAX_START_SECONDS)
    check_int("threads", request.threads, 0, MAX_THREADS)
    if not isinstance(request.extra_flags, tuple) or request.extra_flags:
        raise fail("extra_flags", "must be empty in a request (backend-internal only)")
    subtitle = _check_subtitle(request.subtitle, request) if request.subtitle is not None else None
    hls_time, keyframes = segmenting(request)
    return Checked(level=level, subtitle=subtitle, hls_time=hls_time, keyframes=keyframes)


def require_encoder(ffmpeg: FfmpegInfo, encoder: str, field: str = "video.codec") -> str:
    if encoder not in ffmpeg.encoders:
        raise fail(field, f"this ffmpeg ({ffmpeg.path}) has no {encoder} encoder")
    return encoder
