"""Startup benchmark: time to first 200 on /health/live, idle RSS and SIGTERM exit code.

Compares three targets, each a single Python process started from scratch with the project's venv python:

* ``marquee``: ``python -m core run`` with a fresh, empty config dir every run (creates configuration.yaml and the db);
* ``marquee (warm data dir)``: the same, reusing one config dir that an unmeasured first run already set up;
* ``reference``: a bare Starlette app with one ``/health/live`` route, served by ``hypercorn.asyncio.serve``.

Prints figures only; nothing is asserted. Usage: ``scripts/bench/startup [--runs N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    EXIT_TIMEOUT_S,
    HOST,
    MIB,
    PYTHON,
    REPO,
    free_port,
    log_tail,
    marquee_argv,
    print_machine,
    terminate,
    tree_rss,
    verdict,
    wait_live,
)

PROBE_PATH = "/health/live"
POLL_INTERVAL_S = 0.005
START_TIMEOUT_S = 30.0
IDLE_S = 2.0
BUDGET_STARTUP_S = 1.0
BUDGET_RSS_MIB = 120.0

REFERENCE_APP = '''\
"""Reference: a bare Starlette app on Hypercorn, one JSON route, clean exit on SIGTERM/SIGINT."""

import asyncio
import signal
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def live(request):
    return JSONResponse({"status": "alive"})


app = Starlette(routes=[Route("/health/live", live, methods=["GET"])])


async def main(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    await serve(app, config, shutdown_trigger=stop.wait)


asyncio.run(main(int(sys.argv[1])))
'''


@dataclass
class RunResult:
    startup_s: float
    rss_bytes: int
    exit_code: int | None  # None: did not exit within EXIT_TIMEOUT_S after SIGTERM (then killed)


@dataclass
class Target:
    name: str
    command: Callable[[int], list[str]]  # port -> argv
    cwd: Path
    results: list[RunResult] = field(default_factory=list)


def run_once(target: Target, log_dir: Path, label: str) -> RunResult:
    port = free_port()
    log = log_dir / f"{label}.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(target.command(port), cwd=target.cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            startup_s = wait_live(
                proc, port, log, name=target.name, timeout=START_TIMEOUT_S, poll_s=POLL_INTERVAL_S, started=started
            )
            time.sleep(IDLE_S)
            rss = tree_rss(proc.pid)
            exit_code = terminate(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if exit_code != 0:
        shown = describe_exit(exit_code)
        print(f"  note: {target.name} did not exit 0 on SIGTERM ({shown}); log tail:\n{log_tail(log, 15)}", flush=True)
    return RunResult(startup_s, rss, exit_code)


def describe_exit(code: int | None) -> str:
    if code is None:
        return f"none: killed after {EXIT_TIMEOUT_S:g} s"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} ({signal.Signals(-code).name})"
    return str(code)


def marquee_command(config_dir: Callable[[], Path]) -> Callable[[int], list[str]]:
    return lambda port: marquee_argv(config_dir(), port)


def make_targets(work: Path) -> list[Target]:
    """The three targets; the warm one's data dir is primed by one unmeasured run."""
    counter = itertools.count()

    def fresh_dir() -> Path:
        path = work / f"fresh-{next(counter)}"
        path.mkdir()
        return path

    warm_dir = work / "warm"
    warm_dir.mkdir()
    app_file = work / "reference_app.py"
    app_file.write_text(REFERENCE_APP)

    fresh = Target("marquee", marquee_command(fresh_dir), REPO)
    warm = Target("marquee (warm data dir)", marquee_command(lambda: warm_dir), REPO)
    reference = Target("reference (starlette+hypercorn)", lambda port: [str(PYTHON), str(app_file), str(port)], work)
    run_once(warm, work, "warm-prime")
    return [fresh, warm, reference]


def mib(value: float) -> float:
    return value / MIB


def print_table(all_targets: list[Target]) -> None:
    width = max(len(t.name) for t in all_targets)
    header = f"{'target':<{width}}  {'min s':>7}  {'median s':>8}  {'max s':>7}  {'idle RSS MiB':>12}  exit codes"
    print(header)
    print("-" * len(header))
    for t in all_targets:
        times = [r.startup_s for r in t.results]
        rss = statistics.median(r.rss_bytes for r in t.results)
        codes = ", ".join(sorted({describe_exit(r.exit_code) for r in t.results}))
        print(
            f"{t.name:<{width}}  {min(times):>7.3f}  {statistics.median(times):>8.3f}  {max(times):>7.3f}"
            f"  {mib(rss):>12.1f}  {codes}"
        )


def print_budgets(all_targets: list[Target]) -> None:
    print()
    print(f"Budgets: < {BUDGET_STARTUP_S:g} s to first 200, < {BUDGET_RSS_MIB:g} MB idle RSS (MB taken as MiB)")
    width = max(len(t.name) for t in all_targets)
    for t in all_targets:
        median_s = statistics.median(r.startup_s for r in t.results)
        max_s = max(r.startup_s for r in t.results)
        rss = mib(statistics.median(r.rss_bytes for r in t.results))
        print(
            f"  {t.name:<{width}}  startup median {median_s:.3f} s {verdict(median_s < BUDGET_STARTUP_S)}"
            f" (max {max_s:.3f} s {verdict(max_s < BUDGET_STARTUP_S)});"
            f"  idle RSS median {rss:.1f} MiB {verdict(rss < BUDGET_RSS_MIB)}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per target (default 5)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    print_machine()
    poll_ms = POLL_INTERVAL_S * 1000
    print(f"Runs per target: {args.runs}; probe GET http://{HOST}:<port>{PROBE_PATH} every {poll_ms:g} ms")
    print(f"RSS read after {IDLE_S:g} s idle (process + children); then SIGTERM and wait for exit")
    print()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-") as tmp:
        all_targets = make_targets(Path(tmp))
        for i in range(args.runs):  # interleave targets so drift on the machine hits all of them alike
            for n, t in enumerate(all_targets):
                t.results.append(run_once(t, Path(tmp), f"target{n}-run{i}"))
            print(f"  round {i + 1}/{args.runs} done", flush=True)
        print()
        print_table(all_targets)
        print_budgets(all_targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
