"""Library scan benchmark: cold scan vs raw PyAV probing, no-change rescans, and file-watcher latency.

Lays out N copies of one tiny (a few KB) h264+aac Matroska clip as a movies library,
``OUT/Movie Title NNNNN (YEAR)/Movie Title NNNNN (YEAR).mkv``, every copy a separate file (its own inode). Then:

* raw references: every file probed with ``integrations.probe_pyav.probe.probe``, and with a plain ``av.open`` that
  reads the stream attributes, each on a thread pool as wide as the library's scan pool;
* a headless Hub in-process (the ``library`` service's scanner) on a fresh SQLite database, once the work
  other integrations start in the background (ffmpeg's probe, transcoder detection) is done: the cold scan, a
  no-change rescan, and a rescan after 10 files' mtimes were touched;
* a non-headless Hub (the library's file watcher running, scan_on_start off): wall time from copying one new movie
  folder in to the ``library.scan.finished`` event that reports it added, for two debounce settings.

Files are fresh in the page cache for every phase (they were just written). Prints figures only; nothing is asserted.
Usage: ``scripts/bench/library_scan [--files N] [--watch-runs N] [--debounce MS ...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from common import checked_config, own_cpu_seconds, print_machine, run_ffmpeg, verdict, write_configuration

from core.bus import Event
from core.hub import Hub
from integrations.library.models import Library
from integrations.library.walker import extensions_for, walk
from integrations.probe_pyav.probe import probe

LIBRARY_NAME = "bench"
SCAN_FINISHED = "library.scan.finished"
SCAN_PROGRESS = "library.scan.progress"
TOUCHED = 10
BREAKDOWN_FILES = 300
BUDGET_RESCAN_S = 2.0
BUDGET_COLD_RATIO = 0.7
WATCH_TIMEOUT_S = 60.0
SETTLE_LIMIT_S = 30.0
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)  # the library's own default for `workers`


@dataclass
class Timed:
    label: str
    seconds: float
    count: int
    cpu_s: float = 0.0  # this process's CPU time (all threads) over the same span: less swayed by other load

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s / self.count * 1000 if self.count else 0.0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class WatchRun:
    latency_s: float
    detect_s: float | None  # copy start -> the scan's "walking" progress event
    scan_s: float  # the scan's own `seconds`


@dataclass
class Results:
    files: int = 0
    workers: int = DEFAULT_WORKERS
    layout_s: float = 0.0
    clip_bytes: int = 0
    raw: list[Timed] = field(default_factory=list)
    hub_start_s: float = 0.0
    settle_s: float = 0.0  # waiting for the hub's background start-up work to end, before the cold scan
    cold: Timed | None = None
    cold_report: dict[str, Any] = field(default_factory=dict)
    rescan_s: float = 0.0
    rescan_report: dict[str, Any] = field(default_factory=dict)
    walk_s: float = 0.0
    touched_s: float = 0.0
    touched_report: dict[str, Any] = field(default_factory=dict)
    item_rows: int = 0
    source_rows: int = 0
    db_bytes: int = 0
    hook_ms: dict[str, float] = field(default_factory=dict)
    integrations: list[str] = field(default_factory=list)
    watch: dict[int, list[WatchRun]] = field(default_factory=dict)


# --- media -------------------------------------------------------------------------------------------------------


def make_clip(dest: Path) -> None:
    """0.2 s of 64x36 h264 + mono aac in Matroska: a few KB, and a fully valid file for the probe."""
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=10:duration=0.2",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2",
         "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "32k", "-shortest", str(dest)],
        timeout=120,
    )  # fmt: skip


def movie_name(index: int) -> str:
    return f"Movie Title {index:05d} ({1950 + index % 76})"


def lay_out(clip: Path, out: Path, count: int) -> list[Path]:
    """`count` real copies (separate inodes), one folder per movie."""
    paths = []
    for index in range(count):
        name = movie_name(index)
        folder = out / name
        folder.mkdir(parents=True)
        dest = folder / f"{name}.mkv"
        shutil.copyfile(clip, dest)
        paths.append(dest)
    return paths


# --- raw references ----------------------------------------------------------------------------------------------


def open_and_read(path: str) -> tuple[int | None, list[tuple[str, str | None, int]]]:
    """A minimal probe: open the container, read each stream's type, codec and size/rate, close."""
    with av.open(path, metadata_errors="ignore") as container:
        streams = []
        for stream in container.streams:
            context = stream.codec_context
            if context is None:
                streams.append((stream.type, None, 0))
            elif stream.type == "video":
                streams.append((stream.type, context.name, context.width * context.height))
            else:
                streams.append((stream.type, context.name, getattr(context, "sample_rate", 0) or 0))
        return container.duration, streams


