"""Trickplay: keyframe sprite sheets made after scans, their manifest and sheet routes, access rules, bad input."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import threading
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from integrations.trickplay import generator
from tests.integrations.auth.conftest import PASSWORD, make_user, request
from tests.integrations.library.conftest import by_name, library_yaml, scan

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
MOVIE = "Test Pattern (2020)"


class Events:
    """Collects bus events from now on: a 25 s clip is done before the scan request even returns."""

    def __init__(self, running, event_type: str) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        running.hub.bus.listen(event_type, self.queue.put_nowait)

    async def next(self, timeout: float = 20.0):
        return await asyncio.wait_for(self.queue.get(), timeout)


@pytest.fixture(scope="session")
def pattern_clip(tmp_path_factory) -> Path:
    """25 s of testsrc2 at 320x180, 10 fps, a keyframe every second (H.264 with B-frames, in Matroska)."""
    clip = tmp_path_factory.mktemp("trickplay") / "pattern.mkv"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10:duration=25",
         "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", str(clip)],
        check=True, timeout=120,
    )  # fmt: skip
    return clip


@pytest.fixture
def movies(pattern_clip, tmp_path) -> Path:
    folder = tmp_path / "movies" / MOVIE
    folder.mkdir(parents=True)
    shutil.copy(pattern_clip, folder / f"{MOVIE}.mkv")
    return tmp_path / "movies"


async def start(marquee_hub, movies: Path, extra: str = ""):
    """A hub with the movie library, scanned, with the clip's sheets made. Returns (running, item, ready event)."""
    running = await marquee_hub(extra + library_yaml(movies=movies))
    ready = Events(running, "trickplay.ready")
    library = (await scan(running, "movies"))["library"]
    event = await ready.next()
    item = await by_name(running, library["id"], "Test Pattern")
    return running, item, event


def sheet_folder(running, source_id: str) -> Path:
    return running.hub.data_dir / "trickplay" / source_id


def reference_frames(path: Path, seconds: list[int]) -> list[Image.Image]:
    """The clip's frames at those times, decoded the slow, obvious way."""
    found = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            second = round(float(frame.pts * stream.time_base), 3)
            if second in seconds:
                found[second] = frame.to_image()
    return [found[s] for s in seconds]


def difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


