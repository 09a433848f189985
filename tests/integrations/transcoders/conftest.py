"""Fixtures for the transcoder tests: the ffmpeg in use (system, else imageio-ffmpeg) and test media made with it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from integrations.ffmpeg.locate import FfmpegNotFound, locate_ffmpeg
from integrations.ffmpeg.probe import probe_ffmpeg
from plugin_sdk.streaming import FfmpegInfo
from tests.integrations.transcoders.transcode_helpers import make_media


def _locate() -> tuple[str, str] | None:
    try:
        located = locate_ffmpeg()
    except FfmpegNotFound:
        return None
    return located.path, located.source


LOCATED = _locate()


@pytest.fixture(scope="session")
def ffmpeg_info() -> FfmpegInfo:
    if LOCATED is None:
        pytest.fail("ffmpeg is required for these tests; scripts/test installs it (apt-get install ffmpeg)")
    return asyncio.run(probe_ffmpeg(*LOCATED))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def source_1080p(ffmpeg_info: FfmpegInfo, media_dir: Path) -> Path:
    """2 s of 1080p24 H.264 (testsrc2) with stereo AAC: stream 0 video, stream 1 audio."""
    path = media_dir / "source 1080p.mp4"
    make_media(
        ffmpeg_info,
        *("-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=24:d=2"),
        *("-f", "lavfi", "-i", "sine=f=440:r=48000:d=2"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "48", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "128k", "-ac", "2", "-shortest"),
        path,
    )
    return path


@pytest.fixture(scope="session")
def source_small(ffmpeg_info: FfmpegInfo, media_dir: Path) -> Path:
    """14 s of 320x180 at 24 fps with audio, keyframes every second: for segmenting and offsets."""
    path = media_dir / "small.mp4"
    make_media(
        ffmpeg_info,
        *("-f", "lavfi", "-i", "testsrc2=s=320x180:r=24:d=14"),
        *("-f", "lavfi", "-i", "sine=f=440:r=48000:d=14"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "64k", "-ac", "2", "-shortest"),
        path,
    )
    return path


@pytest.fixture(scope="session")
def black_video(ffmpeg_info: FfmpegInfo, media_dir: Path) -> Path:
    """6 s of black 320x240 video (no audio): subtitles burned into it are the only bright pixels."""
    path = media_dir / "black.mp4"
    make_media(
        ffmpeg_info,
        *("-f", "lavfi", "-i", "color=c=black:s=320x240:r=10:d=6"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p"),
        path,
    )
    return path
