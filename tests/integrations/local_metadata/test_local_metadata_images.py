"""integrations.local_metadata artwork discovery: Kodi/Jellyfin names, folder rules, symlink containment."""

from __future__ import annotations

import os
from pathlib import Path

from integrations.local_metadata.images import find_local_images
from plugin_sdk.media import LocalImage


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def found(images: list[LocalImage], root: Path) -> list[tuple[str, str]]:
    return [(image.type, os.path.relpath(image.path, root)) for image in images]


def test_movie_file_images_and_its_own_folder(tmp_path):
    folder = "Movies/Big Buck Test (2008)"
    touch(
        tmp_path,
        *(
            f"{folder}/{name}"
            for name in [
                "Big Buck Test (2008) - 1080p.mkv",
                "Big Buck Test (2008) - 4K.mkv",
                "Big Buck Test (2008) - 1080p-poster.JPG",
                "Big Buck Test (2008) - 1080p-fanart.png",
                "Big Buck Test (2008) - 1080p-thumb.webp",
                "Big Buck Test (2008) - 4K-poster.jpg",  # the other version's
                "poster.jpg",
                "folder.jpeg",
                "Cover.PNG",
                "fanart.jpg",
                "backdrop.webp",
                "background.jpg",
                "backdrop2.jpg",
                "backdrop10.jpg",
                "fanart1.jpg",
                "logo.png",
                "clearlogo.png",
                "banner.jpg",
                "landscape.jpg",
                "thumb.jpg",
                "clearart.png",
                "disc.png",
                "cdart.png",
                "poster.gif",  # not an image extension we read
                "notes.txt",
            ]
        ),
    )
    images = find_local_images(str(tmp_path / folder / "Big Buck Test (2008) - 1080p.mkv"), "movie")
    assert found(images, tmp_path / folder) == [
        ("Primary", "Big Buck Test (2008) - 1080p-poster.JPG"),
        ("Backdrop", "Big Buck Test (2008) - 1080p-fanart.png"),
        ("Thumb", "Big Buck Test (2008) - 1080p-thumb.webp"),
        ("Primary", "poster.jpg"),
        ("Primary", "folder.jpeg"),
        ("Primary", "Cover.PNG"),
        ("Backdrop", "fanart.jpg"),
        ("Backdrop", "backdrop.webp"),
        ("Backdrop", "background.jpg"),
        ("Logo", "logo.png"),
        ("Logo", "clearlogo.png"),
        ("Banner", "banner.jpg"),
        ("Thumb", "landscape.jpg"),
        ("Thumb", "thumb.jpg"),
        ("Art", "clearart.png"),
        ("Disc", "disc.png"),
        ("Disc", "cdart.png"),
        ("Backdrop", "fanart1.jpg"),
        ("Backdrop", "backdrop2.jpg"),
        ("Backdrop", "backdrop10.jpg"),
    ]


def test_loose_movies_in_a_shared_folder_get_only_their_own_images(tmp_path):
    touch(tmp_path, "Movies/Alpha (2001).mkv", "Movies/Beta (2002).mkv", "Movies/Alpha (2001)-poster.jpg")
    touch(tmp_path, "Movies/folder.jpg", "Movies/fanart.jpg")
    assert found(find_local_images(str(tmp_path / "Movies/Alpha (2001).mkv"), "movie"), tmp_path) == [
        ("Primary", "Movies/Alpha (2001)-poster.jpg")
    ]


def test_a_lone_movie_gets_the_folder_images(tmp_path):
    touch(tmp_path, "Movies/Some Folder/film.mkv", "Movies/Some Folder/poster.jpg")
    assert found(find_local_images(str(tmp_path / "Movies/Some Folder/film.mkv"), "movie"), tmp_path) == [
        ("Primary", "Movies/Some Folder/poster.jpg")
    ]


def test_episode_thumb_is_its_primary_and_season_art_is_not_its_own(tmp_path):
    season = "TV/Test Show/Season 01"
    touch(
        tmp_path,
        f"{season}/Test Show - S01E01.mkv",
        f"{season}/Test Show - S01E01-thumb.jpg",
        f"{season}/Test Show - S01E01.png",
        f"{season}/Test Show - S01E01-fanart.jpg",
        f"{season}/poster.jpg",
        f"{season}/Test Show - S01E02-thumb.jpg",
    )
    images = find_local_images(str(tmp_path / season / "Test Show - S01E01.mkv"), "episode")
    assert found(images, tmp_path / season) == [
        ("Backdrop", "Test Show - S01E01-fanart.jpg"),
        ("Primary", "Test Show - S01E01-thumb.jpg"),
        ("Primary", "Test Show - S01E01.png"),
    ]


