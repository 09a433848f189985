"""The argv pieces every transcoder backend shares: request validation, input and stream mapping, audio, rate
control, keyframes, subtitle burn-in and the HLS output.

Rules that hold for every argv built here:

* It is a list handed to exec (never a shell): a path with spaces or quotes is one element and stays one.
* Every value that reaches it is typed and checked first (`validate_request`): codecs, profiles and levels come
  from fixed tables, numbers are ints or finite floats inside bounds, paths are absolute and free of control
  characters. A bad field raises ValueError naming the field ("video.level: ...").
* Numbers are formatted here from validated numbers (`format_seconds`), never copied from request strings.
* Absolute paths also rule out ffmpeg protocol prefixes ("concat:", "http://", "subfile,") and option look-alikes
  ("-i"): a path starting with "/" is always read by the file protocol.

Segmenting. ffmpeg's `-hls_init_time` does not give a short first segment with an EVENT (or VOD) playlist: the hls
muxer only switches from init_time to hls_time once the first "list size" entries exist, and with an unlimited
list (hls_list_size 0, implied by EVENT) that never happens, so every segment gets init_time (seen in 5.1.9 and in
the 9.0.2 imageio-ffmpeg build). Instead, when a video transcode wants a short first segment, `-hls_time` is set to
the first segment's length and keyframes are forced only at segment boundaries (0, F, F+S, F+2S...): the muxer
cuts at the first keyframe past each multiple of hls_time, so it cuts at every boundary keyframe and nowhere else,
giving F, S, S... Without a short first segment, keyframes are forced every `keyframe_seconds` (which must divide
the segment length) and `-hls_time` is the segment length. Remuxes and audio-only jobs can't place keyframes, so
they get uniform segments (their first segment is quick anyway: nothing is encoded).
"""

from __future__ import annotations

import math
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

# -- fixed tables ---------------------------------------------------------------------------------------------

PROFILES: dict[str, frozenset[str]] = {
    "h264": frozenset({"baseline", "main", "high", "high10"}),
    "hevc": frozenset({"main", "main10"}),
    "av1": frozenset({"main"}),
    "vp9": frozenset(),
}
TEN_BIT_PROFILES = frozenset({"high10", "main10"})
# Levels in tenths ("4.1" -> 41), as the codecs define them. AV1 and VP9 take no level here.
LEVELS: dict[str, frozenset[int]] = {
    "h264": frozenset({10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62}),
    "hevc": frozenset({10, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62}),
}
_LEVEL_TEXT = re.compile(r"[1-9](?:\.[0-9])?")

AUDIO_ENCODERS = {"aac": "aac", "mp3": "libmp3lame", "opus": "libopus", "ac3": "ac3", "eac3": "eac3", "flac": "flac"}
AUDIO_MAX_CHANNELS = {"aac": 8, "mp3": 2, "opus": 8, "ac3": 6, "eac3": 8, "flac": 8}
SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000})
OPUS_SAMPLE_RATES = frozenset({8000, 12000, 16000, 24000, 48000})
# What each segment container can carry.
CONTAINER_VIDEO = {"fmp4": frozenset(VIDEO_CODECS), "mpegts": frozenset({"h264", "hevc"})}
CONTAINER_AUDIO = {"fmp4": frozenset(AUDIO_CODECS), "mpegts": frozenset({"aac", "mp3", "opus", "ac3", "eac3"})}
SEGMENT_EXTENSIONS = {"fmp4": "m4s", "mpegts": "ts"}
INIT_FILENAME = "init.mp4"

# Subtitle codecs as the probe (ffmpeg) and find_external_subtitles name them. ".sub" files are read as MicroDVD.
TEXT_SUBTITLE_CODECS = frozenset(
    {
        "subrip",
        "srt",
        "ass",
        "ssa",
        "webvtt",
        "mov_text",
        "text",
        "microdvd",
        "sub",
        "subviewer",
        "subviewer1",
        "sami",
        "realtext",
        "mpl2",
        "vplayer",
        "pjs",
        "jacosub",
        "stl",
    }
)
IMAGE_SUBTITLE_CODECS = frozenset(
    {"hdmv_pgs_subtitle", "pgssub", "dvd_subtitle", "dvdsub", "dvb_subtitle", "dvbsub", "xsub"}
)

# -- bounds ---------------------------------------------------------------------------------------------------

