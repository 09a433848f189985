"""Signing in the way Jellyfin apps do, the token model, and refusals."""

from tests.integrations.auth.conftest import make_user
from tests.integrations.jellyfin.conftest import PASSWORD, call, header, jellyfin_login

ADMIN_PASSWORD = "correct horse battery"


async def test_public_info_and_login_flow(marquee_hub):
    running = await marquee_hub(only=["auth", "auth_local", "library", "jellyfin"])
    anon = running.anonymous
    status, info = await call(anon, "GET", "/System/Info/Public", "PublicSystemInfo")
    assert status == 200
    assert info["Version"] == "10.11.0" and info["ProductName"] == "Jellyfin Server"
    assert len(info["Id"]) == 32 and info["StartupWizardCompleted"] is True
    assert info["LocalAddress"] == running.url
    assert (await call(anon, "GET", "/users/public"))[1] == []
    assert (await call(anon, "POST", "/System/Ping"))[1] == "Jellyfin Server"
    result = await jellyfin_login(running, "admin", ADMIN_PASSWORD)
    token = result["AccessToken"]
    assert len(token) == 32 and int(token, 16) >= 0
    assert result["ServerId"] == info["Id"]
    user = result["User"]
    assert user["Policy"]["IsAdministrator"] is True and user["Name"] == "admin"
    assert result["SessionInfo"]["DeviceId"] == "dev-1" and result["SessionInfo"]["Client"] == "Jellyfin Web"
    auth = header(token)
    status, me = await call(anon, "GET", f"/Users/{user['Id']}", "UserDto", headers=auth)
    assert status == 200 and me["Id"] == user["Id"]
    assert (await call(anon, "GET", "/users/me", "UserDto", headers=auth))[0] == 200
    status, system = await call(anon, "GET", "/System/Info", "SystemInfo", headers=auth)
    assert status == 200 and system["Id"] == info["Id"]
    # The same server id after a restart.
    config_dir = running.config_dir
    await running.stop()
    again = await marquee_hub(config_dir=config_dir, keep_config=True, only=["auth", "auth_local", "library",
                                                                              "jellyfin"])  # fmt: skip
    assert (await call(again.anonymous, "GET", "/System/Info/Public"))[1]["Id"] == info["Id"]


async def test_token_forms_case_and_camel_case(marquee_hub):
    running = await marquee_hub(only=["auth", "auth_local", "library", "jellyfin"])
    token = (await jellyfin_login(running, "admin", ADMIN_PASSWORD))["AccessToken"]
    anon = running.anonymous
    for headers in (header(token), {"X-Emby-Authorization": header(token)["Authorization"]},
                    {"X-Emby-Token": token}, {"X-MediaBrowser-Token": token}):  # fmt: skip
        assert (await call(anon, "GET", "/SYSTEM/info", "SystemInfo", headers=headers))[0] == 200
    assert (await call(anon, "GET", f"/System/Info?api_key={token}"))[0] == 401  # not a media route
    status, body = await call(
        anon, "GET", "/Users/Me", headers={**header(token), "Accept": 'application/json; profile="CamelCase"'}
    )
    assert status == 200 and "name" in body and "policy" in body and "isAdministrator" in body["policy"]
    # Marquee's own API is untouched by the case folding.
    assert (await call(anon, "GET", "/API/V1/auth/setup"))[0] == 404


async def test_login_refusals(marquee_hub):
    running = await marquee_hub(only=["auth", "auth_local", "library", "jellyfin"])
    anon = running.anonymous
    status, _ = await call(anon, "POST", "/Users/AuthenticateByName", json={"Username": "admin", "Pw": "nope"},
                           headers=header())  # fmt: skip
    assert status == 401
    for bad in ({"Authorization": "MediaBrowser garbage"}, {"Authorization": 'MediaBrowser Client="x"'}, {}):
        status, _ = await call(anon, "POST", "/Users/AuthenticateByName",
                               json={"Username": "admin", "Pw": ADMIN_PASSWORD}, headers=bad)  # fmt: skip
        assert status == 400
    for body in ([1], {"Pw": "x"}, {"Username": 5, "Pw": "x"}):
        status, _ = await call(anon, "POST", "/Users/AuthenticateByName", json=body, headers=header())
        assert status == 400
    status, _ = await call(anon, "POST", "/Users/AuthenticateByName", data=b"{nope", headers=header())
    assert status == 400
    assert (await call(anon, "GET", "/Users/Me", headers=header("0" * 32)))[0] == 401
    assert (await call(anon, "GET", "/Users/Me", headers={"Authorization": 'MediaBrowser Token="'}))[0] == 401
    assert (await call(anon, "GET", "/Users/Me"))[0] == 401


async def test_other_users_and_revocation(marquee_hub):
    running = await marquee_hub(only=["auth", "auth_local", "library", "jellyfin"])
    kim = await make_user(running, "kim")
    admin_id = (await jellyfin_login(running, "admin", ADMIN_PASSWORD))["User"]["Id"]
    result = await jellyfin_login(running, "kim", PASSWORD, device="kim-tv")
    token = result["AccessToken"]
    assert result["User"]["Policy"]["IsAdministrator"] is False
    anon = running.anonymous
    status, body = await call(anon, "GET", f"/Users/{admin_id}", headers=header(token))
    assert status == 403 and b"admin" not in body
    assert (await call(anon, "GET", "/Users/not-hex", headers=header(token)))[0] == 400
    assert (await call(anon, "GET", "/Users", headers=header(token)))[0] == 403
    assert (await call(anon, "GET", f"/UserViews?userId={admin_id}", headers=header(token)))[0] == 403
    # Display preferences are per user and client.
    prefs = {"Id": "usersettings", "SortBy": "SortName", "CustomPrefs": {"homesection0": "resume"}, "Client": "emby"}
    path = f"/DisplayPreferences/usersettings?userId={kim['id']}&client=emby"
    assert (await call(anon, "POST", path, json=prefs, headers=header(token)))[0] == 204
    status, stored = await call(anon, "GET", path, "DisplayPreferencesDto", headers=header(token))
    assert stored["CustomPrefs"] == {"homesection0": "resume"} and stored["SortOrder"] == "Ascending"
    status, other = await call(anon, "GET", "/DisplayPreferences/usersettings?client=emby", "DisplayPreferencesDto",
                               headers=header(result["AccessToken"], device="x"))  # fmt: skip
    assert (await call(anon, "POST", path, json={"CustomPrefs": [1]}, headers=header(token)))[0] == 400
    # Revoking the device in Marquee signs the Jellyfin app out.
    devices = (await running.get_json(f"/api/v1/users/{kim['id']}/devices"))[1]
    device = next(d for d in devices if d["device_key"] == "kim-tv")
    assert (await call(anon, "GET", "/Users/Me", headers=header(token)))[0] == 200
    service = running.hub.__dict__["auth"]
    await service.revoke_device(device["id"])
    assert (await call(anon, "GET", "/Users/Me", headers=header(token)))[0] == 401
    # Signing in again on the same device replaces the old token.
    first = (await jellyfin_login(running, "kim", PASSWORD, device="phone"))["AccessToken"]
    second = (await jellyfin_login(running, "kim", PASSWORD, device="phone"))["AccessToken"]
    assert (await call(anon, "GET", "/Users/Me", headers=header(first)))[0] == 401
    assert (await call(anon, "GET", "/Users/Me", headers=header(second)))[0] == 200
    assert (await call(anon, "POST", "/Sessions/Logout", headers=header(second)))[0] == 204
    assert (await call(anon, "GET", "/Users/Me", headers=header(second)))[0] == 401
