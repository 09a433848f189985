"""Auth benchmark: sign-in cost (Argon2id), token-check overhead on item detail, and player progress reports.

Three parts (``--parts``), every figure printed, nothing asserted:

1. Login cost. With the auth integration's default Argon2id parameters (its CONFIG_SCHEMA), the CPU and wall time
   of one hash and one verify through ``integrations.auth.passwords.Passwords`` in this process (median of
   ``--hash-samples``). When the verify CPU time is outside the 50-100 ms target, a few (time_cost, memory_kib)
   pairs are measured; a published pair (OWASP's) inside the target is recommended, else the one nearest its
   middle. Then, against a real server (``python -m core run``, default Argon2 parameters, login throttling raised
   so failures never lock out), the wall time of ``POST /api/v1/auth/login`` with the right password, a wrong
   password and an unknown username, interleaved and spaced out (median of ``--login-samples`` each): wrong vs
   unknown should be within 10 % (no username oracle).
2. Token-check overhead. The same server holds a one-movie library (a tiny clip made with ffmpeg, scanned on
   start) and a benchmark-only plugin (``<config>/plugins/bench_open``) that serves the library's item detail
   (``get_item`` + ``item_details``) on a public route: no guard, no principal. ``GET /api/v1/items/{id}`` with a
   JWT access token and with a read-only API key, and the public route, are loaded with ``--connections``
   connections for ``--duration`` s each (after ``--warmup`` s), interleaved over ``--rounds`` rounds; the best
   round of each counts (other load on the machine only ever slows a round down). The authenticated route also
   looks up the caller's user data; a second public route does that lookup too (for the admin's user id), which
   separates the guard's own cost from that extra query.
3. Progress reports. A second server with cheap Argon2 parameters (time_cost 1, memory_kib 8192); the admin
   signs in ``--players`` times with distinct device ids (one access token per simulated player), then every
   player ``POST /api/v1/sessions/progress`` once per ``--interval`` s on its own keep-alive connection (paced,
   the realistic rate; a tick that comes while the player's last report is still out is skipped, as a player's
   timer would), and then all players back to back over a pool of ``--pool`` connections (each connection cycles
   through its share of players), for ``--progress-duration`` s each.

Load comes from a separate asyncio + aiohttp process on the same machine: on a small machine it competes with
the server for CPU, so rates are lower bounds for the server alone. 'srv CPU' and 'gen CPU' are CPU s per s of
the server's process tree (over the measured window) and of the generator; 'srv ms/req' is the server's CPU per
answered request. Other processes' CPU use during the run is printed at the end: when it is high, so is the noise.
Usage: ``scripts/bench/auth [--parts 1,2,3] [--connections N] [--duration S] [--players N] [--no-access-log]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from common import (
    HOST,
    MIB,
    LoadResult,
    Server,
    busy_cpu_seconds,
    http_json,
    load_average,
    log_problems,
    log_tail,
    own_cpu_seconds,
    percentile,
    print_load_table,
    print_machine,
    run_ffmpeg,
    run_load_client,
    start_marquee,
    terminate,
    tree_cpu,
    tree_rss,
    verdict,
    write_configuration,
)

ADMIN = {"username": "admin", "password": "correct horse battery"}
UNKNOWN_USER = "nobody-here"
TARGET_CPU_MS = (50.0, 100.0)
BUDGET_TIMING_RATIO = 0.10  # wrong password vs unknown user
BUDGET_OVERHEAD = 0.10  # authenticated vs public item detail
BUDGET_DELIVERED = 0.95  # paced progress: reports done / reports due
LATE_MS = 100.0  # a paced report sent this much after its due time counts as late
TICKS_PER_S = 10_000_000
ITEM_TIMEOUT_S = 60.0
LOGIN_CONCURRENCY = 4
CHEAP_ARGON2 = {"time_cost": 1, "memory_kib": 8192}
# The benchmark's own pairs to try (OWASP's Argon2id minimums first), besides ones sized from the measured cost.
CANDIDATES = [(1, 47104), (2, 19456), (3, 12288), (4, 9216)]

BENCH_MANIFEST = {"domain": "bench_open", "name": "Auth benchmark reference", "version": "1.0.0", "core": ">=0.1,<1.0"}
BENCH_PLUGIN = '''\
"""Benchmark only: the library's item detail on public routes (no guard, no principal)."""

from core.responses import FastJSONResponse
from integrations.library.queries import get_item, item_details