MIN_SIZE, MAX_WIDTH, MAX_HEIGHT = 16, 7680, 4320
VIDEO_BITRATE = (32_000, 400_000_000)
AUDIO_BITRATE = (8_000, 1_536_000)
SEGMENT_SECONDS = (0.5, 60.0)
KEYFRAME_SECONDS = (0.25, 60.0)
MAX_START_SECONDS = 1_000_000.0  # ~277 hours
MAX_START_NUMBER = 10_000_000
MAX_STREAM_INDEX = 4095
MAX_THREADS = 128
MAX_PATH = 4096
_PLAYLIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.m3u8")
_SEGMENT_PATTERN = re.compile(r"[A-Za-z0-9_-]{0,32}%0?[1-9]?d[A-Za-z0-9_-]{0,32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_FRAME_RATE = 60.0


# -- checked requests ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checked:
    """What validation worked out, for the backends: normalised level, subtitle kind, segmenting."""

    level: int | None  # tenths
    subtitle: str | None  # "text" | "image" | None
    hls_time: float
    keyframes: str | None  # the -force_key_frames value, for a video transcode


def _fail(field: str, problem: str) -> ValueError:
    return ValueError(f"{field}: {problem}")


def _int(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, f"expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise _fail(field, f"{value} is outside {low}..{high}")
    return value


def _seconds(field: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, f"expected a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or not low <= value <= high:
        raise _fail(field, f"{value!r} is outside {low:g}..{high:g}")
    return float(value)


def _choice(field: str, value: Any, allowed: frozenset[str] | set[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = ", ".join(sorted(allowed)) or "nothing"
        raise _fail(field, f"{value!r} is not one of: {shown}")
    return value


def check_path(field: str, value: Any) -> str:
    """An absolute path without control characters (spaces, quotes and the like are fine: argv elements)."""
    if not isinstance(value, str) or not value:
        raise _fail(field, "expected a path")
    if len(value) > MAX_PATH:
        raise _fail(field, "path too long")
    if _CONTROL.search(value):
        raise _fail(field, "control characters (newline, NUL...) are not allowed in a path")
    if not value.startswith("/"):
        raise _fail(field, f"{value!r} is not an absolute path")
    return value


def parse_level(codec: str, level: Any) -> int | None:
    """ "4.1" -> 41, "5" and "5.0" -> 50, None -> None. Anything else is rejected, not guessed at:

    "41" (level_idc style), "4.10", " 4.1", "4.1\\n", "4,1" and levels the codec does not define all raise
    ValueError. AV1 and VP9 take no level.
    """
    if level is None:
        return None
    if codec not in LEVELS:
        raise _fail("video.level", f"no level can be set for {codec}")
    if not isinstance(level, str) or not _LEVEL_TEXT.fullmatch(level):
        raise _fail("video.level", f"{level!r} is not a level like '4.1' or '5'")
    major, _, minor = level.partition(".")
    tenths = int(major) * 10 + int(minor or 0)
    if tenths not in LEVELS[codec]:
        raise _fail("video.level", f"{level!r} is not a {codec} level")
    return tenths


def format_level(tenths: int) -> str:
    """41 -> "4.1", 50 -> "5.0" (x264/x265 syntax)."""
    return f"{tenths // 10}.{tenths % 10}"


def level_idc(codec: str, tenths: int) -> int:
    """The codec's own level number, which every hardware encoder's -level accepts: H.264 level_idc (41 for 4.1),
    HEVC general_level_idc (30 x level: 123 for 4.1)."""
    return tenths if codec == "h264" else tenths * 3


def format_seconds(value: float) -> str:
    """A decimal string from a validated float: 12.5 -> "12.5", 2.0 -> "2", 1/3 -> "0.333" (never exponents)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _check_stream(field: str, stream: Any, kind: str) -> StreamInfo:
    if not isinstance(stream, StreamInfo):
        raise _fail(field, "expected a StreamInfo")
    if stream.type != kind:
        raise _fail(field, f"expected a {kind} stream, got {stream.type!r}")
    _int(f"{field}.index", stream.index, 0, MAX_STREAM_INDEX)
    return stream


def _check_video(video: Any) -> int | None:
    if not isinstance(video, VideoTarget):
        raise _fail("video", "expected a VideoTarget")
    codec = _choice("video.codec", video.codec, VIDEO_CODECS)
    width = _int("video.width", video.width, MIN_SIZE, MAX_WIDTH)
    height = _int("video.height", video.height, MIN_SIZE, MAX_HEIGHT)
    if width % 2 or height % 2:
        raise _fail("video.width" if width % 2 else "video.height", "must be even (4:2:0 chroma)")
    bitrate = _int("video.bitrate", video.bitrate, *VIDEO_BITRATE)
    if video.max_bitrate is not None:
        _int("video.max_bitrate", video.max_bitrate, bitrate, VIDEO_BITRATE[1])
    _int("video.bit_depth", video.bit_depth, 8, 10)
    if video.bit_depth not in (8, 10):
        raise _fail("video.bit_depth", "must be 8 or 10")
    if video.profile is not None:
        _choice("video.profile", video.profile, PROFILES[codec])
        if (video.profile in TEN_BIT_PROFILES) != (video.bit_depth == 10):
            raise _fail("video.profile", f"{video.profile!r} does not match bit_depth {video.bit_depth}")
    if not isinstance(video.tone_map, bool):
        raise _fail("video.tone_map", "expected a bool")
    if video.tone_map and video.bit_depth != 8:
        raise _fail("video.bit_depth", "tone mapping to SDR produces 8-bit video")
    _seconds("video.keyframe_seconds", video.keyframe_seconds, *KEYFRAME_SECONDS)
    return parse_level(codec, video.level)


def _check_audio(audio: Any) -> None:
    if not isinstance(audio, AudioTarget):
        raise _fail("audio", "expected an AudioTarget")
    codec = _choice("audio.codec", audio.codec, AUDIO_CODECS)
    _int("audio.bitrate", audio.bitrate, *AUDIO_BITRATE)
    _int("audio.channels", audio.channels, 1, AUDIO_MAX_CHANNELS[codec])
    if audio.sample_rate is not None:
        _int("audio.sample_rate", audio.sample_rate, 8000, 96000)
        rates = OPUS_SAMPLE_RATES if codec == "opus" else SAMPLE_RATES
        if audio.sample_rate not in rates:
            raise _fail("audio.sample_rate", f"{audio.sample_rate} is not a rate {codec} can use")


def _check_output(output: Any) -> None:
    if not isinstance(output, SegmentOutput):
        raise _fail("output", "expected a SegmentOutput")
    check_path("output.directory", output.directory)
    if "%" in output.directory:
        raise _fail("output.directory", "'%' is not allowed (the segment name is a printf-style pattern)")
    _choice("output.container", output.container, SEGMENT_CONTAINERS)
    segment = _seconds("output.segment_seconds", output.segment_seconds, *SEGMENT_SECONDS)
    if output.first_segment_seconds is not None:
        _seconds("output.first_segment_seconds", output.first_segment_seconds, SEGMENT_SECONDS[0], segment)
    _int("output.start_number", output.start_number, 0, MAX_START_NUMBER)
    if not isinstance(output.playlist_name, str) or not _PLAYLIST_NAME.fullmatch(output.playlist_name):
        raise _fail("output.playlist_name", f"{output.playlist_name!r} is not a plain name ending in .m3u8")
    if not isinstance(output.segment_pattern, str) or not _SEGMENT_PATTERN.fullmatch(output.segment_pattern):
        raise _fail("output.segment_pattern", f"{output.segment_pattern!r} is not like 'seg_%05d'")


def _check_subtitle(subtitle: Any, request: TranscodeRequest) -> str:
    if not isinstance(subtitle, SubtitleBurnIn) or not isinstance(subtitle.stream, StreamInfo):
        raise _fail("subtitle", "expected a SubtitleBurnIn with a StreamInfo")
    if request.video is None:
        raise _fail("subtitle", "burning in subtitles needs a video transcode (video is None)")
    stream = subtitle.stream
    if stream.type != "subtitle":
        raise _fail("subtitle.stream", f"expected a subtitle stream, got {stream.type!r}")
    codec = stream.codec
    if codec in TEXT_SUBTITLE_CODECS:
        kind = "text"
    elif codec in IMAGE_SUBTITLE_CODECS:
        kind = "image"
    else:
        raise _fail("subtitle.stream.codec", f"{codec!r} can't be burned in")
    if stream.is_external or stream.path is not None:
        check_path("subtitle.stream.path", stream.path)
        if kind == "image":
            raise _fail("subtitle.stream", "external image subtitles can't be burned in (only embedded ones)")
    else:
        _int("subtitle.stream.index", stream.index, 0, MAX_STREAM_INDEX)
        if kind == "text":
            # The subtitles filter would demux the whole media file at every job start (each seek) and needs the
            # index among subtitle streams, which StreamInfo does not carry. Extract it once instead.
            raise _fail(
                "subtitle.stream",
                "embedded text subtitles must be extracted to a file first (subtitle_extract_argv) and burned in "
                "from that file",
            )
    return kind


def segmenting(request: TranscodeRequest) -> tuple[float, str | None]:
    """(-hls_time, -force_key_frames value or None). See the module docstring for why."""
    output, video = request.output, request.video
    segment = float(output.segment_seconds)
    if video is None:
        return segment, None
    first = output.first_segment_seconds
    if first is not None and first < segment:
        return float(first), f"expr:gte(t,{format_seconds(first)}+(n_forced-1)*{format_seconds(segment)})"
    keyframe = float(video.keyframe_seconds)
    ratio = segment / keyframe
    if abs(ratio - round(ratio)) > 1e-6:
        raise _fail(
            "video.keyframe_seconds",
            f"{keyframe:g} does not divide output.segment_seconds ({segment:g}); segments would be uneven",
        )
    return segment, f"expr:gte(t,n_forced*{format_seconds(keyframe)})"


def validate_request(request: Any) -> Checked:
    """Check every field of a TranscodeRequest (ValueError naming the field) and work out the derived values."""
    if not isinstance(request, TranscodeRequest):
        raise _fail("request", "expected a TranscodeRequest")
    check_path("input_path", request.input_path)
    if request.video_stream is None and request.audio_stream is None:
        raise _fail("video_stream", "a request needs a video or an audio stream")
    if request.video_stream is not None:
        _check_stream("video_stream", request.video_stream, "video")
    elif request.video is not None:
        raise _fail("video", "there is no video_stream to transcode")
    if request.audio_stream is not None:
        _check_stream("audio_stream", request.audio_stream, "audio")
    elif request.audio is not None:
        raise _fail("audio", "there is no audio_stream to transcode")
    level = _check_video(request.video) if request.video is not None else None
    if request.audio is not None:
        _check_audio(request.audio)
    _check_output(request.output)
    container = request.output.container
    if request.video is not None and request.video.codec not in CONTAINER_VIDEO[container]:
        raise _fail("video.codec", f"{request.video.codec} can't go in {container} segments")
    if request.audio is not None and request.audio.codec not in CONTAINER_AUDIO[container]:
        raise _fail("audio.codec", f"{request.audio.codec} can't go in {container} segments")
    _seconds("start_seconds", request.start_seconds, 0.0, MAX_START_SECONDS)
    _int("threads", request.threads, 0, MAX_THREADS)
    if not isinstance(request.extra_flags, tuple) or request.extra_flags:
        raise _fail("extra_flags", "must be empty in a request (backend-internal only)")
    subtitle = _check_subtitle(request.subtitle, request) if request.subtitle is not None else None
    hls_time, keyframes = segmenting(request)
    return Checked(level=level, subtitle=subtitle, hls_time=hls_time, keyframes=keyframes)


def require_encoder(ffmpeg: FfmpegInfo, encoder: str, field: str = "video.codec") -> str:
    if encoder not in ffmpeg.encoders:
        raise _fail(field, f"this ffmpeg ({ffmpeg.path}) has no {encoder} encoder")
    return encoder


# -- argv pieces -----------------------------------------------------------------------------------------------


def head_args(ffmpeg: FfmpegInfo) -> list[str]:
    """The binary and the global options: quiet, no stdin, progress as key=value lines on stdout."""
    return [ffmpeg.path, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", "-progress", "pipe:1"]


def input_args(request: TranscodeRequest) -> list[str]:
    """`-ss` (input seeking: before -i) and the input."""
    start = float(request.start_seconds)
    seek = ["-ss", format_seconds(start)] if start > 0 else []
    return [*seek, "-i", request.input_path]


def gop_frames(request: TranscodeRequest) -> int:
    """A GOP longer than two segments, so the encoder never adds a keyframe of its own: forced keyframes decide."""
    rate = request.video_stream.frame_rate if request.video_stream is not None else None
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not math.isfinite(rate) or not 1 <= rate <= 300:
        rate = DEFAULT_FRAME_RATE
    return max(2, math.ceil(2 * float(request.output.segment_seconds) * rate))


def rate_args(video: VideoTarget) -> list[str]:
    maxrate = video.max_bitrate if video.max_bitrate is not None else video.bitrate
    return ["-b:v", str(video.bitrate), "-maxrate", str(maxrate), "-bufsize", str(2 * maxrate)]


def keyframe_args(request: TranscodeRequest, checked: Checked) -> list[str]:
    assert checked.keyframes is not None
    return ["-force_key_frames", checked.keyframes, "-g", str(gop_frames(request))]


def hevc_tag_args(request: TranscodeRequest) -> list[str]:
    """HEVC in fMP4 as 'hvc1' (what Apple players require)."""
    codec = request.video.codec if request.video is not None else (request.video_stream and request.video_stream.codec)
    return ["-tag:v", "hvc1"] if codec == "hevc" and request.output.container == "fmp4" else []


def audio_args(request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
    """Map the audio stream; copy it (audio None) or encode it."""
    if request.audio_stream is None:
        return []
    mapping = ["-map", f"0:{request.audio_stream.index}"]
    audio = request.audio
    if audio is None:
        return [*mapping, "-c:a", "copy"]
    encoder = require_encoder(ffmpeg, AUDIO_ENCODERS[audio.codec], "audio.codec")
    args = [*mapping, "-c:a", encoder]
    if audio.codec != "flac":
        args += ["-b:a", str(audio.bitrate)]
    args += ["-ac", str(audio.channels)]
    if audio.sample_rate is not None:
        args += ["-ar", str(audio.sample_rate)]
    if audio.codec == "opus" and audio.channels > 2:
        args += ["-mapping_family", "1"]
    return args


def output_args(request: TranscodeRequest, checked: Checked) -> list[str]:
    """Threads, the timestamp offset of a job that starts mid-file, and the HLS muxer with its segment files.

    `-output_ts_offset` makes a job started at `start_seconds` write timestamps from that point (segment N of a
    restarted job lines up with segment N of the first one: players place fMP4 fragments by their timestamps).
    """
    output = request.output
    args = ["-threads", str(request.threads)] if request.threads else []
    start = float(request.start_seconds)
    if start > 0:
        args += ["-output_ts_offset", format_seconds(start)]
    extension = SEGMENT_EXTENSIONS[output.container]
    directory = output.directory.rstrip("/") or ""
    args += ["-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", format_seconds(checked.hls_time)]
    args += ["-hls_segment_type", output.container]
    if output.container == "fmp4":
        args += ["-hls_fmp4_init_filename", INIT_FILENAME]
    args += [
        "-start_number",
        str(output.start_number),
        "-hls_flags",
        "independent_segments+temp_file",
        "-hls_playlist_type",
        "event",
        "-hls_segment_filename",
        f"{directory}/{output.segment_pattern}.{extension}",
        f"{directory}/{output.playlist_name}",
    ]
    return args


# -- filters ---------------------------------------------------------------------------------------------------


def escape_filter_path(path: str) -> str:
    """A path as a filter option value inside a filtergraph string (two levels of ffmpeg quoting).

    Level 1 (the filter's options): the value in single quotes, a quote written as '\\''. Level 2 (the graph):
    every one of \\ ' [ ] , ; backslash-escaped. Tested with real ffmpeg on names holding spaces, quotes,
    colons, commas, brackets, semicolons, backslashes and '%'. Control characters are rejected earlier.
    """
    quoted = "'" + path.replace("'", "'\\''") + "'"
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in quoted)


def text_subtitle_filters(request: TranscodeRequest) -> list[str]:
    """Burn in an external text subtitle file. The subtitles filter times cues by frame timestamps, which start at
    0 after `-ss`: shift them to file time around it."""
    assert request.subtitle is not None and request.subtitle.stream.path is not None
    burn = f"subtitles=filename={escape_filter_path(request.subtitle.stream.path)}"
    start = float(request.start_seconds)
    if start <= 0:
        return [burn]
    offset = format_seconds(start)
    return [f"setpts=PTS+{offset}/TB", burn, f"setpts=PTS-{offset}/TB"]


def video_graph_args(
    request: TranscodeRequest,
    checked: Checked,
    before: list[str],
    after: list[str],
    *,
    overlay_format: str = "yuv420",
) -> list[str]:
    """The video filters and the video mapping.

    `before` runs on the decoded video and, when subtitles are burned in, must leave frames in system memory at
    the target size; `after` runs after the burn-in (pixel format, hardware upload). Text subtitles are a filter
    in the chain (-vf); image subtitles are a second graph input overlaid with -filter_complex.
    """
    assert request.video is not None and request.video_stream is not None
    index = request.video_stream.index
    if checked.subtitle != "image":
        chain = list(before)
        if checked.subtitle == "text":
            chain += text_subtitle_filters(request)
        chain += after
        return ["-map", f"0:{index}", "-vf", ",".join(chain)] if chain else ["-map", f"0:{index}"]
    assert request.subtitle is not None
    video = request.video
    main = ",".join(before) or "null"
    overlay = f"overlay=eof_action=pass:repeatlast=0:format={overlay_format}"
    tail = ",".join([overlay, *after])
    graph = (
        f"[0:{index}]{main}[main];"
        f"[0:{request.subtitle.stream.index}]scale=w={video.width}:h={video.height}[sub];"
        f"[main][sub]{tail}[vout]"
    )
    return ["-filter_complex", graph, "-map", "[vout]"]


def software_tonemap_filters(ffmpeg: FfmpegInfo) -> list[str]:
    """HDR (PQ/HLG, BT.2020) to SDR BT.709 on the CPU: zscale + tonemap (hable) when this ffmpeg has zscale, else
    a plain colorspace conversion (no tone mapping: highlights clip, colours are close)."""
    if has_software_tonemap(ffmpeg):
        return [
            "zscale=t=linear:npl=100",
            "format=gbrpf32le",
            "zscale=p=bt709",
            "tonemap=tonemap=hable:desat=0",
            "zscale=t=bt709:m=bt709:r=tv",
            "format=yuv420p",
        ]
    return ["colorspace=all=bt709:iall=bt2020:format=yuv420p"]


def has_software_tonemap(ffmpeg: FfmpegInfo) -> bool:
    return {"zscale", "tonemap"} <= ffmpeg.filters


def assemble(
    request: TranscodeRequest,
    ffmpeg: FfmpegInfo,
    checked: Checked,
    *,
    before_input: list[str],
    video_args: list[str],
    extra_inputs: list[str] | None = None,
) -> list[str]:
    """head, hardware/decoder options, -ss/-i, video (built by the backend), audio, output."""
    argv = [*head_args(ffmpeg), *before_input, *input_args(request), *(extra_inputs or [])]
    argv += video_args
    argv += audio_args(request, ffmpeg)
    argv += output_args(request, checked)
    return argv


def copy_video_args(request: TranscodeRequest) -> list[str]:
    """Remux: map the video stream and copy it."""
    if request.video_stream is None:
        return []
    return ["-map", f"0:{request.video_stream.index}", "-c:v", "copy", *hevc_tag_args(request)]


def subtitle_extract_argv(ffmpeg: FfmpegInfo, input_path: str, stream_index: int, output_path: str) -> list[str]:
    """Extract an embedded text subtitle stream to an .ass file (styling kept; SRT and others converted), to burn it
    in from that file. Run once per (file, stream) and keep the result: it reads the whole media file."""
    check_path("input_path", input_path)
    check_path("output_path", output_path)
    _int("stream_index", stream_index, 0, MAX_STREAM_INDEX)
    if not output_path.endswith(".ass"):
        raise _fail("output_path", "must end in .ass")
    return [
        ffmpeg.path,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-i",
        input_path,
        "-map",
        f"0:{stream_index}",
        "-c:s",
        "ass",
        "-f",
        "ass",
        output_path,
    ]


# 4:2:0 pixel formats hardware decoders take (None: the probe did not say).
HW_DECODABLE_PIXEL_FORMATS = frozenset({None, "yuv420p", "yuvj420p", "nv12", "yuv420p10le", "p010le"})


def hw_decodable(stream: StreamInfo, max_bit_depth: dict[str, int]) -> bool:
    """Whether a hardware decoder is expected to take this stream: codec listed, 4:2:0, bit depth within reach."""
    limit = max_bit_depth.get(stream.codec or "")
    if limit is None or stream.pixel_format not in HW_DECODABLE_PIXEL_FORMATS:
        return False
    return (stream.bit_depth or 8) <= limit
