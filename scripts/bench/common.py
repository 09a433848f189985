"""Helpers the benchmark scripts in this folder share: ports, server processes, process-tree figures, HTTP, load.

The scripts run as files (``python scripts/bench/x.py``, or the bash wrapper of the same name), so Python puts this
folder first on ``sys.path`` and ``from common import ...`` finds this module. One copy of each helper keeps the
scripts measuring and printing alike; what differed between their copies (timeouts, poll intervals) is a parameter.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
MIB = 1 << 20
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
EXIT_TIMEOUT_S = 30.0
PROBLEM_WORDS = ("WARNING", "ERROR", "CRITICAL", "Traceback")


class BenchError(RuntimeError):
    """The benchmark cannot go on (a server never answered, a load generator failed): fatal, never caught."""


# --- processes --------------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on now: each server gets its own, so runs never collide with each other or the host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def marquee_argv(config_dir: Path, port: int) -> list[str]:
    """``python -m core run`` as a user starts it, with the venv's python, on HOST:port."""
    return [str(PYTHON), "-m", "core", "run", "--config", str(config_dir), "--host", HOST, "--port", str(port)]


@dataclass
class Server:
    """A started server process, live on `port`, writing stdout and stderr to `log`."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    startup_s: float

    @property
    def pid(self) -> int:
        return self.proc.pid


def wait_live(
    proc: subprocess.Popen[bytes],
    port: int,
    log: Path,
    *,
    name: str = "server",
    timeout: float = 60.0,
    poll_s: float = 0.02,
    started: float | None = None,
) -> float:
    """Seconds from `started` (default: now) to the first 200 on /health/live; a crash or a timeout raises with
    the log's tail, since that is where the reason is."""
    started = time.perf_counter() if started is None else started
    while time.perf_counter() - started < timeout:
        if http_status(port, "/health/live", timeout=1.0) == 200:
            return time.perf_counter() - started
        if proc.poll() is not None:
            raise BenchError(f"{name}: exited with code {proc.returncode}:\n{log_tail(log)}")
        time.sleep(poll_s)
    raise BenchError(f"{name}: no 200 on /health/live within {timeout:g} s:\n{log_tail(log)}")


def start_server(
    argv: list[str],
    log: Path,
    port: int,
    *,
    cwd: Path = REPO,
    name: str = "server",
    timeout: float = 60.0,
    poll_s: float = 0.02,
) -> Server:
    """Start `argv` (which listens on `port`) with its output in `log` and wait until it is live; stopped again if
    it never is, so a failed start leaves no process behind."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        startup_s = wait_live(proc, port, log, name=name, timeout=timeout, poll_s=poll_s)
    except BaseException:
        terminate(proc)
        raise
    return Server(proc, port, log, startup_s)


def start_marquee(
    config_dir: Path, log: Path, *, port: int | None = None, timeout: float = 60.0, poll_s: float = 0.02
) -> Server:
    """The real server on `config_dir`, started from the repository root, once it answers /health/live."""
    port = free_port() if port is None else port
    return start_server(marquee_argv(config_dir, port), log, port, name="Marquee", timeout=timeout, poll_s=poll_s)


def terminate(proc: subprocess.Popen[bytes], timeout: float = EXIT_TIMEOUT_S) -> int | None:
    """SIGTERM (the clean shutdown being part of what is measured) and wait; the exit code, or None when it had to
    be killed after `timeout` s."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def log_tail(log: Path, lines: int = 20) -> str:
    """The last lines of a server's log, indented: shown with every failure, since the reason is usually there."""
    text = log.read_text(errors="replace").splitlines() if log.exists() else []
    return "\n".join(f"    | {line}" for line in text[-lines:])


