"""Direct play's own send path: chunked reads with a file deleted mid-stream, a client that leaves, a source
cached across requests, and the X-Accel-Redirect hand-off."""

import asyncio
import os

from integrations.streaming.direct import MediaFileResponse
from tests.integrations.auth.conftest import request
from tests.integrations.streaming.conftest import movie_session, movies_yaml

MOVIE = "movies/Sintel.Test.2010.720p.BluRay.x264.mp4"


async def test_a_file_deleted_while_streaming_is_sent_to_the_end(marquee_hub, media_copy, monkeypatch):
    monkeypatch.setattr(MediaFileResponse, "chunk_size", 4096)  # many chunks for the small test file
    running = await marquee_hub(movies_yaml(media_copy))
    _, source = await movie_session(running, media_copy, "Sintel Test")
    original = (media_copy / MOVIE).read_bytes()
    async with running.anonymous.get(source["direct_play_url"]) as response:
        assert response.status == 200
        first = await response.content.readexactly(4096)
        os.remove(media_copy / MOVIE)  # the open file stays readable until it is closed
        rest = await response.read()
    assert first + rest == original
    status, body = await request(running.anonymous, "GET", source["direct_play_url"])
    assert (status, body["error"]["message"]) == (404, "The media file is missing on disk; rescan the library")


async def test_ranges_across_chunks_and_a_client_that_leaves(marquee_hub, test_media, monkeypatch):
    monkeypatch.setattr(MediaFileResponse, "chunk_size", 4096)
    running = await marquee_hub(movies_yaml(test_media))
    _, source = await movie_session(running, test_media, "Sintel Test")
    original = (test_media / MOVIE).read_bytes()
    url = source["direct_play_url"]
    for first, last in ((0, 4095), (10, 20_000), (4096, len(original) - 1)):
        async with running.anonymous.get(url, headers={"Range": f"bytes={first}-{last}"}) as response:
            assert response.status == 206
            assert response.headers["Content-Length"] == str(last - first + 1)
            assert await response.read() == original[first : last + 1]
    async with running.anonymous.get(url, headers={"Range": "bytes=100-"}) as response:
        await response.content.readexactly(10)
        response.close()  # gone mid-body: the server stops reading and keeps serving others
    await asyncio.sleep(0.1)
    async with running.anonymous.get(url, headers={"Range": "bytes=0-99"}) as response:
        assert response.status == 206 and await response.read() == original[:100]


async def test_a_cached_source_still_checks_who_asks(marquee_hub, test_media):
    from tests.integrations.auth.conftest import PASSWORD, make_user

    running = await marquee_hub(movies_yaml(test_media))
    item, source = await movie_session(running, test_media, "Sintel Test")
    url = source["direct_play_url"]
    bare = url.split("?")[0] + f"?source_id={source['id']}"
    assert (await request(running.session, "GET", bare, headers={"Range": "bytes=0-9"}))[0] == 206  # now cached
    await make_user(running, "nia", library_access=[])
    nia = await running.session_for("nia", PASSWORD)
    assert (await request(nia, "GET", bare, headers={"Range": "bytes=0-9"}))[0] == 404
    assert (await request(running.anonymous, "GET", bare))[0] == 401


async def test_accel_redirect_hands_the_bytes_to_nginx(marquee_hub, test_media):
    extra = f"streaming:\n  accel_redirect:\n    location: /protected/\n    root: {test_media}\n"
    running = await marquee_hub(movies_yaml(test_media, extra))
    _, source = await movie_session(running, test_media, "Sintel Test")
    async with running.anonymous.get(source["direct_play_url"], headers={"Range": "bytes=0-9"}) as response:
        assert response.status == 200
        assert response.headers["X-Accel-Redirect"] == "/protected/movies/Sintel.Test.2010.720p.BluRay.x264.mp4"
        assert response.headers["Content-Type"] == "video/mp4" and response.headers["ETag"]
        assert await response.read() == b""
