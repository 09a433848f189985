"""Facts the argv builders rely on, checked against every ffmpeg binary here (system 5.1 and imageio-ffmpeg):
filter path escaping, and the hls muxer's segmenting (why `-hls_init_time` is not used)."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.ffmpeg.argv.filters import escape_filter_path
from integrations.ffmpeg.probe import run_ffmpeg
from integrations.transcode_software.backend import SoftwareBackend
from plugin_sdk.streaming import FfmpegInfo, SegmentOutput, TranscodeRequest, VideoTarget
from tests.integrations.transcoders.transcode_helpers import extinf, video_stream

AWKWARD_NAMES = [
    "plain.srt",
    "with space.srt",
    "it's.srt",
    'say "hi".srt',
    "a [b] c.srt",
    "a, b; c.srt",
    "c: d.srt",
    "back\\slash.srt",
    "=equals= %d 100%.srt",
    "all 'of' [them], here; now: \\ =.srt",
]


async def burn(ffmpeg: FfmpegInfo, path: Path) -> tuple[int, str]:
    argv = [
        ffmpeg.path,
        *("-hide_banner", "-nostdin", "-loglevel", "error"),
        *("-f", "lavfi", "-i", "color=c=black:s=160x120:r=5:d=1"),
        *("-vf", f"subtitles=filename={escape_filter_path(str(path))}"),
        *("-f", "null", "-"),
    ]
    result = await run_ffmpeg(argv, 60)
    return result.returncode, result.stderr


@pytest.mark.parametrize("name", AWKWARD_NAMES)
async def test_escaped_subtitle_paths_reach_the_filter_intact(all_ffmpegs, tmp_path, name):
    folder = tmp_path / "dir with 'quotes' [and], brackets;"
    folder.mkdir()
    subtitle = folder / name
    subtitle.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    for ffmpeg in all_ffmpegs:
        returncode, stderr = await burn(ffmpeg, subtitle)
        assert returncode == 0, f"{ffmpeg.path}: {stderr}"
        missing = folder / f"missing {name}"
        returncode, stderr = await burn(ffmpeg, missing)
        assert returncode != 0
        assert f"Unable to open {missing}" in stderr  # the exact path, unescaped by ffmpeg


async def make_source(ffmpeg: FfmpegInfo, path: Path, seconds: int = 12) -> None:
    result = await run_ffmpeg(
        [
            ffmpeg.path,
            *("-hide_banner", "-nostdin", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=160x90:r=10:d={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", str(path)),
        ],
        60,
    )
    assert result.returncode == 0, result.stderr


async def test_hls_init_time_shortens_every_segment_of_an_event_playlist(all_ffmpegs, tmp_path):
    """Why the argv doesn't use -hls_init_time: with an EVENT playlist (an unlimited list), the hls muxer never
    leaves init_time, so every segment gets it. If this fails, ffmpeg fixed it and -hls_init_time could be used."""
    for number, ffmpeg in enumerate(all_ffmpegs):
        source, out = tmp_path / f"source{number}.mp4", tmp_path / f"out{number}"
        out.mkdir()
        await make_source(ffmpeg, source)
        argv = [
            ffmpeg.path,
            *("-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source), "-c:v", "libx264"),
            *("-force_key_frames", "expr:gte(t,n_forced*1)", "-f", "hls", "-hls_time", "4", "-hls_init_time", "1"),
            *("-hls_segment_type", "fmp4", "-hls_playlist_type", "event"),
            *("-hls_segment_filename", f"{out}/seg_%05d.m4s", f"{out}/ffmpeg.m3u8"),
        ]
        result = await run_ffmpeg(argv, 60)
        assert result.returncode == 0, result.stderr
        assert extinf(out / "ffmpeg.m3u8") == [pytest.approx(1.0, abs=0.05)] * 12, ffmpeg.version


async def test_the_short_first_segment_recipe_works_on_every_binary(all_ffmpegs, tmp_path):
    """What the argv does instead: -hls_time = the first segment, keyframes only at segment boundaries."""
    for number, ffmpeg in enumerate(all_ffmpegs):
        source, out = tmp_path / f"source{number}.mp4", tmp_path / f"out{number}"
        out.mkdir()
        await make_source(ffmpeg, source)
        request = TranscodeRequest(
            input_path=str(source),
            video_stream=video_stream(width=160, height=90, frame_rate=10.0),
            audio_stream=None,
            video=VideoTarget("h264", 160, 90, 200_000),
            audio=None,
            output=SegmentOutput(str(out), segment_seconds=4.0, first_segment_seconds=1.0),
        )
        result = await run_ffmpeg(SoftwareBackend().build_argv(request, ffmpeg), 60)
        assert result.returncode == 0, result.stderr
        assert extinf(out / "ffmpeg.m3u8") == [pytest.approx(d, abs=0.05) for d in (1, 4, 4, 3)], ffmpeg.version
