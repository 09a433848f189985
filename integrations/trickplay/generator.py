"""Blocking work for the trickplay thread: keyframe thumbnails with PyAV, packed into JPEG sprite sheets by Pillow.

How frames are found: for every target time (0, interval, 2 x interval, ...) the demuxer seeks, through the
container's index, to the keyframe at or before it (`container.seek(..., backward=True)`), and that one packet is
decoded (`skip_frame = "NONKEY"`, one decoder thread). Reading the whole file instead and decoding the keyframe
nearest each target costs the whole file's I/O (a 10 GB film is 10 GB read for ~700 thumbnails); seeking reads
one keyframe per thumbnail. On a 5 min 1080p H.264 file (490 MB, a keyframe every 2 s) seeking made 80-110
thumbnails/s, reading through 12-16/s from a cold page cache and ~70/s from a warm one. When the keyframe a seek
lands on is more than half an interval early (GOPs longer than the interval, a poor index), demuxing goes on to
the next keyframe, so thumbnails keep moving forward. A container that can't seek at all falls back to one
sequential pass, taking the first keyframe at or after each target.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from integrations.trickplay.lazy import Lazy

# PyAV and Pillow load with the first sheet, not at start-up (~70 ms of every server start).
av = Lazy("av")
Image = Lazy("PIL.Image")

_LOGGER = logging.getLogger(__name__)
MAX_THUMBNAILS = 50_000  # 5.7 days at 10 s: anything longer is a broken duration


@dataclass(frozen=True, slots=True)
class Layout:
    interval_ms: int
    tiles_x: int
    tiles_y: int
    quality: int

    @property
    def per_sheet(self) -> int:
        return self.tiles_x * self.tiles_y


@dataclass(frozen=True, slots=True)
class Sheets:
    """What was written for one width."""

    width: int
    height: int
    thumbnail_count: int
    sheet_count: int


class Skipped(Exception):
    """Nothing to make, and nothing wrong: the file is gone, or it has no video."""


class Unreadable(Exception):
    """The file is there but PyAV can't give a single frame of it."""


class Cancelled(Exception):
    """The integration is unloading."""


def sheet_name(index: int) -> str:
    return f"sheet_{index}.jpg"


def scaled_height(width: int, coded_width: int, coded_height: int, sample_aspect: Fraction | None) -> int:
    """Height for `width` keeping the display aspect ratio (anamorphic pixels included), rounded to even."""
    display_width = coded_width * (sample_aspect if sample_aspect and sample_aspect > 0 else 1)
    return max(2, round(width * coded_height / display_width / 2) * 2)


def thumbnail_count(duration_ms: int, interval_ms: int) -> int:
    """Thumbnails at 0, interval, 2 x interval, ... while still inside the file: 25 s at 10 s is 3."""
    return max(1, math.ceil(duration_ms / interval_ms))