def log_problems(log: Path) -> list[str]:
    """Warning, error and traceback lines of a log: a benchmark figure from a server that logged errors is suspect."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line for line in lines if any(word in line for word in PROBLEM_WORDS)]


def write_configuration(config_dir: Path, lines: list[str]) -> None:
    """configuration.yaml in a (new) config dir, from YAML lines (or JSON's, which is YAML too)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def checked_config(config_dir: Path) -> Any:
    """The validated configuration, for a Hub started in this process; any issue stops the benchmark."""
    from core.config.check import check_configuration

    report = check_configuration(config_dir)
    if report.issues or report.config is None:
        raise SystemExit("configuration rejected:\n" + "\n".join(str(issue) for issue in report.issues))
    return report.config


def run_ffmpeg(args: list[str], timeout: float = 900) -> None:
    """ffmpeg quietly, never reading stdin; its stderr's end in the error when it fails."""
    argv = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
    if done.returncode != 0:
        raise BenchError(f"ffmpeg failed ({done.returncode}): {' '.join(argv)}\n{done.stderr[-2000:]}")


# --- CPU and memory ---------------------------------------------------------------------------------------------------


def tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants: a server's cost includes its workers and ffmpeg jobs."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def tree_rss(pid: int) -> int:
    """RSS of the process plus all its children, in bytes."""
    total = 0
    for proc in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def tree_cpu(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds (user + system) of a process and its live descendants; with `reaped`, also of the children it has
    already waited for (short jobs such as ffmpeg runs that end between two readings)."""
    total = 0.0
    for proc in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
            if reaped and proc.pid == pid:
                total += times.children_user + times.children_system
    return total


def wait_quiet(pid: int, *, window_s: float = 0.25, share: float = 0.05, limit_s: float = 120.0) -> float:
    """Wait until the server's process tree has used under `share` of a CPU for two windows in a row: work it
    starts in the background at start-up (thumbnail queues, ffmpeg's capability probe) must not land in the
    first measured endpoint only. Returns the seconds waited."""
    started = time.perf_counter()
    quiet = 0
    while quiet < 2 and time.perf_counter() - started < limit_s:
        before = tree_cpu(pid, reaped=True)
        time.sleep(window_s)
        quiet = quiet + 1 if tree_cpu(pid, reaped=True) - before < window_s * share else 0
    return time.perf_counter() - started


def busy_cpu_seconds() -> float:
    """Machine-wide busy CPU seconds so far (every process, ours or not): shows how much else ran meanwhile."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def own_cpu_seconds(*, children: bool = True) -> float:
    """CPU seconds of this process (all threads), plus those of its waited-for children unless told otherwise."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    if children:
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += reaped.ru_utime + reaped.ru_stime
    return total


# --- figures and the machine ------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a latency that some request really had); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def verdict(ok: bool, fail: str = "OVER") -> str:
    """PASS, or `fail` (OVER a budget by default): the goals are printed, never asserted."""
    return "PASS" if ok else fail


def load_average() -> str:
    """'1.00, 0.50, 0.25' (1, 5 and 15 min): other work on the machine skews every figure."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "?"


def print_machine(versions: str = "", *, python: Path | str = PYTHON, hardware: bool = False) -> None:
    """What the figures were taken on: CPUs (with `hardware`, the model and memory too), the Python that ran the
    servers, and `versions` (the tools the script depends on) before the platform."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    usable = f", {affinity} usable by this process" if affinity is not None else ""
    machine = ""
    if hardware:
        machine = f" ({cpu_model()}); memory {psutil.virtual_memory().total / MIB / 1024:.1f} GiB"
    print(f"CPUs: {os.cpu_count()} logical{usable}{machine}")
    print(f"Python: {platform.python_version()} ({platform.python_implementation()}) at {python}")
    print(f"{versions}; platform: {platform.platform()}" if versions else f"Platform: {platform.platform()}")


# --- HTTP -------------------------------------------------------------------------------------------------------------


def http_status(port: int, path: str, *, timeout: float = 5.0, headers: dict[str, str] | None = None) -> int | None:
    """Status of one GET, or None if nothing answers (yet): for polling a server that may still be starting."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):  # refused, reset, timed out
        return None
    finally:
        conn.close()


def http_request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, bytes, float]:
    """(status, raw body, wall seconds) of one request on a fresh connection; `body` is sent as JSON, `token` as a
    Bearer token."""
    sent = dict(headers or {})
    if body is not None:
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        return response.status, raw, time.perf_counter() - started
    finally:
        conn.close()


def decode_json(raw: bytes) -> Any:
    """Parsed JSON, None for an empty body, else the text (error pages are not always JSON)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def http_json(port: int, method: str, path: str, body: Any = None, **options: Any) -> tuple[int, Any, float]:
    """http_request (same options) with the answer decoded by decode_json."""
    status, raw, seconds = http_request(port, method, path, body, **options)
    return status, decode_json(raw), seconds


# --- closed-loop GET load (library_api, jellyfin) ---------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one load generator run measured, with the server's CPU over it."""

    name: str
    path: str = ""
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    body_bytes: int = 0
    client_cpu: float = 0.0  # CPU seconds per wall second of the load generator
    server_cpu: float = 0.0  # the same for the server process tree
    server_cpu_ms: float = 0.0  # the server's CPU ms over the measured window, where the generator samples it

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_per_request_ms(self) -> float:
        return self.server_cpu_ms / self.requests if self.requests else float("nan")


async def generate_load(
    url: str,
    headers: dict[str, str],
    connections: int,
    duration: float,
    warmup: float,
    *,
    by_completion: bool = False,
) -> dict[str, Any]:
    """`connections` keep-alive clients sending GETs back to back for `warmup` + `duration` s (runs in a load
    generator process of its own). A request counts by its send time, or with `by_completion` by its completion
    within the window, so that requests slower than the window still show a rate."""
    import aiohttp

    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = body_bytes = 0
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        measure_from = start + warmup
        end = measure_from + duration

        async def worker() -> None:
            nonlocal errors, body_bytes
            while (sent := time.perf_counter()) < end:
                try:
                    async with session.get(url, headers=headers) as response:
                        body = await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    if (time.perf_counter() if by_completion else sent) >= measure_from:
                        errors += 1
                    continue
                done = time.perf_counter()
                if (measure_from <= done <= end) if by_completion else (sent >= measure_from):
                    latencies.append(done - sent)
                    statuses[str(status)] += 1
                    body_bytes = len(body)

        cpu_before = sum(os.times()[:2])
        await asyncio.gather(*(worker() for _ in range(connections)))
        finished = time.perf_counter()
        cpu = sum(os.times()[:2]) - cpu_before
    latencies.sort()
    overrun = not by_completion and finished > end  # the last requests' time counts too
    return {
        "requests": len(latencies),
        "seconds": finished - measure_from if overrun else duration,
        "errors": errors,
        "statuses": dict(statuses),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p90_ms": percentile(latencies, 0.90) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "body_bytes": body_bytes,
        "client_cpu": cpu / (finished - start),
    }


def run_load_client(argv: list[str], timeout: float, name: str = "") -> dict[str, Any]:
    """Run a script's load-generator mode (`argv` after the venv's python) in its own process, so that it does not
    share an event loop or the GIL with the benchmark; the JSON it prints last."""
    done = subprocess.run([str(PYTHON), *argv], capture_output=True, text=True, check=False, timeout=timeout)
    if done.returncode != 0:
        what = f" for {name}" if name else ""
        raise BenchError(f"load generator failed{what} ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_load_table(results: Sequence[LoadResult], *, label: str = "endpoint", per_request: bool = False) -> None:
    """One row per load: rate, latency percentiles, and both sides' CPU (with `per_request`, also the server's CPU
    ms per answered request: the cost a rate alone hides when the generator is the bottleneck)."""
    width = max(len(r.name) for r in results)
    extra = f"  {'srv ms/req':>10}" if per_request else ""
    header = (
        f"{label:<{width}}  {'req/s':>7}  {'p50 ms':>7}  {'p90 ms':>7}  {'p99 ms':>7}  {'max ms':>7}"
        f"  {'bytes':>6}  {'errors':>6}  {'srv CPU':>7}{extra}  {'gen CPU':>7}  statuses"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
        extra = f"  {r.cpu_per_request_ms:>10.2f}" if per_request else ""
        print(
            f"{r.name:<{width}}  {r.rate:>7,.0f}  {r.p50_ms:>7.1f}  {r.p90_ms:>7.1f}  {r.p99_ms:>7.1f}"
            f"  {r.max_ms:>7.1f}  {r.body_bytes:>6}  {r.errors:>6}  {r.server_cpu:>7.2f}{extra}  {r.client_cpu:>7.2f}"
            f"  {statuses}"
        )
