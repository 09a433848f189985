"""Blurhashes are made when a scan registers artwork; an unreadable image leaves none and never fails the scan."""

import shutil

from blurhash_rs import blurhash_decode

from tests.integrations.library.conftest import by_name, library_yaml, scan

MOVIE = "Big Buck Test (2008)"


async def test_scan_hashes_artwork_and_survives_unreadable_images(marquee_hub, media_copy, tmp_path):
    folder = tmp_path / "movies" / MOVIE
    shutil.copytree(media_copy / "movies" / MOVIE, folder)
    (folder / "poster.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    running = await marquee_hub(library_yaml(movies=tmp_path / "movies"))
    report = await scan(running, "movies")
    assert report["failed"] == 0 and report["added"] >= 1
    movie = await by_name(running, report["library"]["id"], "Big Buck Test", type="movie")
    hashes = {image["type"]: image["blurhash"] for image in movie["images"]}
    assert hashes["Primary"] is None  # logged, stored as "tried", shown as no hash
    assert blurhash_decode(hashes["Backdrop"], 4, 4).size == (4, 4)
    # A rescan with nothing changed leaves the stored hashes alone (and has nothing to hash).
    assert (await scan(running, "movies"))["unchanged"] >= 1
    again = await by_name(running, report["library"]["id"], "Big Buck Test", type="movie")
    assert {image["type"]: image["blurhash"] for image in again["images"]} == hashes
