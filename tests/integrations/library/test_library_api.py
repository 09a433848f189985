"""Library CRUD and request validation over real HTTP."""

from tests.integrations.library.conftest import items, library_yaml, scan


async def test_create_list_update_delete_keeps_files(marquee_hub, media_copy):
    running = await marquee_hub("library:\n  scan_on_start: false\n  watch: false\n")
    status, body = await running.post_json(
        "/api/v1/libraries", {"name": "Music", "type": "music", "folders": [str(media_copy / "music")]}
    )
    assert status == 201
    library_id = body["id"]
    assert body["source"] == "api"
    status, body = await running.post_json(
        "/api/v1/libraries", {"name": "music", "type": "music", "folders": [str(media_copy / "music")]}
    )
    assert (status, body["error"]["message"]) == (409, "A library named 'music' already exists")

    status, report = await running.post_json(f"/api/v1/libraries/{library_id}/scan?wait=true")
    assert report["added"] == 4
    status, body = await running.request(
        "PUT",
        f"/api/v1/libraries/{library_id}",
        json={"name": "Songs", "type": "music", "folders": [str(media_copy / "music")], "ignore": ["*Song B*"]},
    )
    assert (status, body["name"], body["ignore"]) == (200, "Songs", ["*Song B*"])
    report = (await running.post_json(f"/api/v1/libraries/{library_id}/scan?wait=true"))[1]
    assert report["removed"] == 1  # the ignore pattern now hides Song B

    status, _ = await running.request("DELETE", f"/api/v1/libraries/{library_id}")
    assert status == 204
    assert (await running.get_json(f"/api/v1/libraries/{library_id}"))[0] == 404
    assert running.hub.db and await running.hub.db.fetch_value("SELECT COUNT(*) FROM items") == 0
    assert (media_copy / "music" / "Test Artist" / "Test Album (2020)" / "01 - First Song.mp3").is_file()


async def test_scan_starts_in_the_background_with_202(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    status, libraries = await running.get_json("/api/v1/libraries")
    status, body = await running.post_json(f"/api/v1/libraries/{libraries[0]['id']}/scan")
    assert (status, body["status"]) == (202, "scanning")
    await running.hub.bus.wait_for("library.scan.finished", timeout=30)


async def test_bad_library_input_is_a_400_with_reasons(marquee_hub, tmp_path):
    running = await marquee_hub("library:\n  scan_on_start: false\n  watch: false\n")
    status, body = await running.post_json(
        "/api/v1/libraries", {"name": "X", "type": "films", "folders": [str(tmp_path / "missing")]}
    )
    assert status == 400
    assert sorted(body["error"]["problems"]) == [
        f"folder '{tmp_path / 'missing'}' does not exist for 'folders->0' (got '{tmp_path / 'missing'}')",
        "value must be one of ['mixed', 'movies', 'music', 'tvshows'] for 'type' (got 'films')",
    ]
    status, body = await running.post_json("/api/v1/libraries", {"name": "X", "type": "movies", "folders": ["rel"]})
    assert body["error"]["problems"] == ["'rel' must be an absolute path for 'folders->0' (got 'rel')"]
    status, body = await running.request("POST", "/api/v1/libraries", data=b"[1,")
    assert status == 400 and body["error"]["message"].startswith("Body is not valid JSON")
    assert (await running.get_json("/api/v1/libraries/nope"))[1]["error"]["message"] == "No library 'nope'"


async def test_yaml_library_with_missing_folder_is_a_config_error(marquee_hub, tmp_path):
    from plugin_sdk.testing import ConfigurationRejected

    try:
        await marquee_hub(library_yaml(gone=("movies", tmp_path / "nowhere")))
    except ConfigurationRejected as err:
        assert f"folder '{tmp_path / 'nowhere'}' does not exist" in str(err)
        assert "configuration.yaml, line 7" in str(err)
    else:
        raise AssertionError("a missing library folder must be refused at config time")


async def test_yaml_libraries_are_read_only_through_the_api(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    status, libraries = await running.get_json("/api/v1/libraries")
    assert libraries[0]["source"] == "yaml"
    status, body = await running.request("DELETE", f"/api/v1/libraries/{libraries[0]['id']}")
    assert status == 409
    assert "defined in configuration.yaml" in body["error"]["message"]


async def test_filters_with_wrong_types_and_paging_beyond_the_end(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    library_id = (await scan(running, "music"))["library"]["id"]
    status, body = await running.get_json(f"/api/v1/libraries/{library_id}/items?limit=ten&year_min=old&sort=size")
    assert status == 400
    assert sorted(body["error"]["problems"]) == [
        "expected int for 'limit' (got 'ten')",
        "expected int for 'year_min' (got 'old')",
        "value must be one of ['date_added', 'name', 'random', 'rating', 'release_date', 'relevance', 'year'] "
        "for 'sort' (got 'size')",
    ]
    page = await items(running, library_id, offset=50, limit=10, recursive="true")
    assert (page["items"], page["total"], page["offset"]) == ([], 8, 50)
    status, body = await running.get_json(f"/api/v1/libraries/{library_id}/items?type=sitcom")
    assert status == 400 and "unknown value(s) sitcom" in body["error"]["problems"][0]
    assert (await running.get_json("/api/v1/items/0000"))[1]["error"]["message"] == "No item '0000'"
