"""Every TranscodeRequest field is checked before an argv is built: injection attempts and out-of-range values are
ValueErrors naming the field, for every backend. Paths with spaces and quotes stay one argv element."""

from __future__ import annotations

import dataclasses
import math

import pytest

from integrations.ffmpeg.argv.fields import format_seconds, parse_level
from integrations.ffmpeg.argv.filters import escape_filter_path
from integrations.ffmpeg.argv.validation import validate_request
from integrations.transcode_nvenc.backend import NvencBackend
from integrations.transcode_qsv.backend import QsvBackend
from integrations.transcode_software.backend import SoftwareBackend
from integrations.transcode_vaapi.backend import VaapiBackend
from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import AudioTarget, FfmpegInfo, SegmentOutput, SubtitleBurnIn, TranscodeRequest, VideoTarget

FFMPEG = FfmpegInfo(
    path="/usr/bin/ffmpeg",
    version="5.1",
    encoders=frozenset(
        {"libx264", "libx265", "aac", "libopus", "libmp3lame", "flac", "h264_vaapi", "hevc_vaapi"}
        | {"h264_nvenc", "hevc_nvenc", "h264_qsv", "hevc_qsv"}
    ),
    decoders=frozenset({"h264_qsv", "hevc_qsv"}),
    hwaccels=frozenset({"vaapi", "cuda", "qsv"}),
    filters=frozenset({"scale", "zscale", "tonemap", "subtitles", "tonemap_vaapi", "scale_vaapi", "scale_cuda"}),
)
BACKENDS = [
    SoftwareBackend(),
    VaapiBackend(device="/dev/dri/renderD128"),
    NvencBackend(),
    QsvBackend(device="/dev/dri/renderD128"),
]
VIDEO_STREAM = StreamInfo(index=0, type="video", codec="h264", width=1920, height=1080, frame_rate=24.0)
AUDIO_STREAM = StreamInfo(index=1, type="audio", codec="aac", channels=2)


