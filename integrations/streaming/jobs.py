"""Transcode jobs: one ffmpeg per (source, rendition, audio, subtitle, start segment), shared by everyone asking
for the same thing; started on demand, restarted at a seek, throttled, killed when idle, cleaned up always."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plugin_sdk.streaming import FfmpegInfo, TranscoderBackend

_LOGGER = logging.getLogger(__name__)
EVENT_JOB_PROGRESS = "transcode.progress"
EVENT_JOB_FAILED = "transcode.failed"
EVENT_JOB_FALLBACK = "transcode.fallback"


class JobLimitReached(Exception):
    """Too many transcodes are running; the client should retry shortly."""


class JobFailed(Exception):
    """ffmpeg could not produce the segment; the message carries its last error lines."""


@dataclass(frozen=True, slots=True)
class JobKey:
    source_id: str
    rendition: str
    audio_index: int | None
    subtitle_index: int | None


@dataclass(slots=True)
class Limits:
    max_jobs: int = 4
    idle_seconds: float = 60.0
    segments_ahead: int = 8  # the encoder pauses when this far ahead of the last requested segment
    restart_gap: int = 3  # a request more than this many segments past the encoder starts a new job there
    start_timeout: float = 30.0


@dataclass(eq=False, slots=True)
class Job:
    key: JobKey
    directory: Path
    start_segment: int
    backend: str
    extension: str
    process: asyncio.subprocess.Process | None = None
    requested: int = 0
    last_access: float = field(default_factory=time.monotonic)
    paused: bool = False
    stderr: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    progress: dict[str, str] = field(default_factory=dict)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    viewers: set[str] = field(default_factory=set)  # play sessions reading this job

    def segment_path(self, number: int) -> Path:
        return self.directory / f"seg_{number:05d}.{self.extension}"

    @property
    def init_path(self) -> Path:
        return self.directory / "init.mp4"

    def produced(self) -> int:
        """The highest finished segment number (-1 when none). ffmpeg renames a segment when it is complete."""
        numbers = [int(p.stem[4:]) for p in self.directory.glob(f"seg_*.{self.extension}") if p.stem[4:].isdigit()]
        return max(numbers, default=self.start_segment - 1)

    @property
    def finished(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    def failure(self) -> str:
        return " | ".join(self.stderr) or f"ffmpeg exited with code {self.process.returncode if self.process else '?'}"


class JobManager:
    def __init__(self, root: Path, limits: Limits, fire: Callable[[str, dict[str, Any]], Any]) -> None:
        self.root = root
        self.limits = limits
        self.fire = fire
        self.jobs: list[Job] = []
        self._lock = asyncio.Lock()
        self._reaper: asyncio.Task[None] | None = None
        self._counter = 0

    def start(self) -> None:
        """Clear leftovers of a previous run (a crash leaves segments behind) and start the idle reaper."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._reaper = asyncio.get_running_loop().create_task(self._reap())

    async def shutdown(self) -> None:
        if self._reaper:
            self._reaper.cancel()
        for job in list(self.jobs):
            await self.stop(job)
        shutil.rmtree(self.root, ignore_errors=True)

    async def segment(
        self,
        key: JobKey,
        number: int,
        build: Callable[[TranscoderBackend, FfmpegInfo, Path, int], list[str]],
        backends: list[TranscoderBackend],
        ffmpeg: FfmpegInfo,
        extension: str,
        viewer: str = "",
    ) -> Path:
        """The finished segment `number`, from a job that has it or will have it soon, else a new job there."""
        async with self._lock:
            job = self._covering(key, number)
            if job is None:
                job = await self._launch(key, number, build, backends, ffmpeg, extension)
        job.viewers.add(viewer)
        job.requested = max(job.requested, number)
        job.last_access = time.monotonic()
        self._resume(job)
        return await self._wait(job, job.segment_path(number))

    async def init_segment(self, key: JobKey, number: int, *args: Any, viewer: str = "") -> Path:
        await self.segment(key, number, *args, viewer=viewer)
        job = self._covering(key, number)
        if job is None or not job.init_path.exists():
            raise JobFailed("the transcoder wrote no init segment")
        return job.init_path

    def _covering(self, key: JobKey, number: int) -> Job | None:
        for job in self.jobs:
            failed = job.finished and job.process is not None and job.process.returncode != 0
            reach = job.produced() + self.limits.restart_gap
            if job.key == key and not failed and job.start_segment <= number <= reach:
                return job
        return None

    async def _launch(
        self,
        key: JobKey,
        number: int,
        build: Callable[[TranscoderBackend, FfmpegInfo, Path, int], list[str]],
        backends: list[TranscoderBackend],
        ffmpeg: FfmpegInfo,
        extension: str,
    ) -> Job:
        # A seek: the old job of this stream is no use to anyone who only watched there.
        for old in [j for j in self.jobs if j.key == key]:
            await self.stop(old)
        if len(self.jobs) >= self.limits.max_jobs:
            raise JobLimitReached
        errors: list[str] = []
        for backend in backends:
            self._counter += 1
            directory = self.root / f"job{self._counter:06d}"
            directory.mkdir(parents=True)
            try:
                argv = build(backend, ffmpeg, directory, number)
            except ValueError as err:
                errors.append(f"{backend.name}: {err}")
                shutil.rmtree(directory, ignore_errors=True)
                continue
            job = Job(key, directory, number, backend.name, extension)
            await self._spawn(job, argv)
            await self._first_output(job)
            if job.finished and job.process and job.process.returncode != 0 and not any(directory.iterdir()):
                # It failed before writing anything (a missing device, an encoder that won't open): next backend.
                errors.append(f"{backend.name}: {job.failure()}")
                self.fire(EVENT_JOB_FALLBACK, {"backend": backend.name, "reason": job.failure()})
                shutil.rmtree(directory, ignore_errors=True)
                continue
            self.jobs.append(job)
            return job
        raise JobFailed("no transcoder could start: " + "; ".join(errors))

    async def _spawn(self, job: Job, argv: list[str]) -> None:
        job.process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: a server SIGTERM doesn't race our cleanup
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        job.tasks = [loop.create_task(self._read_progress(job)), loop.create_task(self._read_errors(job))]
        _LOGGER.info(
            "Transcode job %s started with %s at segment %d", job.directory.name, job.backend, job.start_segment
        )

    async def _first_output(self, job: Job) -> None:
        """Wait until the job writes something or exits, so a backend that can't start is caught here."""
        deadline = time.monotonic() + self.limits.start_timeout
        while not job.finished and not any(job.directory.iterdir()) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)  # ffmpeg writes files, it doesn't signal us: polling is the interface
        if job.finished and job.process is not None:
            await job.process.wait()
            for task in job.tasks:  # let the stderr reader catch up with the failure reason
                with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), 1)

    async def _read_progress(self, job: Job) -> None:
        assert job.process and job.process.stdout
        async for raw in job.process.stdout:
            name, _, value = raw.decode(errors="replace").strip().partition("=")
            job.progress[name] = value
            if name == "progress":
                self.fire(EVENT_JOB_PROGRESS, {"job": job.directory.name, "source_id": job.key.source_id,
                                               "rendition": job.key.rendition, **job.progress})  # fmt: skip

    async def _read_errors(self, job: Job) -> None:
        assert job.process and job.process.stderr
        async for raw in job.process.stderr:
            job.stderr.append(raw.decode(errors="replace").strip()[:300])

    async def _wait(self, job: Job, path: Path) -> Path:
        deadline = time.monotonic() + self.limits.start_timeout
        while not path.exists():
            if job.finished:
                if path.exists():
                    break
                await self.stop(job)
                if job.process and job.process.returncode != 0:
                    self.fire(EVENT_JOB_FAILED, {"job": job.directory.name, "reason": job.failure()})
                    raise JobFailed(job.failure())
                raise JobFailed("segment is past the end of the stream")
            if time.monotonic() > deadline:
                raise JobFailed("the transcoder is too slow: no segment within the time limit")
            await asyncio.sleep(0.005)
        return path

    def _resume(self, job: Job) -> None:
        if job.paused and job.process and job.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.process.pid, signal.SIGCONT)
            job.paused = False

    def _throttle(self, job: Job) -> None:
        ahead = job.produced() - job.requested
        if not job.paused and ahead > self.limits.segments_ahead and job.process and job.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.process.pid, signal.SIGSTOP)
            job.paused = True

    async def stop(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        process = job.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 5)
        for task in job.tasks:
            task.cancel()
        shutil.rmtree(job.directory, ignore_errors=True)

    async def leave(self, viewer: str) -> int:
        """A viewer stopped: jobs nobody else reads are stopped; shared ones go on for the others."""
        stopped = 0
        for job in list(self.jobs):
            if viewer in job.viewers:
                job.viewers.discard(viewer)
                if not job.viewers:
                    await self.stop(job)
                    stopped += 1
        return stopped

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for job in list(self.jobs):
                if now - job.last_access > self.limits.idle_seconds:
                    _LOGGER.info("Transcode job %s idle; stopped", job.directory.name)
                    await self.stop(job)
                else:
                    self._throttle(job)
