"""A real Jellyfin client library (jellyfin-apiclient-python, synchronous) against the real server."""

import asyncio

from jellyfin_apiclient_python import JellyfinClient
from jellyfin_apiclient_python.connection_manager import CONNECTION_STATE

from tests.integrations.jellyfin.conftest import media_hub, validate

ADMIN_PASSWORD = "correct horse battery"


def _session(url: str) -> dict:
    client = JellyfinClient()
    client.config.app("Marquee tests", "1.0.0", "pytest", "pytest-device-1")
    client.config.data["auth.ssl"] = False
    state = client.auth.connect_to_address(url)
    assert state["State"] == 1 or "Servers" in state, state  # ServerSignIn
    result = client.auth.login(url, "admin", ADMIN_PASSWORD)
    assert result.get("AccessToken"), result
    validate("AuthenticationResult", result)
    # What an app does on its next start: reconnect with the stored credentials (validates the token).
    state = client.authenticate(client.get_credentials(), discover=False)
    assert state["State"] == CONNECTION_STATE["SignedIn"], state
    client.start()
    try:
        views = client.jellyfin.get_views()
        movies = next(v for v in views["Items"] if v["Name"] == "movies")
        items = client.jellyfin.get_user_items(parent_id=movies["Id"], recursive=True, include_item_types="Movie",
                                               sort_by="SortName", fields="Overview,Genres")  # fmt: skip
        detail = client.jellyfin.get_item(items["Items"][0]["Id"])
        return {"views": views, "items": items, "detail": detail, "info": client.jellyfin.get_system_info()}
    finally:
        client.stop()


async def test_apiclient_signs_in_and_browses(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media)
    found = await asyncio.to_thread(_session, running.url)
    validate("BaseItemDtoQueryResult", found["views"])
    validate("BaseItemDtoQueryResult", found["items"])
    validate("BaseItemDto", found["detail"])
    validate("ServerConfiguration", found["info"])
    assert sorted(v["Name"] for v in found["views"]["Items"]) == ["movies", "music", "shows"]
    assert [i["Name"] for i in found["items"]["Items"]] == ["Big Buck Test", "HDR Demo", "Sintel Test"]
    assert found["detail"]["MediaType"] == "Video"


def _play(url: str) -> dict:
    """What a Kodi-style app does to play: PlaybackInfo, the static URL, reports, closing the transcode."""
    import urllib.request

    client = JellyfinClient()
    client.config.app("Marquee tests", "1.0.0", "pytest", "pytest-device-2")
    client.config.data["auth.ssl"] = False
    client.auth.connect_to_address(url)
    client.auth.login(url, "admin", ADMIN_PASSWORD)
    client.authenticate(client.get_credentials(), discover=False)
    client.start()
    try:
        api = client.jellyfin
        found = api.search_media_items(term="Sintel", media="Movie")
        sintel = found["Items"][0]["Id"]
        info = api.get_play_info(sintel)
        source = info["MediaSources"][0]
        stream_url = api.video_url(sintel, media_source_id=source["Id"])
        request = urllib.request.Request(stream_url, headers={"Range": "bytes=0-15"})
        with urllib.request.urlopen(request) as response:
            head = (response.status, response.read())
        report = {"ItemId": sintel, "MediaSourceId": source["Id"], "PlaySessionId": info["PlaySessionId"]}
        api.session_playing({**report, "PositionTicks": 0})
        api.session_progress({**report, "PositionTicks": 5_000_000})
        api.session_stop({**report, "PositionTicks": 10_000_000})
        api.close_transcode("pytest-device-2", info["PlaySessionId"])
        return {"info": info, "head": head, "id": sintel}
    finally:
        client.stop()


async def test_apiclient_plays_and_reports(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media, "playstate:\n  min_resume_seconds: 0.1\n")
    found = await asyncio.to_thread(_play, running.url)
    validate("PlaybackInfoResponse", found["info"])
    assert found["info"]["MediaSources"][0]["SupportsDirectStream"]
    status, head = found["head"]
    assert status == 206 and len(head) == 16
    resume = (await running.get_json("/api/v1/users/me/continue-watching"))[1]
    assert [i["id"] for i in resume] == [found["id"]]
