"""/socket: keep-alives, and watch-state changes from one device reaching the user's other devices (only)."""

import asyncio

import aiohttp
import pytest

from tests.integrations.auth.conftest import make_user
from tests.integrations.jellyfin.conftest import PASSWORD, call, header, jellyfin_login, media_hub, validate

ADMIN_PASSWORD = "correct horse battery"


async def _next(ws, kind: str, timeout: float = 5.0) -> dict:
    while True:
        message = await asyncio.wait_for(ws.receive_json(), timeout)
        if message["MessageType"] == kind:
            return message


async def test_socket_keepalive_user_data_and_library_changes(marquee_hub, test_media):
    running, libraries = await media_hub(marquee_hub, test_media, "playstate:\n  min_resume_seconds: 0.1\n")
    anon = running.anonymous
    phone = await jellyfin_login(running, "admin", ADMIN_PASSWORD, device="phone")
    tv = await jellyfin_login(running, "admin", ADMIN_PASSWORD, device="tv")
    await make_user(running, "bob")
    bob = await jellyfin_login(running, "bob", PASSWORD, device="bob-tv")
    found = (await call(anon, "GET", "/Items?Recursive=true&SearchTerm=sintel", headers=header(tv["AccessToken"])))[1]
    sintel = found["Items"][0]["Id"]
    url = running.url.replace("http", "ws", 1)
    async with (
        anon.ws_connect(f"{url}/socket?api_key={phone['AccessToken']}&deviceId=phone") as ws,
        anon.ws_connect(f"{url}/SOCKET?api_key={bob['AccessToken']}&deviceId=bob-tv") as other,
    ):
        hello = await _next(ws, "ForceKeepAlive")
        validate("ForceKeepAliveMessage", hello)
        assert hello["Data"] == 60
        await ws.send_json({"MessageType": "KeepAlive"})
        validate("OutboundKeepAliveMessage", await _next(ws, "KeepAlive"))
        report = {"ItemId": sintel, "PositionTicks": 5_000_000}
        status, _ = await call(
            anon, "POST", "/Sessions/Playing/Progress", json=report, headers=header(tv["AccessToken"], "tv")
        )
        assert status == 204
        changed = await _next(ws, "UserDataChanged")
        validate("UserDataChangedMessage", changed)
        data = changed["Data"]
        assert data["UserId"] == phone["User"]["Id"]
        assert (
            data["UserDataList"][0]["ItemId"] == sintel
            and data["UserDataList"][0]["PlaybackPositionTicks"] == 5_000_000
        )
        await running.post_json(f"/api/v1/libraries/{libraries['movies']['id']}/scan?wait=true")
        library = await _next(ws, "LibraryChanged")
        validate("LibraryChangedMessage", library)
        assert library["Data"]["CollectionFolders"] == [libraries["movies"]["id"]]
        # Bob hears about the library (he sees it), never about the admin's watch state.
        seen = [(await asyncio.wait_for(other.receive_json(), 5))["MessageType"] for _ in range(2)]
        assert seen == ["ForceKeepAlive", "LibraryChanged"]
    with pytest.raises(aiohttp.WSServerHandshakeError):  # no token: refused before the upgrade
        async with anon.ws_connect(f"{url}/socket"):
            pass


async def test_sessions_feed_and_admins_see_every_session(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media)
    anon = running.anonymous
    admin = await jellyfin_login(running, "admin", ADMIN_PASSWORD, device="dashboard")
    await make_user(running, "cleo")
    cleo = await jellyfin_login(running, "cleo", PASSWORD, device="cleo-phone")
    status, everyone = await call(anon, "GET", "/Sessions", headers=header(admin["AccessToken"]))
    assert status == 200 and {s["UserName"] for s in everyone} >= {"admin", "cleo"}
    for session in everyone:
        validate("SessionInfoDto", session)
    status, own = await call(anon, "GET", "/Sessions", headers=header(cleo["AccessToken"]))
    assert [s["UserName"] for s in own] == ["cleo"]  # a user sees only their own
    url = running.url.replace("http", "ws", 1)
    async with anon.ws_connect(f"{url}/socket?api_key={admin['AccessToken']}&deviceId=dashboard") as ws:
        await ws.send_json({"MessageType": "SessionsStart", "Data": "0,1000"})
        first = await _next(ws, "Sessions")
        assert {s["UserName"] for s in first["Data"]} >= {"admin", "cleo"}
        second = await _next(ws, "Sessions", timeout=5)
        assert second["MessageId"] != first["MessageId"]
        await ws.send_json({"MessageType": "SessionsStop"})
