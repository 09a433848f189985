"""Jellyfin API benchmark: the same library data through the Jellyfin surface and through Marquee's own API.

Builds the 100k-item SQLite library of ``scripts/bench/library_api.py`` (its builder, imported), starts the real
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
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import (
    HOST,
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
        # Start-up work in the background (the trickplay queue over the database's sources, ffmpeg's probe)
        # would otherwise land on whichever endpoint is measured first.
        print(f"  start-up background work done after {wait_quiet(server.pid):.1f} s", flush=True)
        for _, *endpoints in pairs:
            for name, headers, path in endpoints:
                results.append(run_load(name, port, path, headers, server.pid, args))
    finally:
        terminate(server.proc)
    return results


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
        results = serve_and_measure(config_dir, library_id, library.detail_id, work, args)
    print()
    print_load_table(results)
    print()
    print(f"Jellyfin vs native (goal: within {GOAL}x):")
    for jf, native in ((results[0], results[1]), (results[2], results[3])):
        slower = native.rate / jf.rate if jf.rate else float("inf")
        p50 = jf.p50_ms / native.p50_ms if native.p50_ms else float("inf")
        p99 = jf.p99_ms / native.p99_ms if native.p99_ms else float("inf")
        print(
            f"  {jf.name}: throughput {slower:.2f}x slower, p50 {p50:.2f}x, p99 {p99:.2f}x -> {verdict(slower <= GOAL)}"
        )
    print(f"Machine load average after: {load_average()} (1 / 5 / 15 min)")
    print(f"Total wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
