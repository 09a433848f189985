"""Library API benchmark: item detail, 100-item children list and search on a large SQLite library, under load.

Builds a fresh config dir whose database holds ``--items`` items (default 100,000), written directly with SQL after
one headless Hub start has created the schema: ~1000 series with one season each, episodes under those seasons
(one season with exactly 100), movies, media sources with two streams for ~1000 items, and an ``item_search``
document (name + overview) for every item. Then it starts the real server (``python -m core run``) on each of
``--servers`` in turn (default Hypercorn, the design's server, then granian) and,
from a separate load-generator process (asyncio + aiohttp, keep-alive), keeps ``--connections`` requests in flight
for ``--duration`` s per endpoint after ``--warmup`` s, recording every request's latency:

* ``GET /api/v1/items/{id}``: a movie with a media source, two streams, genres and people;
* ``GET /api/v1/items/{season}/children?limit=100``: the season with exactly 100 episodes (sorted by name);
* ``GET /api/v1/search?q=<word>&limit=20``: a word that is in ~50 items' overviews;
* a bare Starlette app on the same server with one route returning ~2 KB of JSON, measured the same way in the same
  run.

Each endpoint is first measured with one connection for ``--single-duration`` s (service time, no queueing).
The load generator runs on the same machine and shares its CPUs with the server: on a small machine the figures
are lower bounds for the server alone. Prints figures only; nothing is asserted.
Usage: ``scripts/bench/library_api [--items N] [--connections N] [--duration S] [--servers hypercorn,granian]
[--no-access-log]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    HOST,
    MIB,
    PYTHON,
    LoadResult,
    checked_config,
    free_port,
    generate_load,
    http_request,
    log_problems,
    log_tail,
    print_load_table,
    print_machine,
    run_load_client,
    start_marquee,
    start_server,
    terminate,
    tree_cpu,
    tree_rss,
    verdict,
    wait_quiet,
    write_configuration,
)

BUDGET_DETAIL_P99_MS = 10.0
BUDGET_LIST_P99_MS = 25.0
BUDGET_RSS_MIB = 120.0
# Shares trigrams ("per", "uni") with common words, so the search takes its fuzzy path as most real terms do,
# yet no vocabulary word is similar enough to be a hit: the hits are the overviews it is planted in.
SEARCH_WORD = "juniper"
SEARCH_HITS = 50
CHILDREN = 100
WITH_SOURCES = 1000
MAX_SERIES = 1000

_VOCABULARY = """
the a of and to in is it you that he was for on are with as his they be at one have this from or had by hot
word but what some we can out other were all there when up use your how said an each she which do their time if
will way about many then them write would like so these her long make thing see him two has look more day could
go come did number sound no most people my over know water than call first who may down side been now find any
new work part take get place made live where after back little only round man year came show every good me give
our under name very through just form sentence great think say help low line differ turn cause much mean before
move right boy old too same tell does set three want air well also play small end put home read hand port large
spell add even land here must big high such follow act why ask men change went light kind off need house picture
try us again animal point mother world near build self earth father head stand own page should country found answer
school grow study still learn plant cover food sun four between state keep eye never last let thought city tree
cross farm hard start might story saw far sea draw left late run while press close night real life few north open
seem together next white children begin got walk example ease paper group always music those both mark often letter
until mile river car feet care second book carry took science eat room friend began idea fish mountain stop once
base hear horse cut sure watch color face wood main enough plain girl usual young ready above ever red list though
feel talk bird soon body dog family direct pose leave song measure door product black short numeral class wind
question happen complete ship area half rock order fire south problem piece told knew pass since top whole king
space heard best hour better true during hundred five remember step early hold west ground interest reach fast verb
sing listen six table travel less morning ten simple several vowel toward war lay against pattern slow center love
person money serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall
lead cry dark machine note wait plan figure star box noun field rest correct able pound done beauty drive stood
contain front teach week final gave green oh quick develop ocean warm free minute strong special mind behind clear
tail produce fact street inch multiply nothing course stay wheel full force blue object decide surface deep moon
island foot system busy test record boat common gold possible plane stead dry wonder laugh thousand ago ran check
game shape equate miss brought heat snow tire bring yes distant fill east paint language among
"""
WORDS = _VOCABULARY.split()
GENRES = ["Drama", "Comedy", "Thriller", "Action", "Documentary", "Animation", "Romance", "Horror", "Crime"]

REFERENCE_APP = '''\
"""Reference: a bare Starlette app, one route returning ~2 KB of JSON, on the server named by argv[2]."""

import asyncio
import signal
import sys

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

PAYLOAD = {
    "items": [
        {"id": f"{i:032x}", "type": "movie", "name": f"Reference Item {i}", "year": 1990 + i,
         "date_added": 1700000000.0 + i, "runtime_ticks": 72000000000}
        for i in range(14)
    ],
    "total": 14,
    "limit": 20,
    "offset": 0,
}


async def payload(request):
    return JSONResponse(PAYLOAD)


async def live(request):
    return JSONResponse({"status": "alive"})


app = Starlette(routes=[Route("/payload", payload), Route("/health/live", live)])


async def main(port: int, server: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if server == "granian":
        from granian.server.embed import Server

        embedded = Server(app, address="127.0.0.1", port=port, interface="asgi")
        serving = asyncio.create_task(embedded.serve())
        await stop.wait()
        embedded.stop()
        await serving
        return
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    await serve(app, config, shutdown_trigger=stop.wait)


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
'''


@dataclass
class Library:
    """What the benchmark asks for, chosen while the database is built."""

    search_word: str = SEARCH_WORD
    detail_id: str = ""
    parent_id: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    search_planted: int = 0
    build_s: float = 0.0
    db_bytes: int = 0


# --- the load generator (runs in its own process) -----------------------------------------------------------------


def client_main(args: argparse.Namespace) -> int:
    load = generate_load(args.load_client, auth_headers(), args.connections, args.duration, args.warmup)
    result = asyncio.run(load)
    print(json.dumps(result))
    return 0


# --- the database ----------------------------------------------------------------------------------------------------


def write_config(config_dir: Path, *, access_log: bool, quiet: bool = False, server: str = "hypercorn") -> None:
    # The sources are rows without files: trickplay would walk all of them in the background while measuring.
    lines = ["library:", "  scan_on_start: false", "  watch: false", "trickplay:", "  generate_after_scan: false"]
    if quiet:  # only for the schema-creating start in this process
        lines += ["logger:", "  default: warning"]
    lines += ["http:", f"  server: {server}"]
    if not access_log:
        lines += ["  access_log: false"]
    write_configuration(config_dir, lines)


async def create_schema(config_dir: Path) -> Path:
    """One headless start and stop: the migrations create every table."""
    from core.hub import Hub

    config = checked_config(config_dir)
    hub = Hub(config, headless=True)
    await hub.start()
    loaded = sorted(hub.integrations.loaded())
    await hub.stop()
    if "library" not in loaded:
        raise SystemExit(f"the library integration did not load; loaded: {loaded}")
    return config.data_dir / "marquee.db"


def check_search_word(term: str) -> list[str]:
    """Vocabulary words that the trigram scorer would take for the search word (they would inflate its hits)."""
    from integrations.library.search import SIMILARITY, similarity

    return [word for word in WORDS if similarity(term, word) >= SIMILARITY]


class Builder:
    def __init__(self, conn: sqlite3.Connection, library_id: str, rng: random.Random) -> None:
        self.conn, self.library_id, self.rng = conn, library_id, rng
        self.now = time.time()
        self.items: list[tuple[Any, ...]] = []
        self.search: list[tuple[str, str]] = []
        self.counts: Counter[str] = Counter()

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def title(self) -> str:
        return " ".join(w.capitalize() for w in self.words(2, 4).split())

    def item(
        self,
        kind: str,
        key: str,
        name: str,
        *,
        parent: str | None = None,
        sort: str | None = None,
        year: int | None = None,
        index: int | None = None,
        parent_index: int | None = None,
        overview: str | None = None,
    ) -> str:
        item_id = uuid.uuid4().hex
        overview = overview if overview is not None else self.words(15, 30).capitalize() + "."
        added = self.now - self.rng.uniform(0, 3 * 365 * 86400)
        sort_name = sort or name.casefold().removeprefix("the ").removeprefix("a ")
        runtime = self.rng.randint(20, 150) * 60 * 10_000_000 if kind in ("movie", "episode") else None
        self.items.append(
            (item_id, self.library_id, parent, kind, key, name, sort_name, overview, year, index, parent_index,
             runtime, added, added)
        )  # fmt: skip
        self.search.append((item_id, f"{name} \n{overview}"))
        self.counts[kind] += 1
        return item_id

    def flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO items (id, library_id, parent_id, type, natural_key, name, sort_name, overview, year, "
            "index_number, parent_index_number, runtime_ticks, date_added, date_modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.items,
        )
        self.conn.executemany("INSERT INTO item_search (item_id, document) VALUES (?, ?)", self.search)
        self.items.clear()
        self.search.clear()


def plan(total: int) -> tuple[int, list[int], int]:
    """(series, episodes per season, movies): one season gets exactly CHILDREN episodes."""
    series = max(1, min(MAX_SERIES, total // 100))
    rest = max(0, total - 2 * series)
    episodes = rest // 2
    per_season = [0] * series
    first = min(CHILDREN, episodes)
    per_season[0] = first
    others = episodes - first
    if series == 1:
        others = 0  # keep the benchmarked season at exactly CHILDREN: the rest become movies
    for n in range(others):
        per_season[1 + n % (series - 1)] += 1
    movies = total - 2 * series - sum(per_season)
    return series, per_season, movies


def build_database(db_path: Path, total: int, search_word: str, seed: int = 20240315) -> Library:
    rng = random.Random(seed)
    started = time.perf_counter()
    result = Library(search_word=search_word)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN")
        library_id = uuid.uuid4().hex
        conn.execute(
            "INSERT INTO libraries (id, name, type, folders, ignore_patterns, scan_interval_minutes, source, "
            "created_at, last_scan_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            (library_id, "bench", "mixed", json.dumps(["/tmp"]), "[]", "api", time.time(), time.time()),
        )
        builder = Builder(conn, library_id, rng)
        series, per_season, movies = plan(total)
        for s in range(series):
            name = builder.title()
            series_id = builder.item("series", f"series:{s}", name, year=rng.randint(1960, 2024))
            season_id = builder.item(
                "season", f"season:{s}:1", "Season 1", parent=series_id, sort="000000001", index=1, overview=""
            )
            if s == 0:
                result.parent_id = season_id
            for e in range(1, per_season[s] + 1):
                builder.item(
                    "episode", f"episode:{s}:1:{e}", builder.title(), parent=season_id, sort=f"0001{e:05d}",
                    index=e, parent_index=1,
                )  # fmt: skip
            if len(builder.items) > 5000:
                builder.flush()
        planted = set(rng.sample(range(movies), min(SEARCH_HITS, movies)))
        movie_ids = []
        for m in range(movies):
            overview = builder.words(15, 30).capitalize() + "."
            if m in planted:
                overview = overview[:-1] + f" with {search_word}."
            movie_ids.append(
                builder.item("movie", f"movie:{m}", builder.title(), year=1950 + m % 76, overview=overview)
            )
            if len(builder.items) > 5000:
                builder.flush()
        builder.flush()
        result.search_planted = len(planted)
        add_media(conn, library_id, movie_ids[:WITH_SOURCES], rng)
        result.detail_id = movie_ids[0] if movie_ids else result.parent_id
        result.counts = builder.counts
        conn.execute("COMMIT")
    finally:
        conn.close()
    result.build_s = time.perf_counter() - started
    result.db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    return result


def add_media(conn: sqlite3.Connection, library_id: str, item_ids: list[str], rng: random.Random) -> None:
    """A media source with a video and an audio stream, two genres and three people for each of these items."""
    people = [(uuid.uuid4().hex, f"Person {n:04d}") for n in range(max(10, len(item_ids) * 2))]
    conn.executemany("INSERT INTO people (id, name) VALUES (?, ?)", people)
    sources, streams, values, credits = [], [], [], []
    for n, item_id in enumerate(item_ids):
        source_id = uuid.uuid4().hex
        path = f"/tmp/movies/Movie {n:05d}/Movie {n:05d}.mkv"
        duration = rng.randint(80, 150) * 60 * 10_000_000
        sources.append(
            (source_id, library_id, item_id, path, rng.randint(10**9, 10**10), time.time_ns(), 1000 + n, 2049,
             "matroska,webm", duration, rng.randint(2_000_000, 20_000_000), None, "{}", "ok", None, time.time())
        )  # fmt: skip
        video = {
            "index": 0, "type": "video", "codec": "h264", "profile": "High", "level": 41, "width": 1920,
            "height": 1080, "frame_rate": 23.976, "bit_depth": 8, "pixel_format": "yuv420p",
            "color_transfer": None, "hdr": "SDR", "language": None, "is_default": True, "is_forced": False,
        }  # fmt: skip
        audio = {
            "index": 1, "type": "audio", "codec": "aac", "profile": "LC", "channels": 6, "channel_layout": "5.1",
            "sample_rate": 48000, "language": "eng", "title": None, "is_default": True, "is_forced": False,
        }  # fmt: skip
        streams.append((source_id, 0, "video", "h264", None, json.dumps(video)))
        streams.append((source_id, 1, "audio", "aac", "eng", json.dumps(audio)))
        for genre in rng.sample(GENRES, 2):
            values.append((item_id, "genre", genre))
        for position, (person_id, _) in enumerate(rng.sample(people, 3)):
            credits.append((item_id, position, person_id, "Actor", f"Role {position}"))
    conn.executemany(
        "INSERT INTO media_sources (id, library_id, item_id, path, size, mtime_ns, inode, device, container, "
        "duration_ticks, bitrate, version_label, tags, status, error, probed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        sources,
    )
    conn.executemany(
        "INSERT INTO media_streams (source_id, position, type, codec, language, data) VALUES (?, ?, ?, ?, ?, ?)",
        streams,
    )
    conn.executemany("INSERT INTO item_values (item_id, kind, value) VALUES (?, ?, ?)", values)
    conn.executemany(
        "INSERT INTO item_people (item_id, position, person_id, kind, role) VALUES (?, ?, ?, ?, ?)", credits
    )


# --- servers -------------------------------------------------------------------------------------------------------


AUTH_ENV = "MARQUEE_BENCH_AUTHORIZATION"  # the load-generator processes inherit the sign-in through this


def auth_headers() -> dict[str, str]:
    value = os.environ.get(AUTH_ENV)
    return {"Authorization": value} if value else {}


def sign_in(port: int) -> None:
    """Every item route needs credentials: create the first admin, sign in, and share the token."""
    body = {"username": "bench", "password": "bench-password-1"}
    http_request(port, "POST", "/api/v1/auth/first-admin", body)
    status, answer, _ = http_request(port, "POST", "/api/v1/auth/login", body)
    if status != 200:
        raise SystemExit(f"sign-in failed: {status} {answer[:200]!r}")
    os.environ[AUTH_ENV] = "Bearer " + json.loads(answer)["access_token"]


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """A GET with the shared sign-in: (status, body)."""
    status, body, _ = http_request(port, "GET", path, headers=auth_headers(), timeout=timeout)
    return status, body


def run_load(
    name: str, port: int, path: str, server_pid: int, args: argparse.Namespace, *, single: bool = False
) -> LoadResult:
    url = f"http://{HOST}:{port}{path}"
    connections, duration, warmup = (
        (1, args.single_duration, 0.5) if single else (args.connections, args.duration, args.warmup)
    )
    argv = [str(Path(__file__).resolve()), "--load-client", url]
    argv += ["--connections", str(connections), "--duration", str(duration), "--warmup", str(warmup)]
    cpu_before, wall_before = tree_cpu(server_pid), time.perf_counter()
    data = run_load_client(argv, timeout=duration * 4 + 300, name=name)
    server_cpu = (tree_cpu(server_pid) - cpu_before) / (time.perf_counter() - wall_before)
    result = LoadResult(f"{name} [1 conn]" if single else name, path, server_cpu=server_cpu, **data)
    print(f"  {name}: {result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", flush=True)
    return result


@dataclass
class Served:
    startup_s: float = 0.0
    idle_rss: int = 0
    loaded_rss: int = 0
    exit_code: int | None = 0
    results: list[LoadResult] = field(default_factory=list)
    single: list[LoadResult] = field(default_factory=list)
    log_problems: list[str] = field(default_factory=list)
    access_lines: int = 0


def marquee_run(config_dir: Path, library: Library, work: Path, args: argparse.Namespace, server: str) -> Served:
    log = work / f"marquee-{server}.log"
    running = start_marquee(config_dir, log)
    served = Served(startup_s=running.startup_s)
    port = running.port
    try:
        sign_in(port)
        time.sleep(args.idle)
        served.idle_rss = tree_rss(running.pid)
        waited = wait_quiet(running.pid)
        print(f"  {server}: start-up background work done after {waited:.1f} s more", flush=True)
        endpoints = [
            (f"item detail [{server}]", f"/api/v1/items/{library.detail_id}"),
            (f"children limit={CHILDREN} [{server}]", f"/api/v1/items/{library.parent_id}/children?limit={CHILDREN}"),
            (f"search limit=20 [{server}]", f"/api/v1/search?q={library.search_word}&limit=20"),
        ]
        for name, path in endpoints:
            status, body = get(port, path, timeout=30)
            if status != 200:
                raise SystemExit(f"{name}: GET {path} answered {status}: {body[:500]!r}\n{log_tail(log)}")
            describe_response(name, body)
        if args.single_duration > 0:  # first, on a fresh server: a search burst leaves a bigger, slower heap
            for name, path in endpoints:
                served.single.append(run_load(name, port, path, running.pid, args, single=True))
        for name, path in endpoints:
            served.results.append(run_load(name, port, path, running.pid, args))
        served.loaded_rss = tree_rss(running.pid)
    finally:
        served.exit_code = terminate(running.proc)
    served.access_lines = sum(1 for line in log.read_text(errors="replace").splitlines() if '"GET /' in line)
    served.log_problems = log_problems(log)
    return served


def describe_response(name: str, body: bytes) -> None:
    data = json.loads(body)
    if "items" in data:
        print(f"  {name}: {len(body):,} B, {len(data['items'])} items of total {data['total']}", flush=True)
    else:
        sources = data.get("media_sources") or []
        streams = sum(len(s.get("streams") or []) for s in sources)
        print(f"  {name}: {len(body):,} B, {len(sources)} media source(s), {streams} streams", flush=True)


def reference_run(work: Path, args: argparse.Namespace, server: str) -> Served:
    app = work / "reference_app.py"
    app.write_text(REFERENCE_APP, encoding="utf-8")
    port = free_port()
    log = work / f"reference-{server}.log"
    name = f"reference ~2 KB JSON [{server}]"
    running = start_server([str(PYTHON), str(app), str(port), server], log, port, cwd=work, name="reference")
    served = Served(startup_s=running.startup_s)
    try:
        time.sleep(args.idle)
        served.idle_rss = tree_rss(running.pid)
        status, body = get(port, "/payload")
        print(f"  reference: {len(body):,} B of JSON (status {status})", flush=True)
        if args.single_duration > 0:
            served.single.append(run_load(name, port, "/payload", running.pid, args, single=True))
        served.results.append(run_load(name, port, "/payload", running.pid, args))
        served.loaded_rss = tree_rss(running.pid)
    finally:
        served.exit_code = terminate(running.proc)
    return served


# --- output --------------------------------------------------------------------------------------------------------


def print_budgets(marquee: Served, connections: int, server: str) -> None:
    by_name = {r.name.split()[0]: r for r in marquee.results}
    rss = marquee.idle_rss / MIB
    detail, children = by_name["item"], by_name["children"]
    print(f"Budgets on {server} (at {connections} connections; MB taken as MiB):")
    print(
        f"  item detail p99 {detail.p99_ms:.1f} ms < {BUDGET_DETAIL_P99_MS:g} ms:"
        f" {verdict(detail.p99_ms < BUDGET_DETAIL_P99_MS)}"
    )
    print(
        f"  {CHILDREN}-item list p99 {children.p99_ms:.1f} ms < {BUDGET_LIST_P99_MS:g} ms:"
        f" {verdict(children.p99_ms < BUDGET_LIST_P99_MS)}"
    )
    print(f"  idle RSS {rss:.1f} MiB < {BUDGET_RSS_MIB:g} MB: {verdict(rss < BUDGET_RSS_MIB)}")
    # Little's law: with `connections` requests always in flight, mean latency = connections / throughput.
    for result, budget in ((detail, BUDGET_DETAIL_P99_MS), (children, BUDGET_LIST_P99_MS)):
        needed = connections / (budget / 1000)
        print(
            f"  {result.name}: a mean under {budget:g} ms at {connections} connections needs > {needed:,.0f} req/s"
            f" (measured {result.rate:,.0f} req/s)"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000, help="items in the database (default 100000)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per endpoint (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each (default 1)")
    parser.add_argument("--idle", type=float, default=3.0, help="idle seconds before reading RSS (default 3)")
    parser.add_argument(
        "--no-access-log", action="store_true", help="run Marquee with http: access_log: false (default: on)"
    )
    parser.add_argument(
        "--search-word", default=SEARCH_WORD, help=f"word planted in ~50 overviews and searched (default {SEARCH_WORD})"
    )
    parser.add_argument(
        "--single-duration",
        type=float,
        default=2.0,
        help="also measure each endpoint with 1 connection for this many seconds (default 2; 0: skip)",
    )
    parser.add_argument(
        "--servers",
        type=lambda text: text.split(","),
        default=["hypercorn", "granian"],
        help="ASGI servers to run Marquee and the reference on, in turn (default hypercorn,granian)",
    )
    parser.add_argument("--load-client", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_client is None and not set(args.servers) <= {"hypercorn", "granian"}:
        parser.error("--servers takes hypercorn and/or granian")
    if args.load_client is None and args.items < 3 * CHILDREN:
        parser.error(f"--items must be at least {3 * CHILDREN}")
    if args.connections < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--connections must be >= 1, --duration > 0 and --warmup >= 0")
    return args


def main() -> int:
    args = parse_args()
    if args.load_client:
        return client_main(args)
    print_machine(f"SQLite: {sqlite3.sqlite_version}")
    print(
        f"Load: {args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured per endpoint,"
        " from one asyncio+aiohttp process"
    )
    print(
        f"NOTE: the load generator shares the machine's {os.cpu_count()} CPUs with the server under test; latencies"
        " include its own queueing ('gen CPU' = its CPU s per s, 'srv CPU' = the server's)."
    )
    similar = check_search_word(args.search_word)
    if similar:
        print(f"note: vocabulary words similar to '{args.search_word}' (extra search hits): {', '.join(similar)}")
    started_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-api-") as tmp:
        work = Path(tmp)
        config_dir = work / "config"
        write_config(config_dir, access_log=not args.no_access_log, quiet=True)
        db_path = asyncio.run(create_schema(config_dir))
        write_config(config_dir, access_log=not args.no_access_log)
        print(f"Building {args.items:,} items in {db_path} ...", flush=True)
        library = build_database(db_path, args.items, args.search_word)
        kinds = ", ".join(f"{v:,} {k}" for k, v in sorted(library.counts.items()))
        print(
            f"  {kinds}; {min(WITH_SOURCES, library.counts['movie'])} with media sources;"
            f" '{library.search_word}' planted in {library.search_planted} overviews;"
            f" {library.build_s:.1f} s, {library.db_bytes / MIB:.1f} MiB",
            flush=True,
        )
        access = "off" if args.no_access_log else "on (default)"
        runs: list[tuple[str, Served, Served]] = []
        for server in args.servers:
            write_config(config_dir, access_log=not args.no_access_log, server=server)
            print(f"Marquee (python -m core run, {server}, access log {access}) ...", flush=True)
            marquee = marquee_run(config_dir, library, work, args, server)
            print(f"Reference (bare Starlette on {server}) ...", flush=True)
            runs.append((server, marquee, reference_run(work, args, server)))
    print()
    print(f"At {args.connections} connections:")
    print_load_table([r for _, marquee, reference in runs for r in (*marquee.results, *reference.results)])
    singles = [r for _, marquee, reference in runs for r in (*marquee.single, *reference.single)]
    if singles:
        print()
        print("At 1 connection (service time without queueing):")
        print_load_table(singles)
    for server, marquee, reference in runs:
        print()
        print(
            f"Marquee on {server}: started in {marquee.startup_s:.2f} s; idle RSS {marquee.idle_rss / MIB:.1f} MiB"
            f" (after {args.idle:g} s idle), {marquee.loaded_rss / MIB:.1f} MiB after the load;"
            f" SIGTERM exit {marquee.exit_code}; {marquee.access_lines:,} access-log lines"
        )
        print(
            f"Reference on {server}: started in {reference.startup_s:.2f} s; idle RSS"
            f" {reference.idle_rss / MIB:.1f} MiB, {reference.loaded_rss / MIB:.1f} MiB after the load;"
            f" SIGTERM exit {reference.exit_code}"
        )
        if marquee.log_problems:
            print(f"Marquee log: {len(marquee.log_problems)} warning/error lines; first 10:")
            for line in marquee.log_problems[:10]:
                print(f"  | {line}")
        else:
            print("Marquee log: no warnings or errors")
        print_budgets(marquee, args.connections, server)
    print()
    print(f"Total benchmark wall time: {time.perf_counter() - started_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