def time_pool(label: str, func: Callable[[str], Any], paths: list[str], workers: int) -> Timed:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(func, paths[: min(50, len(paths))]))  # warm-up: libav init, imports
        started, cpu = time.perf_counter(), time.process_time()
        list(pool.map(func, paths))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Timed(label, elapsed, len(paths), cpu)


# --- Marquee -----------------------------------------------------------------------------------------------------


def write_config(config_dir: Path, library_dir: Path, *, watch: bool, debounce_ms: int | None = None) -> None:
    lines = [
        "logger:",
        "  default: warning",
        "library:",
        "  scan_on_start: false",
        f"  watch: {'true' if watch else 'false'}",
    ]
    if debounce_ms is not None:
        lines.append(f"  watch_debounce_ms: {debounce_ms}")
    lines += [
        "  libraries:",
        f"    - name: {LIBRARY_NAME}",
        "      type: movies",
        "      folders:",
        f"        - {library_dir}",
    ]
    write_configuration(config_dir, lines)


def make_hub(config_dir: Path, *, headless: bool) -> Hub:
    return Hub(checked_config(config_dir), headless=headless)


def library_service(hub: Hub) -> Any:
    service = hub.__dict__.get("library")
    if service is None:
        raise SystemExit(f"the library integration did not load; loaded: {sorted(hub.integrations.loaded())}")
    return service


async def bench_library(service: Any) -> Library:
    library = await service.store.find_by_name(LIBRARY_NAME)
    if library is None:
        raise SystemExit(f"library '{LIBRARY_NAME}' is missing after start")
    return library


def _has_children() -> bool:
    for task in os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ():
        try:
            if Path(f"/proc/self/task/{task}/children").read_text().strip():
                return True
        except OSError:
            continue
    return False


async def wait_quiet(window_s: float = 0.25, quiet_share: float = 0.1, limit_s: float = SETTLE_LIMIT_S) -> float:
    """Wait out the start-up work other integrations leave running in the background (ffmpeg's capability
    probe, transcoder detection, a password-hash warm-up): until this process, children included, has used
    under `quiet_share` of a CPU for two windows in a row with no child process alive. The raw probes ran in a
    quiet process; the cold scan should too. Returns the seconds waited."""
    started = time.perf_counter()
    quiet = 0
    while quiet < 2 and time.perf_counter() - started < limit_s:
        before = own_cpu_seconds()
        await asyncio.sleep(window_s)
        busy = own_cpu_seconds() - before > window_s * quiet_share or _has_children()
        quiet = 0 if busy else quiet + 1
    return time.perf_counter() - started


async def timed_scan(service: Any, library: Library) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    report = await service.scanner.scan(library)
    return time.perf_counter() - started, report.as_dict()


def touch(paths: list[Path]) -> None:
    for path in paths:
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def hook_breakdown(hub: Hub, paths: list[str]) -> dict[str, float]:
    """Mean ms per file of each per-file hook the scanner calls, one thread, on a sample of files."""
    hook = hub.hooks.hook
    calls: dict[str, Callable[[str], Any]] = {
        "probe_file": lambda p: hook.probe_file(path=p),
        "parse_path": lambda p: hook.parse_path(path=p, library_type="movies"),
        "read_local_metadata": lambda p: hook.read_local_metadata(path=p, item_type="movie"),
        "find_local_images": lambda p: hook.find_local_images(path=p, item_type="movie"),
        "find_external_subtitles": lambda p: hook.find_external_subtitles(media_path=p),
    }
    result = {}
    for name, call in calls.items():
        if not hub.hooks.implementers(name):
            result[name] = float("nan")
            continue
        call(paths[0])
        started = time.perf_counter()
        for path in paths:
            call(path)
        result[name] = (time.perf_counter() - started) / len(paths) * 1000
    return result


