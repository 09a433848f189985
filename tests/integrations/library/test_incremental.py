"""Incremental rescans: unchanged files are not re-read; changes, removals and moves are found; ids survive moves."""

import asyncio
import os
import shutil

from integrations.library.const import EVENT_SCAN_FINISHED
from tests.integrations.library.conftest import by_name, items, library_yaml, scan


async def test_rescan_finds_changes_removals_and_keeps_ids_of_moved_files(marquee_hub, media_copy):
    shows = media_copy / "shows"
    running = await marquee_hub(library_yaml(shows=("tvshows", shows)))
    first = await scan(running, "shows")
    library_id = first["library"]["id"]
    assert first["added"] == 6

    again = await scan(running, "shows")
    assert (again["added"], again["updated"], again["removed"], again["unchanged"]) == (0, 0, 0, 6)

    pilot = await by_name(running, library_id, "Pilot", type="episode")
    await running.request("PUT", f"/api/v1/items/{pilot['id']}/user-data", json={"played": True, "is_favorite": True})
    season_one = shows / "Test Show (2019)" / "Season 01"
    # Rename (a move within the library): same file, new name; the item keeps its id.
    os.rename(season_one / "Test Show - S01E01 - Pilot.mkv", season_one / "Test Show - S01E01 - The Pilot.mkv")
    os.rename(season_one / "Test Show - S01E01 - Pilot.nfo", season_one / "Test Show - S01E01 - The Pilot.nfo")
    moved = await scan(running, "shows")
    assert (moved["moved"], moved["added"], moved["removed"]) == (1, 0, 0)
    after = await by_name(running, library_id, "Pilot", type="episode")
    assert after["id"] == pilot["id"]
    assert (after["user_data"]["played"], after["user_data"]["is_favorite"]) == (True, True)  # watch state kept
    assert after["media_sources"][0]["path"].endswith("The Pilot.mkv")

    # Changed content (size and mtime differ): re-read. Removed file: its episode goes, empty parents too.
    daily = shows / "Daily Show Test" / "Daily Show Test 2024-03-15.mkv"
    shutil.copyfile(shows / "Anime Test" / "Anime Test - 012.mkv", daily)
    os.utime(daily, ns=(1, 1))
    shutil.rmtree(shows / "Anime Test")
    changed = await scan(running, "shows")
    assert (changed["updated"], changed["removed"], changed["added"]) == (1, 1, 0)
    names = [item["name"] for item in (await items(running, library_id))["items"]]
    assert names == ["Daily Show Test", "Test Show"]


async def test_watcher_picks_up_a_copied_file_without_a_manual_scan(marquee_hub, media_copy, tmp_path):
    movies = tmp_path / "watched"
    movies.mkdir()
    yaml = library_yaml(watched=("movies", movies)).replace("watch: false", "watch: true\n  watch_debounce_ms: 200")
    running = await marquee_hub(yaml)
    finished = asyncio.ensure_future(
        running.hub.bus.wait_for(EVENT_SCAN_FINISHED, lambda e: e.data["added"] == 1, timeout=30)
    )
    await asyncio.sleep(0.5)  # let the watcher register its inotify watches
    target = movies / "Sintel Test (2010)"
    target.mkdir()
    shutil.copyfile(media_copy / "movies" / "Sintel.Test.2010.720p.BluRay.x264.mp4", target / "Sintel Test (2010).mp4")
    event = await finished
    assert event.data["library"] == "watched"
    status, libraries = await running.get_json("/api/v1/libraries")
    page = await items(running, libraries[0]["id"])
    assert [item["name"] for item in page["items"]] == ["Sintel Test"]


async def test_scheduled_scans_call_back_on_their_interval():
    from integrations.library.models import Library
    from integrations.library.watcher import scan_every

    calls = []
    library = Library("id", "name", "movies", ["/tmp"])
    task = asyncio.create_task(scan_every(library, 0.0005, calls.append))  # every 30 ms
    await asyncio.sleep(0.2)
    task.cancel()
    assert len(calls) >= 3
    assert calls[0] is library


async def test_demo_libraries_are_added_once_from_the_environment(marquee_hub, test_media, monkeypatch):
    monkeypatch.setenv("MARQUEE_DEMO_MEDIA", str(test_media))
    running = await marquee_hub("library:\n  scan_on_start: false\n  watch: false\n")
    status, libraries = await running.get_json("/api/v1/libraries")
    assert sorted((lib["name"], lib["type"]) for lib in libraries) == [
        ("Demo Movies", "movies"), ("Demo Music", "music"), ("Demo Shows", "tvshows"),
    ]  # fmt: skip
