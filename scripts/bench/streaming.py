"""Streaming benchmark: HLS first-segment latency against the raw ffmpeg CLI, direct-play throughput and concurrent
10 Mbit/s direct streams against nginx (sendfile), all on this machine.

Media (made with ffmpeg into a temp dir, or kept in and reused from ``--media-dir``): a 10 s 1920x1080 30 fps
testsrc2 clip, libx264 veryfast ``-g 60`` + AAC, looped with ``-c copy`` into a 60 s MKV (keyframes stay 2 s apart)
and into a ~1 GiB MP4 (the same frames over and over; any valid media file will do for byte serving, and a loop
takes seconds where a 1 GiB encode takes minutes). Marquee (``python -m core run``, one process per ASGI server named
in ``--server``: hypercorn by default; ``--server hypercorn,granian`` runs both side by side in parts 2 and 3) gets
a movies library over both files, trickplay off, and a fresh admin; nginx (``worker_processes 1``, ``sendfile on``,
``access_log off``) serves the same folder. Part 1 uses the first server named. Parts 2 and 3 also run Marquee behind
nginx (``--accel``, on hypercorn by default; ``--accel none`` leaves it out): a Marquee instance configured with
``streaming: accel_redirect`` and ``http: trusted_proxies``, and an nginx of its own (same settings as the reference)
that proxies ``/`` to it (HTTP/1.1 keep-alive upstream) and serves ``X-Accel-Redirect`` answers from an ``internal``
location aliasing the media folder. Its clients ask nginx's port for the same stream URL as Marquee alone (the
instance's own media token); its server CPU is both process trees (nginx master and worker + Marquee).

1. First-segment latency: from the GET of master.m3u8 to the last byte of segment 0 (master, the first variant's
   playlist, init.mp4, 0.m4s: one keep-alive connection, in order, as a player does). Each run gets a fresh play
   session and a fresh ffmpeg job (jobs are shared per source and rendition, so every run ends with a DELETE of its
   session, which stops them). Reference: the exact argv Marquee's ffmpeg ran (read from its child process during an
   unmeasured warm-up run), run from the CLI into a temp dir and timed from spawn to segment 0 appearing complete.
   Modes: (a) remux of the MKV (browser profile with its bitrate cap lifted: with the cap, the master has no copy
   variant, see (c)), (b) 1080p -> 720p libx264 (browser profile limited to 1280x720), (c) the MKV with the plain
   browser profile, for information (``--info-runs``). The warm-up also plays the remux to its end, in order, and
   reports what does not match (EXTINF against the segments' media, a listed segment that fails).
2. Direct-play throughput: whole-file GETs (one connection) and random 1 MiB range GETs (keep-alive connections) of
   the ~1 GiB file, Marquee's direct_play_url against nginx, with each server's CPU seconds (process tree; both
   trees for Marquee behind nginx, which is first checked to answer the redirect and nginx to serve its bytes).
3. Concurrent direct streams: N clients each read an open-ended range at 10 Mbit/s (a token bucket on reads that
   holds 1 s: a client may catch up that much lag, like a player's buffer), N ramped up at ``--connect-rate`` per
   second; once every stream has answered, ``--stream-warmup`` s, then a ``--window`` s measurement. A step passes
   when every client got >= 95 % of its rate over the window; the ramp stops at the first step that fails.

The load generators are separate Python processes (threads, or asyncio on plain sockets) on the same machine: they
share its CPUs with the servers and with anything else running. Prints figures only; nothing is asserted.
Usage: ``scripts/bench/streaming [--runs N] [--streams 50,100,...] [--window S] [--parts 1,2,3]
[--server hypercorn,granian] [--accel hypercorn|none] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import psutil
from common import (
    FFMPEG,
    HOST,
    MIB,
    PYTHON,
    BenchError,
    busy_cpu_seconds,
    free_port,
    http_json,
    load_average,
    log_problems,
    log_tail,
    own_cpu_seconds,
    percentile,
    print_machine,
    run_ffmpeg,
    run_load_client,
    start_marquee,
    terminate,
    tree_cpu,
    tree_rss,
    verdict,
    wait_live,
    write_configuration,
)

FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
USERNAME, PASSWORD = "bench", "bench-password-1"
START_TIMEOUT_S = 90.0
SEED_SECONDS = 10
MB = 1_000_000
STREAM_BITS = 10_000_000  # per client, bits per second
KEEP_FRACTION = 0.95
BUCKET_SECONDS = 1.0  # a stream client may catch up this much lag (a player's buffer); more is lost for good
GOAL_REMUX_S = 0.5
GOAL_TRANSCODE_S = 1.5
GOAL_RAW_RATIO = 1.2
GOAL_THROUGHPUT_RATIO = 0.5
GOAL_STREAMS = 1000
SERVERS = ("hypercorn", "granian", "uvicorn")

NGINX_CONF = """\
{user}daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 65536;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    default_type application/octet-stream;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{upstream}    server {{
        listen {host}:{port};
{locations}    }}
}}
"""
NGINX_REFERENCE = """\
        location = /health/live {{ return 200 "alive"; }}
        location /media/ {{ alias {library}/; }}
"""
# Marquee behind nginx: the upstream keeps idle connections (closed before the ASGI servers' 5 s keep-alive timeout, so
# nginx never reuses one the server is closing). Buffering off: a redirect answer has no body, and what Marquee sends
# itself (HLS, transcodes, files outside the root) should stream to the client, not spool into proxy_temp on disk.
NGINX_ACCEL_UPSTREAM = """\
    upstream marquee {{
        server {host}:{upstream_port};
        keepalive 32;
        keepalive_timeout 4s;
    }}
"""
NGINX_ACCEL = """\
        location / {{
            proxy_pass http://marquee;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
        }}
        location {accel_location}/ {{
            internal;
            alias {library}/;
        }}
