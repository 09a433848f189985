"""Fixtures for the ffmpeg integration tests: the binaries on this machine (system and imageio-ffmpeg) probed."""

from __future__ import annotations

import asyncio

import pytest

from integrations.ffmpeg.locate import SOURCE_BUNDLED, SOURCE_SYSTEM, bundled_ffmpeg, system_ffmpeg
from integrations.ffmpeg.probe import probe_ffmpeg
from plugin_sdk.streaming import FfmpegInfo


def _binaries() -> list[tuple[str, str]]:
    found = [(SOURCE_SYSTEM, system_ffmpeg()), (SOURCE_BUNDLED, bundled_ffmpeg())]
    unique: dict[str, str] = {}
    for source, path in found:
        if path and path not in unique:
            unique[path] = source
    return [(source, path) for path, source in unique.items()]


BINARIES = _binaries()


@pytest.fixture(scope="session")
def all_ffmpegs() -> list[FfmpegInfo]:
    """Every distinct ffmpeg found here, probed: the system one first."""
    if not BINARIES:
        pytest.fail("ffmpeg is required for these tests; scripts/test installs it (apt-get install ffmpeg)")

    async def probe_all() -> list[FfmpegInfo]:
        return [await probe_ffmpeg(path, source) for source, path in BINARIES]

    return asyncio.run(probe_all())


@pytest.fixture(scope="session")
def ffmpeg_info(all_ffmpegs: list[FfmpegInfo]) -> FfmpegInfo:
    return all_ffmpegs[0]
