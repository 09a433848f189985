"""Jellyfin API benchmark: the same library data through the Jellyfin surface and through Marquee's own API.

Builds the 100k-item SQLite library of ``scripts/bench/library_api.py`` (its builder, imported), starts the real
server (``python -m core run``) with auth, playstate and jellyfin loaded, signs in twice (``POST /api/v1/auth/login``
for a Bearer token, ``POST /Users/AuthenticateByName`` for a Jellyfin session token), and keeps ``--connections``
requests in flight for ``--duration`` s per endpoint from a separate asyncio+aiohttp process:

* Jellyfin ``GET /Items?ParentId=<library>&Limit=100&SortBy=SortName&Fields=PrimaryImageAspectRatio,MediaSourceCount``
  next to native ``GET /api/v1/libraries/{id}/items?limit=100``;
* Jellyfin ``GET /Users/{uid}/Items/{id}`` next to native ``GET /api/v1/items/{id}`` (a movie with a media source).

Each endpoint is measured ``--rounds`` times, the two sides of a pair back to back, each side first in half the
rounds: on this VM a measurement's place in the sequence moved its rate by up to ~20% (three rounds gave the list
1.41x, 1.14x, 1.38x, the Jellyfin side first in the first and the third), so an odd number of rounds favours one
side, and many short rounds follow the machine's drift more closely than a few long ones. The ratios come from
all rounds together (and are shown per round). Prints figures and the Jellyfin/native
ratios (goal: within 1.3x); nothing is asserted. The load generator shares the machine's CPUs with the server.
Usage: ``scripts/bench/jellyfin [--items N] [--connections N] [--duration S] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import (
    HOST,
    MIB,
    LoadResult,
    generate_load,
    http_json,
    http_request,
    load_average,
    log_tail,
    print_load_table,
    print_machine,
    run_load_client,
    start_marquee,
    terminate,
    tree_cpu,
    verdict,
    wait_quiet,
    write_configuration,
)
from library_api import SEARCH_WORD, build_database, create_schema

GOAL = 1.3
PASSWORD = "bench horse battery staple"
JF_HEADER = 'MediaBrowser Client="Bench", Device="bench", DeviceId="bench-1", Version="1.0"'


# --- the load generator (its own process) -------------------------------------------------------------------------


def run_load(name: str, port: int, path: str, headers: dict[str, str], server_pid: int,
             args: argparse.Namespace) -> LoadResult:  # fmt: skip
    argv = [str(Path(__file__).resolve()), "--load-client", f"http://{HOST}:{port}{path}",
            "--headers", json.dumps(headers), "--connections", str(args.connections),
            "--duration", str(args.duration), "--warmup", str(args.warmup)]  # fmt: skip
    cpu_before, wall_before = tree_cpu(server_pid), time.perf_counter()
    data = run_load_client(argv, timeout=args.duration * 4 + 300, name=name)
    server_cpu = (tree_cpu(server_pid) - cpu_before) / (time.perf_counter() - wall_before)
    result = LoadResult(name, path, server_cpu=server_cpu, **data)
    print(f"  {name}: {result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", flush=True)
    return result


def warm_page_cache(path: Path) -> int:
    """Read `path` once (this machine's kernel reclaims idle page cache, so a database built a minute ago may be
    back on disk); its size."""
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(MIB):
            size += len(chunk)
    return size


def merged(runs: list[LoadResult]) -> LoadResult:
    """One endpoint's rounds as one result: requests over seconds, CPU weighted by time, the median round's
    latency percentiles."""
    seconds = sum(r.seconds for r in runs)
    middle = sorted(runs, key=lambda r: r.p50_ms)[len(runs) // 2]
    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(
        runs[0].name, runs[0].path, requests=sum(r.requests for r in runs), seconds=seconds,
        errors=sum(r.errors for r in runs), statuses=statuses, p50_ms=middle.p50_ms, p90_ms=middle.p90_ms,
        p99_ms=middle.p99_ms, max_ms=max(r.max_ms for r in runs), body_bytes=runs[0].body_bytes,
        client_cpu=sum(r.client_cpu * r.seconds for r in runs) / seconds,
        server_cpu=sum(r.server_cpu * r.seconds for r in runs) / seconds,
    )  # fmt: skip


# --- the server -----------------------------------------------------------------------------------------------------


def write_config(config_dir: Path, *, access_log: bool, quiet: bool = False) -> None:
    lines = ["library:", "  scan_on_start: false", "  watch: false",
             "auth:", "  access_token_minutes: 240", "  argon2:", "    time_cost: 1", "    memory_kib: 8192",
             "playstate:", "jellyfin:",
             # The bench's media sources are rows without files: trickplay would walk all 49k of them in the
             # background, logging each missing file, while the endpoints are measured.
             "trickplay:", "  generate_after_scan: false"]  # fmt: skip
    if quiet:
        lines += ["logger:", "  default: warning"]
    if not access_log:
        lines += ["http:", "  access_log: false"]
    write_configuration(config_dir, lines)


def serve_and_measure(config_dir: Path, library_id: str, detail_id: str, work: Path,
                      args: argparse.Namespace) -> list[LoadResult]:  # fmt: skip
    log = work / "marquee.log"
    server = start_marquee(config_dir, log)
    port = server.port
    results = []
    try:
        admin = {"username": "bench", "password": PASSWORD}
        status, body, _ = http_json(port, "POST", "/api/v1/auth/first-admin", admin)
        if status != 201:
            raise SystemExit(f"first admin: {status} {body}\n{log_tail(log)}")
        status, body, _ = http_json(port, "POST", "/api/v1/auth/login", admin)
        native = {"Authorization": f"Bearer {body['access_token']}"}
        status, body, _ = http_json(port, "POST", "/Users/AuthenticateByName", {"Username": "bench", "Pw": PASSWORD},
                                    headers={"Authorization": JF_HEADER})  # fmt: skip
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
                status, raw, _ = http_request(port, "GET", path, headers=headers)
                if status != 200:
                    raise SystemExit(f"{name}: {status} {raw[:300]!r}\n{log_tail(log)}")
                print(f"  {name}: {len(raw):,} B", flush=True)
        # Start-up work in the background (ffmpeg's probe, caches) would otherwise land on whichever endpoint is
        # measured first.
        print(f"  start-up background work done after {wait_quiet(server.pid):.1f} s", flush=True)
        # Rounds, each measuring both sides of a pair back to back, in turns (Jellyfin first, then native first):
        # a disturbance on the machine (another process, the kernel reclaiming page cache) then lands on both
        # sides, not on whichever endpoint happened to run during it.
        for round_number in range(args.rounds):
            print(f"  round {round_number + 1} of {args.rounds}", flush=True)
            for _, *endpoints in pairs:
                for name, headers, path in endpoints if round_number % 2 == 0 else reversed(endpoints):
                    results.append(run_load(name, port, path, headers, server.pid, args))
    finally:
        terminate(server.proc)
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=8, help="measurements of each endpoint (even: each side first "
                        "equally often)")  # fmt: skip
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--load-client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--headers", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.load_client:
        result = asyncio.run(generate_load(args.load_client, json.loads(args.headers), args.connections,
                                           args.duration, args.warmup, by_completion=True))  # fmt: skip
        print(json.dumps(result))
        return 0
    print_machine(f"SQLite: {sqlite3.sqlite_version}")
    print(f"Load: {args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured each")
    print(
        f"Machine load average before: {load_average()} (1 / 5 / 15 min) (other work on the machine skews all figures)"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-jellyfin-") as tmp:
        work = Path(tmp)
        config_dir = work / "config"
        write_config(config_dir, access_log=not args.no_access_log, quiet=True)
        db_path = asyncio.run(create_schema(config_dir))
        write_config(config_dir, access_log=not args.no_access_log)
        print(f"Building {args.items:,} items ...", flush=True)
        library = build_database(db_path, args.items, SEARCH_WORD)
        with sqlite3.connect(db_path) as conn:
            library_id = conn.execute("SELECT id FROM libraries").fetchone()[0]
        print(f"  {', '.join(f'{v:,} {k}' for k, v in sorted(library.counts.items()))}; {library.build_s:.1f} s")
        warmed = warm_page_cache(db_path)
        print(f"  read the {warmed / MIB:,.0f} MiB database once, so no endpoint pays for reading it from disk")
        results = serve_and_measure(config_dir, library_id, library.detail_id, work, args)
    print()
    print_load_table(results)
    names = list(dict.fromkeys(r.name for r in results))
    totals = {name: merged([r for r in results if r.name == name]) for name in names}
    print()
    print(f"All {args.rounds} rounds together (rates over the summed time, the median round's percentiles):")
    print_load_table(list(totals.values()))
    print()
    print(f"Jellyfin vs native (goal: within {GOAL}x):")
    for jf_name, native_name in zip(names[0::2], names[1::2], strict=True):
        jf, native = totals[jf_name], totals[native_name]
        jf_runs = [r for r in results if r.name == jf_name]
        native_runs = [r for r in results if r.name == native_name]
        rounds = [n.rate / j.rate if j.rate else float("inf") for j, n in zip(jf_runs, native_runs, strict=True)]
        slower = native.rate / jf.rate if jf.rate else float("inf")
        cpu = (jf.server_cpu / jf.rate) / (native.server_cpu / native.rate) if jf.rate and native.rate else float("inf")
        print(
            f"  {jf.name}: throughput {slower:.2f}x slower (rounds: {', '.join(f'{r:.2f}' for r in rounds)}), "
            f"server CPU per request {cpu:.2f}x, p50 {jf.p50_ms / native.p50_ms:.2f}x, "
            f"p99 {jf.p99_ms / native.p99_ms:.2f}x -> {verdict(slower <= GOAL)}"
        )
    print(f"Machine load average after: {load_average()} (1 / 5 / 15 min)")
    print(f"Total wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
