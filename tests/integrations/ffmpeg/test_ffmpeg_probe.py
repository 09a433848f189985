"""Finding the ffmpeg binary and reading what it can do: parsers on recorded output, the real binaries here, and
binaries that fail, hang or aren't ffmpeg."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from integrations.ffmpeg import locate
from integrations.ffmpeg.locate import FfmpegNotFound, locate_ffmpeg
from integrations.ffmpeg.probe import (
    FfmpegProbeError,
    parse_codecs,
    parse_filters,
    parse_hwaccels,
    parse_version,
    probe_ffmpeg,
    summarize_error,
    trial_encode,
    trial_source_args,
)

ENCODERS_5_1 = """Encoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ..S... = Slice-level multithreading
 ...X.. = Codec is experimental
 ....B. = Supports draw_horiz_band
 .....D = Supports direct rendering method 1
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V..... h264_qsv             H.264 / AVC / MPEG-4 AVC (Intel Quick Sync Video acceleration) (codec h264)
 V..... h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
 A....D libopus              libopus Opus (codec opus)
 S..... ass                  ASS (Advanced SubStation Alpha) subtitle
"""
FILTERS_5_1 = """Filters:
  T.. = Timeline support
  .S. = Slice threading
  ..C = Command support
  A = Audio input/output
  V = Video input/output
  N = Dynamic number and/or type of input/output
  | = Source or sink filter
 ... abench            A->A       Benchmark part of a filtergraph.
 TSC zscale            V->V       Apply resizing, colorspace and bit depth conversion.
 ..C overlay           VV->V      Overlay a video source on top of the input.
 ... testsrc2          |->V       Generate another test pattern.
 ... amovie            |->N       Read audio from a movie source.
"""
FILTERS_9_0 = """Filters:
  T.. = Timeline support
  .S. = Slice threading
  A = Audio input/output
  V = Video input/output
  N = Dynamic number and/or type of input/output
  | = Source or sink filter
  ------
 TS aap               AA->A      Apply Affine Projection algorithm to first audio stream.
 .. tonemap_vaapi     V->V       VAAPI VPP for tone-mapping
 T. zscale            V->V       Apply resizing, colorspace and bit depth conversion.
"""
HWACCELS = "Hardware acceleration methods:\nvdpau\ncuda\nvaapi\nqsv\ndrm\n\n"


def test_parsers_read_5_1_and_newer_layouts():
    assert parse_version("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\n") == (
        "5.1.9-0+deb12u1"
    )
    assert parse_version("ffmpeg version n9.0.2-17-g2a571b6068-20260930 Copyright") == "n9.0.2-17-g2a571b6068-20260930"
    with pytest.raises(FfmpegProbeError):
        parse_version("not ffmpeg")
    assert parse_codecs(ENCODERS_5_1) == {"libx264", "h264_nvenc", "h264_qsv", "h264_vaapi", "aac", "libopus", "ass"}
    assert parse_filters(FILTERS_5_1) == {"abench", "zscale", "overlay", "testsrc2", "amovie"}
    assert parse_filters(FILTERS_9_0) == {"aap", "tonemap_vaapi", "zscale"}
    assert parse_hwaccels(HWACCELS) == {"vdpau", "cuda", "vaapi", "qsv", "drm"}
    assert parse_hwaccels("Hardware acceleration methods:\n\n") == frozenset()


def test_summarize_error_keeps_the_cause_without_addresses():
    stderr = (
        "[h264_nvenc @ 0x5616f4764380] Cannot load libcuda.so.1\n"
        "Error initializing output stream 0:0 -- Error while opening encoder\n"
    )
    assert summarize_error(stderr) == "h264_nvenc: Cannot load libcuda.so.1"
    assert summarize_error("\n\n") == "no error message"


async def test_probe_reads_every_binary_here(all_ffmpegs):
    for info in all_ffmpegs:
        assert info.version and info.source in ("system", "imageio-ffmpeg")
        assert {"libx264", "aac"} <= info.encoders
        assert {"h264", "hevc", "aac"} <= info.decoders
        assert {"scale", "format", "subtitles", "overlay", "testsrc2"} <= info.filters
        assert info.hwaccels  # both builds list some (vaapi, cuda...) even without the hardware


def test_locate_prefers_system_then_bundled(monkeypatch):
    system, bundled = locate.system_ffmpeg(), locate.bundled_ffmpeg()
    if not (system or bundled):
        pytest.fail("ffmpeg is required for these tests; scripts/test installs it (apt-get install ffmpeg)")
    first = locate_ffmpeg()
    assert first.source == ("system" if system else "imageio-ffmpeg")
    if bundled and bundled != system:
        assert locate_ffmpeg(prefer="bundled") == locate.Located(bundled, "imageio-ffmpeg")
        monkeypatch.setattr(locate, "system_ffmpeg", lambda: None)
        assert locate_ffmpeg() == locate.Located(bundled, "imageio-ffmpeg")


def test_locate_uses_a_configured_path_and_refuses_a_bad_one(tmp_path: Path):
    tool = tmp_path / "my ffmpeg"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    assert locate_ffmpeg(str(tool)) == locate.Located(str(tool), "config")
    not_executable = tmp_path / "plain"
    not_executable.write_text("")
    for bad in (str(not_executable), str(tmp_path), str(tmp_path / "missing"), "ffmpeg"):
        with pytest.raises(FfmpegNotFound, match="is not an executable file"):
            locate_ffmpeg(bad)


def test_locate_says_where_it_looked_when_there_is_no_ffmpeg(monkeypatch):
    monkeypatch.setattr(locate, "system_ffmpeg", lambda: None)
    monkeypatch.setattr(locate, "bundled_ffmpeg", lambda: None)
    with pytest.raises(FfmpegNotFound, match="no ffmpeg found: none on the PATH and no binary in the imageio-ffmpeg"):
        locate_ffmpeg()


def fake_binary(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-ffmpeg"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


async def test_probe_fails_clearly_for_a_binary_that_errors(tmp_path: Path):
    path = fake_binary(tmp_path, 'echo "something broke" >&2; exit 3')
    with pytest.raises(FfmpegProbeError, match=r"exited with 3: something broke"):
        await probe_ffmpeg(path, "config")


async def test_probe_fails_clearly_for_a_binary_that_is_not_ffmpeg(tmp_path: Path):
    path = fake_binary(tmp_path, 'echo "ffmpeg version 0.0-fake"')
    with pytest.raises(FfmpegProbeError, match="listed no encoders or no filters"):
        await probe_ffmpeg(path, "config")


async def test_probe_times_out_and_kills_a_binary_that_hangs(tmp_path: Path):
    marker = tmp_path / "pids"
    path = fake_binary(tmp_path, f'echo $$ >> "{marker}"; exec sleep 30')
    with pytest.raises(FfmpegProbeError, match=r"did not answer within 0.5 s"):
        await probe_ffmpeg(path, "config", timeout=0.5)
    for pid in marker.read_text().split():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)  # killed and reaped, not left running


async def test_trial_encode_reports_success_or_the_first_error_line(ffmpeg_info):
    assert await trial_encode(ffmpeg_info, [*trial_source_args(), "-c:v", "libx264"]) is None
    failure = await trial_encode(ffmpeg_info, [*trial_source_args(), "-c:v", "libx264", "-profile:v", "nonsense"])
    assert failure is not None and "@ 0x" not in failure
