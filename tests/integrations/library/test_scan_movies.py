"""Scanning the generated movie library end to end: probe, names, NFO, artwork, subtitles, versions, extras."""

from tests.integrations.library.conftest import by_name, items, library_yaml, scan


async def test_movies_are_identified_with_versions_extras_and_local_metadata(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies"))
    report = await scan(running, "movies")
    assert report["added"] == 5  # Big Buck (2 versions), its trailer, Sintel, HDR Demo
    assert report["failed"] == 4
    reasons = {f["path"].rsplit("/", 1)[-1]: f["reason"] for f in report["failures"]}
    assert reasons["empty.mp4"] == "empty file (0 bytes)"
    assert reasons["notes.mkv"].startswith("not a media file")
    assert set(reasons) == {"empty.mp4", "notes.mkv", "random.mkv", "truncated.mkv"}

    library_id = report["library"]["id"]
    top = await items(running, library_id)
    assert [item["name"] for item in top["items"]] == ["Big Buck Test", "HDR Demo", "Sintel Test"]
    assert top["total"] == 3

    big = await by_name(running, library_id, "Big Buck Test")
    assert big["type"] == "movie"
    assert big["year"] == 2008
    assert big["original_title"] == "Big Buck Original"
    assert big["official_rating"] == "PG"
    assert big["genres"] == ["Animation", "Comedy"]
    assert big["provider_ids"]["tmdb"] == "10378"
    assert big["provider_ids"]["imdb"] == "tt1254207"
    assert any(p["kind"] == "Director" for p in big["people"])
    assert sum(1 for p in big["people"] if p["kind"] == "Actor" and p["role"]) == 2
    assert {(image["type"], image["source"]) for image in big["images"]} >= {
        ("Primary", "local"),
        ("Backdrop", "local"),
    }
    versions = sorted(source["version_label"] for source in big["media_sources"])
    assert versions == ["1080p", "4K"]
    four_k = next(s for s in big["media_sources"] if s["version_label"] == "4K")
    video = next(s for s in four_k["streams"] if s["type"] == "video")
    assert (video["width"], video["height"], video["codec"]) == (3840, 2160, "h264")
    audio = next(s for s in four_k["streams"] if s["type"] == "audio")
    assert audio["channels"] == 6
    assert big["child_count"] == 1
    status, children = await running.get_json(f"/api/v1/items/{big['id']}/children")
    assert [(c["type"], c["extra_type"]) for c in children["items"]] == [("extra", "trailer")]


async def test_subtitles_chapters_and_hdr(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies"))
    library_id = (await scan(running, "movies"))["library"]["id"]
    sintel = await by_name(running, library_id, "Sintel Test")
    assert sintel["year"] == 2010
    source = sintel["media_sources"][0]
    assert source["version_label"] == "720p"
    assert [c["title"] for c in source["chapters"]] == ["Opening", "Ending"]
    subtitles = [s for s in source["streams"] if s["type"] == "subtitle"]
    embedded = [s for s in subtitles if not s.get("is_external")]
    external = {(s.get("language"), s.get("is_forced", False), s.get("is_hearing_impaired", False))
                for s in subtitles if s.get("is_external")}  # fmt: skip
    assert [s["language"] for s in embedded] == ["fre"]  # ISO 639-2/B, as containers store it
    assert external == {("eng", False, False), ("fre", True, False), ("eng", False, True)}
    hdr = await by_name(running, library_id, "HDR Demo")
    video = next(s for s in hdr["media_sources"][0]["streams"] if s["type"] == "video")
    assert video["hdr"] == "HDR10"
    assert video["bit_depth"] == 10