async def test_sheets_are_made_after_a_scan_and_served(marquee_hub, movies, pattern_clip):
    running, item, event = await start(marquee_hub, movies)
    source_id = item["media_sources"][0]["id"]
    assert event.data["source_id"] == source_id
    assert (event.data["item_id"], event.data["thumbnail_count"], event.data["widths"]) == (item["id"], 3, [320])

    status, manifest = await running.get_json(f"/api/v1/items/{item['id']}/trickplay")
    assert status == 200
    url = f"/api/v1/items/{item['id']}/trickplay/320/{{index}}.jpg?source_id={source_id}"
    expected = {"width": 320, "height": 180, "interval_ms": 10_000, "tiles_x": 10, "tiles_y": 10,
                "thumbnail_count": 3, "sheet_count": 1, "url_template": url}  # fmt: skip
    assert manifest == {source_id: {"320": expected}}
    async with running.session.get(url.format(index=0)) as response:
        assert response.status == 200
        assert response.content_type == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, max-age=3600"
        etag = response.headers["ETag"]
        sheet = Image.open(io.BytesIO(await response.read()))
    # Full width (10 tiles across), trimmed to the one row in use: 3 thumbnails at t = 0, 10, 20 s.
    assert (sheet.format, sheet.size) == ("JPEG", (3200, 180))
    tiles = [sheet.crop((n * 320, 0, (n + 1) * 320, 180)).convert("RGB") for n in range(3)]
    assert min(difference(a, b) for a, b in [(tiles[0], tiles[1]), (tiles[0], tiles[2]), (tiles[1], tiles[2])]) > 5
    references = reference_frames(pattern_clip, [0, 10, 20])
    for n, tile in enumerate(tiles):  # each tile is its own moment of the clip, not a neighbour's
        scores = [difference(tile, reference) for reference in references]
        assert scores.index(min(scores)) == n and scores[n] < 8, scores
    assert difference(sheet.crop((960, 0, 3200, 180)).convert("RGB"), Image.new("RGB", (2240, 180))) < 1  # unused

    async with running.session.get(url.format(index=0), headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    files = sorted(p.relative_to(sheet_folder(running, source_id)) for p in sheet_folder(running, source_id).rglob("*"))
    assert files == [Path("320"), Path("320/sheet_0.jpg")]
    # Players may pass the token in the query string for sheets, but not for the manifest.
    token = running.admin_token
    status, _ = await request(running.anonymous, "GET", url.format(index=0) + f"&api_key={token}")
    assert status == 200
    status, _ = await request(running.anonymous, "GET", f"/api/v1/items/{item['id']}/trickplay?api_key={token}")
    assert status == 401


async def test_access_rules(marquee_hub, movies):
    running, item, _ = await start(marquee_hub, movies)
    manifest_url = f"/api/v1/items/{item['id']}/trickplay"
    sheet_url = f"{manifest_url}/320/0.jpg"
    for url in (manifest_url, sheet_url):
        assert (await request(running.anonymous, "GET", url))[0] == 401
    assert (await request(running.anonymous, "POST", manifest_url))[0] == 401

    await make_user(running, "nobody", library_access=[])
    await make_user(running, "kid", max_parental_rating=7, block_unrated=True)  # the clip is unrated
    for name in ("nobody", "kid"):
        session = await running.session_for(name, PASSWORD)
        for url in (manifest_url, sheet_url):
            status, body = await request(session, "GET", url)
            assert status == 404, (name, url, body)
            assert body["error"]["message"] == f"No item '{item['id']}'"

    await make_user(running, "viewer")
    viewer = await running.session_for("viewer", PASSWORD)
    status, manifest = await request(viewer, "GET", manifest_url)
    assert status == 200 and list(manifest) == [item["media_sources"][0]["id"]]
    assert (await request(viewer, "GET", sheet_url))[0] == 200
    status, body = await request(viewer, "POST", manifest_url)
    assert status == 403, body


async def test_bad_path_and_query_values(marquee_hub, movies):
    running, item, _ = await start(marquee_hub, movies)
    base = f"/api/v1/items/{item['id']}/trickplay"
    cases = {
        "abc/0.jpg": (400, "The width must be a whole number, 0 or more (got 'abc')"),
        "320/-1.jpg": (400, "The sheet index must be a whole number, 0 or more (got '-1')"),
        "320/1e3.jpg": (400, "The sheet index must be a whole number, 0 or more (got '1e3')"),
        "320/%200.jpg": (400, "The sheet index must be a whole number, 0 or more (got ' 0')"),
        "321/0.jpg": (404, "No trickplay at width 321; widths: 320"),
        "320/1.jpg": (404, "No sheet 1: there are 1 (0 to 0)"),
        "320/0.jpg?source_id=nope": (404, "No trickplay at width 320 for media source 'nope' of this item (yet)"),
    }
    for path, (expected, message) in cases.items():
        status, body = await running.get_json(f"{base}/{path}")
        assert (status, body["error"]["message"]) == (expected, message), path
    # An encoded slash is decoded before routing: no route has that shape, so no handler ever sees it.
    assert (await running.get_json(f"{base}/320/..%2F..%2Fsecret.jpg"))[0] == 404
    status, body = await running.get_json("/api/v1/items/nope/trickplay")
    assert (status, body["error"]["message"]) == (404, "No item 'nope'")
    status, body = await running.post_json(f"{base}?wait=maybe")
    assert status == 400
    status, sheet = await request(running.session, "GET", f"{base}/320/0.jpg")  # source_id is optional
    assert status == 200 and Image.open(io.BytesIO(sheet)).size == (3200, 180)


async def test_more_widths_and_sheets(marquee_hub, movies):
    extra = "trickplay:\n  interval_seconds: 5\n  width: [320, 160]\n  tiles_x: 2\n  tiles_y: 2\n"
    running, item, event = await start(marquee_hub, movies, extra)
    source_id = item["media_sources"][0]["id"]
    assert event.data["widths"] == [160, 320]
    manifest = (await running.get_json(f"/api/v1/items/{item['id']}/trickplay"))[1][source_id]
    assert {w: (m["height"], m["thumbnail_count"], m["sheet_count"]) for w, m in manifest.items()} == {
        "160": (90, 5, 2),
        "320": (180, 5, 2),
    }
    sizes = {}
    for width in (160, 320):
        for index in (0, 1):
            sheet_url = manifest[str(width)]["url_template"].format(index=index)
            status, body = await request(running.session, "GET", sheet_url)
            assert status == 200
            sizes[width, index] = Image.open(io.BytesIO(body)).size
    # 5 thumbnails (0, 5, ..., 20 s), 4 to a sheet: a full 2x2 sheet, then one row of the next.
    assert sizes == {(160, 0): (320, 180), (160, 1): (320, 90), (320, 0): (640, 360), (320, 1): (640, 180)}


async def test_regenerate(marquee_hub, movies):
    running, item, _ = await start(marquee_hub, movies)
    source_id = item["media_sources"][0]["id"]
    url = f"/api/v1/items/{item['id']}/trickplay"
    async with running.session.get(f"{url}/320/0.jpg") as response:
        etag = response.headers["ETag"]
    status, body = await running.post_json(f"{url}?wait=true")
    assert status == 200, body
    [result] = body["results"]
    assert (result["source_id"], result["status"], result["thumbnail_count"], result["sheet_count"]) == (
        source_id, "generated", 3, 1,
    )  # fmt: skip
    async with running.session.get(f"{url}/320/0.jpg", headers={"If-None-Match": etag}) as response:
        assert response.status == 200 and response.headers["ETag"] != etag  # new sheets, new tag

    ready = Events(running, "trickplay.ready")
    status, body = await running.post_json(url)
    assert (status, body) == (202, {"item_id": item["id"], "queued": [source_id]})
    assert (await ready.next()).data["source_id"] == source_id


async def test_deleted_and_undecodable_files(marquee_hub, movies, caplog):
    running, item, _ = await start(marquee_hub, movies)
    source_id = item["media_sources"][0]["id"]
    url = f"/api/v1/items/{item['id']}/trickplay"
    clip = movies / MOVIE / f"{MOVIE}.mkv"

    # Garbage where the video was (same size and time, so the library has no reason to notice): logged, no crash.
    stat = clip.stat()
    clip.write_bytes(os.urandom(stat.st_size))
    os.utime(clip, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    skipped = Events(running, "trickplay.skipped")
    assert (await running.post_json(url))[0] == 202  # through the background queue
    event = await skipped.next()
    assert (event.data["source_id"], event.data["status"]) == (source_id, "failed")
    assert f"No trickplay for {clip} (unreadable): can't be opened" in caplog.text
    assert (await request(running.session, "GET", f"{url}/320/0.jpg"))[0] == 200  # earlier sheets stay until a rescan

    clip.unlink()  # deleted before generation: skipped with the reason
    status, body = await running.post_json(f"{url}?wait=true")
    assert body["results"] == [{"source_id": source_id, "status": "skipped", "reason": "the file is gone"}]
    assert f"No trickplay for {clip}: the file is gone" in caplog.text

    # The rescan drops the source; its sheets go with it.
    queued = Events(running, "trickplay.queued")
    await scan(running, "movies")
    assert (await queued.next()).data["sources"] == 0
    assert not sheet_folder(running, source_id).exists()
    assert (await running.get_json(url))[0] == 404


async def test_audio_only_sources_are_skipped(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    queued = Events(running, "trickplay.queued")
    library = (await scan(running, "music"))["library"]
    assert (await queued.next()).data == {"library_id": library["id"], "sources": 0}
    track = await by_name(running, library["id"], "First Song", type="track")  # an MP3 with cover art
    status, body = await running.post_json(f"/api/v1/items/{track['id']}/trickplay?wait=true")
    assert status == 200
    assert body["results"] == [
        {"source_id": track["media_sources"][0]["id"], "status": "skipped", "reason": "no video stream (audio only)"}
    ]
    assert (await running.get_json(f"/api/v1/items/{track['id']}/trickplay")) == (200, {})
    assert list((running.hub.data_dir / "trickplay").iterdir()) == []


async def test_left_over_folders_are_removed_at_start(marquee_hub, movies, tmp_path):
    running, item, _ = await start(marquee_hub, movies)
    source_id = item["media_sources"][0]["id"]
    root = running.hub.data_dir / "trickplay"
    await running.stop()
    (root / "0123456789abcdef" / "320").mkdir(parents=True)  # a source deleted while the server was down
    (root / source_id / "640").mkdir()  # a width no longer configured
    (root / source_id / ".320.partial").mkdir()  # an interrupted run
    running = await marquee_hub(library_yaml(movies=movies), config_dir=tmp_path / "config")
    for _ in range(100):
        if sorted(p.name for p in root.rglob("*")) == ["320", source_id, "sheet_0.jpg"]:
            break
        await asyncio.sleep(0.05)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == [
        Path(source_id),
        Path(source_id, "320"),
        Path(source_id, "320", "sheet_0.jpg"),
    ]
    assert (await request(running.session, "GET", f"/api/v1/items/{item['id']}/trickplay/320/0.jpg"))[0] == 200


async def test_on_postgresql(marquee_hub, movies, postgres_url):
    running, item, _ = await start(marquee_hub, movies, f"database:\n  url: {postgres_url}\n")
    assert running.hub.db.dialect == "postgresql"
    source_id = item["media_sources"][0]["id"]
    url = f"/api/v1/items/{item['id']}/trickplay"
    manifest = (await running.get_json(url))[1]
    assert manifest[source_id]["320"]["thumbnail_count"] == 3
    assert (await request(running.session, "GET", f"{url}/320/0.jpg"))[0] == 200
    status, body = await running.post_json(f"{url}?wait=true")
    assert [r["status"] for r in body["results"]] == ["generated"]
    (movies / MOVIE / f"{MOVIE}.mkv").unlink()
    queued = Events(running, "trickplay.queued")
    await scan(running, "movies")
    assert (await queued.next()).data["sources"] == 0
    assert not sheet_folder(running, source_id).exists()
    assert await running.hub.db.fetch_value("SELECT COUNT(*) FROM trickplay") == 0


def test_sizes_and_counts():
    assert [generator.thumbnail_count(ms, 10_000) for ms in (25_000, 20_000, 20_001, 1, 0)] == [3, 2, 3, 1, 1]
    assert generator.scaled_height(320, 1920, 1080, None) == 180
    assert generator.scaled_height(320, 720, 480, Fraction(32, 27)) == 180  # anamorphic 16:9 DVD
    assert generator.scaled_height(320, 1440, 1080, Fraction(4, 3)) == 180
    assert generator.scaled_height(100, 1920, 1080, Fraction(1, 1)) == 56  # 56.25, rounded to even


def test_the_sequential_fallback_picks_the_same_keyframes(pattern_clip, tmp_path, monkeypatch):
    """Containers that can't seek are read through once; with a keyframe every second both ways agree."""
    layout = generator.Layout(10_000, 10, 10, 80)
    seeking = generator.generate(str(pattern_clip), tmp_path / "seek", [320], layout, threading.Event(), None)
    monkeypatch.setattr(generator, "_keyframes", generator._keyframes_in_order)
    reading = generator.generate(str(pattern_clip), tmp_path / "read", [320], layout, threading.Event(), None)
    assert seeking == reading == [generator.Sheets(320, 180, 3, 1)]
    with Image.open(tmp_path / "seek/320/sheet_0.jpg") as a, Image.open(tmp_path / "read/320/sheet_0.jpg") as b:
        assert difference(a.convert("RGB"), b.convert("RGB")) < 1
    assert sorted(p.name for p in (tmp_path / "read").iterdir()) == ["320"]  # no staging folder left behind


def test_cancelled_generation_leaves_nothing(pattern_clip, tmp_path):
    stop = threading.Event()
    stop.set()
    layout = generator.Layout(10_000, 10, 10, 80)
    with pytest.raises(generator.Cancelled):
        generator.generate(str(pattern_clip), tmp_path / "out", [320], layout, stop, None)
    assert list((tmp_path / "out").iterdir()) == []