def request(**changes: object) -> TranscodeRequest:
    base = TranscodeRequest(
        input_path="/media/movie.mkv",
        video_stream=VIDEO_STREAM,
        audio_stream=AUDIO_STREAM,
        video=VideoTarget("h264", 1280, 720, 3_000_000, profile="high", level="4.1"),
        audio=AudioTarget("aac", 128_000),
        output=SegmentOutput("/jobs/1"),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def video(**changes: object) -> VideoTarget:
    return dataclasses.replace(VideoTarget("h264", 1280, 720, 3_000_000, profile="high", level="4.1"), **changes)  # type: ignore[arg-type]


def audio(**changes: object) -> AudioTarget:
    return dataclasses.replace(AudioTarget("aac", 128_000), **changes)  # type: ignore[arg-type]


def output(**changes: object) -> SegmentOutput:
    return dataclasses.replace(SegmentOutput("/jobs/1"), **changes)  # type: ignore[arg-type]


def text_subtitle(path: object) -> SubtitleBurnIn:
    return SubtitleBurnIn(StreamInfo(index=-1, type="subtitle", codec="subrip", is_external=True, path=path))  # type: ignore[arg-type]


REJECTED = {
    # codecs: only names from the allow-lists
    "codec with an option": ("video.codec", {"video": video(codec="h264 -f null")}),
    "codec with a shell separator": ("video.codec", {"video": video(codec="h264;rm")}),
    "codec in upper case": ("video.codec", {"video": video(codec="H264")}),
    "unknown codec": ("video.codec", {"video": video(codec="mpeg4")}),
    "audio codec with an option": ("audio.codec", {"audio": audio(codec="aac -f mp4")}),
    "audio codec as an encoder name": ("audio.codec", {"audio": audio(codec="libfdk_aac")}),
    # levels: "D" or "D.D" from the codec's table, nothing else
    "level with an injected input": ("video.level", {"video": video(level="4.1; -i /etc/passwd")}),
    "level_idc form": ("video.level", {"video": video(level="41")}),
    "two decimals": ("video.level", {"video": video(level="4.10")}),
    "trailing newline": ("video.level", {"video": video(level="4.1\n")}),
    "leading space": ("video.level", {"video": video(level=" 4.1")}),
    "comma decimal": ("video.level", {"video": video(level="4,1")}),
    "non-ASCII digits": ("video.level", {"video": video(level="\uff14.\uff11")}),
    "not an h264 level": ("video.level", {"video": video(level="7.0")}),
    "not an hevc level": ("video.level", {"video": video(codec="hevc", profile="main", level="4.2")}),
    "level as a number": ("video.level", {"video": video(level=4.1)}),
    # profiles: exact names per codec
    "profile with a newline and option": ("video.profile", {"video": video(profile="high\n-f")}),
    "profile capitalised": ("video.profile", {"video": video(profile="High")}),
    "hevc profile on h264": ("video.profile", {"video": video(profile="main10", bit_depth=10)}),
    "10-bit profile on 8-bit": ("video.profile", {"video": video(profile="high10")}),
    "8-bit profile on 10-bit": ("video.profile", {"video": video(profile="high", bit_depth=10)}),
    # numbers: ints (not bools, not floats, not strings) inside bounds
    "negative bitrate": ("video.bitrate", {"video": video(bitrate=-1)}),
    "zero bitrate": ("video.bitrate", {"video": video(bitrate=0)}),
    "huge bitrate": ("video.bitrate", {"video": video(bitrate=10**12)}),
    "float bitrate": ("video.bitrate", {"video": video(bitrate=3.5e6)}),
    "string bitrate": ("video.bitrate", {"video": video(bitrate="3000000")}),
    "bool bitrate": ("video.bitrate", {"video": video(bitrate=True)}),
    "max below bitrate": ("video.max_bitrate", {"video": video(max_bitrate=1_000_000)}),
    "zero width": ("video.width", {"video": video(width=0)}),
    "odd width": ("video.width", {"video": video(width=1281)}),
    "huge height": ("video.height", {"video": video(height=100_000)}),
    "string height": ("video.height", {"video": video(height="720")}),
    "12-bit": ("video.bit_depth", {"video": video(bit_depth=12, profile=None)}),
    "tone map to 10-bit": (
        "video.bit_depth",
        {"video": video(codec="hevc", profile=None, level=None, bit_depth=10, tone_map=True)},
    ),
    "tone map not a bool": ("video.tone_map", {"video": video(tone_map="yes")}),
    "zero keyframe interval": ("video.keyframe_seconds", {"video": video(keyframe_seconds=0)}),
    "nan keyframe interval": ("video.keyframe_seconds", {"video": video(keyframe_seconds=math.nan)}),
    "negative audio bitrate": ("audio.bitrate", {"audio": audio(bitrate=-128_000)}),
    "no channels": ("audio.channels", {"audio": audio(channels=0)}),
    "too many channels": ("audio.channels", {"audio": audio(channels=9)}),
    "surround mp3": ("audio.channels", {"audio": audio(codec="mp3", channels=6)}),
    "odd sample rate": ("audio.sample_rate", {"audio": audio(sample_rate=12345)}),
    "opus at 44.1 kHz": ("audio.sample_rate", {"audio": audio(codec="opus", sample_rate=44100)}),
    "negative start": ("start_seconds", {"start_seconds": -5}),
    "infinite start": ("start_seconds", {"start_seconds": math.inf}),
    "nan start": ("start_seconds", {"start_seconds": math.nan}),
    "string start": ("start_seconds", {"start_seconds": "10"}),
    "negative threads": ("threads", {"threads": -1}),
    "too many threads": ("threads", {"threads": 1000}),
    "extra flags": ("extra_flags", {"extra_flags": ("-vf", "null")}),
    # paths: absolute, no control characters
    "relative input": ("input_path", {"input_path": "movie.mkv"}),
    "parent-relative input": ("input_path", {"input_path": "../movie.mkv"}),
    "input that looks like an option": ("input_path", {"input_path": "-i"}),
    "protocol input": ("input_path", {"input_path": "concat:/a.ts|/b.ts"}),
    "url input": ("input_path", {"input_path": "http://example.com/x.mkv"}),
    "newline in input": ("input_path", {"input_path": "/media/a\nb.mkv"}),
    "NUL in input": ("input_path", {"input_path": "/media/a\0b.mkv"}),
    "empty input": ("input_path", {"input_path": ""}),
    "relative output dir": ("output.directory", {"output": output(directory="jobs/1")}),
    "newline in output dir": ("output.directory", {"output": output(directory="/jobs/1\n-f")}),
    "percent in output dir": ("output.directory", {"output": output(directory="/jobs/%d")}),
    "unknown container": ("output.container", {"output": output(container="mp4")}),
    "zero segment length": ("output.segment_seconds", {"output": output(segment_seconds=0)}),
    "huge segment length": ("output.segment_seconds", {"output": output(segment_seconds=1000)}),
    "first segment longer": ("output.first_segment_seconds", {"output": output(first_segment_seconds=10.0)}),
    "negative start number": ("output.start_number", {"output": output(start_number=-1)}),
    "playlist outside the dir": ("output.playlist_name", {"output": output(playlist_name="../x.m3u8")}),
    "playlist in a subdir": ("output.playlist_name", {"output": output(playlist_name="a/b.m3u8")}),
    "playlist with an option": ("output.playlist_name", {"output": output(playlist_name="x.m3u8 -f")}),
    "playlist not m3u8": ("output.playlist_name", {"output": output(playlist_name="x.mp4")}),
    "pattern with %s": ("output.segment_pattern", {"output": output(segment_pattern="seg_%s")}),
    "pattern with two numbers": ("output.segment_pattern", {"output": output(segment_pattern="seg_%05d%05d")}),
    "pattern with a path": ("output.segment_pattern", {"output": output(segment_pattern="../seg_%05d")}),
    "pattern without a number": ("output.segment_pattern", {"output": output(segment_pattern="seg")}),
    "av1 in mpegts": (
        "video.codec",
        {"video": video(codec="av1", profile=None, level=None), "output": output(container="mpegts")},
    ),
    "flac in mpegts": ("audio.codec", {"audio": audio(codec="flac"), "output": output(container="mpegts")}),
    # streams
    "negative video index": ("video_stream.index", {"video_stream": dataclasses.replace(VIDEO_STREAM, index=-1)}),
    "bool audio index": ("audio_stream.index", {"audio_stream": dataclasses.replace(AUDIO_STREAM, index=True)}),
    "audio stream as video": ("video_stream", {"video_stream": AUDIO_STREAM}),
    "video target without a stream": ("video", {"video_stream": None}),
    "audio target without a stream": ("audio", {"audio_stream": None}),
    "no streams at all": ("video_stream", {"video_stream": None, "audio_stream": None, "video": None, "audio": None}),
    "relative subtitle": ("subtitle.stream.path", {"subtitle": text_subtitle("subs/a.srt")}),
    "newline in subtitle": ("subtitle.stream.path", {"subtitle": text_subtitle("/subs/a\n.srt")}),
    "subtitle without a path": ("subtitle.stream.path", {"subtitle": text_subtitle(None)}),
}


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
@pytest.mark.parametrize("case", list(REJECTED), ids=list(REJECTED))
def test_bad_fields_are_rejected_with_the_field_named(case, backend):
    field, changes = REJECTED[case]
    with pytest.raises(ValueError) as caught:
        backend.build_argv(request(**changes), FFMPEG)
    assert str(caught.value).startswith(f"{field}:"), str(caught.value)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
def test_a_good_request_builds(backend):
    argv = backend.build_argv(request(), FFMPEG)
    assert argv[0] == "/usr/bin/ffmpeg" and all(isinstance(arg, str) for arg in argv)


@pytest.mark.parametrize(
    "path",
    [
        "/media/My \"Quoted\" 'Film' -f null.mkv",
        "/media/a; rm -rf ~ && echo $(id) `id` | cat > x.mkv",
        "/media/Amélie (2001)/Amélie [1080p] {edition-Director's Cut}.mkv",
        "/media/ -i /etc/passwd.mkv",
    ],
)
@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
def test_paths_with_spaces_and_quotes_stay_single_argv_elements(path, backend):
    directory = "/var/lib/marquee/transcodes/My 'job' \"1\""
    argv = backend.build_argv(request(input_path=path, output=output(directory=directory)), FFMPEG)
    assert argv.count(path) == 1 and argv[argv.index(path) - 1] == "-i"
    assert argv[-1] == f"{directory}/ffmpeg.m3u8"
    assert argv[-2] == f"{directory}/seg_%05d.m4s"
    assert argv.count("-i") == 1


def test_levels_are_normalised_or_rejected_consistently():
    """Accepted: "D" or "D.D" (ASCII digits) naming one of the codec's levels; "5" and "5.0" are the same level.
    Rejected: level_idc numbers ("41"), extra digits ("4.10"), whitespace, other separators, numbers."""
    assert parse_level("h264", "4.1") == 41
    assert parse_level("h264", "5") == parse_level("h264", "5.0") == 50
    assert parse_level("hevc", "6.2") == 62
    assert parse_level("h264", None) is None
    for bad in ("41", "4.10", "4.1 ", "04.1", "4.", ".1", "4.1.1", "1b", "10"):
        with pytest.raises(ValueError, match=r"^video\.level: "):
            parse_level("h264", bad)
    with pytest.raises(ValueError, match=r"^video\.level: no level can be set for av1"):
        parse_level("av1", "4.0")
    software = SoftwareBackend()
    assert software.build_argv(request(video=video(level="5")), FFMPEG) == software.build_argv(
        request(video=video(level="5.0")), FFMPEG
    )


def test_validation_reports_derived_values():
    checked = validate_request(request(subtitle=text_subtitle("/subs/a.srt")))
    assert (checked.level, checked.subtitle, checked.hls_time) == (41, "text", 2.0)
    assert checked.keyframes == "expr:gte(t,2+(n_forced-1)*6)"
    with pytest.raises(ValueError, match=r"^request: "):
        validate_request("not a request")


def test_format_seconds_never_writes_exponents():
    assert [format_seconds(v) for v in (0.0, 1e-9, 2.0, 2.5, 1 / 3, 754.25, 1e6)] == [
        "0",
        "0",
        "2",
        "2.5",
        "0.333",
        "754.25",
        "1000000",
    ]


def test_filter_path_escaping_is_two_levels_of_quoting():
    assert escape_filter_path("/a/b.srt") == "\\'/a/b.srt\\'"
    assert escape_filter_path("/it's.srt") == "\\'/it\\'\\\\\\'\\'s.srt\\'"
    assert escape_filter_path("/a[1],b;c:d.srt") == "\\'/a\\[1\\]\\,b\\;c:d.srt\\'"