"""
ACCEL_LOCATION = "/internal-media"


# --- small helpers -------------------------------------------------------------------------------------------------


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- media ---------------------------------------------------------------------------------------------------------


@dataclass
class Media:
    library: Path
    clip: Path
    big: Path
    made_s: float
    reused: bool


def make_media(base: Path, clip_seconds: int, big_bytes: int) -> Media:
    library = base / "library"
    clip = library / "clip" / "clip.mkv"
    big = library / "big" / "big.mp4"
    stamp = base / "media.json"
    wanted = {"clip_seconds": clip_seconds, "big_bytes": big_bytes, "seed_seconds": SEED_SECONDS, "version": 1}
    with contextlib.suppress(OSError, ValueError):
        if clip.exists() and big.exists() and json.loads(stamp.read_text()) == wanted:
            return Media(library, clip, big, 0.0, True)
    started = time.perf_counter()
    for path in (clip, big, stamp):
        path.unlink(missing_ok=True)
    clip.parent.mkdir(parents=True, exist_ok=True)
    big.parent.mkdir(parents=True, exist_ok=True)
    seed = base / "seed.mkv"  # outside the library folder: not scanned
    d = SEED_SECONDS
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={d}",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={d}",
         "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", "-shortest", str(seed)]
    )  # fmt: skip
    loops = -(-clip_seconds // SEED_SECONDS) - 1
    run_ffmpeg(["-stream_loop", str(loops), "-i", str(seed), "-c", "copy", "-t", str(clip_seconds), str(clip)])
    run_ffmpeg(["-stream_loop", "-1", "-i", str(seed), "-c", "copy", "-fs", str(big_bytes), str(big)])
    stamp.write_text(json.dumps(wanted))
    return Media(library, clip, big, time.perf_counter() - started, False)


def probe_duration(path: Path) -> float | None:
    done = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    try:
        return float(done.stdout.strip())
    except ValueError:
        return None


def warm_page_cache(path: Path) -> None:
    buffer = bytearray(8 * MIB)
    with path.open("rb", buffering=0) as f:
        while f.readinto(buffer):
            pass


# --- the servers ---------------------------------------------------------------------------------------------------


class Marquee:
    """python -m core run on a fresh config dir: a movies library over the media, an admin, trickplay off; with
    `accel`, direct play answers X-Accel-Redirect for an nginx in front (see NGINX_ACCEL)."""

    def __init__(
        self, work: Path, library: Path, access_log: bool, server: str = "hypercorn", accel: bool = False
    ) -> None:
        self.server = server
        self.accel = accel
        self.name = f"nginx+{server}" if accel else server  # as the tables show it
        slug = f"accel-{server}" if accel else server
        self.config_dir = work / f"marquee-{slug}"
        self.library = library
        self.access_log = access_log
        self.log = work / f"marquee-{slug}.log"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.startup_s = 0.0
        self.scan_s = 0.0
        self.exit_code: int | None = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        lines = [
            "library:", "  scan_on_start: true", "  watch: false", "  libraries:",
            "    - name: bench", "      type: movies", f"      folders: [{json.dumps(str(self.library))}]",
            "auth:", "  argon2:", "    time_cost: 1", "    memory_kib: 8192",
            "trickplay:", "  generate_after_scan: false",
        ]  # fmt: skip
        lines += ["http:", f"  server: {self.server}"] + ([] if self.access_log else ["  access_log: false"])
        if self.accel:  # as deployed behind a proxy: the client address comes from X-Forwarded-For
            lines += ["  trusted_proxies: [127.0.0.1/32]", "streaming:", "  accel_redirect:",
                      f"    location: {ACCEL_LOCATION}", f"    root: {json.dumps(str(self.library))}"]  # fmt: skip
        write_configuration(self.config_dir, lines)
        started = start_marquee(self.config_dir, self.log, port=self.port, timeout=START_TIMEOUT_S, poll_s=0.05)
        self.proc, self.startup_s = started.proc, started.startup_s
        status, body = self.api("POST", "/api/v1/auth/first-admin", {"username": USERNAME, "password": PASSWORD})
        if status != 201:
            raise BenchError(f"first-admin answered {status}: {body}")
        status, body = self.api("POST", "/api/v1/auth/login", {"username": USERNAME, "password": PASSWORD})
        if status != 200:
            raise BenchError(f"login answered {status}: {body}")
        self.token = body["access_token"]

    def stop(self) -> None:
        if self.proc is not None:
            self.exit_code = terminate(self.proc)

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, data, _ = http_json(self.port, method, path, body, token=self.token or None, timeout=120)
        return status, data

    def wait_items(self, expected: int) -> list[dict[str, Any]]:
        started = time.perf_counter()
        status, libraries = self.api("GET", "/api/v1/libraries")
        if status != 200 or not libraries:
            raise BenchError(f"GET /api/v1/libraries answered {status}: {libraries}")
        library_id = next(lib["id"] for lib in libraries if lib["name"] == "bench")
        while time.perf_counter() - started < START_TIMEOUT_S:
            status, page = self.api("GET", f"/api/v1/libraries/{library_id}/items")
            if status == 200 and len(page["items"]) >= expected:
                self.scan_s = time.perf_counter() - started
                return page["items"]
            time.sleep(0.2)
        raise BenchError(
            f"the library did not list {expected} items within {START_TIMEOUT_S:g} s\n{log_tail(self.log)}"
        )

    def playback_info(self, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
        status, info = self.api("POST", f"/api/v1/items/{item_id}/playback-info", body)
        if status != 200:
            raise BenchError(f"playback-info {body} answered {status}: {info}")
        return info["media_sources"][0]

    def ffmpeg_children(self) -> list[psutil.Process]:
        found = []
        for child in psutil.Process(self.pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.name() == "ffmpeg":
                    found.append(child)
        return found

    def stop_session(self, session_id: str) -> None:
        self.api("DELETE", f"/api/v1/hls/{session_id}")
        deadline = time.perf_counter() + 10
        while self.ffmpeg_children() and time.perf_counter() < deadline:
            time.sleep(0.02)

    def log_problems(self) -> list[str]:
        return log_problems(self.log)


class Nginx:
    """The reference (serves /media/ itself), or with `upstream` a proxy in front of a Marquee on that port."""

    def __init__(self, work: Path, library: Path, upstream: int | None = None) -> None:
        self.work = work / ("nginx" if upstream is None else f"nginx-accel-{upstream}")
        self.library = library
        self.upstream = upstream
        self.port = free_port()
        self.log = self.work / "error.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.version = ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers would run as nobody: no way into a 0700 tmp
        conf = self.work / "nginx.conf"
        if self.upstream is None:
            upstream, locations = "", NGINX_REFERENCE.format(library=self.library)
        else:
            upstream = NGINX_ACCEL_UPSTREAM.format(host=HOST, upstream_port=self.upstream)
            locations = NGINX_ACCEL.format(accel_location=ACCEL_LOCATION, library=self.library)
        text = NGINX_CONF.format(user=user, work=self.work, host=HOST, port=self.port, upstream=upstream,
                                 locations=locations)  # fmt: skip
        conf.write_text(text, encoding="utf-8")
        version = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False)
        self.version = (version.stderr or version.stdout).strip().removeprefix("nginx version: ")
        argv = [NGINX, "-e", str(self.log), "-p", str(self.work), "-c", str(conf)]
        with (self.work / "stdout.log").open("wb") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        wait_live(self.proc, self.port, self.log, name="nginx", timeout=START_TIMEOUT_S, poll_s=0.05)

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)


# --- 1. first-segment latency --------------------------------------------------------------------------------------


@dataclass
class Mode:
    label: str
    key: str
    title: str
    body: dict[str, Any]
    goal_s: float | None  # None: shown for information


MODES = [
    Mode(
        "1a",
        "remux",
        "(a) remux: 1080p h264+aac MKV, browser profile with device_profile max_bitrate null -> DirectStream",
        {"profile": "browser", "device_profile": {"max_bitrate": None}},
        GOAL_REMUX_S,
    ),
    Mode(
        "1b",
        "720p",
        "(b) transcode: 1080p h264 -> 720p libx264, browser profile with max_width 1280 / max_height 720",
        {"profile": "browser", "device_profile": {"max_width": 1280, "max_height": 720}},
        GOAL_TRANSCODE_S,
    ),
    Mode(
        "1c",
        "as-is",
        "(c) the same MKV, plain browser profile as a browser sends it (first variant of its master)",
        {"profile": "browser"},
        None,
    ),
]


@dataclass
class Playthrough:
    total: float
    steps: dict[str, float]
    variant: str
    master: str
    playlist: str
    init: bytes
    segment: bytes


@dataclass
class LatencyRow:
    mode: Mode
    method: str = ""
    variant: str = ""
    argv: list[str] = field(default_factory=list)
    marquee: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.marquee) / statistics.median(self.raw) if self.raw and self.marquee else 0.0


def fetch(conn: http.client.HTTPConnection, url: str) -> bytes:
    conn.request("GET", url)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise BenchError(f"GET {url.split('?')[0]} answered {response.status}: {body[:300]!r}")
    return body


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def hls_playthrough(port: int, master_url: str) -> Playthrough:
    """master -> first variant's playlist -> init -> segment 0, on one keep-alive connection, as a player does."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        started = time.perf_counter()
        master = fetch(conn, master_url).decode()
        t_master = time.perf_counter()
        playlist_url = urljoin(master_url, uris(master)[0])
        playlist = fetch(conn, playlist_url).decode()
        t_playlist = time.perf_counter()
        maps = [line for line in playlist.splitlines() if line.startswith("#EXT-X-MAP:")]
        init = b""
        if maps:
            init = fetch(conn, urljoin(playlist_url, maps[0].split('URI="', 1)[1].split('"', 1)[0]))
        t_init = time.perf_counter()
        segment = fetch(conn, urljoin(playlist_url, uris(playlist)[0]))
        finished = time.perf_counter()
    finally:
        conn.close()
    steps = {
        "master": t_master - started,
        "playlist": t_playlist - t_master,
        "init": t_init - t_playlist,
        "segment 0": finished - t_init,
    }
    variant = uris(master)[0].split("/")[0]
    return Playthrough(finished - started, steps, variant, master, playlist, init, segment)