def generate(
    path: str, folder: Path, widths: list[int], layout: Layout, stop: threading.Event, duration_hint_ms: int | None
) -> list[Sheets]:
    """Write `folder/<width>/sheet_<n>.jpg` for each width; returns what was written. Blocking.

    Raises Skipped (file gone, no video stream), Unreadable (can't be opened or decoded) or Cancelled. Sheets are
    written to a temporary folder first and replace earlier ones only when complete.
    """
    if not os.path.isfile(path):
        raise Skipped("the file is gone")
    try:
        container = av.open(path, metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as err:
        raise Unreadable(f"can't be opened: {err}") from err
    try:
        return _generate(container, folder, widths, layout, stop, duration_hint_ms)
    except av.FFmpegError as err:
        raise Unreadable(str(err)) from err
    finally:
        container.close()


def _generate(
    container: Any, folder: Path, widths: list[int], layout: Layout, stop: threading.Event, hint_ms: int | None
) -> list[Sheets]:
    stream = next((s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic), None)
    if stream is None:
        raise Skipped("no video stream (audio only)")
    context = stream.codec_context
    if not context.width or not context.height:
        raise Unreadable("the video stream has no picture size")
    duration_ms = _duration_ms(container, stream) or hint_ms
    if not duration_ms or duration_ms <= 0:
        raise Unreadable("unknown duration")
    count = thumbnail_count(duration_ms, layout.interval_ms)
    if count > MAX_THUMBNAILS:
        raise Unreadable(f"implausible duration: {duration_ms / 1000:.0f} s")
    context.skip_frame = "NONKEY"
    context.thread_count = 1  # one core: scans and playback come first
    sizes = [(w, scaled_height(w, context.width, context.height, stream.sample_aspect_ratio)) for w in widths]
    staging = {w: folder / f".{w}.partial" for w in widths}
    for target in staging.values():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
    try:
        writers = [_SheetWriter(staging[w], w, h, layout) for w, h in sizes]
        decoded = 0
        previous: list[Image.Image] | None = None
        previous_frame = None
        for frame in _keyframes(container, stream, count, layout.interval_ms):
            if stop.is_set():
                raise Cancelled
            if frame is not None and frame is not previous_frame:
                previous = [frame.to_image(width=w, height=h, threads=1) for w, h in sizes]
                previous_frame = frame
                decoded += 1
            # No frame here (a damaged stretch, or past the last keyframe): repeat the last one, or black.
            images = previous or [Image.new("RGB", (w, h)) for w, h in sizes]
            for writer, image in zip(writers, images, strict=True):
                writer.add(image)
        if decoded == 0:
            raise Unreadable("no frame could be decoded")
        results = [writer.finish() for writer in writers]
        for w in widths:
            final = folder / str(w)
            shutil.rmtree(final, ignore_errors=True)
            staging[w].replace(final)
        return results
    finally:
        for target in staging.values():
            shutil.rmtree(target, ignore_errors=True)


def _duration_ms(container: Any, stream: Any) -> int | None:
    if container.duration:
        return int(container.duration // 1000)  # AV_TIME_BASE is microseconds
    if stream.duration and stream.time_base:
        return int(stream.duration * stream.time_base * 1000)
    return None


def _keyframes(container: Any, stream: Any, count: int, interval_ms: int) -> Iterator[Any]:
    """One decoded keyframe (or None) per target time. Seeks when it can, else one sequential pass."""
    last: tuple[int, Any] | None = None  # (pts, frame): a keyframe chosen twice is decoded once
    for index in range(count):
        target, earliest = _window(stream, index, interval_ms)
        try:
            container.seek(target, stream=stream, backward=True)
        except av.FFmpegError as err:
            if index:
                raise
            _LOGGER.debug("Can't seek in %s (%s): reading it through", container.name, err)
            yield from _keyframes_in_order(container, stream, count, interval_ms)
            return
        found = None
        for packet in _keyframe_packets(container, stream):
            if index and packet.pts < earliest:
                continue  # more than half an interval early (long GOP, poor index): the next keyframe is nearer
            if last is not None and last[0] == packet.pts:
                found = last[1]
                break
            found = _decode(stream, packet)
            if found is not None:
                last = (packet.pts, found)
                break
        yield found


def _keyframes_in_order(container: Any, stream: Any, count: int, interval_ms: int) -> Iterator[Any]:
    """Without seeking: for each target, the first keyframe at or after it, in one pass over the file."""
    with contextlib.suppress(av.FFmpegError):
        container.seek(0)  # back to the start, if the failed seek moved at all
    index, frame = 0, None
    for packet in _keyframe_packets(container, stream):
        decoded = False
        while index < count and (index == 0 or packet.pts >= _window(stream, index, interval_ms)[0]):
            if not decoded:
                frame, decoded = _decode(stream, packet) or frame, True
            yield frame
            index += 1
        if index >= count:
            return
    for _ in range(count - index):
        yield frame


def _window(stream: Any, index: int, interval_ms: int) -> tuple[int, int]:
    """Target `index` in stream time: (its pts, the earliest keyframe pts that may stand for it)."""
    start = stream.start_time or 0
    target = Fraction(index * interval_ms, 1000)
    return start + int(target / stream.time_base), start + int(
        (target - Fraction(interval_ms, 2000)) / stream.time_base
    )


def _keyframe_packets(container: Any, stream: Any) -> Iterator[Any]:
    for packet in container.demux(stream):
        if packet.pts is not None and packet.is_keyframe:
            yield packet


def _decode(stream: Any, packet: Any) -> Any:
    """The frame of one keyframe packet. Decoders may hold frames back (reordering): drain, then reset."""
    context = stream.codec_context
    try:
        frames = context.decode(packet) or context.decode(None)
    except av.FFmpegError as err:
        _LOGGER.debug("Keyframe at pts %s can't be decoded: %s", packet.pts, err)
        frames = []
    context.flush_buffers()
    return frames[0] if frames else None


class _SheetWriter:
    """Pastes thumbnails left to right, top to bottom; a full sheet is saved and a new one begun. The last sheet
    keeps the full width but only the rows it uses."""

    def __init__(self, folder: Path, width: int, height: int, layout: Layout) -> None:
        self.folder, self.width, self.height, self.layout = folder, width, height, layout
        self.sheet: Image.Image | None = None
        self.in_sheet = 0
        self.total = 0
        self.sheets = 0

    def add(self, image: Image.Image) -> None:
        if self.sheet is None:
            size = (self.layout.tiles_x * self.width, self.layout.tiles_y * self.height)
            self.sheet = Image.new("RGB", size)
        column, row = self.in_sheet % self.layout.tiles_x, self.in_sheet // self.layout.tiles_x
        self.sheet.paste(image, (column * self.width, row * self.height))
        self.in_sheet += 1
        self.total += 1
        if self.in_sheet == self.layout.per_sheet:
            self._save()

    def _save(self) -> None:
        assert self.sheet is not None
        rows = math.ceil(self.in_sheet / self.layout.tiles_x)
        sheet = self.sheet
        if rows < self.layout.tiles_y:
            sheet = sheet.crop((0, 0, sheet.width, rows * self.height))
        sheet.save(self.folder / sheet_name(self.sheets), "JPEG", quality=self.layout.quality)
        self.sheets += 1
        self.sheet, self.in_sheet = None, 0

    def finish(self) -> Sheets:
        if self.in_sheet:
            self._save()
        return Sheets(self.width, self.height, self.total, self.sheets)
