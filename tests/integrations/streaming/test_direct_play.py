"""Direct play over HTTP: ranges, conditional requests, content types, access and bad Range headers."""

import os

from tests.integrations.auth.conftest import PASSWORD, make_user, request
from tests.integrations.streaming.conftest import movie_session, movies_yaml


async def test_browser_direct_plays_an_mp4_with_ranges_and_etags(marquee_hub, test_media):
    running = await marquee_hub(movies_yaml(test_media))
    item, source = await movie_session(running, test_media, "Sintel Test")
    assert source["method"] == "DirectPlay" and source["reasons"] == []
    url = source["direct_play_url"]
    size = source["size"]
    original = (test_media / "movies" / "Sintel.Test.2010.720p.BluRay.x264.mp4").read_bytes()
    async with running.anonymous.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "video/mp4"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert await response.read() == original
        etag = response.headers["ETag"]
    async with running.anonymous.get(url, headers={"Range": "bytes=100-199"}) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 100-199/{size}"
        assert await response.read() == original[100:200]
    async with running.anonymous.get(url, headers={"Range": "bytes=-50"}) as response:
        assert await response.read() == original[-50:]
    async with running.anonymous.get(url, headers={"Range": f"bytes={size - 10}-99999999999999"}) as response:
        assert response.status == 206 and await response.read() == original[-10:]  # overflowing end: clamped
    async with running.anonymous.get(url, headers={"Range": f"bytes={size + 5}-"}) as response:
        assert response.status == 416 and response.headers["Content-Range"] == f"bytes */{size}"
    async with running.anonymous.get(url, headers={"Range": "bytes=0-1,10-11"}) as response:
        assert response.status == 206 and response.content_type == "multipart/byteranges"
    for malformed in ("bytes=abc", "bytes=5-1", "items=0-1"):
        async with running.anonymous.get(url, headers={"Range": malformed}) as response:
            assert response.status == 400, malformed
    async with running.anonymous.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    async with running.anonymous.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'}) as response:
        assert response.status == 200 and len(await response.read()) == size  # If-Range mismatch: whole file
    async with running.anonymous.head(url) as response:
        assert response.status == 200 and int(response.headers["Content-Length"]) == size


async def test_media_urls_need_a_token_and_respect_library_access(marquee_hub, test_media):
    running = await marquee_hub(movies_yaml(test_media))
    item, source = await movie_session(running, test_media, "Sintel Test")
    bare = source["direct_play_url"].split("?")[0] + f"?source_id={source['id']}"
    assert (await request(running.anonymous, "GET", bare))[0] == 401
    await make_user(running, "nia", library_access=[])
    nia = await running.session_for("nia", PASSWORD)
    assert (await request(nia, "GET", bare))[0] == 404
    assert (await request(nia, "POST", f"/api/v1/items/{item['id']}/playback-info", json={}))[0] == 404
    # A media token works only on media URLs.
    token = source["direct_play_url"].split("api_key=")[1].split("&")[0]
    status, _ = await request(
        running.anonymous, "GET", "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 401


async def test_unknown_ids_and_a_deleted_file(marquee_hub, test_media, media_copy):
    running = await marquee_hub(movies_yaml(media_copy))
    item, source = await movie_session(running, media_copy, "Sintel Test")
    url = source["direct_play_url"]
    assert (await request(running.session, "GET", "/api/v1/items/nope/stream"))[0] == 404
    status, body = await request(running.session, "GET", url.replace(source["id"], "0" * 32))
    assert status == 404 and "No media source" in body["error"]["message"]
    status, body = await request(running.session, "POST", f"/api/v1/items/{item['id']}/playback-info",
                                 json={"media_source_id": "missing"})  # fmt: skip
    assert status == 404
    os.remove(media_copy / "movies" / "Sintel.Test.2010.720p.BluRay.x264.mp4")
    status, body = await request(running.anonymous, "GET", url)
    assert (status, body["error"]["message"]) == (404, "The media file is missing on disk; rescan the library")


async def test_nonsense_profiles_are_rejected_with_the_field_named(marquee_hub, test_media):
    running = await marquee_hub(movies_yaml(test_media))
    library_items = await movie_session(running, test_media, "Sintel Test")
    item_id = library_items[0]["id"]
    for body, field in (
        ({"device_profile": {"max_bitrate": -5}}, "max_bitrate"),
        ({"device_profile": {"video_codecs": {"h264": {"max_level": "4.1; -i /etc/passwd"}}}}, "max_level"),
        ({"device_profile": {"video_containers": ["mp4 -f null"]}}, "video_containers"),
        ({"profile": "toaster"}, "profile"),
        ({"audio_index": "one"}, "audio_index"),
    ):
        status, answer = await request(running.session, "POST", f"/api/v1/items/{item_id}/playback-info", json=body)
        assert status == 400, body
        assert field in str(answer["error"]), (field, answer)


async def test_universal_audio_direct_and_transcoded(marquee_hub, test_media):
    from tests.integrations.library.conftest import by_name, library_yaml, scan

    running = await marquee_hub(library_yaml(music=test_media / "music"))
    library = (await scan(running, "music"))["library"]
    song = await by_name(running, library["id"], "Song A")  # FLAC
    url = f"/api/v1/items/{song['id']}/audio/universal"
    status, body = await request(running.session, "GET", url + "?container=flac&audio_codec=flac")
    assert (
        status == 200 and body == (test_media / "music/Various Artists/Compilation Test/01 - Song A.flac").read_bytes()
    )
    async with running.session.get(url + "?container=mp3&audio_codec=mp3&max_bitrate=64000") as response:
        assert response.status == 200 and response.content_type == "audio/mpeg"
        data = await response.read()
    assert data[:3] == b"ID3" or data[0] == 0xFF  # an MP3 stream
    status, body = await request(running.session, "GET", url + "?transcode_codec=wav")
    assert status == 400