class ArgvCatcher:
    """Polls the server's children for the ffmpeg HLS job reading `marker` and keeps its argv."""

    def __init__(self, pid: int, marker: str) -> None:
        self.pid = pid
        self.marker = marker
        self.argv: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ArgvCatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set() and not self.argv:
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(self.pid).children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        cmdline = child.cmdline()
                        if "hls" in cmdline and self.marker in cmdline:
                            self.argv = cmdline
                            return
            time.sleep(0.003)


def raw_first_segment(argv: list[str], out_dir: Path) -> float:
    """Seconds from spawning Marquee's ffmpeg argv (output moved to out_dir) to segment 0 existing complete."""
    playlist = next(a for a in argv if a.endswith(".m3u8"))
    job_dir = str(Path(playlist).parent)
    mapped = [a.replace(job_dir, str(out_dir)) for a in argv]
    pattern = mapped[mapped.index("-hls_segment_filename") + 1]
    start = int(mapped[mapped.index("-start_number") + 1]) if "-start_number" in mapped else 0
    first = Path(pattern % start)  # the hls muxer's printf pattern (seg_%05d); temp_file: renamed when complete
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    errors = out_dir.parent / f"{out_dir.name}.stderr"
    with errors.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(mapped, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            while not first.exists():
                if proc.poll() is not None and not first.exists():
                    raise BenchError(f"raw ffmpeg exited {proc.returncode} without {first.name}:\n{log_tail(errors)}")
                time.sleep(0.002)
            elapsed = time.perf_counter() - started
        finally:
            proc.kill()
            proc.wait()
    shutil.rmtree(out_dir, ignore_errors=True)
    return elapsed


def marquee_first_segment(server: Marquee, item_id: str, mode: Mode) -> tuple[dict[str, Any], Playthrough]:
    source = server.playback_info(item_id, mode.body)
    if "hls_url" not in source:
        raise BenchError(f"{mode.key}: playback-info gave no hls_url (method {source.get('method')})")
    try:
        return source, hls_playthrough(server.port, source["hls_url"])
    finally:
        server.stop_session(source["play_session_id"])


def describe_argv(argv: list[str]) -> str:
    def value(flag: str) -> str:
        return argv[argv.index(flag) + 1] if flag in argv else "-"

    return f"-c:v {value('-c:v')} -vf {value('-vf')} -b:v {value('-b:v')} -hls_time {value('-hls_time')}"


def warm_up_mode(server: Marquee, media: Media, item_id: str, mode: Mode) -> LatencyRow:
    row = LatencyRow(mode)
    with ArgvCatcher(server.pid, str(media.clip)) as catcher:
        source, play = marquee_first_segment(server, item_id, mode)
    row.method, row.variant, row.argv = source.get("method", "?"), play.variant, catcher.argv
    if not row.argv:
        raise BenchError(f"{mode.key}: could not read the ffmpeg argv of Marquee's job")
    copy = row.argv[row.argv.index("-c:v") + 1] == "copy" if "-c:v" in row.argv else False
    variants = [uri.split("/")[0] for uri in uris(play.master)]
    if mode.key == "remux":
        check_remux_segment(row, play)
        check_remux_end(server, item_id, row)
    if source.get("video_copy") and not copy:
        row.notes.append(
            f"playback-info says {row.method} with video_copy=true, but the master's variants are {variants}:"
            f" the first ({row.variant}) is a libx264 re-encode and no variant copies the video"
        )
    return row


def check_remux_segment(row: LatencyRow, play: Playthrough) -> None:
    """The playlist's EXTINF for segment 0 against what the segment holds (ffprobe of init + segment 0)."""
    extinf = [line for line in play.playlist.splitlines() if line.startswith("#EXTINF:")]
    listed = float(extinf[0].split(":", 1)[1].rstrip(",")) if extinf else float("nan")
    with tempfile.NamedTemporaryFile(suffix=".mp4") as joined:
        joined.write(play.init + play.segment)
        joined.flush()
        actual = probe_duration(Path(joined.name))
    if actual is not None and abs(actual - listed) > 0.5:
        row.notes.append(
            f"segment 0 is listed as {listed:.3f} s (EXTINF) but holds {actual:.3f} s of media: the remux job cuts"
            f" every -hls_time {row.argv[row.argv.index('-hls_time') + 1]} s while the playlist advertises a"
            f" short first segment; {len(extinf)} segments listed"
        )


def check_remux_end(server: Marquee, item_id: str, row: LatencyRow) -> None:
    """Play every listed segment in order on one job, as a viewer watching to the end does."""
    source = server.playback_info(item_id, row.mode.body)
    conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
    try:
        play = hls_playthrough(server.port, source["hls_url"])
        playlist_url = urljoin(source["hls_url"], uris(play.master)[0])
        segments = uris(play.playlist)
        for number, uri in enumerate(segments[1:], start=1):
            conn.request("GET", urljoin(playlist_url, uri))
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                continue
            message = body[:200].decode(errors="replace")
            conn.request("GET", urljoin(playlist_url, uri))
            retry = conn.getresponse()
            retry.read()
            extinf = [
                line.split(":", 1)[1].rstrip(",") for line in play.playlist.splitlines() if line.startswith("#EXTINF:")
            ]
            row.notes.append(
                f"playing the remux in order, segment {number} (listed as {extinf[number]} s; {len(segments)} listed)"
                f" answered {response.status}: {message}; a retry answered {retry.status} (a new job started there)"
            )
            break
    finally:
        conn.close()
        server.stop_session(source["play_session_id"])


def run_latency(server: Marquee, media: Media, clip_id: str, work: Path, args: argparse.Namespace) -> list[LatencyRow]:
    rows = []
    for mode in MODES:
        if mode.goal_s is None and args.info_runs < 1:
            continue
        row = warm_up_mode(server, media, clip_id, mode)
        print(f"  warm-up {mode.key}: {row.method}, first variant '{row.variant}': {describe_argv(row.argv)}")
        rows.append(row)
    for run in range(args.runs):  # interleaved, so drift in the machine's load hits every target alike
        for row in rows:
            if row.mode.goal_s is None and run >= args.info_runs:
                continue
            _, play = marquee_first_segment(server, clip_id, row.mode)
            row.marquee.append(play.total)
            row.steps.append(play.steps)
            row.raw.append(raw_first_segment(row.argv, work / "raw-hls" / f"{row.mode.key}-{run}"))
        print(
            f"  round {run + 1}/{args.runs}: "
            + ", ".join(
                f"{r.mode.key} {r.marquee[-1] * 1000:.0f}/{r.raw[-1] * 1000:.0f} ms"
                for r in rows
                if len(r.marquee) == run + 1
            )
            + " (Marquee/raw)",
            flush=True,
        )
    return rows


def print_latency(rows: list[LatencyRow]) -> None:
    print("First-segment latency (Marquee: GET master.m3u8 -> last byte of segment 0; raw: spawn -> segment 0 file)")
    header = f"  {'mode':<6}  {'target':<14}  {'min ms':>7}  {'median':>7}  {'max ms':>7}  runs"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for row in rows:
        for name, values in (("Marquee", row.marquee), ("raw ffmpeg", row.raw)):
            print(
                f"  {row.mode.key:<6}  {name:<14}  {min(values) * 1000:>7.0f}  {statistics.median(values) * 1000:>7.0f}"
                f"  {max(values) * 1000:>7.0f}  {len(values)}"
            )
        steps = {k: statistics.median(s[k] for s in row.steps) * 1000 for k in row.steps[0]}
        print(
            f"  {'':<6}  {'ratio':<14}  {'':>7}  {row.ratio:>6.2f}x  (median Marquee / median raw); Marquee median"
            f" steps: " + ", ".join(f"{k} {v:.0f} ms" for k, v in steps.items())
        )
    for row in rows:
        print(f"  {row.mode.title}")
        print(f"     {row.method}, variant '{row.variant}': {' '.join(row.argv[1:])}")
        for note in row.notes:
            print(f"     NOTE: {note}")


# --- load generators (run in their own processes: --client JSON) ---------------------------------------------------


class RawConnection:
    """A keep-alive HTTP/1.1 client on a plain socket that reads bodies into one reused buffer."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"{host}:{port}"
        self.buffer = bytearray(MIB)
        self.view = memoryview(self.buffer)

    def get(self, target: str, headers: str = "") -> tuple[int, int]:
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n{headers}\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            n = self.sock.recv_into(self.buffer, 65536)
            if n == 0:
                raise ConnectionError("closed before the response headers")
            head += self.buffer[:n]
        header, _, rest = head.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(
            (int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length"), -1
        )
        if length < 0:
            raise ConnectionError(f"HTTP {status} without Content-Length")
        remaining = length - len(rest)
        while remaining > 0:
            n = self.sock.recv_into(self.view, min(remaining, len(self.buffer)))
            if n == 0:
                raise ConnectionError("closed in the middle of the body")
            remaining -= n
        return status, length

    def close(self) -> None:
        self.sock.close()


def client_whole(spec: dict[str, Any]) -> dict[str, Any]:
    conn = RawConnection(spec["host"], spec["port"])
    statuses: Counter[str] = Counter()
    total = 0
    cpu, started = own_cpu_seconds(children=False), time.perf_counter()
    latencies = []
    for _ in range(spec["count"]):
        sent = time.perf_counter()
        status, length = conn.get(spec["target"])
        latencies.append(time.perf_counter() - sent)
        statuses[str(status)] += 1
        total += length
    seconds = time.perf_counter() - started
    conn.close()
    return {"bytes": total, "seconds": seconds, "statuses": statuses, "errors": 0, "latencies": latencies,
            "client_cpu": own_cpu_seconds(children=False) - cpu}  # fmt: skip


def client_ranges(spec: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(spec["seed"])
    chunk, size = spec["chunk"], spec["size"]
    offsets = iter([rng.randrange(0, size - chunk) for _ in range(spec["count"])])
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    totals = {"bytes": 0, "errors": 0}

    def worker() -> None:
        conn = RawConnection(spec["host"], spec["port"])
        try:
            while True:
                with lock:
                    offset = next(offsets, None)
                if offset is None:
                    return
                sent = time.perf_counter()
                try:
                    status, length = conn.get(spec["target"], f"Range: bytes={offset}-{offset + chunk - 1}\r\n")
                except OSError:
                    with lock:
                        totals["errors"] += 1
                    conn.close()
                    conn = RawConnection(spec["host"], spec["port"])
                    continue
                elapsed = time.perf_counter() - sent
                with lock:
                    statuses[str(status)] += 1
                    totals["bytes"] += length
                    latencies.append(elapsed)
        finally:
            conn.close()

    cpu, started = own_cpu_seconds(children=False), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(spec["connections"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"bytes": totals["bytes"], "seconds": seconds, "statuses": statuses, "errors": totals["errors"],
            "latencies": latencies, "client_cpu": own_cpu_seconds(children=False) - cpu}  # fmt: skip


class PacedStream(asyncio.Protocol):
    """One viewer: GET with an open-ended range, reading at most `rate` bytes/s (a token bucket; the socket is paused
    when the bucket runs dry, so the server meets TCP backpressure as from a real player's full buffer)."""

    def __init__(self, request: bytes, rate: float, capacity: float) -> None:
        self.request = request
        self.rate = rate
        self.capacity = capacity
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.status = 0
        self.started = False
        self.received = 0
        self.tokens = capacity
        self.last = 0.0
        self.paused = False
        self.closing = False
        self.error: str | None = None
        self.sent_at = 0.0
        self.first_byte = float("nan")  # seconds from the request to the response headers

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.sent_at = time.perf_counter()
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        count = len(data)
        if not self.started:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = int(bytes(self.head[: self.head.find(b"\r\n")]).split()[1])
            count = len(self.head) - end - 4
            self.head = bytearray()
            self.started, self.last = True, time.perf_counter()
            self.first_byte = self.last - self.sent_at
            if self.status not in (200, 206):
                self.error = f"HTTP {self.status}"
                self.close()
                return
        self.received += count
        self.tokens -= count
        if self.tokens <= 0 and not self.paused and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + self.rate * (now - self.last))
        self.last = now
        if self.paused and self.tokens > 0 and self.transport is not None and not self.closing:
            self.transport.resume_reading()
            self.paused = False

    def eof_received(self) -> bool | None:
        if not self.closing and self.error is None:
            self.error = "server ended the stream"
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closing and self.error is None:
            self.error = f"connection lost: {type(exc).__name__}" if exc else "connection closed"

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()


async def paced_streams(spec: dict[str, Any]) -> dict[str, Any]:
    raise_nofile()
    loop = asyncio.get_running_loop()
    rng = random.Random(spec["seed"])
    rate, n = spec["rate"], spec["n"]
    reserve = int(rate * (spec["ramp"] + spec["warmup"] + spec["window"] + 30))
    clients: list[PacedStream] = []
    for _ in range(n):
        offset = rng.randrange(0, max(1, spec["size"] - reserve))
        request = (f"GET {spec['target']} HTTP/1.1\r\nHost: {spec['host']}:{spec['port']}\r\n"
                   f"Range: bytes={offset}-\r\n\r\n").encode()  # fmt: skip
        clients.append(PacedStream(request, rate, rate * BUCKET_SECONDS))
    stop = asyncio.Event()

    async def tick() -> None:
        while not stop.is_set():
            await asyncio.sleep(0.05)
            now = time.perf_counter()
            for client in clients:
                if client.started:
                    client.refill(now)

    async def connect(client: PacedStream) -> None:
        try:
            await asyncio.wait_for(loop.create_connection(lambda: client, spec["host"], spec["port"]), 30)
        except (OSError, TimeoutError) as err:
            client.error = f"connect: {type(err).__name__}"

    ticker = asyncio.create_task(tick())
    connects = []
    spacing = spec["ramp"] / n
    ramp_start = time.perf_counter()
    for i, client in enumerate(clients):
        connects.append(asyncio.create_task(connect(client)))
        delay = ramp_start + (i + 1) * spacing - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.gather(*connects)
    deadline = time.perf_counter() + START_TIMEOUT_S  # every stream answered (or failed) before the warm-up starts
    while time.perf_counter() < deadline and not all(c.started or c.error for c in clients):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    all_started = time.perf_counter() - ramp_start
    await asyncio.sleep(spec["warmup"])
    before = [c.received for c in clients]
    cpu0, t0 = own_cpu_seconds(children=False), time.perf_counter()
    print("WINDOW_START", flush=True)
    await asyncio.sleep(spec["window"])
    after = [c.received for c in clients]
    cpu1, t1 = own_cpu_seconds(children=False), time.perf_counter()
    print("WINDOW_END", flush=True)
    stop.set()
    await ticker
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)
    window = t1 - t0
    rates = [(b - a) / window for a, b in zip(before, after, strict=True)]
    errors = Counter(c.error for c in clients if c.error)
    ttfb = [c.first_byte for c in clients if c.started]
    below = sum(1 for r, c in zip(rates, clients, strict=True) if r < KEEP_FRACTION * rate and not c.error)
    return {
        "n": n,
        "started": sum(1 for c in clients if c.started),
        "errors": dict(errors),
        "below": below,
        "min_rate": min(rates) * 8 / 1e6,
        "p5_rate": percentile(rates, 0.05) * 8 / 1e6,
        "median_rate": statistics.median(rates) * 8 / 1e6,
        "aggregate_mbs": sum(after[i] - before[i] for i in range(n)) / window / MB,
        "client_cpu": (cpu1 - cpu0) / window,
        "ramp_s": spec["ramp"],
        "all_started_s": all_started,
        "stalled": sum(1 for a, b in zip(before, after, strict=True) if a == b),
        "ttfb_p50_ms": percentile(ttfb, 0.5) * 1000,
        "ttfb_max_ms": max(ttfb, default=float("nan")) * 1000,
    }


