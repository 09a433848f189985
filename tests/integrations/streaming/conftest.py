"""Streaming tests: real files from the generated test media, real ffmpeg jobs, real HTTP."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from tests.integrations.library.conftest import by_name, library_yaml, scan


async def movie_session(running, test_media, name: str, profile: str = "browser", **body) -> tuple[dict, dict]:
    """(item detail, playback-info answer for its first media source)."""
    library = (await scan(running, "movies"))["library"]
    item = await by_name(running, library["id"], name)
    status, info = await running.post_json(f"/api/v1/items/{item['id']}/playback-info", {"profile": profile, **body})
    assert status == 200, info
    return item, info["media_sources"][0]


def movies_yaml(test_media, extra: str = "") -> str:
    return library_yaml(movies=test_media / "movies") + extra


async def jobs_after_stop(running, count: int) -> list:
    """The transcode jobs once there are `count` (a stop report reaches the job manager as an event) and, with
    none left, once their directories are gone too (after ffmpeg has exited)."""
    transcodes = running.hub.data_dir / "streaming" / "transcodes"
    for _ in range(50):
        jobs = (await running.get_json("/api/v1/transcodes"))[1]
        if len(jobs) == count and (count or not any(transcodes.iterdir())):
            break
        await asyncio.sleep(0.1)
    return jobs


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


ENCODERS = {
    "h264": ["-c:v", "libx264", "-preset", "ultrafast"],
    "hevc": ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"],
}


def _clip(path: Path, codec: str, seconds: int) -> None:
    sources = ["-f", "lavfi", "-i", f"testsrc2=s=320x180:r=10:d={seconds}",
               "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]  # fmt: skip
    audio = ["-c:a", "aac", "-b:a", "64k", "-shortest"]
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            *sources,
            *ENCODERS[codec],
            "-g",
            "10",
            *audio,
            str(path),
        ],
        check=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def long_clips(tmp_path_factory) -> Path:
    """A 40 s h264 clip (browser: remux) and a 40 s HEVC one (browser: transcode), keyframes every second."""
    folder = tmp_path_factory.mktemp("clips")
    (folder / "Remux Movie (2020)").mkdir()
    (folder / "Transcode Movie (2021)").mkdir()
    _clip(folder / "Remux Movie (2020)" / "Remux Movie (2020).mkv", "h264", 40)
    _clip(folder / "Transcode Movie (2021)" / "Transcode Movie (2021).mkv", "hevc", 40)
    return folder


@pytest.fixture(scope="session")
def two_language_clip(tmp_path_factory) -> Path:
    """20 s of h264 with two audio tracks, English and French."""
    folder = tmp_path_factory.mktemp("languages")
    target = folder / "Bilingual Movie (2022)"
    target.mkdir()
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=10:d=20",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=20", "-f", "lavfi", "-i", "sine=frequency=660:duration=20",
         "-map", "0", "-map", "1", "-map", "2", *ENCODERS["h264"], "-g", "10", "-c:a", "aac", "-b:a", "64k",
         "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
         str(target / "Bilingual Movie (2022).mkv")],
        check=True, timeout=120,
    )  # fmt: skip
    return folder
