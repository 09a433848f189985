"""The argv options themselves, in order: the binary and global options, -ss/-i, video encode options (rate
control, keyframes, tags) or a copy, audio, and the HLS muxer with its segment files (`assemble` puts them
together); and the argv that extracts a subtitle stream for burn-in."""

from __future__ import annotations

from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, VideoTarget

from .allowed import AUDIO_ENCODERS, INIT_FILENAME, MAX_STREAM_INDEX, SEGMENT_EXTENSIONS
from .fields import check_int, check_path, fail, format_seconds
from .segmenting import gop_frames
from .validation import Checked, require_encoder


def head_args(ffmpeg: FfmpegInfo) -> list[str]:
    """The binary and the global options: quiet, no stdin, progress as key=value lines on stdout."""
    return [ffmpeg.path, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", "-progress", "pipe:1"]


def input_args(request: TranscodeRequest) -> list[str]:
    """`-ss` (input seeking: before -i) and the input."""
    start = float(request.start_seconds)
    seek = ["-ss", format_seconds(start)] if start > 0 else []
    return [*seek, "-i", request.input_path]


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
    check_int("stream_index", stream_index, 0, MAX_STREAM_INDEX)
    if not output_path.endswith(".ass"):
        raise fail("output_path", "must end in .ass")
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