def client_main(spec_text: str) -> int:
    spec = json.loads(spec_text)
    kind = spec["kind"]
    if kind == "whole":
        result = client_whole(spec)
    elif kind == "ranges":
        result = client_ranges(spec)
    else:
        result = asyncio.run(paced_streams(spec))
    print(json.dumps(result), flush=True)
    return 0


# --- 2. direct-play throughput -------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str  # the ASGI server's name for Marquee, "nginx+<server>" for Marquee behind nginx, or "nginx"
    pids: dict[str, int]  # the process trees whose CPU is the server's, by a name for the split
    port: int
    path: str  # request target: path + query

    def cpu(self) -> dict[str, float]:
        return {part: tree_cpu(pid, reaped=True) for part, pid in self.pids.items()}

    def rss(self) -> int:
        return sum(tree_rss(pid) for pid in self.pids.values())


def cpu_split(parts: dict[str, float], unit: str) -> str:
    """' (nginx 0.40 + Marquee 0.83 CPU s)' for a target of several processes, else ''."""
    return f" ({' + '.join(f'{k} {v:.2f}' for k, v in parts.items())} {unit})" if len(parts) > 1 else ""


@dataclass
class Throughput:
    test: str
    server: str
    bytes: int
    seconds: float
    server_cpu: float  # CPU seconds over the test
    client_cpu: float
    statuses: dict[str, int]
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_parts: dict[str, float] = field(default_factory=dict)  # server_cpu by process tree

    @property
    def mbs(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds > 0 else 0.0

    @property
    def per_cpu(self) -> float:
        return self.bytes / MB / self.server_cpu if self.server_cpu > 0 else float("inf")


def run_client(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    return run_load_client([str(Path(__file__).resolve()), "--client", json.dumps(spec)], timeout)


def measure_throughput(test: str, target: Target, spec: dict[str, Any]) -> Throughput:
    spec = {**spec, "host": HOST, "port": target.port, "target": target.path}
    cpu_before = target.cpu()
    data = run_client(spec, timeout=900)
    parts = {part: cpu - cpu_before[part] for part, cpu in target.cpu().items()}
    server_cpu = sum(parts.values())
    latencies = data["latencies"]
    result = Throughput(
        test, target.name, data["bytes"], data["seconds"], server_cpu, data["client_cpu"], data["statuses"],
        data["errors"], percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000, parts,
    )  # fmt: skip
    print(
        f"  {test} / {target.name}: {result.mbs:,.0f} MB/s, server {server_cpu:.2f} CPU s{cpu_split(parts, 'CPU s')}"
        f" ({result.per_cpu:,.0f} MB per CPU s), client {result.client_cpu:.2f} CPU s, statuses {data['statuses']}",
        flush=True,
    )
    return result


def check_accel(marquee: Marquee, nginx: Nginx, path: str, media: Path) -> None:
    """Marquee behind nginx is only measured if Marquee answers the redirect (not the bytes: a file outside the
    configured root is sent by Marquee itself, through the proxy) and nginx serves the right range for it."""
    relative = media.relative_to(marquee.library).as_posix()
    conn = http.client.HTTPConnection(HOST, marquee.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Range": "bytes=0-15"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    redirect = response.getheader("X-Accel-Redirect")
    if response.status != 200 or redirect != f"{ACCEL_LOCATION}/{relative}" or body:
        raise BenchError(f"Marquee ({marquee.name}) answered {response.status}, X-Accel-Redirect {redirect!r},"
                         f" {len(body)} body bytes for {relative}")  # fmt: skip
    offset = media.stat().st_size // 2
    conn = http.client.HTTPConnection(HOST, nginx.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Range": f"bytes={offset}-{offset + MIB - 1}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    with media.open("rb") as f:
        f.seek(offset)
        expected = f.read(MIB)
    if response.status != 206 or body != expected:
        match = "matching" if body == expected else "not matching"
        raise BenchError(f"nginx in front of Marquee ({marquee.name}) answered {response.status}, {len(body)} bytes"
                         f" ({match} the file) for a 1 MiB range")  # fmt: skip


def run_throughput(targets: list[Target], size: int, args: argparse.Namespace) -> list[Throughput]:
    results = []
    whole = {"kind": "whole", "count": args.whole_gets}
    ranges = {"kind": "ranges", "count": args.ranges, "connections": args.range_connections, "chunk": MIB,
              "size": size, "seed": 7}  # fmt: skip
    for test, spec in ((f"whole-file GET x{args.whole_gets}, 1 conn", whole),
                       (f"{args.ranges} x 1 MiB ranges, {args.range_connections} conns", ranges)):  # fmt: skip
        for target in targets:
            results.append(measure_throughput(test, target, spec))
    return results


def print_throughput(results: list[Throughput]) -> None:
    print(
        "Direct-play throughput (MB = 10^6 bytes; server CPU = process tree, user + system; nginx+<server>: Marquee"
        " behind nginx with X-Accel-Redirect, both trees)"
    )
    w = max(9, *(len(r.server) for r in results))
    header = (
        f"  {'test':<32}  {'server':<{w}}  {'MB/s':>7}  {'srv CPU s':>9}  {'MB/CPU s':>8}  {'cli CPU s':>9}"
        f"  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  statuses"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in results:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
        print(
            f"  {r.test:<32}  {r.server:<{w}}  {r.mbs:>7,.0f}  {r.server_cpu:>9.2f}  {r.per_cpu:>8,.0f}"
            f"  {r.client_cpu:>9.2f}  {r.p50_ms:>7.1f}  {r.p99_ms:>7.1f}  {r.errors:>6}  {statuses}"
        )
    for test in dict.fromkeys(r.test for r in results):
        pair = {r.server: r for r in results if r.test == test}
        n = pair.get("nginx")
        for m in (r for name, r in pair.items() if name != "nginx" and n is not None):
            print(
                f"  {test}: Marquee ({m.server}) / nginx throughput {m.mbs / n.mbs:.2f}x;"
                f" MB per server CPU s {m.per_cpu / n.per_cpu:.2f}x{cpu_split(m.cpu_parts, 'CPU s')}"
            )


# --- 3. concurrent paced streams -----------------------------------------------------------------------------------


@dataclass
class StreamStep:
    server: str
    n: int
    data: dict[str, Any]
    server_cpu: float  # CPU s per s during the window
    server_rss: int
    machine_busy: float  # busy CPUs during the window, every process on the machine
    cpu_parts: dict[str, float] = field(default_factory=dict)  # server_cpu by process tree

    @property
    def ok(self) -> bool:
        return not self.data["errors"] and self.data["below"] == 0 and self.data["started"] == self.n

    @property
    def kept(self) -> int:
        return self.n - self.data["below"] - sum(self.data["errors"].values())

    @property
    def others(self) -> float:
        return max(0.0, self.machine_busy - self.server_cpu - self.data["client_cpu"])


def stream_step(target: Target, n: int, size: int, args: argparse.Namespace) -> StreamStep:
    spec = {
        "kind": "streams", "host": HOST, "port": target.port, "target": target.path, "size": size, "n": n,
        "rate": STREAM_BITS / 8, "window": args.window, "warmup": args.stream_warmup,
        "ramp": max(1.0, n / args.connect_rate), "seed": n,
    }  # fmt: skip
    argv = [str(PYTHON), str(Path(__file__).resolve()), "--client", json.dumps(spec)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    marks: dict[str, tuple[float, dict[str, float], float]] = {}
    rss = 0
    last = ""
    for line in proc.stdout:
        line = line.strip()
        if line in ("WINDOW_START", "WINDOW_END"):
            marks[line] = (time.perf_counter(), target.cpu(), busy_cpu_seconds())
            if line == "WINDOW_END":
                rss = target.rss()
        elif line:
            last = line
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0 or len(marks) != 2:
        raise BenchError(f"stream load generator failed ({proc.returncode}):\n{stderr[-3000:]}")
    (t0, c0, b0), (t1, c1, b1) = marks["WINDOW_START"], marks["WINDOW_END"]
    parts = {part: (c1[part] - c0[part]) / (t1 - t0) for part in c0}
    return StreamStep(target.name, n, json.loads(last), sum(parts.values()), rss, (b1 - b0) / (t1 - t0), parts)


def run_streams(target: Target, size: int, args: argparse.Namespace) -> list[StreamStep]:
    steps = []
    for n in args.streams:
        step = stream_step(target, n, size, args)
        steps.append(step)
        d = step.data
        print(
            f"  {target.name} N={n}: {'ok' if step.ok else 'FAILED'}; {step.kept}/{n} kept the rate"
            f" (all answered {d['all_started_s']:.1f} s after the first connect, first byte p50"
            f" {d['ttfb_p50_ms']:.0f} ms, max {d['ttfb_max_ms']:.0f} ms), min {d['min_rate']:.2f} Mbit/s,"
            f" {d['stalled']} stalled, {d['aggregate_mbs']:,.0f} MB/s total; server {step.server_cpu:.2f} CPU"
            f"{cpu_split(step.cpu_parts, 'CPU')}, client {d['client_cpu']:.2f} CPU,"
            f" machine {step.machine_busy:.2f} busy" + (f"; errors {d['errors']}" if d["errors"] else ""),
            flush=True,
        )
        time.sleep(1.0)  # let the server drop the closed connections
        if not step.ok:
            break
    return steps


def bottleneck(step: StreamStep) -> str:
    cpus = os.cpu_count() or 1
    client = step.data["client_cpu"]
    parts = []
    if step.server_cpu >= 0.9:
        loops = "one event loop" if len(step.cpu_parts) <= 1 else "one event loop each"
        parts.append(f"server at {step.server_cpu:.2f} CPU ({loops}){cpu_split(step.cpu_parts, 'CPU')}")
    if client >= 0.9:
        parts.append(f"load generator at {client:.2f} CPU (one event loop)")
    if step.machine_busy >= 0.9 * cpus:
        parts.append(f"machine at {step.machine_busy:.2f} of {cpus} CPUs busy ({step.others:.2f} other processes)")
    return "; ".join(parts) or "no side near a full CPU: latency/IO-bound, not CPU-bound"


def print_streams(all_steps: dict[str, list[StreamStep]]) -> dict[str, int]:
    print(
        f"Concurrent direct streams ({STREAM_BITS / 1e6:g} Mbit/s each, pass = every client >= {KEEP_FRACTION:.0%}"
        " of it over the window; TTFB = request to response headers, ms; CPU = CPU s per s during the window)"
    )
    w = max(9, *(len(server) for server in all_steps))
    header = (
        f"  {'server':<{w}}  {'N':>5}  {'result':<6}  {'kept':>9}  {'min Mb/s':>8}  {'p5 Mb/s':>7}  {'MB/s':>6}"
        f"  {'TTFB p50':>8}  {'TTFB max':>8}  {'srv CPU':>7}  {'srv RSS MiB':>11}  {'gen CPU':>7}  {'machine':>7}"
        f"  {'other':>5}  errors"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    best: dict[str, int] = {}
    for server, steps in all_steps.items():
        best[server] = 0
        for step in steps:
            d = step.data
            if step.ok:
                best[server] = step.n
            print(
                f"  {server:<{w}}  {step.n:>5}  {'ok' if step.ok else 'FAIL':<6}  {step.kept:>4}/{step.n:<4}"
                f"  {d['min_rate']:>8.2f}  {d['p5_rate']:>7.2f}  {d['aggregate_mbs']:>6,.0f}"
                f"  {d['ttfb_p50_ms']:>8.0f}  {d['ttfb_max_ms']:>8.0f}  {step.server_cpu:>7.2f}"
                f"  {step.server_rss / MIB:>11.0f}  {d['client_cpu']:>7.2f}  {step.machine_busy:>7.2f}"
                f"  {step.others:>5.2f}  {d['errors'] or ''}"
            )
    for server, steps in all_steps.items():
        passed = [s for s in steps if s.ok]
        at = passed[-1] if passed else None
        line = f"  {server}: largest N that kept the rate: {best[server]}"
        if at is not None:
            line += f" (server {at.server_cpu:.2f} CPU, {at.server_rss / MIB:.0f} MiB RSS there)"
        if steps and not steps[-1].ok:
            line += f"; failed at N={steps[-1].n}: {bottleneck(steps[-1])}"
        elif steps:
            line += f"; did not fail up to the last step tried ({steps[-1].n}): {bottleneck(steps[-1])}"
        print(line)
    return best


# --- output --------------------------------------------------------------------------------------------------------


def ffmpeg_version() -> str:
    done = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "?"


@dataclass
class Summary:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # what, Marquee, reference, goal, verdict

    def add(self, what: str, marquee: str, reference: str, goal: str, verdict_text: str) -> None:
        self.rows.append((what, marquee, reference, goal, verdict_text))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in [("goal", "Marquee", "reference", "target", "verdict"), *self.rows])
                  for i in range(5)]  # fmt: skip
        header = ("goal", "Marquee", "reference", "target", "verdict")
        print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        print("  " + "-" * (sum(widths) + 8))
        for row in self.rows:
            print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def summarize(summary: Summary, latency: list[LatencyRow], throughput: list[Throughput], best: dict[str, int]) -> None:
    for row in latency:
        median = statistics.median(row.marquee)
        raw = statistics.median(row.raw)
        label = f"{row.mode.label} {row.mode.key} first segment (median)"
        if row.mode.goal_s is None:
            summary.add(label, f"{median:.3f} s", f"raw {raw:.3f} s", "(info)", f"{row.ratio:.2f}x raw")
            continue
        summary.add(
            label, f"{median:.3f} s", f"raw {raw:.3f} s", f"< {row.mode.goal_s:g} s", verdict(median < row.mode.goal_s)
        )
        ratio_label = f"{row.mode.label} {row.mode.key} Marquee / raw ffmpeg"
        summary.add(
            ratio_label, f"{row.ratio:.2f}x", "1.00x", f"<= {GOAL_RAW_RATIO:g}x", verdict(row.ratio <= GOAL_RAW_RATIO)
        )
    for test in dict.fromkeys(r.test for r in throughput):
        pair = {r.server: r for r in throughput if r.test == test}
        n = pair.get("nginx")
        for m in (r for name, r in pair.items() if name != "nginx" and n is not None):
            ratio = m.mbs / n.mbs
            outcome = f"{verdict(ratio >= GOAL_THROUGHPUT_RATIO)} {ratio:.2f}x"
            goal = f">= {GOAL_THROUGHPUT_RATIO:g}x nginx"
            summary.add(f"2 {test} ({m.server})", f"{m.mbs:,.0f} MB/s", f"nginx {n.mbs:,.0f} MB/s", goal, outcome)
            efficiency = m.per_cpu / n.per_cpu
            summary.add("  same, MB per server CPU s", f"{m.per_cpu:,.0f}", f"nginx {n.per_cpu:,.0f}",
                        f">= {GOAL_THROUGHPUT_RATIO:g}x nginx", f"{verdict(efficiency >= GOAL_THROUGHPUT_RATIO)} "
                        f"{efficiency:.2f}x")  # fmt: skip
    reference = f"nginx {best['nginx']}" if "nginx" in best else "-"
    for name, n in best.items():
        if name != "nginx":
            outcome = verdict(n >= GOAL_STREAMS)
            summary.add(f"3 concurrent 10 Mbit/s streams ({name})", str(n), reference, f">= {GOAL_STREAMS}", outcome)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parts", default="1,2,3", help="which benchmarks to run (default 1,2,3)")
    parser.add_argument("--runs", type=int, default=5, help="first-segment runs per mode (default 5)")
    parser.add_argument(
        "--info-runs", type=int, default=2, help="runs of (c), the plain browser profile's 1080p re-encode (default 2)"
    )
    parser.add_argument("--clip-seconds", type=int, default=60, help="length of the HLS test MKV (default 60)")
    parser.add_argument("--big-mib", type=int, default=1024, help="size of the direct-play file in MiB (default 1024)")
    parser.add_argument("--whole-gets", type=int, default=3, help="whole-file GETs per server (default 3)")
    parser.add_argument("--ranges", type=int, default=2000, help="1 MiB range GETs per server (default 2000)")
    parser.add_argument("--range-connections", type=int, default=8, help="connections for the ranges (default 8)")
    parser.add_argument(
        "--streams", default="50,100,200,400,800,1000", help="concurrent-stream steps (default 50,100,200,400,800,1000)"
    )
    parser.add_argument("--window", type=float, default=10.0, help="measured seconds per stream step (default 10)")
    parser.add_argument("--stream-warmup", type=float, default=2.0, help="seconds after the ramp (default 2)")
    parser.add_argument("--connect-rate", type=float, default=250.0, help="new streams per second (default 250)")
    parser.add_argument("--media-dir", type=Path, help="keep the generated media here and reuse it on later runs")
    parser.add_argument("--no-access-log", action="store_true", help="run Marquee with http: access_log: false")
    parser.add_argument(
        "--server", default="hypercorn",
        help="Marquee's ASGI servers for parts 2 and 3, one instance each, side by side with nginx (e.g."
             " hypercorn,granian; default hypercorn); part 1 uses the first",
    )  # fmt: skip
    parser.add_argument(
        "--accel", default="hypercorn",
        help="parts 2 and 3 also run Marquee behind nginx (X-Accel-Redirect) on these ASGI servers, one instance and"
             " one nginx each (default hypercorn; none to leave it out)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="scaled down: 3 runs, 256 MiB, fewer requests/steps")
    parser.add_argument("--client", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return args
    if args.quick:
        args.runs, args.big_mib, args.whole_gets, args.ranges = 3, 256, 2, 500
        args.streams, args.window = "50,200", 5.0
    args.parts = {int(p) for p in args.parts.split(",") if p.strip()}
    args.server = list(dict.fromkeys(name.strip() for name in args.server.split(",") if name.strip()))
    if not args.server or any(name not in SERVERS for name in args.server):
        parser.error(f"--server: a comma-separated list of {', '.join(SERVERS)}")
    names = [name.strip() for name in args.accel.split(",") if name.strip() and name.strip() != "none"]
    args.accel = list(dict.fromkeys(names))
    if any(name not in SERVERS for name in args.accel):
        parser.error(f"--accel: none, or a comma-separated list of {', '.join(SERVERS)}")
    args.streams = [int(n) for n in str(args.streams).split(",") if n.strip()]
    if args.runs < 1 or args.clip_seconds < SEED_SECONDS or args.big_mib < 16 or not args.streams:
        parser.error("--runs >= 1, --clip-seconds >= 10, --big-mib >= 16 and at least one --streams step")
    return args


def main() -> int:
    args = parse_args()
    if args.client:
        return client_main(args.client)
    started_all = time.perf_counter()
    print_machine(f"{ffmpeg_version()} at {FFMPEG}", hardware=True)
    print(f"Load average at start: {load_average()} (1/5/15 min)")
    with tempfile.TemporaryDirectory(prefix="marquee-bench-streaming-") as tmp:
        work = Path(tmp)
        media_base = args.media_dir.resolve() if args.media_dir else work / "media"
        media_base.mkdir(parents=True, exist_ok=True)
        print(f"Media in {media_base} ...", flush=True)
        media = make_media(media_base, args.clip_seconds, args.big_mib * MIB)
        size = media.big.stat().st_size
        how = "reused" if media.reused else f"made in {media.made_s:.1f} s"
        print(
            f"  {media.clip.name}: {media.clip.stat().st_size / MIB:.1f} MiB, {probe_duration(media.clip) or 0:.1f} s;"
            f" {media.big.name}: {size / MIB:,.0f} MiB, {probe_duration(media.big) or 0:.0f} s ({how})",
            flush=True,
        )
        servers = [Marquee(work, media.library, not args.no_access_log, name) for name in args.server]
        server = servers[0]
        if args.parts & {2, 3}:
            servers += [Marquee(work, media.library, not args.no_access_log, name, accel=True) for name in args.accel]
        nginx = Nginx(work, media.library)
        fronts: list[Nginx] = []  # one nginx in front of each Marquee with accel
        latency: list[LatencyRow] = []
        throughput: list[Throughput] = []
        streams: dict[str, list[StreamStep]] = {}
        try:
            big_ids = {}
            for each in servers if args.parts & {2, 3} else servers[:1]:
                each.start()
                items = each.wait_items(2)
                by_name = {item["name"]: item for item in items}
                clip_id = by_name.get("clip", min(items, key=lambda i: i.get("runtime_ticks") or 0))["id"]
                big_ids[each.name] = by_name.get("big", max(items, key=lambda i: i.get("runtime_ticks") or 0))["id"]
                log_state = "on" if not args.no_access_log else "off"
                print(
                    f"Marquee ({each.name}): live in {each.startup_s:.2f} s, library listed in {each.scan_s:.2f} s"
                    f" after sign-in (access log {log_state}, trickplay off)",
                    flush=True,
                )
                if 1 in args.parts and each is server:
                    print("1. First-segment latency ...", flush=True)
                    latency = run_latency(server, media, clip_id, work, args)
            if args.parts & {2, 3}:
                targets = []
                for each in servers:
                    direct = each.playback_info(big_ids[each.name], {"profile": "browser"})
                    if "direct_play_url" not in direct:
                        raise BenchError(f"the ~1 GiB MP4 is not DirectPlay for the browser profile: {direct}")
                    if not each.accel:
                        targets.append(Target(each.name, {"Marquee": each.pid}, each.port, direct["direct_play_url"]))
                        continue
                    front = Nginx(work, media.library, upstream=each.port)
                    fronts.append(front)
                    front.start()
                    check_accel(each, front, direct["direct_play_url"], media.big)
                    pids = {"nginx": front.pid, "Marquee": each.pid}
                    targets.append(Target(each.name, pids, front.port, direct["direct_play_url"]))
                nginx.start()
                print(f"nginx {nginx.version}: 1 worker, sendfile on, access_log off", flush=True)
                if fronts:
                    print(
                        f"Marquee behind nginx: {', '.join(t.name for t in targets if len(t.pids) > 1)} (nginx as"
                        f" above; proxy to Marquee over HTTP/1.1 keep-alive, {ACCEL_LOCATION}/ internal; checked:"
                        " Marquee answers X-Accel-Redirect, nginx serves the range)",
                        flush=True,
                    )
                warm_page_cache(media.big)
                relative = media.big.relative_to(media.library).as_posix()
                targets.append(Target("nginx", {"nginx": nginx.pid}, nginx.port, f"/media/{relative}"))
                if 2 in args.parts:
                    print("2. Direct-play throughput ...", flush=True)
                    throughput = run_throughput(targets, size, args)
                if 3 in args.parts:
                    print("3. Concurrent direct streams ...", flush=True)
                    for target in targets:
                        streams[target.name] = run_streams(target, size, args)
        finally:
            for front in [nginx, *fronts]:
                front.stop()
            for each in servers:
                each.stop()
        problems = {each.name: each.log_problems() for each in servers}
    print()
    if latency:
        print_latency(latency)
        print()
    if throughput:
        print_throughput(throughput)
        print()
    best = print_streams(streams) if streams else {}
    if streams:
        print()
    load = load_average()
    exits = ", ".join(f"{each.name} {each.exit_code}" for each in servers)
    print(f"Marquee: SIGTERM exit {exits}; load average at the end {load}")
    for name, lines in problems.items():
        if lines:
            print(f"Marquee ({name}) log: {len(lines)} warning/error lines; first 10:")
            for line in lines[:10]:
                print(f"  | {line[:300]}")
        else:
            print(f"Marquee ({name}) log: no warnings or errors")
    print()
    summary = Summary()
    summarize(summary, latency, throughput, best)
    print("Summary (first-segment figures are medians; the load generators share this machine's CPUs):")
    summary.print()
    print()
    print(f"Total benchmark wall time: {time.perf_counter() - started_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
