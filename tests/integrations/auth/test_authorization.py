"""Every route is checked: anonymous callers, non-admins, other users' data, restricted libraries."""

import re

from tests.integrations.auth.conftest import PASSWORD, make_user, request
from tests.integrations.library.conftest import library_yaml, scan


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


async def test_every_non_public_route_refuses_anonymous_callers(marquee_hub, test_media):
    """Enumerates the live route table, so a route added later without protection fails here."""
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    checked = 0
    for route, access in running.hub.http.all_routes():
        path = getattr(route, "path", "")
        if access.public:
            continue
        if not hasattr(route, "methods") or route.methods is None:  # mounts and WebSockets
            status, _ = await request(running.anonymous, "GET", concrete(path) + "/x")
            assert status in (401, 403, 404, 503), path
            continue
        for method in route.methods - {"HEAD"}:
            status, body = await request(running.anonymous, method, concrete(path), json={})
            assert status == 401, f"{method} {path} answered {status} without credentials"
            checked += 1
    assert checked > 40
    public = sorted(getattr(r, "path", "") for r, a in running.hub.http.all_routes() if a.public)
    assert public == [
        # The Jellyfin surface's login screen needs these, as Jellyfin itself does.
        "/Branding/Configuration", "/Branding/Css", "/Branding/Css.css", "/GetUTCTime",
        # Jellyfin artwork: public routes that check callers themselves (a token, or a signed tag as capability).
        "/Items/{itemId}/Images/{imageType}", "/Items/{itemId}/Images/{imageType}/{imageIndex}",
        "/QuickConnect/Enabled", "/System/Info/Public", "/System/Ping", "/Users/AuthenticateByName", "/Users/Public",
        "/Users/{userId}/Images/{imageType}",
        "/api/v1/auth/first-admin", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/setup",
        "/api/v1/system/info/public", "/health/live", "/health/ready", "/web",
    ]  # fmt: skip


async def test_a_regular_user_gets_403_on_every_admin_route(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    await make_user(running, "dave")
    dave = await running.session_for("dave", PASSWORD)
    checked = 0
    for route, access in running.hub.http.all_routes():
        if access.permission not in ("manage_server", "manage_users", "manage_libraries", "edit_metadata"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method == "HEAD":
                continue
            status, body = await request(dave, method, concrete(route.path), json={})
            assert status == 403, f"{method} {route.path}: {status}"
            assert body["error"]["message"] == f"This requires the '{access.permission}' permission"
            checked += 1
    assert checked >= 25


async def test_users_cannot_reach_each_others_devices(marquee_hub):
    running = await marquee_hub()
    await make_user(running, "erin")
    await make_user(running, "frank")
    erin = await running.session_for("erin", PASSWORD, device_id="erin-phone")
    frank = await running.session_for("frank", PASSWORD, device_id="frank-tv")
    erin_devices = (await request(erin, "GET", "/api/v1/users/me/devices"))[1]
    frank_devices = (await request(frank, "GET", "/api/v1/users/me/devices"))[1]
    assert [d["device_key"] for d in erin_devices] == ["erin-phone"]
    status, body = await request(erin, "DELETE", f"/api/v1/users/me/devices/{frank_devices[0]['id']}")
    assert status == 404  # exactly what a missing device looks like
    assert (await request(frank, "GET", "/api/v1/users/me"))[0] == 200
    status, _ = await request(erin, "GET", "/api/v1/users")
    assert status == 403


async def test_library_restrictions_hold_on_every_item_route(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies", music=test_media / "music"))
    movies, music = (await scan(running, "movies"))["library"], (await scan(running, "music"))["library"]
    await make_user(running, "gina", library_access=[music["id"]])
    gina = await running.session_for("gina", PASSWORD)
    visible = (await request(gina, "GET", "/api/v1/libraries"))[1]
    assert [lib["name"] for lib in visible] == ["music"]
    status, page = await request(running.session, "GET", f"/api/v1/libraries/{movies['id']}/items")
    movie = page["items"][0]
    for path in (
        f"/api/v1/libraries/{movies['id']}",
        f"/api/v1/libraries/{movies['id']}/items",
        f"/api/v1/items/{movie['id']}",
        f"/api/v1/items/{movie['id']}/children",
        f"/api/v1/items/{movie['id']}/images/Primary",
    ):
        status, body = await request(gina, "GET", path)
        assert status == 404, path
    search = (await request(gina, "GET", "/api/v1/search?q=test&facets=true"))[1]
    assert {item["type"] for item in search["items"]} <= {"album", "artist", "track"}
    assert all(f["value"] not in ("movie", "extra") for f in search["facets"]["types"])
    assert (await request(gina, "GET", f"/api/v1/libraries/{music['id']}/items"))[1]["total"] == 2


async def test_parental_rating_ceiling_and_unrated_blocking(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies"))
    library = (await scan(running, "movies"))["library"]
    await make_user(running, "kid", max_parental_rating=0, block_unrated=False)
    await make_user(running, "strict", max_parental_rating=7, block_unrated=True)
    kid = await running.session_for("kid", PASSWORD)
    strict = await running.session_for("strict", PASSWORD)
    names = lambda page: sorted(i["name"] for i in page["items"])  # noqa: E731
    # Big Buck Test is rated PG (7): too much for level 0, fine for 7. The others are unrated.
    kid_page = (await request(kid, "GET", f"/api/v1/libraries/{library['id']}/items"))[1]
    assert names(kid_page) == ["HDR Demo", "Sintel Test"]
    strict_page = (await request(strict, "GET", f"/api/v1/libraries/{library['id']}/items"))[1]
    assert names(strict_page) == ["Big Buck Test"]


async def test_remote_access_and_download_permissions(marquee_hub, test_media):
    running = await marquee_hub(
        library_yaml(movies=test_media / "movies") + "http:\n  trusted_proxies: [127.0.0.1/32]\n"
    )
    library = (await scan(running, "movies"))["library"]
    await running.request("PUT", "/api/v1/roles/homebody", json={"permissions": []})
    await make_user(running, "hal", role="homebody")
    hal = await running.session_for("hal", PASSWORD)
    assert (await request(hal, "GET", "/api/v1/users/me"))[0] == 200  # from the local network: fine
    remote = {"X-Forwarded-For": "203.0.113.50"}  # through the trusted proxy, from the internet
    status, body = await request(hal, "GET", "/api/v1/users/me", headers=remote)
    assert (status, body["error"]["message"]) == (403, "This account may only be used from the local network")
    assert (await request(running.session, "GET", "/api/v1/users/me", headers=remote))[0] == 200  # admins may
    item = (await request(running.session, "GET", f"/api/v1/libraries/{library['id']}/items"))[1]["items"][0]
    status, body = await request(hal, "GET", f"/api/v1/items/{item['id']}/download")
    assert (status, body["error"]["message"]) == (403, "This requires the 'download' permission")
    async with running.session.get(f"/api/v1/items/{item['id']}/download") as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
