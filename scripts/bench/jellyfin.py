"""Jellyfin API benchmark: the same library data through the Jellyfin surface and through Marquee's own API.

Builds the 100k-item SQLite library of ``scripts/bench/library_api.py`` (its functions, imported), starts the real
server (``python -m core run``) with auth, playstate and jellyfin loaded, signs in twice (``POST /api/v1/auth/login``
for a Bearer token, ``POST /Users/AuthenticateByName`` for a Jellyfin session token), and keeps ``--connections``
requests in flight for ``--duration`` s per endpoint from a separate asyncio+aiohttp process:

* Jellyfin ``GET /Items?ParentId=<library>&Limit=100&SortBy=SortName&Fields=PrimaryImageAspectRatio,MediaSourceCount``
  next to native ``GET /api/v1/libraries/{id}/items?limit=100``;
* Jellyfin ``GET /Users/{uid}/Items/{id}`` next to native ``GET /api/v1/items/{id}`` (a movie with a media source).

Prints figures and the Jellyfin/native ratios (goal: within 1.3x); nothing is asserted. The load generator shares
the machine's CPUs with the server. Usage: ``scripts/bench/jellyfin [--items N] [--connections N] [--duration S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
GOAL = 1.3
PASSWORD = "bench horse battery staple"
JF_HEADER = 'MediaBrowser Client="Bench", Device="bench", DeviceId="bench-1", Version="1.0"'


def _library_api() -> Any:
    spec = importlib.util.spec_from_file_location("bench_library_api", HERE / "library_api.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


lib = _library_api()


# --- the load generator (its own process) -------------------------------------------------------------------------


async def generate_load(url: str, headers: dict[str, str], connections: int, duration: float,
                        warmup: float) -> dict[str, Any]:  # fmt: skip
    import aiohttp

    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = body_bytes = 0
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        measure_from, end = start + warmup, start + warmup + duration

        async def worker() -> None:
            nonlocal errors, body_bytes
            while (sent := time.perf_counter()) < end:
                try:
                    async with session.get(url, headers=headers) as response:
                        body = await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    errors += time.perf_counter() >= measure_from
                    continue
                done = time.perf_counter()
                if measure_from <= done <= end:  # counted by completion: slow lists still show a rate
                    latencies.append(done - sent)
                    statuses[str(status)] += 1
                    body_bytes = len(body)

        cpu_before = sum(os.times()[:2])
        await asyncio.gather(*(worker() for _ in range(connections)))
        finished = time.perf_counter()
        cpu = sum(os.times()[:2]) - cpu_before
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": duration,
        "errors": errors,
        "statuses": dict(statuses),
        "p50_ms": lib.percentile(latencies, 0.50) * 1000,
        "p90_ms": lib.percentile(latencies, 0.90) * 1000,
        "p99_ms": lib.percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "body_bytes": body_bytes,
        "client_cpu": cpu / (finished - start),
    }


def run_load(name: str, port: int, path: str, headers: dict[str, str], server_pid: int,
             args: argparse.Namespace) -> Any:  # fmt: skip
    argv = [str(PYTHON), str(Path(__file__).resolve()), "--load-client", f"http://{lib.HOST}:{port}{path}",
            "--headers", json.dumps(headers), "--connections", str(args.connections),
            "--duration", str(args.duration), "--warmup", str(args.warmup)]  # fmt: skip
    cpu_before, wall_before = lib.tree_cpu(server_pid), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=args.duration * 4 + 300)
    server_cpu = (lib.tree_cpu(server_pid) - cpu_before) / (time.perf_counter() - wall_before)
    if done.returncode != 0:
        raise SystemExit(f"load generator failed for {name}:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    result = lib.LoadResult(name, path, server_cpu=server_cpu, **data)
    print(f"  {name}: {result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", flush=True)
    return result


# --- the server -----------------------------------------------------------------------------------------------------


def write_config(config_dir: Path, *, access_log: bool, quiet: bool = False) -> None:
    lines = ["library:", "  scan_on_start: false", "  watch: false",
             "auth:", "  access_token_minutes: 240", "  argon2:", "    time_cost: 1", "    memory_kib: 8192",
             "playstate:", "jellyfin:"]  # fmt: skip
    if quiet:
        lines += ["logger:", "  default: warning"]
    if not access_log:
        lines += ["http:", "  access_log: false"]
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def post(port: int, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    import http.client

    conn = http.client.HTTPConnection(lib.HOST, port, timeout=30)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection(lib.HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def serve_and_measure(config_dir: Path, library_id: str, detail_id: str, work: Path,
                      args: argparse.Namespace) -> list[Any]:  # fmt: skip
    port = lib.free_port()
    log = work / "marquee.log"
    argv = [str(PYTHON), "-m", "core", "run", "--config", str(config_dir), "--host", lib.HOST, "--port", str(port)]
    results = []
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            lib.wait_live(proc, port, log)
            status, body = post(port, "/api/v1/auth/first-admin", {"username": "bench", "password": PASSWORD})
            if status != 201:
                raise SystemExit(f"first admin: {status} {body}\n{lib.log_tail(log)}")
            status, body = post(port, "/api/v1/auth/login", {"username": "bench", "password": PASSWORD})
            native = {"Authorization": f"Bearer {body['access_token']}"}
            status, body = post(port, "/Users/AuthenticateByName", {"Username": "bench", "Pw": PASSWORD},
                                {"Authorization": JF_HEADER})  # fmt: skip
            if status != 200:
                raise SystemExit(f"AuthenticateByName: {status} {body}")
            jellyfin = {"Authorization": f'{JF_HEADER}, Token="{body["AccessToken"]}"'}
            user_id = body["User"]["Id"]
            fields = "PrimaryImageAspectRatio,MediaSourceCount"
            pairs = [
                ("list", ("jellyfin /Items ParentId Limit=100", jellyfin,
                          f"/Items?ParentId={library_id}&Limit=100&SortBy=SortName&Fields={fields}"),
                 ("native library items limit=100", native, f"/api/v1/libraries/{library_id}/items?limit=100")),
                ("detail", ("jellyfin /Users/{uid}/Items/{id}", jellyfin, f"/Users/{user_id}/Items/{detail_id}"),
                 ("native /api/v1/items/{id}", native, f"/api/v1/items/{detail_id}")),
            ]  # fmt: skip
            for _, *endpoints in pairs:
                for name, headers, path in endpoints:
                    status, raw = get(port, path, headers)
                    if status != 200:
                        raise SystemExit(f"{name}: {status} {raw[:300]!r}\n{lib.log_tail(log)}")
                    print(f"  {name}: {len(raw):,} B", flush=True)
            for _, *endpoints in pairs:
                for name, headers, path in endpoints:
                    results.append(run_load(name, port, path, headers, proc.pid, args))
        finally:
            lib.terminate(proc)
    return results


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--load-client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--headers", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.load_client:
        result = asyncio.run(generate_load(args.load_client, json.loads(args.headers), args.connections,
                                           args.duration, args.warmup))  # fmt: skip
        print(json.dumps(result))
        return 0
    lib.print_machine()
    print(f"Load: {args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured each")
    print(f"Machine load average before: {_load()} (other work on the machine skews all figures)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-jellyfin-") as tmp:
        work = Path(tmp)
        config_dir = work / "config"
        write_config(config_dir, access_log=not args.no_access_log, quiet=True)
        db_path = asyncio.run(lib.create_schema(config_dir))
        write_config(config_dir, access_log=not args.no_access_log)
        print(f"Building {args.items:,} items ...", flush=True)
        library = lib.build_database(db_path, args.items, lib.SEARCH_WORD)
        with sqlite3.connect(db_path) as conn:
            library_id = conn.execute("SELECT id FROM libraries").fetchone()[0]
        print(f"  {', '.join(f'{v:,} {k}' for k, v in sorted(library.counts.items()))}; {library.build_s:.1f} s")
        results = serve_and_measure(config_dir, library_id, library.detail_id, work, args)
    print()
    lib.print_table(results)
    print()
    print(f"Jellyfin vs native (goal: within {GOAL}x):")
    for jf, native in ((results[0], results[1]), (results[2], results[3])):
        slower = native.rate / jf.rate if jf.rate else float("inf")
        p50 = jf.p50_ms / native.p50_ms if native.p50_ms else float("inf")
        p99 = jf.p99_ms / native.p99_ms if native.p99_ms else float("inf")
        verdict = "PASS" if slower <= GOAL else "OVER"
        print(f"  {jf.name}: throughput {slower:.2f}x slower, p50 {p50:.2f}x, p99 {p99:.2f}x -> {verdict}")
    print(f"Machine load average after: {_load()}")
    print(f"Total wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