async def async_setup(hub, config):
    async def item(request):
        return FastJSONResponse(await item_details(hub.db, await get_item(hub.db, request.path_params["item_id"])))

    async def item_as(request):
        """The same, plus the user-data lookup that the authenticated route does for its caller."""
        row = await get_item(hub.db, request.path_params["item_id"])
        details = await item_details(hub.db, row)
        found = await hub.hooks.call_first(
            "item_user_data", user_id=request.path_params["user_id"], item_ids=[row["id"]]
        )
        if found:
            details["user_data"] = found.get(row["id"])
        return FastJSONResponse(details)

    hub.http.register_route("/bench/items/{item_id}", item, methods=["GET"], public=True)
    hub.http.register_route("/bench/items/{item_id}/as/{user_id}", item_as, methods=["GET"], public=True)
    return True
'''


@dataclass
class Timing:
    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_ms)


@dataclass
class Candidate:
    time_cost: int
    memory_kib: int
    verify: Timing

    @property
    def in_target(self) -> bool:
        return TARGET_CPU_MS[0] <= self.verify.cpu <= TARGET_CPU_MS[1]


@dataclass
class AuthLoad(LoadResult):
    """A load run; `errors` counts exceptions (refused, reset, timed out) plus non-2xx answers."""

    due: int = 0  # paced only: reports whose due time fell in the measured window
    missed: int = 0  # paced only: of those, skipped because the player's previous report was still out
    late: int = 0  # paced only: of those, sent more than LATE_MS after their due time
    late_p99_ms: float = 0.0


@dataclass
class Report:
    default_argon2: dict[str, int] = field(default_factory=dict)
    hash: Timing = field(default_factory=Timing)
    verify: Timing = field(default_factory=Timing)
    candidates: list[Candidate] = field(default_factory=list)
    logins: dict[str, list[float]] = field(default_factory=dict)
    login_server_cpu_ms: float = 0.0
    detail: list[AuthLoad] = field(default_factory=list)
    player_logins_s: float = 0.0
    player_login_errors: int = 0
    progress: list[AuthLoad] = field(default_factory=list)
    server_notes: list[str] = field(default_factory=list)
    log_problems: dict[str, list[str]] = field(default_factory=dict)


# --- the load generator (runs in its own process) -----------------------------------------------------------------


async def generate_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Closed loop (`interval` null: each connection sends back to back) or paced (each player every `interval` s)."""
    import aiohttp

    players: list[dict[str, Any]] = spec["players"]
    method, url, advance = spec["method"], spec["url"], spec.get("advance")
    connections, interval = spec["connections"], spec.get("interval")
    latencies: list[float] = []
    lateness: list[float] = []
    statuses: Counter[str] = Counter()
    errors = missed = 0
    body_bytes = 0
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        measure_from = start + spec["warmup"]
        end = measure_from + spec["duration"]

        async def send(player: dict[str, Any], seq: int, measured: bool) -> None:
            nonlocal errors, body_bytes
            body = player.get("body")
            if body is not None and advance:
                body = {**body, advance: seq * TICKS_PER_S}
            sent = time.perf_counter()
            try:
                async with session.request(method, url, headers=player["headers"], json=body) as response:
                    data = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError, OSError):
                errors += measured
                return
            if measured:
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[str(status)] += 1
                errors += not 200 <= status < 300
                body_bytes = len(data)

        async def closed(index: int) -> None:
            mine = players[index::connections] or [players[index % len(players)]]
            seq = 0
            while (now := time.perf_counter()) < end:
                await send(mine[seq % len(mine)], seq // len(mine), now >= measure_from)
                seq += 1

        async def paced(player: dict[str, Any], phase: float) -> None:
            """A player's timer: one report per tick; ticks that pass while a report is still out are skipped."""
            nonlocal missed
            due, seq = start + phase, 0
            while due < end:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif -delay >= interval:
                    skipped = int(-delay // interval)
                    missed += sum(1 for k in range(skipped) if measure_from <= due + k * interval < end)
                    due += skipped * interval
                    continue
                measured = due >= measure_from
                if measured:
                    lateness.append((time.perf_counter() - due) * 1000)
                await send(player, seq, measured)
                due, seq = due + interval, seq + 1

        async def server_cpu_window() -> float:
            await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
            before = tree_cpu(spec["server_pid"])
            await asyncio.sleep(max(0.0, end - time.perf_counter()))
            return tree_cpu(spec["server_pid"]) - before

        sampler = asyncio.create_task(server_cpu_window())
        cpu_before = sum(os.times()[:2])
        if interval is None:
            await asyncio.gather(*(closed(i) for i in range(connections)))
        else:
            rng = random.Random(7)
            await asyncio.gather(*(paced(p, rng.uniform(0, interval)) for p in players))
        finished = time.perf_counter()
        cpu = sum(os.times()[:2]) - cpu_before
        server_cpu = await sampler
    lateness.sort()
    return {
        "latencies": [round(v, 3) for v in latencies],
        "seconds": spec["duration"] if interval is not None or finished <= end else finished - measure_from,
        "errors": errors,
        "statuses": dict(statuses),
        "body_bytes": body_bytes,
        "client_cpu": cpu / (finished - start),
        "server_cpu": server_cpu / spec["duration"],
        "server_cpu_ms": server_cpu * 1000,
        "due": len(lateness) + missed,
        "missed": missed,
        "late": sum(1 for v in lateness if v > LATE_MS),
        "late_p99_ms": percentile(lateness, 0.99) if lateness else 0.0,
    }


def client_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(generate_load(spec))))
    return 0


def run_load(name: str, server: Server, spec: dict[str, Any], work: Path) -> AuthLoad:
    spec_path = work / f"load-{time.monotonic_ns()}.json"
    spec_path.write_text(json.dumps({**spec, "server_pid": server.proc.pid}), encoding="utf-8")
    argv = [str(Path(__file__).resolve()), "--load-client", str(spec_path)]
    data = run_load_client(argv, timeout=(spec["warmup"] + spec["duration"]) * 4 + 120, name=name)
    latencies = sorted(data.pop("latencies"))
    result = AuthLoad(name, requests=len(latencies), **data)
    if latencies:
        result.p50_ms, result.p90_ms = percentile(latencies, 0.50), percentile(latencies, 0.90)
        result.p99_ms, result.max_ms = percentile(latencies, 0.99), latencies[-1]
    print(
        f"  {name}: {result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms,"
        f" {result.errors} errors",
        flush=True,
    )
    return result


# --- part 1a: Argon2 in this process -------------------------------------------------------------------------------


def default_argon2() -> dict[str, int]:
    from integrations.auth import CONFIG_SCHEMA

    return dict(CONFIG_SCHEMA({})["argon2"])


def measure(call: Any, samples: int) -> Timing:
    timing = Timing()
    for _ in range(samples):
        cpu, wall = time.process_time(), time.perf_counter()
        call()
        timing.cpu_ms.append((time.process_time() - cpu) * 1000)
        timing.wall_ms.append((time.perf_counter() - wall) * 1000)
    return timing


def measure_argon2(report: Report, samples: int) -> None:
    from integrations.auth.passwords import Passwords

    params = report.default_argon2
    passwords = Passwords(params["time_cost"], params["memory_kib"], params["parallelism"])
    password = ADMIN["password"]
    report.hash = measure(lambda: passwords.hash(password), samples)
    stored = passwords.hash(password)
    if not passwords.verify(stored, password) or passwords.verify(stored, "wrong horse battery"):
        raise SystemExit("Passwords.verify gave the wrong answer")
    report.verify = measure(lambda: passwords.verify(stored, password), samples)


def measure_candidate(time_cost: int, memory_kib: int, parallelism: int, samples: int) -> Candidate:
    from integrations.auth.passwords import Passwords

    passwords = Passwords(time_cost, memory_kib, parallelism)
    stored = passwords.hash(ADMIN["password"])
    return Candidate(time_cost, memory_kib, measure(lambda: passwords.verify(stored, ADMIN["password"]), samples))


def search_parameters(report: Report, samples: int) -> None:
    """Pairs near the middle of the target, sized from the default's measured cost per (pass x MiB)."""
    params = report.default_argon2
    per_unit = report.verify.cpu / (params["time_cost"] * params["memory_kib"])
    middle = sum(TARGET_CPU_MS) / 2
    pairs = list(CANDIDATES)
    for time_cost in (1, 2, 3):
        memory = int(middle / (per_unit * time_cost) // 1024 * 1024)
        pairs.append((time_cost, max(8192, memory)))
    for time_cost, memory in sorted(set(pairs)):
        report.candidates.append(measure_candidate(time_cost, memory, params["parallelism"], samples))


def recommendation(report: Report) -> Candidate | None:
    """A published pair (CANDIDATES) inside the target, the most memory-hard first; else the nearest the middle."""
    inside = [c for c in report.candidates if c.in_target]
    published = [c for c in inside if (c.time_cost, c.memory_kib) in CANDIDATES]
    if published:
        return max(published, key=lambda c: c.memory_kib)
    middle = sum(TARGET_CPU_MS) / 2
    return min(inside, key=lambda c: (abs(c.verify.cpu - middle), -c.memory_kib)) if inside else None


# --- servers --------------------------------------------------------------------------------------------------------


def make_clip(folder: Path) -> Path:
    movie = folder / "Bench Movie (2020)"
    movie.mkdir(parents=True)
    clip = movie / "Bench Movie (2020).mkv"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x36:r=5", "-f", "lavfi", "-i", "sine", "-t", "0.5",
                "-c:v", "libx264", "-c:a", "aac", str(clip)], timeout=60)  # fmt: skip
    return clip


def write_config(
    config_dir: Path, media: Path, *, argon2: dict[str, int] | None, plugin: bool, access_log: bool
) -> None:
    auth: dict[str, Any] = {"login_limits": {"max_attempts": 1000, "ip_max_attempts": 1000}}
    if argon2:
        auth["argon2"] = argon2
    config: dict[str, Any] = {
        "library": {
            "scan_on_start": True,
            "watch": False,
            "libraries": [{"name": "m", "type": "movies", "folders": [str(media)]}],
        },
        "auth": auth,
    }
    if not access_log:
        config["http"] = {"access_log": False}
    if plugin:
        config["bench_open"] = {}
        folder = config_dir / "plugins" / "bench_open"
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps(BENCH_MANIFEST, indent=2) + "\n", encoding="utf-8")
        (folder / "__init__.py").write_text(BENCH_PLUGIN, encoding="utf-8")
    # JSON is YAML: no need for a YAML writer here.
    write_configuration(config_dir, json.dumps(config, indent=2).splitlines())


def expect(status: int, data: Any, wanted: int, what: str, server: Server) -> None:
    if status != wanted:
        raise SystemExit(f"{what}: expected {wanted}, got {status}: {str(data)[:500]}\n{log_tail(server.log)}")


def sign_in(server: Server, device: str) -> dict[str, Any]:
    status, data, _ = http_json(server.port, "POST", "/api/v1/auth/login", {**ADMIN, "device_id": device})
    expect(status, data, 200, "login", server)
    return data


def prepare(server: Server) -> tuple[dict[str, Any], str]:
    """Create the first admin, sign in, wait for the scanned movie; (the login answer, the movie's id)."""
    status, data, _ = http_json(server.port, "POST", "/api/v1/auth/first-admin", ADMIN)
    expect(status, data, 201, "first admin", server)
    session = sign_in(server, "bench-setup")
    token = session["access_token"]
    deadline = time.perf_counter() + ITEM_TIMEOUT_S
    while time.perf_counter() < deadline:
        status, libraries, _ = http_json(server.port, "GET", "/api/v1/libraries", token=token)
        expect(status, libraries, 200, "libraries", server)
        for library in libraries:
            status, page, _ = http_json(server.port, "GET", f"/api/v1/libraries/{library['id']}/items", token=token)
            if status == 200 and page["items"]:
                return session, page["items"][0]["id"]
        time.sleep(0.2)
    raise SystemExit(f"no item appeared within {ITEM_TIMEOUT_S:g} s\n{log_tail(server.log)}")


def stop_server(server: Server, report: Report, label: str) -> None:
    code = terminate(server.proc)
    lines = server.log.read_text(errors="replace").splitlines()
    report.log_problems[label] = log_problems(server.log)
    setup = [line for line in lines if "Set up integration 'auth'" in line or "started in" in line]
    report.server_notes.append(f"{label}: started (first 200) in {server.startup_s:.2f} s; SIGTERM exit {code}")
    report.server_notes += [f"{label}:   {line.split(' ', 2)[-1].strip()}" for line in setup]


# --- part 1b and 2: the default-parameter server ------------------------------------------------------------------


def measure_logins(server: Server, report: Report, samples: int, spacing: float) -> None:
    """Right password, wrong password and unknown user, interleaved so drift hits all three alike."""
    kinds = {
        "right password": {**ADMIN, "device_id": "bench-login"},
        "wrong password": {"username": ADMIN["username"], "password": "wrong horse battery"},
        "unknown user": {"username": UNKNOWN_USER, "password": "wrong horse battery"},
    }
    wanted = {"right password": 200, "wrong password": 401, "unknown user": 401}
    report.logins = {kind: [] for kind in kinds}
    cpu_right = 0.0
    for _ in range(samples):
        for kind, body in kinds.items():
            time.sleep(spacing)
            cpu_before = tree_cpu(server.proc.pid)
            status, data, seconds = http_json(server.port, "POST", "/api/v1/auth/login", body)
            expect(status, data, wanted[kind], f"login ({kind})", server)
            if kind == "right password":
                cpu_right += tree_cpu(server.proc.pid) - cpu_before
            report.logins[kind].append(seconds * 1000)
    report.login_server_cpu_ms = cpu_right / samples * 1000


def measure_detail(server: Server, report: Report, item_id: str, args: argparse.Namespace, work: Path) -> None:
    session = sign_in(server, "bench-load")
    token, user_id = session["access_token"], session["user_id"]
    status, data, _ = http_json(
        server.port, "POST", "/api/v1/api-keys", {"name": "bench", "scope": "read"}, token=token
    )
    expect(status, data, 201, "create API key", server)
    api_key = data["key"]
    targets = [
        ("public (no guard)", f"/bench/items/{item_id}", None),
        ("public + user data", f"/bench/items/{item_id}/as/{user_id}", None),
        ("JWT access token", f"/api/v1/items/{item_id}", token),
        ("API key (read)", f"/api/v1/items/{item_id}", api_key),
    ]
    for name, path, credential in targets:
        status, body, _ = http_json(server.port, "GET", path, token=credential)
        expect(status, body, 200, name, server)
    for round_no in range(args.rounds):
        for name, path, credential in targets:
            label = f"{name} #{round_no + 1}" if args.rounds > 1 else name
            headers = {"Authorization": f"Bearer {credential}"} if credential else {}
            spec = {"method": "GET", "url": f"http://{HOST}:{server.port}{path}", "players": [{"headers": headers}],
                    "connections": args.connections, "duration": args.duration, "warmup": args.warmup}  # fmt: skip
            report.detail.append(run_load(label, server, spec, work))


# --- part 3: the cheap-parameter server -----------------------------------------------------------------------------


async def sign_in_players(port: int, players: int) -> tuple[list[str], int]:
    import aiohttp

    tokens: list[str] = []
    errors = 0
    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=LOGIN_CONCURRENCY)
    async with aiohttp.ClientSession(f"http://{HOST}:{port}", connector=connector) as session:

        async def one(index: int) -> None:
            nonlocal errors
            body = {**ADMIN, "device_id": f"player-{index:04d}", "device_name": f"Bench player {index}"}
            async with gate, session.post("/api/v1/auth/login", json=body) as response:
                data = await response.json()
                if response.status == 200:
                    tokens.append(data["access_token"])
                else:
                    errors += 1

        await asyncio.gather(*(one(i) for i in range(players)))
    return tokens, errors


def measure_progress(server: Server, report: Report, item_id: str, args: argparse.Namespace, work: Path) -> None:
    started = time.perf_counter()
    tokens, report.player_login_errors = asyncio.run(sign_in_players(server.port, args.players))
    report.player_logins_s = time.perf_counter() - started
    print(
        f"  {len(tokens)} players signed in in {report.player_logins_s:.1f} s ({report.player_login_errors} failed)",
        flush=True,
    )
    if not tokens:
        raise SystemExit(f"no player could sign in\n{log_tail(server.log)}")
    players = [{"headers": {"Authorization": f"Bearer {t}"}, "body": {"item_id": item_id}} for t in tokens]
    url = f"http://{HOST}:{server.port}/api/v1/sessions/progress"
    paced = {"method": "POST", "url": url, "players": players, "advance": "position_ticks", "interval": args.interval,
             "connections": len(players), "duration": args.progress_duration, "warmup": 2 * args.interval}  # fmt: skip
    name = f"{len(players)} players, 1 per {args.interval:g} s"
    report.progress.append(run_load(name, server, paced, work))
    flat_out = {**paced, "interval": None, "connections": min(args.pool, len(players)), "warmup": args.warmup}
    name = f"{len(players)} players, back to back, {flat_out['connections']} conns"
    report.progress.append(run_load(name, server, flat_out, work))


# --- output --------------------------------------------------------------------------------------------------------


def target_verdict(cpu_ms: float) -> str:
    low, high = TARGET_CPU_MS
    return "PASS" if low <= cpu_ms <= high else ("OVER" if cpu_ms > high else "UNDER")


def print_loads(results: list[AuthLoad], *, paced: bool = False) -> None:
    print_load_table(results, label="load", per_request=True)
    if paced:
        for r in results:
            if r.due:
                print(
                    f"  {r.name}: {r.due:,} reports due in the window, {r.missed:,} skipped (previous one still"
                    f" out), {r.requests:,} answered; {r.late:,} sent > {LATE_MS:g} ms late"
                    f" (p99 lateness {r.late_p99_ms:.1f} ms)"
                )


def best(results: list[AuthLoad], name: str) -> AuthLoad:
    """The round of one target with the highest rate: interference from other load only ever slows a round down."""
    return max((r for r in results if r.name.split(" #")[0] == name), key=lambda r: r.rate)


def print_part1(report: Report, args: argparse.Namespace) -> list[str]:
    params = report.default_argon2
    print(
        f"1. Login cost: Argon2id defaults time_cost={params['time_cost']} memory_kib={params['memory_kib']}"
        f" parallelism={params['parallelism']} (argon2-cffi {importlib.metadata.version('argon2-cffi')})"
    )
    for name, timing in (("hash", report.hash), ("verify", report.verify)):
        print(
            f"  {name:<6}  CPU median {timing.cpu:7.1f} ms (min {min(timing.cpu_ms):.1f}, max {max(timing.cpu_ms):.1f})"
            f"   wall median {timing.wall:7.1f} ms   n={len(timing.cpu_ms)}"
        )
    goals = [
        f"verify CPU {report.verify.cpu:.1f} ms in {TARGET_CPU_MS[0]:g}-{TARGET_CPU_MS[1]:g} ms:"
        f" {target_verdict(report.verify.cpu)}"
    ]
    if report.candidates:
        print(f"  Other parameters (verify, median of {len(report.candidates[0].verify.cpu_ms)}):")
        print(f"    {'time_cost':>9}  {'memory_kib':>10}  {'MiB':>5}  {'CPU ms':>7}  {'wall ms':>7}  target")
        for c in report.candidates:
            print(
                f"    {c.time_cost:>9}  {c.memory_kib:>10}  {c.memory_kib / 1024:>5.1f}  {c.verify.cpu:>7.1f}"
                f"  {c.verify.wall:>7.1f}  {target_verdict(c.verify.cpu)}"
            )
        best = recommendation(report)
        if best is None:
            print("  Recommendation: none of the pairs tried lands in the target; size memory_kib from the table")
        else:
            print(
                f"  Recommendation: auth: {{argon2: {{time_cost: {best.time_cost},"
                f" memory_kib: {best.memory_kib}, parallelism: {params['parallelism']}}}}}"
                f"  -> {best.verify.cpu:.1f} ms CPU here"
            )
    medians = {kind: statistics.median(values) for kind, values in report.logins.items()}
    n = len(next(iter(report.logins.values())))
    print(
        f"  POST /api/v1/auth/login against the server (default parameters), median of {n} each, interleaved,"
        f" {args.login_spacing:g} s apart, wall:"
    )
    for kind, values in report.logins.items():
        print(f"    {kind:<15} {medians[kind]:7.1f} ms  (min {min(values):.1f}, max {max(values):.1f})")
    print(f"    server CPU per right-password login: {report.login_server_cpu_ms:.1f} ms")
    ratio = medians["wrong password"] / medians["unknown user"]
    fastest = min(report.logins["wrong password"]) / min(report.logins["unknown user"])
    print(f"  wrong password / unknown user: {ratio:.3f} (medians), {fastest:.3f} (fastest of each)")
    goals.append(f"wrong password vs unknown user within {BUDGET_TIMING_RATIO:.0%}: ratio {ratio:.3f}"
                 f" {verdict(abs(ratio - 1) <= BUDGET_TIMING_RATIO)}")  # fmt: skip
    return goals


def print_part2(report: Report, args: argparse.Namespace) -> list[str]:
    print(
        f"2. Item detail GET at {args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s"
        f" measured, {args.rounds} round(s)"
    )
    print_loads(report.detail)
    public, user = best(report.detail, "public (no guard)"), best(report.detail, "public + user data")
    goals = []
    if args.rounds > 1:
        print(f"  (best of {args.rounds} rounds per target)")
    for name in ("JWT access token", "API key (read)"):
        row = best(report.detail, name)
        overhead, guard_only = public.rate / row.rate - 1, user.rate / row.rate - 1
        print(
            f"  {name}: {row.rate:,.0f} req/s vs public {public.rate:,.0f} -> {overhead:+.1%} time per request"
            f" (p50 {row.p50_ms:.1f} vs {public.p50_ms:.1f} ms); the guard alone, vs public + user data"
            f" {user.rate:,.0f} req/s: {guard_only:+.1%} (p50 {user.p50_ms:.1f} ms)"
        )
        cpu_overhead = row.cpu_per_request_ms / public.cpu_per_request_ms - 1
        print(
            f"    server CPU per request {row.cpu_per_request_ms:.2f} ms vs public {public.cpu_per_request_ms:.2f} ms"
            f" ({cpu_overhead:+.1%}) and public + user data {user.cpu_per_request_ms:.2f} ms"
            f" ({row.cpu_per_request_ms / user.cpu_per_request_ms - 1:+.1%})"
        )
        goals.append(f"{name} overhead vs public {overhead:+.1%} < {BUDGET_OVERHEAD:.0%}:"
                     f" {verdict(overhead < BUDGET_OVERHEAD)}  (guard alone {guard_only:+.1%})")  # fmt: skip
    return goals


def print_part3(report: Report, args: argparse.Namespace) -> list[str]:
    print(
        f"3. POST /api/v1/sessions/progress, {args.players} players (one admin, {args.players} devices),"
        f" {args.progress_duration:g} s measured; Argon2 {CHEAP_ARGON2} for the sign-ins"
    )
    print(
        f"  sign-ins: {args.players} in {report.player_logins_s:.1f} s"
        f" ({args.players / report.player_logins_s:,.0f}/s at {LOGIN_CONCURRENCY} concurrent),"
        f" {report.player_login_errors} failed"
    )
    print_loads(report.progress, paced=True)
    paced, flat_out = report.progress
    delivered = paced.requests / paced.due if paced.due else 0.0
    offered = args.players / args.interval
    print(
        f"  paced: {paced.rate:,.0f} reports/s of {offered:,.0f} offered; back to back: {flat_out.rate:,.0f}"
        f" reports/s max ({flat_out.rate / offered:.2f}x the paced load)"
    )
    ok = delivered >= BUDGET_DELIVERED and paced.errors == 0 and paced.late <= paced.due * (1 - BUDGET_DELIVERED)
    return [
        f"{args.players} players at 1 report/{args.interval:g} s sustained (>= {BUDGET_DELIVERED:.0%} answered,"
        f" <= {1 - BUDGET_DELIVERED:.0%} late, no errors): {delivered:.1%} answered, {paced.late:,} late,"
        f" {paced.missed:,} skipped, {paced.errors} errors, p99 {paced.p99_ms:.1f} ms: {verdict(ok)}"
    ]


def print_quiet_check() -> None:
    procs = list(psutil.process_iter(["name"]))
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.cpu_percent(None)  # the first call only starts the measurement
    busy = psutil.cpu_percent(interval=1.0)
    print(f"Machine before the run: {busy:.0f} % CPU busy over 1 s, load average {load_average()}")
    if busy > 25:
        usage = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                usage.append((proc.cpu_percent(None), proc.info["name"]))
        top = ", ".join(f"{name} {percent:.0f} %" for percent, name in sorted(usage, reverse=True)[:3])
        print(f"WARNING: the machine is not idle (top: {top}); the figures below are pessimistic")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hash-samples", type=int, default=10, help="hashes and verifies to time (default 10)")
    parser.add_argument("--login-samples", type=int, default=10, help="server logins of each kind (default 10)")
    parser.add_argument("--login-spacing", type=float, default=0.1, help="pause before each login, s (default 0.1)")
    parser.add_argument("--connections", type=int, default=16, help="item-detail connections (default 16)")
    parser.add_argument("--duration", type=float, default=6.0, help="item-detail measured seconds (default 6)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each load (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four item-detail loads (default 3)")
    parser.add_argument("--players", type=int, default=1000, help="simulated players (default 1000)")
    parser.add_argument("--interval", type=float, default=1.0, help="paced: seconds between reports (default 1)")
    parser.add_argument("--pool", type=int, default=100, help="back-to-back progress connections (default 100)")
    parser.add_argument("--progress-duration", type=float, default=8.0, help="progress measured s (default 8)")
    parser.add_argument("--no-access-log", action="store_true", help="run Marquee with http: access_log: false")
    parser.add_argument(
        "--parts", default="1,2,3", help="which parts to run: 1 login cost, 2 item detail, 3 progress (default 1,2,3)"
    )
    parser.add_argument("--load-client", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        args.parts = {int(part) for part in args.parts.split(",")}
    except ValueError:
        parser.error("--parts takes a comma-separated list of 1, 2 and 3")
    if not args.parts or not args.parts <= {1, 2, 3}:
        parser.error("--parts takes a comma-separated list of 1, 2 and 3")
    if min(args.hash_samples, args.login_samples, args.connections, args.rounds, args.players, args.pool) < 1:
        parser.error("counts must be at least 1")
    if args.duration <= 0 or args.progress_duration <= 0 or args.interval <= 0 or args.warmup < 0:
        parser.error("durations and --interval must be > 0 (--warmup >= 0)")
    return args


def main() -> int:
    args = parse_args()
    if args.load_client:
        return client_main(args.load_client)
    print_machine(f"aiohttp {importlib.metadata.version('aiohttp')} (load generator)", hardware=True)
    print(
        f"NOTE: the load generator shares the machine's {os.cpu_count()} CPUs with the server under test; rates are"
        " lower bounds ('srv CPU' / 'gen CPU' = CPU s per s of the server / the generator)."
    )
    print_quiet_check()
    started_all, busy_before, own_before = time.perf_counter(), busy_cpu_seconds(), own_cpu_seconds()
    report = Report(default_argon2=default_argon2())
    if 1 in args.parts:
        print("Timing Argon2 in this process ...", flush=True)
        measure_argon2(report, args.hash_samples)
        if target_verdict(report.verify.cpu) != "PASS":
            search_parameters(report, max(3, args.hash_samples // 2))
    access_log = not args.no_access_log
    with tempfile.TemporaryDirectory(prefix="marquee-bench-auth-") as tmp:
        work = Path(tmp)
        media = work / "media"
        make_clip(media)
        if args.parts & {1, 2}:
            config = work / "default"
            write_config(config, media, argon2=None, plugin=True, access_log=access_log)
            print("Server with default Argon2 parameters ...", flush=True)
            server = start_marquee(config, work / "default.log")
            try:
                _, item_id = prepare(server)
                if 1 in args.parts:
                    print("  logins ...", flush=True)
                    measure_logins(server, report, args.login_samples, args.login_spacing)
                if 2 in args.parts:
                    measure_detail(server, report, item_id, args, work)
                rss = tree_rss(server.proc.pid)
                report.server_notes.append(f"default server: RSS at the end {rss / MIB:.1f} MiB")
            finally:
                stop_server(server, report, "default server")
        if 3 in args.parts:
            config = work / "cheap"
            write_config(config, media, argon2=CHEAP_ARGON2, plugin=False, access_log=access_log)
            print(f"Server with Argon2 {CHEAP_ARGON2} ...", flush=True)
            server = start_marquee(config, work / "cheap.log")
            try:
                _, item_id = prepare(server)
                measure_progress(server, report, item_id, args, work)
                rss = tree_rss(server.proc.pid)
                report.server_notes.append(f"cheap server: RSS at the end {rss / MIB:.1f} MiB")
            finally:
                stop_server(server, report, "cheap server")
    goals: list[str] = []
    for part, show in ((1, print_part1), (2, print_part2), (3, print_part3)):
        if part in args.parts:
            print()
            goals += show(report, args)
    print()
    access = "on (default)" if access_log else "off"
    print(f"Servers (python -m core run, Hypercorn, access log {access}):")
    for note in report.server_notes:
        print(f"  {note}")
    for label, problems in report.log_problems.items():
        if problems:
            print(f"  {label} log: {len(problems)} warning/error lines; first 10:")
            for line in problems[:10]:
                print(f"    | {line}")
        else:
            print(f"  {label} log: no warnings or errors")
    print()
    print("Goals:")
    for goal in goals:
        print(f"  {goal}")
    print()
    wall = time.perf_counter() - started_all
    others = (busy_cpu_seconds() - busy_before) - (own_cpu_seconds() - own_before)
    print(f"Total benchmark wall time: {wall:.1f} s")
    print(
        f"CPU used by other processes during the run: {max(others, 0.0):.1f} s"
        f" ({max(others, 0.0) / (wall * (os.cpu_count() or 1)):.0%} of the machine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
