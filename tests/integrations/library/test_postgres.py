"""The library on PostgreSQL: same scan, same answers, search through pg_trgm."""

from tests.integrations.library.conftest import by_name, library_yaml, scan


async def test_scan_search_and_edit_on_postgresql(marquee_hub, test_media, postgres_url):
    yaml = f"database:\n  url: {postgres_url}\n" + library_yaml(
        movies=test_media / "movies", shows=("tvshows", test_media / "shows")
    )
    running = await marquee_hub(yaml)
    assert running.hub.db.dialect == "postgresql"
    movies = await scan(running, "movies")
    assert (movies["added"], movies["failed"]) == (5, 4)
    shows = await scan(running, "shows")
    assert shows["added"] == 6
    again = await scan(running, "movies")
    assert again["unchanged"] == 9
    status, found = await running.get_json("/api/v1/search?q=sintle")
    assert [i["name"] for i in found["items"]] == ["Sintel Test"]
    status, found = await running.get_json("/api/v1/search?q=uck%20tes")
    assert [i["name"] for i in found["items"]] == ["Big Buck Test"]
    big = await by_name(running, movies["library"]["id"], "Big Buck Test")
    assert sorted(s["version_label"] for s in big["media_sources"]) == ["1080p", "4K"]
    status, body = await running.request("PUT", f"/api/v1/items/{big['id']}/metadata", json={"name": "Bunny"})
    assert body["locked_fields"] == ["name"]
    await scan(running, "movies", full="true")
    assert (await running.get_json(f"/api/v1/items/{big['id']}"))[1]["name"] == "Bunny"
    status, _ = await running.request("DELETE", f"/api/v1/libraries/{movies['library']['id']}")
    assert status == 409  # YAML libraries are read-only through the API
