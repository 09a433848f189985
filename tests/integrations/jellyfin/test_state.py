"""Playback reports and user data from a Jellyfin app land in Marquee's playstate store."""

from tests.integrations.jellyfin.conftest import call, header, jellyfin_login, media_hub

ADMIN_PASSWORD = "correct horse battery"
TICKS = 10_000_000


async def test_reports_and_user_data_round_trip(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media, "playstate:\n  min_resume_seconds: 0.1\n")
    anon = running.anonymous
    result = await jellyfin_login(running, "admin", ADMIN_PASSWORD)
    auth, user_id = header(result["AccessToken"]), result["User"]["Id"]
    found = (await call(anon, "GET", "/Items?Recursive=true&SearchTerm=sintel", headers=auth))[1]
    sintel = found["Items"][0]["Id"]  # 2.0 s long
    report = {"ItemId": sintel, "PositionTicks": 0, "PlaySessionId": "x", "CanSeek": True}
    assert (await call(anon, "POST", "/Sessions/Playing", json=report, headers=auth))[0] == 204
    report["PositionTicks"] = str(int(0.8 * TICKS))  # numbers as strings are accepted
    assert (await call(anon, "POST", "/Sessions/Playing/Progress", json=report, headers=auth))[0] == 204
    report["PositionTicks"] = TICKS
    assert (await call(anon, "POST", "/Sessions/Playing/Stopped", json=report, headers=auth))[0] == 204
    resume = (await running.get_json("/api/v1/users/me/continue-watching"))[1]
    assert [i["name"] for i in resume] == ["Sintel Test"]
    status, page = await call(anon, "GET", f"/UserItems/Resume?userId={user_id}", "BaseItemDtoQueryResult",
                              headers=auth)  # fmt: skip
    assert [i["Name"] for i in page["Items"]] == ["Sintel Test"]
    assert page["Items"][0]["UserData"]["PlaybackPositionTicks"] == TICKS
    status, data = await call(anon, "POST", f"/UserPlayedItems/{sintel}", "UserItemDataDto", headers=auth)
    assert status == 200 and data["Played"] is True and data["PlayCount"] == 1
    status, data = await call(anon, "POST", f"/Users/{user_id}/FavoriteItems/{sintel}", "UserItemDataDto",
                              headers=auth)  # fmt: skip
    assert data["IsFavorite"] is True
    status, page = await call(anon, "GET", "/Items?Recursive=true&Filters=IsFavorite", "BaseItemDtoQueryResult",
                              headers=auth)  # fmt: skip
    assert [i["Id"] for i in page["Items"]] == [sintel]
    status, page = await call(anon, "GET", "/Items?Recursive=true&IsPlayed=true", "BaseItemDtoQueryResult",
                              headers=auth)  # fmt: skip
    assert [i["Id"] for i in page["Items"]] == [sintel]
    assert (await call(anon, "DELETE", f"/UserPlayedItems/{sintel}", "UserItemDataDto", headers=auth))[1][
        "Played"
    ] is False
    for bad in ({"ItemId": "nope"}, {"ItemId": sintel, "PositionTicks": "x"}, {"ItemId": sintel, "PositionTicks": -1},
                {}):  # fmt: skip
        assert (await call(anon, "POST", "/Sessions/Playing/Stopped", json=bad, headers=auth))[0] == 400, bad
    assert (await call(anon, "POST", "/Sessions/Playing", json={"ItemId": "0" * 32}, headers=auth))[0] == 404
