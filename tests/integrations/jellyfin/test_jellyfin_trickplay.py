"""Trickplay through the Jellyfin surface: the BaseItemDto manifest, the HLS image playlist, the sheets, access."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.integrations.auth.conftest import make_user
from tests.integrations.jellyfin.conftest import PASSWORD, call, header, jellyfin_login, validate
from tests.integrations.library.conftest import by_name, library_yaml, scan
from tests.integrations.trickplay.test_trickplay import Events

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
MOVIE = "Test Pattern (2020)"
ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def jf_pattern_clip(tmp_path_factory) -> Path:
    """25 s of testsrc2 at 320x180, a keyframe every second: 3 thumbnails at the default 10 s interval."""
    clip = tmp_path_factory.mktemp("jf-trickplay") / "pattern.mkv"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10:duration=25",
         "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", str(clip)],
        check=True, timeout=120,
    )  # fmt: skip
    return clip


async def _start(marquee_hub, jf_pattern_clip, tmp_path, extra: str = ""):
    folder = tmp_path / "movies" / MOVIE
    folder.mkdir(parents=True)
    shutil.copy(jf_pattern_clip, folder / f"{MOVIE}.mkv")
    running = await marquee_hub(extra + library_yaml(movies=tmp_path / "movies"))
    ready = Events(running, "trickplay.ready")
    library = (await scan(running, "movies"))["library"]
    await ready.next()
    item = await by_name(running, library["id"], "Test Pattern")
    result = await jellyfin_login(running, "admin", ADMIN_PASSWORD)
    return running, library, item, result


async def test_manifest_playlist_and_sheets(marquee_hub, jf_pattern_clip, tmp_path):
    running, library, item, login = await _start(marquee_hub, jf_pattern_clip, tmp_path)
    anon, token, user_id = running.anonymous, login["AccessToken"], login["User"]["Id"]
    auth = header(token)
    source_id = item["media_sources"][0]["id"]

    # Item details carry the manifest; lists only when Fields asks for it.
    status, detail = await call(anon, "GET", f"/Users/{user_id}/Items/{item['id']}", "BaseItemDto", headers=auth)
    assert status == 200
    info = detail["Trickplay"][source_id]["320"]
    bandwidth = info.pop("Bandwidth")
    assert info == {"Width": 320, "Height": 180, "TileWidth": 10, "TileHeight": 10, "ThumbnailCount": 3,
                    "Interval": 10_000}  # fmt: skip
    sheet_bytes = (running.hub.data_dir / "trickplay" / source_id / "320" / "sheet_0.jpg").stat().st_size
    assert bandwidth == -(-sheet_bytes * 8 // 1000)  # ceil(bytes * 8 / (10 x 10 tiles) / 10 s)
    assert [s["Id"] for s in detail["MediaSources"]] == [source_id]
    model = validate("BaseItemDto", detail)
    assert model.trickplay[source_id]["320"].thumbnail_count == 3
    path = f"/Items?ParentId={library['id']}&Limit=100&SortBy=SortName"
    status, page = await call(anon, "GET", path, "BaseItemDtoQueryResult", headers=auth)
    assert "Trickplay" not in page["Items"][0]
    status, page = await call(anon, "GET", path + "&Fields=Trickplay,MediaSourceCount", "BaseItemDtoQueryResult",
                              headers=auth)  # fmt: skip
    assert page["Items"][0]["Trickplay"][source_id]["320"]["ThumbnailCount"] == 3
    camel = {**auth, "Accept": 'application/json;profile="CamelCase"'}
    status, body = await call(anon, "GET", f"/Items/{item['id']}", headers=camel)
    assert body["trickplay"][source_id]["320"]["tileWidth"] == 10  # map keys kept, properties camelCased

    # The HLS image playlist, as Jellyfin writes it; its sheet URLs carry the token and the media source.
    async with anon.get(f"/Videos/{item['id']}/Trickplay/320/tiles.m3u8", headers=auth) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/x-mpegURL")
        playlist = await response.text()
    sheet = f"0.jpg?MediaSourceId={source_id}&api_key={token}"
    assert playlist == (
        "#EXTM3U\n#EXT-X-TARGETDURATION:30\n#EXT-X-VERSION:7\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-IMAGES-ONLY\n#EXTINF:30,\n#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=10x10,DURATION=10\n"
        f"{sheet}\n#EXT-X-ENDLIST\n"
    )
    async with anon.get(f"/Videos/{item['id']}/Trickplay/320/{sheet}") as response:  # no header: the URL's token
        assert response.status == 200 and response.content_type == "image/jpeg"
        etag = response.headers["ETag"]
        image = Image.open(io.BytesIO(await response.read()))
    assert (image.format, image.size) == ("JPEG", (3200, 180))
    async with anon.get(f"/videos/{item['id']}/trickplay/320/0.jpg", headers={**auth, "If-None-Match": etag}) as r:
        assert r.status == 304  # paths are case-insensitive; MediaSourceId is optional
    assert (await call(anon, "GET", f"/Videos/{item['id']}/Trickplay/320/0.jpg?api_key={token}"))[0] == 200

    # Missing things are 404, bad numbers 400, no token 401.
    base = f"/Videos/{item['id']}/Trickplay"
    for url, expected in (
        (f"{base}/160/tiles.m3u8", 404),
        (f"{base}/160/0.jpg", 404),
        (f"{base}/320/1.jpg", 404),
        (f"{base}/320/0.jpg?MediaSourceId={'0' * 32}", 404),
        (f"{base}/320/tiles.m3u8?MediaSourceId={'0' * 32}", 404),
        (f"{base}/abc/0.jpg", 400),
        (f"{base}/320/-1.jpg", 400),
        (f"/Videos/{'0' * 32}/Trickplay/320/tiles.m3u8", 404),
    ):
        assert (await call(anon, "GET", url, headers=auth))[0] == expected, url
    assert (await call(anon, "GET", f"{base}/320/0.jpg"))[0] == 401
    assert (await call(anon, "GET", f"{base}/320/tiles.m3u8"))[0] == 401


async def test_hidden_items_and_multiple_sheets(marquee_hub, jf_pattern_clip, tmp_path):
    extra = "trickplay:\n  interval_seconds: 5\n  width: [320, 160]\n  tiles_x: 2\n  tiles_y: 2\n"
    running, _, item, login = await _start(marquee_hub, jf_pattern_clip, tmp_path, extra)
    anon, token = running.anonymous, login["AccessToken"]
    auth = header(token)
    source_id = item["media_sources"][0]["id"]
    status, detail = await call(anon, "GET", f"/Items/{item['id']}", "BaseItemDto", headers=auth)
    manifest = detail["Trickplay"][source_id]
    assert {w: (m["Height"], m["ThumbnailCount"]) for w, m in manifest.items()} == {"160": (90, 5), "320": (180, 5)}
    async with anon.get(f"/Videos/{item['id']}/Trickplay/160/tiles.m3u8", headers=auth) as response:
        playlist = await response.text()
    query = f"?MediaSourceId={source_id}&api_key={token}"
    assert playlist.splitlines()[1] == "#EXT-X-TARGETDURATION:20"
    assert playlist.splitlines()[6:] == [
        "#EXTINF:20,", "#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=2x2,DURATION=5", f"0.jpg{query}",
        "#EXTINF:5,", "#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=2x2,DURATION=5", f"1.jpg{query}",
        "#EXT-X-ENDLIST",
    ]  # fmt: skip
    for index, size in ((0, (320, 180)), (1, (320, 90))):
        status, body = await call(anon, "GET", f"/Videos/{item['id']}/Trickplay/160/{index}.jpg{query}")
        assert status == 200 and Image.open(io.BytesIO(body)).size == size

    # The clip is unrated: a user who may not see unrated items gets 404 everywhere, as for a missing item.
    await make_user(running, "kid", max_parental_rating=7, block_unrated=True)
    kid = header((await jellyfin_login(running, "kid", PASSWORD, device="kid"))["AccessToken"], device="kid")
    for url in (f"/Items/{item['id']}", f"/Videos/{item['id']}/Trickplay/160/tiles.m3u8",
                f"/Videos/{item['id']}/Trickplay/160/0.jpg"):  # fmt: skip
        assert (await call(anon, "GET", url, headers=kid))[0] == 404, url