def test_series_folder(tmp_path):
    touch(tmp_path, *(f"TV/Test Show/{n}" for n in ["poster.jpg", "fanart.jpg", "banner.jpg", "logo.png"]))
    touch(tmp_path, "TV/Test Show/season01-poster.jpg")  # a season's, not the series'
    assert found(find_local_images(str(tmp_path / "TV/Test Show"), "series"), tmp_path / "TV/Test Show") == [
        ("Primary", "poster.jpg"),
        ("Backdrop", "fanart.jpg"),
        ("Logo", "logo.png"),
        ("Banner", "banner.jpg"),
    ]


def test_season_folder_and_kodi_season_art_in_the_series_folder(tmp_path):
    show = tmp_path / "TV/Test Show"
    touch(
        show,
        "Season 01/poster.jpg",
        "Season 01/episode.mkv",
        "season01-poster.jpg",
        "season01-fanart.jpg",
        "season01-banner.png",
        "season01-landscape.jpg",
        "season02-poster.jpg",
        "season-specials-poster.jpg",
        "Specials/x.mkv",
    )
    assert found(find_local_images(str(show / "Season 01"), "season"), show) == [
        ("Primary", "Season 01/poster.jpg"),
        ("Primary", "season01-poster.jpg"),
        ("Backdrop", "season01-fanart.jpg"),
        ("Banner", "season01-banner.png"),
        ("Thumb", "season01-landscape.jpg"),
    ]
    assert found(find_local_images(str(show / "Specials"), "season"), show) == [
        ("Primary", "season-specials-poster.jpg")
    ]


def test_album_and_artist_folders(tmp_path):
    touch(tmp_path, "Music/Artist/Album/cover.jpg", "Music/Artist/Album/cdart.png", "Music/Artist/Album/01.flac")
    touch(tmp_path, "Music/Artist/folder.jpg", "Music/Artist/fanart.jpg", "Music/Artist/clearlogo.png")
    assert found(find_local_images(str(tmp_path / "Music/Artist/Album"), "album"), tmp_path / "Music/Artist") == [
        ("Primary", "Album/cover.jpg"),
        ("Disc", "Album/cdart.png"),
    ]
    assert found(find_local_images(str(tmp_path / "Music/Artist"), "artist"), tmp_path / "Music/Artist") == [
        ("Primary", "folder.jpg"),
        ("Backdrop", "fanart.jpg"),
        ("Logo", "clearlogo.png"),
    ]


def test_extrafanart_folder(tmp_path):
    touch(tmp_path, "TV/Show/extrafanart/b.jpg", "TV/Show/extrafanart/a.png", "TV/Show/extrafanart/readme.txt")
    assert found(find_local_images(str(tmp_path / "TV/Show"), "series"), tmp_path / "TV/Show") == [
        ("Backdrop", "extrafanart/a.png"),
        ("Backdrop", "extrafanart/b.jpg"),
    ]


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path):
    secret = tmp_path / "elsewhere" / "secret.jpg"
    touch(tmp_path, "elsewhere/secret.jpg", "Movies/Film (2000)/Film (2000).mkv", "Movies/Film (2000)/real.jpg")
    folder = tmp_path / "Movies/Film (2000)"
    (folder / "poster.jpg").symlink_to(secret)
    (folder / "Film (2000)-fanart.jpg").symlink_to(secret)
    (folder / "banner.jpg").symlink_to(folder / "real.jpg")  # inside: fine
    (folder / "logo.png").symlink_to(folder / "missing.png")  # dangling: skipped
    assert found(find_local_images(str(folder / "Film (2000).mkv"), "movie"), folder) == [("Banner", "banner.jpg")]


def test_an_item_folder_that_is_itself_a_link_is_read(tmp_path):
    touch(tmp_path, "elsewhere/Show/poster.jpg", "outside.jpg")
    (tmp_path / "elsewhere/Show/fanart.jpg").symlink_to(tmp_path / "outside.jpg")
    (tmp_path / "TV").mkdir()
    (tmp_path / "TV/Linked Show").symlink_to(tmp_path / "elsewhere/Show")
    assert find_local_images(str(tmp_path / "TV/Linked Show"), "series") == [
        LocalImage(type="Primary", path=str(tmp_path / "TV/Linked Show/poster.jpg"))
    ]


def test_missing_paths_give_no_images(tmp_path):
    assert find_local_images(str(tmp_path / "nope"), "series") == []
    assert find_local_images(str(tmp_path / "nope/film.mkv"), "movie") == []
