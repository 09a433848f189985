"""Built argvs run for real with the ffmpeg on this machine: transcode, remux, segmenting, seeks, tone mapping and
subtitle burn-in, checked on the HLS output (playlist, init.mp4, segments, decoded frames)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import av
import pytest

from integrations.ffmpeg.argv.command import subtitle_extract_argv
from integrations.ffmpeg.locate import bundled_ffmpeg, system_ffmpeg
from integrations.ffmpeg.probe import probe_ffmpeg
from integrations.transcode_software.backend import SoftwareBackend
from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import AudioTarget, FfmpegInfo, SegmentOutput, SubtitleBurnIn, TranscodeRequest, VideoTarget
from tests.integrations.transcoders.transcode_helpers import (
    Run,
    audio_stream,
    brightness_over_time,
    extinf,
    joined_output,
    make_media,
    run_argv,
    segment_files,
    video_stream,
    write_pgs,
)

SOFTWARE = SoftwareBackend()
CUE_SRT = "1\n00:00:03,000 --> 00:00:05,000\n<b>XXXXXXXXXX</b>\n"


def job_dir(tmp_path: Path, name: str = "job") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def assert_ran(run: Run) -> None:
    assert run.returncode == 0, run.stderr
    assert "progress=end" in run.stdout  # -progress pipe:1 reports on stdout


async def test_1080p_to_720p_transcode_writes_a_short_first_fmp4_segment(ffmpeg_info, source_1080p, tmp_path):
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source_1080p),
        video_stream=video_stream(),
        audio_stream=audio_stream(),
        video=VideoTarget("h264", 1280, 720, 3_000_000, profile="high", level="4.1"),
        audio=AudioTarget("aac", 128_000, channels=2),
        output=SegmentOutput(str(out), segment_seconds=6.0, first_segment_seconds=1.0),
    )
    run = await run_argv(SOFTWARE.build_argv(request, ffmpeg_info), first_segment=out / "seg_00000.m4s")
    assert_ran(run)
    assert (out / "ffmpeg.m3u8").is_file() and (out / "init.mp4").is_file() and (out / "seg_00000.m4s").is_file()
    durations = extinf(out / "ffmpeg.m3u8")
    assert durations[0] <= 1.0 + 0.5
    assert sum(durations) == pytest.approx(2.0, abs=0.1)
    with av.open(str(out / "init.mp4")) as init:
        video = init.streams.video[0]
        assert (video.codec_context.name, video.codec_context.width, video.codec_context.height) == ("h264", 1280, 720)
    print(f"1080p -> 720p: first segment after {run.first_segment_seconds:.2f} s, all {run.seconds:.2f} s")


async def test_remux_copies_the_streams_into_segments(ffmpeg_info, source_1080p, tmp_path):
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source_1080p),
        video_stream=video_stream(),
        audio_stream=audio_stream(),
        video=None,
        audio=None,
        output=SegmentOutput(str(out)),
    )
    run = await run_argv(SOFTWARE.build_argv(request, ffmpeg_info), first_segment=out / "seg_00000.m4s")
    assert_ran(run)
    assert (out / "init.mp4").is_file() and (out / "seg_00000.m4s").is_file()
    assert extinf(out / "ffmpeg.m3u8") == [pytest.approx(2.0, abs=0.05)]
    with av.open(str(out / "init.mp4")) as init:
        assert init.streams.video[0].codec_context.width == 1920  # copied, not scaled
        assert init.streams.audio[0].codec_context.name == "aac"
    print(f"remux: first segment after {run.first_segment_seconds:.2f} s")


@pytest.mark.parametrize("container", ["fmp4", "mpegts"])
async def test_segments_are_short_first_then_uniform(ffmpeg_info, source_small, tmp_path, container):
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source_small),
        video_stream=video_stream(width=320, height=180),
        audio_stream=audio_stream(),
        video=VideoTarget("h264", 256, 144, 300_000),
        audio=AudioTarget("aac", 64_000),
        output=SegmentOutput(str(out), container=container, segment_seconds=6.0, first_segment_seconds=2.0),
    )
    assert_ran(await run_argv(SOFTWARE.build_argv(request, ffmpeg_info)))
    assert extinf(out / "ffmpeg.m3u8") == [
        pytest.approx(2.0, abs=0.05),
        pytest.approx(6.0, abs=0.05),
        pytest.approx(6.0, abs=0.05),
    ]
    extension = "m4s" if container == "fmp4" else "ts"
    assert [p.name for p in segment_files(out)] == [f"seg_0000{i}.{extension}" for i in range(3)]
    assert (out / "init.mp4").exists() == (container == "fmp4")


async def test_uniform_segments_without_a_short_first_one(ffmpeg_info, source_small, tmp_path):
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source_small),
        video_stream=video_stream(width=320, height=180),
        audio_stream=None,
        video=VideoTarget("h264", 256, 144, 300_000, keyframe_seconds=2.0),
        audio=None,
        output=SegmentOutput(str(out), segment_seconds=4.0, first_segment_seconds=None),
    )
    assert_ran(await run_argv(SOFTWARE.build_argv(request, ffmpeg_info)))
    assert extinf(out / "ffmpeg.m3u8") == [pytest.approx(d, abs=0.05) for d in (4, 4, 4, 2)]


@pytest.mark.parametrize("transcode", [True, False], ids=["transcode", "remux"])
async def test_a_job_started_mid_file_continues_the_timeline(ffmpeg_info, source_small, tmp_path, transcode):
    """A restarted job (seek) writes segment N onwards with timestamps from the seek point, as the first job would."""
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source_small),
        video_stream=video_stream(width=320, height=180),
        audio_stream=audio_stream(),
        video=VideoTarget("h264", 256, 144, 300_000) if transcode else None,
        audio=AudioTarget("aac", 64_000) if transcode else None,
        output=SegmentOutput(str(out), segment_seconds=4.0, first_segment_seconds=None, start_number=2),
        start_seconds=8.0,
    )
    assert_ran(await run_argv(SOFTWARE.build_argv(request, ffmpeg_info)))
    assert [p.name for p in segment_files(out)] == ["seg_00002.m4s", "seg_00003.m4s"]
    frames = brightness_over_time(out)
    assert frames[0][0] == pytest.approx(8.0, abs=0.05)
    assert frames[-1][0] == pytest.approx(14.0, abs=0.1)


def hdr_capable(ffmpeg_info: FfmpegInfo) -> FfmpegInfo | None:
    """The system ffmpeg when it has zscale and libx265, else the imageio-ffmpeg one when that has them."""
    if {"zscale", "tonemap"} <= ffmpeg_info.filters and "libx265" in ffmpeg_info.encoders:
        return ffmpeg_info
    bundled = bundled_ffmpeg()
    if bundled and bundled != system_ffmpeg():
        info = asyncio.run(probe_ffmpeg(bundled, "imageio-ffmpeg"))
        if {"zscale", "tonemap"} <= info.filters and "libx265" in info.encoders:
            return info
    return None


@pytest.fixture(scope="module")
def hdr10_source(ffmpeg_info: FfmpegInfo, media_dir: Path) -> tuple[FfmpegInfo, Path]:
    capable = hdr_capable(ffmpeg_info)
    if capable is None:
        pytest.skip("no ffmpeg here has zscale and libx265")
    path = media_dir / "hdr10.mkv"
    make_media(
        capable,
        *("-f", "lavfi", "-i", "testsrc2=s=1280x720:r=24:d=2,format=yuv420p10le"),
        *("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:hdr10=1:repeat-headers=1"),
        *("-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc"),
        path,
    )
    return capable, path


HDR10_STREAM = {
    "codec": "hevc",
    "width": 1280,
    "height": 720,
    "bit_depth": 10,
    "pixel_format": "yuv420p10le",
    "color_transfer": "smpte2084",
    "color_primaries": "bt2020",
    "hdr": "HDR10",
}


@pytest.mark.parametrize("zscale", [True, False], ids=["zscale-tonemap", "colorspace-fallback"])
async def test_hdr10_is_tone_mapped_to_8_bit_bt709(hdr10_source, tmp_path, zscale):
    capable, source = hdr10_source
    ffmpeg = capable if zscale else dataclasses.replace(capable, filters=capable.filters - {"zscale"})
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source),
        video_stream=video_stream(**HDR10_STREAM),
        audio_stream=None,
        video=VideoTarget("h264", 640, 360, 1_500_000, tone_map=True),
        audio=None,
        output=SegmentOutput(str(out)),
    )
    argv = SOFTWARE.build_argv(request, ffmpeg)
    assert ("zscale=t=linear:npl=100" in argv[argv.index("-vf") + 1]) == zscale
    assert_ran(await run_argv(argv))
    with av.open(str(joined_output(out))) as output:
        frame = next(output.decode(video=0))
        context = output.streams.video[0].codec_context
        assert (frame.width, frame.height, frame.format.name) == (640, 360, "yuv420p")
        assert (int(context.color_trc), int(context.color_primaries)) == (1, 1)  # BT.709, no longer PQ / BT.2020


async def test_text_subtitles_with_an_awkward_file_name_are_burned_in_at_the_right_time(
    ffmpeg_info, black_video, tmp_path
):
    """The cue is shown from 3 s to 5 s of the film; the job starts at 2 s, so the burn-in must follow file time."""
    folder = tmp_path / "sub dir [x]"
    folder.mkdir()
    subtitle = folder / "it's [a], b; c: d\\e =f%.srt"
    subtitle.write_text(CUE_SRT)
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(black_video),
        video_stream=video_stream(width=320, height=240, frame_rate=10.0),
        audio_stream=None,
        video=VideoTarget("h264", 320, 240, 500_000),
        audio=None,
        output=SegmentOutput(str(out), segment_seconds=2.0, first_segment_seconds=None),
        start_seconds=2.0,
        subtitle=SubtitleBurnIn(
            StreamInfo(index=-1, type="subtitle", codec="subrip", is_external=True, path=str(subtitle))
        ),
    )
    assert_ran(await run_argv(SOFTWARE.build_argv(request, ffmpeg_info)))
    frames = brightness_over_time(out)
    assert frames[0][0] == pytest.approx(2.0, abs=0.05)
    assert all(high < 60 for t, high in frames if t < 2.9 or t > 5.1), frames
    assert all(high > 150 for t, high in frames if 3.1 < t < 4.9), frames


async def test_embedded_image_subtitles_are_overlaid(ffmpeg_info, black_video, tmp_path):
    sup = tmp_path / "box.sup"
    write_pgs(sup, (320, 240), (100, 150, 120, 40), start=1.0, end=2.5)
    source = tmp_path / "with pgs.mkv"
    make_media(ffmpeg_info, "-i", black_video, "-i", sup, "-map", "0", "-map", "1", "-c", "copy", "-copyts", source)
    out = job_dir(tmp_path)
    request = TranscodeRequest(
        input_path=str(source),
        video_stream=video_stream(width=320, height=240, frame_rate=10.0),
        audio_stream=None,
        video=VideoTarget("h264", 160, 120, 300_000),
        audio=None,
        output=SegmentOutput(str(out), segment_seconds=2.0, first_segment_seconds=1.0),
        subtitle=SubtitleBurnIn(StreamInfo(index=1, type="subtitle", codec="hdmv_pgs_subtitle")),
    )
    argv = SOFTWARE.build_argv(request, ffmpeg_info)
    assert "-filter_complex" in argv
    assert_ran(await run_argv(argv))
    frames = brightness_over_time(out)
    assert all(high < 60 for t, high in frames if t < 0.9 or t > 2.6), frames
    assert all(high > 150 for t, high in frames if 1.1 < t < 2.4), frames


async def test_embedded_text_subtitles_are_extracted_then_burned_in(ffmpeg_info, black_video, tmp_path):
    srt = tmp_path / "cue.srt"
    srt.write_text(CUE_SRT)
    source = tmp_path / "with srt.mkv"
    make_media(
        ffmpeg_info, "-i", black_video, "-i", srt, "-map", "0", "-map", "1", "-c:v", "copy", "-c:s", "srt", source
    )
    extracted = tmp_path / "job" / "subtitle.ass"
    extracted.parent.mkdir()
    extract = subtitle_extract_argv(ffmpeg_info, str(source), 1, str(extracted))
    assert_ran_extract = await run_argv(extract)
    assert assert_ran_extract.returncode == 0, assert_ran_extract.stderr
    assert "XXXXXXXXXX" in extracted.read_text()
    request = TranscodeRequest(
        input_path=str(source),
        video_stream=video_stream(width=320, height=240, frame_rate=10.0),
        audio_stream=None,
        video=VideoTarget("h264", 320, 240, 500_000),
        audio=None,
        output=SegmentOutput(str(tmp_path / "job"), segment_seconds=2.0, first_segment_seconds=None),
        subtitle=SubtitleBurnIn(
            StreamInfo(index=-1, type="subtitle", codec="ass", is_external=True, path=str(extracted))
        ),
    )
    assert_ran(await run_argv(SOFTWARE.build_argv(request, ffmpeg_info)))
    frames = brightness_over_time(tmp_path / "job")
    assert all(high > 150 for t, high in frames if 3.1 < t < 4.9)
    assert all(high < 60 for t, high in frames if t < 2.9)