async def headless_phases(config_dir: Path, library_dir: Path, paths: list[Path], results: Results) -> None:
    write_config(config_dir, library_dir, watch=False)
    hub = make_hub(config_dir, headless=True)
    started = time.perf_counter()
    await hub.start()
    results.hub_start_s = time.perf_counter() - started
    results.settle_s = await wait_quiet()
    try:
        results.integrations = sorted(hub.integrations.loaded())
        service = library_service(hub)
        results.workers = service.scanner.workers
        library = await bench_library(service)
        print(f"  cold scan of {len(paths)} files ...", flush=True)
        cpu = time.process_time()
        seconds, results.cold_report = await timed_scan(service, library)
        results.cold = Timed("marquee cold scan", seconds, len(paths), time.process_time() - cpu)
        print(f"  cold scan: {seconds:.2f} s; no-change rescan ...", flush=True)
        results.rescan_s, results.rescan_report = await timed_scan(service, library)
        started = time.perf_counter()
        await asyncio.to_thread(walk, library.folders, extensions_for(library.type), library.ignore)
        results.walk_s = time.perf_counter() - started
        step = max(1, len(paths) // TOUCHED)
        touch(paths[::step][:TOUCHED])
        results.touched_s, results.touched_report = await timed_scan(service, library)
        results.item_rows = int(await hub.db.fetch_value("SELECT COUNT(*) FROM items") or 0)
        results.source_rows = int(await hub.db.fetch_value("SELECT COUNT(*) FROM media_sources") or 0)
        sample = [str(p) for p in paths[:: max(1, len(paths) // BREAKDOWN_FILES)][:BREAKDOWN_FILES]]
        print(f"  per-hook breakdown on {len(sample)} files ...", flush=True)
        results.hook_ms = await asyncio.to_thread(hook_breakdown, hub, sample)
    finally:
        await hub.stop()
    db = results_db(config_dir)
    results.db_bytes = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) if db.exists() else 0


def results_db(config_dir: Path) -> Path:
    return config_dir / "data" / "marquee.db"


async def wait_ready(hub: Hub, library_dir: Path, service: Any, library: Library, debounce_ms: int) -> None:
    """Touch a non-media file until the watcher's rescan shows up: then the watches are in place."""
    seen = asyncio.Event()
    unsubscribe = hub.bus.listen(SCAN_FINISHED, lambda event: seen.set())
    marker = library_dir / "watch-ready.txt"
    deadline = time.monotonic() + WATCH_TIMEOUT_S
    try:
        while not seen.is_set():
            if time.monotonic() > deadline:
                raise SystemExit(f"the watcher never reacted within {WATCH_TIMEOUT_S:g} s")
            marker.write_text(str(time.time()), encoding="utf-8")
            try:
                await asyncio.wait_for(seen.wait(), timeout=max(1.0, debounce_ms / 1000 + 3.0))
            except TimeoutError:
                continue
    finally:
        unsubscribe()
    await settle(hub, service, library, debounce_ms)


async def settle(hub: Hub, service: Any, library: Library, debounce_ms: int) -> None:
    """Wait out any scan in flight and any change burst still being debounced."""
    while True:
        if service.scanner.is_running(library.id):
            # No await between the check and the subscription: the finish cannot slip in between.
            await hub.bus.wait_for(SCAN_FINISHED, timeout=WATCH_TIMEOUT_S)
        await asyncio.sleep(debounce_ms / 1000 + 0.5)
        if not service.scanner.is_running(library.id):
            return


async def watch_once(hub: Hub, template: Path, target: Path) -> WatchRun:
    walking: list[float] = []

    def on_progress(event: Event) -> None:
        if event.data.get("phase") == "walking" and not walking:
            walking.append(time.perf_counter())

    unsubscribe = hub.bus.listen(SCAN_PROGRESS, on_progress)
    waiter = asyncio.create_task(
        hub.bus.wait_for(SCAN_FINISHED, lambda e: e.data["added"] == 1, timeout=WATCH_TIMEOUT_S)
    )
    await asyncio.sleep(0)  # the waiter subscribes before the copy starts
    try:
        started = time.perf_counter()
        await asyncio.to_thread(shutil.copytree, template, target)
        event = await waiter
        latency = time.perf_counter() - started
    finally:
        unsubscribe()
    detect = walking[0] - started if walking else None
    return WatchRun(latency, detect, float(event.data.get("seconds") or 0.0))


async def watch_phase(
    config_dir: Path, library_dir: Path, clip: Path, debounce_ms: int, runs: int, staging: Path
) -> list[WatchRun]:
    write_config(config_dir, library_dir, watch=True, debounce_ms=debounce_ms)
    hub = make_hub(config_dir, headless=False)
    await hub.start()
    out = []
    try:
        service = library_service(hub)
        library = await bench_library(service)
        await wait_ready(hub, library_dir, service, library, debounce_ms)
        for run in range(runs):
            name = f"Watched Movie {debounce_ms:05d} {run:02d} (2024)"
            template = staging / name
            template.mkdir(parents=True)
            shutil.copyfile(clip, template / f"{name}.mkv")
            try:
                result = await watch_once(hub, template, library_dir / name)
            except TimeoutError:
                raise SystemExit(f"no scan reported the new movie within {WATCH_TIMEOUT_S:g} s") from None
            out.append(result)
            print(f"  debounce {debounce_ms} ms, run {run + 1}/{runs}: {result.latency_s:.3f} s", flush=True)
            await settle(hub, service, library, debounce_ms)
    finally:
        await hub.stop()
    return out


async def marquee_phases(
    work: Path, library_dir: Path, clip: Path, paths: list[Path], args: argparse.Namespace, results: Results
) -> None:
    config_dir = work / "config"
    await headless_phases(config_dir, library_dir, paths, results)
    for debounce in args.debounce:
        print(f"  watcher, debounce {debounce} ms ...", flush=True)
        results.watch[debounce] = await watch_phase(
            config_dir, library_dir, clip, debounce, args.watch_runs, work / "staging"
        )


# --- output ------------------------------------------------------------------------------------------------------


def counts(report: dict[str, Any]) -> str:
    keys = ("added", "updated", "moved", "removed", "failed", "unchanged", "skipped")
    return ", ".join(f"{k} {report.get(k, 0)}" for k in keys)


def print_summary(results: Results) -> None:
    print()
    print(f"Library: {results.files} files of {results.clip_bytes} B, laid out in {results.layout_s:.1f} s")
    print(f"Loaded integrations: {', '.join(results.integrations)}")
    print(f"Scan workers: {results.workers} (thread pool for the walk, the probes and the hooks)")
    print(
        f"Hub start: {results.hub_start_s:.2f} s, then {results.settle_s:.2f} s until its background start-up work "
        "(ffmpeg probe, transcoder detection, ...) was done; the cold scan starts after that"
    )
    print()
    rows: list[tuple[str, str, str]] = []
    probe_rate = 0.0
    for timed in results.raw:
        rows.append(
            (timed.label, f"{timed.seconds:.2f} s", f"{timed.rate:,.0f} files/s, {timed.cpu_ms:.2f} ms CPU/file")
        )
        if timed.label.startswith("raw probe()"):
            probe_rate = timed.rate
    if results.cold is not None:
        ratio = results.cold.rate / probe_rate if probe_rate else float("nan")
        rows.append(
            (
                "marquee cold scan",
                f"{results.cold.seconds:.2f} s",
                f"{results.cold.rate:,.0f} files/s = {ratio:.2f}x raw probe() "
                f"(goal >= {BUDGET_COLD_RATIO}x: {verdict(ratio >= BUDGET_COLD_RATIO, 'MISS')})",
            )
        )
        rows.append(("  cold scan CPU", "", f"{results.cold.cpu_ms:.2f} ms/file (process, all threads)"))
        rows.append(("  cold scan counts", "", counts(results.cold_report)))
        rows.append(
            (
                "no-change rescan",
                f"{results.rescan_s:.3f} s",
                f"goal < {BUDGET_RESCAN_S:g} s: {verdict(results.rescan_s < BUDGET_RESCAN_S, 'MISS')}",
            )
        )
        rows.append(("  rescan counts", "", counts(results.rescan_report)))
        rows.append(("  walk() alone (same tree)", f"{results.walk_s:.3f} s", ""))
        rows.append((f"rescan after touching {TOUCHED} mtimes", f"{results.touched_s:.3f} s", ""))
        rows.append(("  touched-rescan counts", "", counts(results.touched_report)))
        rows.append(
            (
                "database after scans",
                "",
                f"{results.item_rows} items, {results.source_rows} media_sources, "
                f"{results.db_bytes / 1024 / 1024:.1f} MiB (db+wal+shm)",
            )
        )
    for debounce, runs in results.watch.items():
        latencies = [r.latency_s for r in runs]
        detects = [r.detect_s for r in runs if r.detect_s is not None]
        scans = [r.scan_s for r in runs]
        detail = (
            f"min {min(latencies):.3f} / max {max(latencies):.3f} s over {len(runs)} runs; "
            f"to scan start {statistics.median(detects):.3f} s, scan {statistics.median(scans):.3f} s (medians)"
            if detects
            else f"min {min(latencies):.3f} / max {max(latencies):.3f} s over {len(runs)} runs"
        )
        rows.append((f"watcher latency, debounce {debounce} ms", f"{statistics.median(latencies):.3f} s", detail))
    width = max(len(r[0]) for r in rows)
    time_width = max(len(r[1]) for r in rows)
    header = f"{'phase':<{width}}  {'time':>{time_width}}  figures"
    print(header)
    print("-" * max(len(header), 100))
    for label, seconds, figures in rows:
        print(f"{label:<{width}}  {seconds:>{time_width}}  {figures}".rstrip())
    if results.hook_ms:
        print()
        print("Per-file hook cost (one thread, mean over a sample; the scanner runs these in its pool):")
        for name, ms in results.hook_ms.items():
            print(f"  {name:<24} {ms:7.3f} ms/file")
        total = sum(v for v in results.hook_ms.values() if v == v)
        print(f"  {'sum':<24} {total:7.3f} ms/file -> about {1000 / total:,.0f} files/s on one thread")
    failures = results.cold_report.get("failures") or []
    if failures:
        print()
        print(f"Cold scan failures ({len(failures)}), first 5:")
        for failure in failures[:5]:
            print(f"  {failure['path']}: {failure['reason']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=10000, help="movie files in the library (default 10000)")
    parser.add_argument(
        "--workers", type=int, default=None, help="raw-probe pool size (default: the library's own pool size)"
    )
    parser.add_argument("--watch-runs", type=int, default=3, help="watcher measurements per debounce (default 3)")
    parser.add_argument(
        "--debounce", type=int, nargs="*", default=[1500, 200], help="watch_debounce_ms values (default 1500 200)"
    )
    args = parser.parse_args()
    if args.files < TOUCHED:
        parser.error(f"--files must be at least {TOUCHED}")
    if args.watch_runs < 1:
        parser.error("--watch-runs must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    print_machine(f"PyAV: {av.__version__}", python=sys.executable)
    results = Results(files=args.files)
    # The raw references use the scan pool's size; a hub is not up yet, so take the library's default unless told.
    workers = args.workers or DEFAULT_WORKERS
    started_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-scan-") as tmp:
        work = Path(tmp)
        clip = work / "clip.mkv"
        make_clip(clip)
        results.clip_bytes = clip.stat().st_size
        library_dir = work / "movies"
        print(f"Laying out {args.files} movies under {library_dir} ...", flush=True)
        started = time.perf_counter()
        paths = lay_out(clip, library_dir, args.files)
        results.layout_s = time.perf_counter() - started
        names = [str(p) for p in paths]
        print(f"Raw references on {workers} threads ...", flush=True)
        results.raw.append(time_pool(f"raw probe() x{workers} threads", probe, names, workers))
        results.raw.append(time_pool(f"raw av.open+streams x{workers} threads", open_and_read, names, workers))
        print("Marquee ...", flush=True)
        asyncio.run(marquee_phases(work, library_dir, clip, paths, args, results))
    print_summary(results)
    print()
    print(f"Total benchmark wall time: {time.perf_counter() - started_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
