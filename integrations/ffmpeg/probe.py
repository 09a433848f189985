"""Ask an ffmpeg binary what it can do (`-version`, `-encoders`, `-decoders`, `-hwaccels`, `-filters`) and run
short test encodes. Always an argv list through asyncio's subprocess API (never a shell), always with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from plugin_sdk.streaming import FfmpegInfo

PROBE_TIMEOUT = 15.0
TEST_ENCODE_TIMEOUT = 30.0

_VERSION = re.compile(r"^\S+ version (\S+)")
_CODEC_LINE = re.compile(r"^\s*[VASD.][A-Z.]{5}\s+(\S+)\s")
_ADDRESS = re.compile(r"\[([^\]@]+?) @ 0x[0-9a-fA-F]+\]\s*")


class FfmpegProbeError(Exception):
    """The binary did not run or answered something we can't read."""


@dataclass(frozen=True, slots=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


async def run_ffmpeg(argv: Sequence[str], timeout: float) -> Completed:
    """Run `argv` (argv[0] is the binary) with no stdin; kill it when it outlives `timeout` (raises TimeoutError)."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except BaseException:  # timeout or cancellation: don't leave the process behind
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await reap(process)
        raise
    assert process.returncode is not None
    return Completed(process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"))


async def reap(process: asyncio.subprocess.Process) -> None:
    """Wait for a killed process to be reaped, even when cancelled meanwhile (SIGKILL makes it quick): no zombie is
    left behind. A cancellation that arrived while waiting is raised afterwards."""
    waiter = asyncio.ensure_future(process.wait())
    cancelled = False
    while not waiter.done():
        try:
            await asyncio.shield(waiter)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


def parse_version(text: str) -> str:
    """ "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." -> "5.1.9-0+deb12u1"."""
    for line in text.splitlines():
        match = _VERSION.match(line.strip())
        if match:
            return match.group(1)
    raise FfmpegProbeError("`-version` printed no 'ffmpeg version ...' line")


def parse_codecs(text: str) -> frozenset[str]:
    """Names from `-encoders` or `-decoders`: the rows after the "------" line ("V....D libx264 ...")."""
    names: set[str] = set()
    started = False
    for line in text.splitlines():
        if not started:
            started = line.strip().startswith("------")
            continue
        match = _CODEC_LINE.match(line)
        if match:
            names.add(match.group(1))
    return frozenset(names)


def parse_hwaccels(text: str) -> frozenset[str]:
    """Names listed under "Hardware acceleration methods:"."""
    names: set[str] = set()
    started = False
    for line in text.splitlines():
        stripped = line.strip()
        if not started:
            started = stripped.startswith("Hardware acceleration methods")
            continue
        if stripped and re.fullmatch(r"[a-z0-9_]+", stripped):
            names.add(stripped)
    return frozenset(names)


def parse_filters(text: str) -> frozenset[str]:
    """Filter names from `-filters` (" TSC zscale  V->V  Apply resizing..."; 5.x has 3 flag columns, 7+ has 2)."""
    names: set[str] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and "->" in parts[2] and re.fullmatch(r"[TSC.|]{1,4}", parts[0]):
            names.add(parts[1])
    return frozenset(names)


async def probe_ffmpeg(path: str, source: str, timeout: float = PROBE_TIMEOUT) -> FfmpegInfo:
    """Everything FfmpegInfo holds, from five quick runs of the binary (in parallel)."""
    queries = ("-version", "-encoders", "-decoders", "-hwaccels", "-filters")
    tasks = [asyncio.ensure_future(run_ffmpeg([path, "-hide_banner", query], timeout)) for query in queries]
    try:
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:  # stop (and kill) the other runs before reporting
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
    except TimeoutError as err:
        raise FfmpegProbeError(f"{path} did not answer within {timeout:g} s") from err
    except OSError as err:
        raise FfmpegProbeError(f"{path} could not be run: {err}") from err
    for query, result in zip(queries, results, strict=True):
        if result.returncode != 0:
            raise FfmpegProbeError(
                f"`{path} {query}` exited with {result.returncode}: {summarize_error(result.stderr)}"
            )
    version, encoders, decoders, hwaccels, filters = results
    info = FfmpegInfo(
        path=path,
        version=parse_version(version.stdout),
        encoders=parse_codecs(encoders.stdout),
        decoders=parse_codecs(decoders.stdout),
        hwaccels=parse_hwaccels(hwaccels.stdout),
        filters=parse_filters(filters.stdout),
        source=source,
    )
    if not info.encoders or not info.filters:
        raise FfmpegProbeError(f"{path} listed no encoders or no filters; is it really ffmpeg?")
    return info


_PROBED: dict[tuple[str, str, int, int], FfmpegInfo] = {}


async def probe_ffmpeg_cached(path: str, source: str, timeout: float = PROBE_TIMEOUT) -> FfmpegInfo:
    """probe_ffmpeg, remembered for this process while the binary's size and mtime stay the same (a hub restart in
    the same process, tests starting many hubs). Reloading the integration re-imports this module: a fresh probe."""
    stat = await asyncio.to_thread(os.stat, path)
    key = (path, source, stat.st_size, stat.st_mtime_ns)
    info = _PROBED.get(key)
    if info is None:
        info = _PROBED[key] = await probe_ffmpeg(path, source, timeout)
    return info


def summarize_error(stderr: str) -> str:
    """The first line ffmpeg printed (the cause, usually), without the "[h264_nvenc @ 0x55...]" addresses."""
    for line in stderr.splitlines():
        line = _ADDRESS.sub(lambda m: f"{m.group(1)}: ", line).strip()
        if line:
            return line[:300]
    return "no error message"


def trial_source_args(width: int = 320, height: int = 240, seconds: int = 1) -> list[str]:
    """A generated input for test encodes (lavfi testsrc2, 10 fps)."""
    return ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=10", "-t", str(seconds)]


async def trial_encode(ffmpeg: FfmpegInfo, args: Sequence[str], timeout: float = TEST_ENCODE_TIMEOUT) -> str | None:
    """Run a short encode (`args` between the global options and the null output): None when it worked, else why."""
    argv = [ffmpeg.path, "-hide_banner", "-nostdin", "-loglevel", "error", *args, "-f", "null", "-"]
    try:
        result = await run_ffmpeg(argv, timeout)
    except TimeoutError:
        return f"the test encode did not finish within {timeout:g} s"
    except OSError as err:
        return f"ffmpeg could not be run: {err}"
    if result.returncode == 0:
        return None
    return summarize_error(result.stderr)
