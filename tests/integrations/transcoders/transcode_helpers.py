"""Helpers for the transcoder and ffmpeg tests: stream descriptions, making media, running a built argv."""

from __future__ import annotations

import asyncio
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import FfmpegInfo


def make_media(ffmpeg: FfmpegInfo, *args: str | Path) -> None:
    subprocess.run(
        [ffmpeg.path, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def video_stream(index: int = 0, **overrides: object) -> StreamInfo:
    values: dict[str, object] = {
        "codec": "h264",
        "width": 1920,
        "height": 1080,
        "frame_rate": 24.0,
        "bit_depth": 8,
        "pixel_format": "yuv420p",
    }
    values.update(overrides)
    return StreamInfo(index=index, type="video", **values)  # type: ignore[arg-type]


def audio_stream(index: int = 1, **overrides: object) -> StreamInfo:
    values: dict[str, object] = {"codec": "aac", "channels": 2, "sample_rate": 48000}
    values.update(overrides)
    return StreamInfo(index=index, type="audio", **values)  # type: ignore[arg-type]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    first_segment_seconds: float | None  # when the first segment file appeared


def _exists(path: Path | None) -> bool:
    return path is not None and path.exists()


async def run_argv(argv: list[str], first_segment: Path | None = None, timeout: float = 180.0) -> Run:
    """Run a built argv as the job manager would (exec, no shell) and time it."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    communicate = asyncio.ensure_future(process.communicate())
    appeared = None
    try:
        while not communicate.done():
            if appeared is None and _exists(first_segment):
                appeared = time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                process.kill()
                break
            await asyncio.wait({communicate}, timeout=0.01)
        stdout, stderr = await communicate
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    elapsed = time.perf_counter() - started
    if appeared is None and _exists(first_segment):
        appeared = elapsed
    code = process.returncode if process.returncode is not None else -1
    return Run(code, stdout.decode(errors="replace"), stderr.decode(errors="replace"), elapsed, appeared)


def extinf(playlist: Path) -> list[float]:
    return [
        float(line[len("#EXTINF:") :].rstrip(","))
        for line in playlist.read_text().splitlines()
        if line.startswith("#EXTINF:")
    ]


def option(argv: list[str], name: str) -> str:
    """The value after `name` (which must appear once)."""
    assert argv.count(name) == 1, f"{name} appears {argv.count(name)} times in {argv}"
    return argv[argv.index(name) + 1]


def segment_files(directory: Path) -> list[Path]:
    """The playlist's segments, in order."""
    playlist = directory / "ffmpeg.m3u8"
    return [directory / line for line in playlist.read_text().splitlines() if line and not line.startswith("#")]


def joined_output(directory: Path) -> Path:
    """An fMP4 HLS output (init.mp4 + the playlist's segments) as one playable file."""
    joined = directory / "joined.mp4"
    with joined.open("wb") as out:
        out.write((directory / "init.mp4").read_bytes())
        for segment in segment_files(directory):
            out.write(segment.read_bytes())
    return joined


def brightness_over_time(directory: Path) -> list[tuple[float, int]]:
    """(time in seconds, brightest luma) for every decoded frame of an fMP4 HLS output."""
    import av  # PyAV, a project dependency

    result = []
    with av.open(str(joined_output(directory))) as container:
        for frame in container.decode(video=0):
            low, high = frame.to_image().convert("L").getextrema()
            result.append((float(frame.time or 0.0), high))
    return result


def _pgs_segment(kind: int, pts: float, payload: bytes) -> bytes:
    ticks = round(pts * 90_000)
    return b"PG" + ticks.to_bytes(4, "big") + bytes(4) + bytes([kind]) + len(payload).to_bytes(2, "big") + payload


def _rle_rectangle(width: int, height: int, color: int) -> bytes:
    line = bytes([0x00, 0xC0 | (width >> 8), width & 0xFF, color]) + b"\x00\x00"  # a run of `width`, end of line
    return line * height


def write_pgs(path: Path, canvas: tuple[int, int], box: tuple[int, int, int, int], start: float, end: float) -> None:
    """A PGS (.sup) subtitle track showing one white box from `start` to `end`: an image subtitle, made without a
    Blu-ray (ffmpeg can't render text into bitmap subtitles)."""
    width, height = canvas
    x, y, w, h = box
    size = width.to_bytes(2, "big") + height.to_bytes(2, "big")
    window = bytes([1, 0]) + x.to_bytes(2, "big") + y.to_bytes(2, "big") + w.to_bytes(2, "big") + h.to_bytes(2, "big")
    shown = (
        size + bytes([0x10, 0, 1, 0x80, 0, 0, 1]) + bytes([0, 0, 0, 0]) + x.to_bytes(2, "big") + y.to_bytes(2, "big")
    )
    palette = bytes([0, 0]) + bytes([1, 235, 128, 128, 255])  # entry 1: white, opaque
    rle = _rle_rectangle(w, h, 1)
    obj = bytes([0, 0, 0, 0xC0]) + (len(rle) + 4).to_bytes(3, "big") + w.to_bytes(2, "big") + h.to_bytes(2, "big") + rle
    cleared = size + bytes([0x10, 0, 2, 0x00, 0, 0, 0])
    path.write_bytes(
        _pgs_segment(0x16, start, shown)
        + _pgs_segment(0x17, start, window)
        + _pgs_segment(0x14, start, palette)
        + _pgs_segment(0x15, start, obj)
        + _pgs_segment(0x80, start, b"")
        + _pgs_segment(0x16, end, cleared)
        + _pgs_segment(0x17, end, window)
        + _pgs_segment(0x80, end, b"")
    )
