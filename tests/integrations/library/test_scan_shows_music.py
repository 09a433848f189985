"""Series > season > episode and artist > album > track hierarchies from the generated library."""

from tests.integrations.library.conftest import by_name, items, library_yaml, scan


async def test_series_seasons_episodes_specials_absolute_and_dated(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(shows=("tvshows", test_media / "shows")))
    report = await scan(running, "shows")
    assert (report["added"], report["failed"]) == (6, 0)
    library_id = report["library"]["id"]
    top = await items(running, library_id)
    assert [(i["type"], i["name"]) for i in top["items"]] == [
        ("series", "Anime Test"),
        ("series", "Daily Show Test"),
        ("series", "Test Show"),
    ]
    show = await by_name(running, library_id, "Test Show", type="series")
    assert show["year"] == 2019
    assert show["provider_ids"] == {"tvdb": "123456"}
    assert show["genres"] == ["Drama"]
    assert any(image["type"] == "Primary" for image in show["images"])
    status, seasons = await running.get_json(f"/api/v1/items/{show['id']}/children")
    assert [(s["name"], s["index_number"]) for s in seasons["items"]] == [
        ("Specials", 0),
        ("Season 1", 1),
        ("Season 2", 2),
    ]
    season_one = seasons["items"][1]
    season_detail = (await running.get_json(f"/api/v1/items/{season_one['id']}"))[1]
    assert [image["type"] for image in season_detail["images"]] == ["Primary"]  # season01-poster.jpg
    status, episodes = await running.get_json(f"/api/v1/items/{season_one['id']}/children")
    rows = [(e["name"], e["index_number"], e.get("index_number_end")) for e in episodes["items"]]
    assert rows == [("Pilot", 1, None), ("Double", 2, 3)]
    pilot = await by_name(running, library_id, "Pilot", type="episode")
    assert pilot["premiere_date"] == "2019-01-07"  # from the episode NFO
    assert pilot["parent_index_number"] == 1

    anime = await by_name(running, library_id, "Anime Test", type="series")
    status, anime_children = await running.get_json(f"/api/v1/items/{anime['id']}/children")
    assert [(c["type"], c["index_number"]) for c in anime_children["items"]] == [("episode", 12)]
    daily = await by_name(running, library_id, "Daily Show Test", type="series")
    status, daily_children = await running.get_json(f"/api/v1/items/{daily['id']}/children")
    assert [(c["type"], c["premiere_date"]) for c in daily_children["items"]] == [("episode", "2024-03-15")]


async def test_artists_albums_tracks_compilations_and_cover_art(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    report = await scan(running, "music")
    assert (report["added"], report["failed"]) == (4, 0)
    library_id = report["library"]["id"]
    top = await items(running, library_id)
    assert [(i["type"], i["name"]) for i in top["items"]] == [("artist", "Test Artist"), ("artist", "Various Artists")]
    album = await by_name(running, library_id, "Test Album", type="album")
    assert album["year"] == 2020
    assert album["images"][0]["type"] == "Primary"
    status, tracks = await running.get_json(f"/api/v1/items/{album['id']}/children")
    assert [(t["index_number"], t["name"]) for t in tracks["items"]] == [(1, "First Song"), (2, "Second Song")]
    first = await by_name(running, library_id, "First Song", type="track")
    assert first["artists"] == ["Test Artist"]
    assert any(image["source"] == "embedded" for image in first["images"])
    compilation = await by_name(running, library_id, "Compilation Test", type="album")
    assert compilation["is_compilation"] == 1
    status, songs = await running.get_json(f"/api/v1/items/{compilation['id']}/children")
    assert [t["name"] for t in songs["items"]] == ["Song A", "Song B"]
    song_b = await by_name(running, library_id, "Song B", type="track")
    assert song_b["artists"] == ["Artist B"]
