"""integrations.identify: file and folder names -> ParsedName. Every expectation is a whole ParsedName."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from integrations.identify import parser
from integrations.identify.parser import parse_path
from plugin_sdk.media import ParsedName


def touch(root: Path, relative: str) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return str(path)


MOVIES = [
    (
        "Movies/Big Buck Test (2008)/Big Buck Test (2008) - 1080p.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008, version_label="1080p"),
    ),
    (
        "Movies/Big Buck Test (2008)/Big Buck Test (2008) - 4K.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008, version_label="4K"),
    ),
    # no " - label": the screen size, 2160p reported as 4K
    (
        "Movies/Big Buck Test (2008)/Big.Buck.Test.2008.2160p.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008, version_label="4K"),
    ),
    # the file name has neither title nor year: both from the folder
    (
        "Movies/Big Buck Test (2008)/1080p.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008, version_label="1080p"),
    ),
    # the file name lacks the year: the folder's, since the titles agree
    (
        "Movies/Big Buck Test (2008)/Big Buck Test.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008),
    ),
    (
        "Movies/Sintel.Test.2010.720p.BluRay.x264.mp4",
        ParsedName(kind="movie", title="Sintel Test", year=2010, version_label="720p"),
    ),
    # edition is guessit's; the label is the text after " - ", so both say "Director's Cut"
    (
        "Movies/Movie Title (1999)/Movie Title (1999) - Director's Cut.mkv",
        ParsedName(
            kind="movie", title="Movie Title", year=1999, edition="Director's Cut", version_label="Director's Cut"
        ),
    ),
    (
        "Movies/Movie Title (1999)/Movie.Title.1999.Directors.Cut.1080p.mkv",
        ParsedName(kind="movie", title="Movie Title", year=1999, edition="Director's Cut", version_label="1080p"),
    ),
    # guessit splits the title at " - " (alternative_title): joined back
    (
        "Movies/Mission Test - Fallout (2018)/Mission Test - Fallout (2018).mkv",
        ParsedName(kind="movie", title="Mission Test - Fallout", year=2018),
    ),
    # guessit alone reads "HDR Demo" as the HDR flag and the title "Demo": "Title (Year)" is taken verbatim
    (
        "Movies/HDR Demo (2021)/HDR Demo (2021).mkv",
        ParsedName(kind="movie", title="HDR Demo", year=2021),
    ),
    (
        "Movies/Big.Buck.Test.(2008).1080p.mkv",
        ParsedName(kind="movie", title="Big Buck Test", year=2008, version_label="1080p"),
    ),
    # dotted "Short" at the end is a title word, not the "-short" extra suffix
    ("Movies/The.Big.Short.mkv", ParsedName(kind="movie", title="The Big Short")),
]


@pytest.mark.parametrize(("relative", "expected"), MOVIES, ids=[case[0] for case in MOVIES])
def test_movies(tmp_path, relative, expected):
    assert parse_path(touch(tmp_path, relative), "movies") == expected


EXTRA_FOLDERS = [
    ("Trailers", "trailer"),
    ("featurettes", "featurette"),
    ("Behind The Scenes", "behindthescenes"),
    ("deleted scenes", "deleted"),
    ("Interviews", "interview"),
    ("Scenes", "scene"),
    ("SHORTS", "short"),
    ("Extras", "extra"),
]


@pytest.mark.parametrize(("folder", "extra_type"), EXTRA_FOLDERS)
def test_extras_by_folder(tmp_path, folder, extra_type):
    path = touch(tmp_path, f"Movies/Big Buck Test (2008)/{folder}/Official Thing 2.mkv")
    assert parse_path(path, "movies") == ParsedName(kind="extra", title="Official Thing 2", extra_type=extra_type)


EXTRA_SUFFIXES = [
    ("Big Buck Test (2008)-trailer", "trailer"),
    ("Big Buck Test (2008).trailer", "trailer"),
    ("Big Buck Test (2008)_trailer2", "trailer"),
    ("Big Buck Test (2008)-featurette", "featurette"),
    ("Big Buck Test (2008)-behindthescenes", "behindthescenes"),
    ("Big Buck Test (2008)-deleted", "deleted"),
    ("Big Buck Test (2008)-deletedscene", "deleted"),
    ("Big Buck Test (2008)-interview", "interview"),
    ("Big Buck Test (2008)-scene", "scene"),
    ("Big Buck Test (2008)-short", "short"),
    ("Big Buck Test (2008)-extra", "extra"),
    ("Big Buck Test (2008)-TRAILER", "trailer"),
]


@pytest.mark.parametrize(("stem", "extra_type"), EXTRA_SUFFIXES)
def test_extras_by_suffix(tmp_path, stem, extra_type):
    path = touch(tmp_path, f"Movies/Big Buck Test (2008)/{stem}.mkv")
    assert parse_path(path, "movies") == ParsedName(kind="extra", title=stem, extra_type=extra_type)


def test_extras_in_a_tv_library(tmp_path):
    path = touch(tmp_path, "TV/Test Show (2019)/Extras/Making Of.mkv")
    assert parse_path(path, "tvshows") == ParsedName(kind="extra", title="Making Of", extra_type="extra")


EPISODES = [
    (
        "TV/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=1, episodes=[1], episode_title="Pilot"),
    ),
    (
        "TV/Test Show (2019)/Season 01/Test Show - S01E02-E03.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=1, episodes=[2, 3]),
    ),
    (
        "TV/Test Show (2019)/Season 02/Test Show 2x01.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=2, episodes=[1]),
    ),
    (
        "TV/Test Show (2019)/Specials/Test Show S00E01.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=0, episodes=[1]),
    ),
    # the file name has no series title: the series folder's (above the season folder)
    (
        "TV/Test Show (2019)/Season 01/S01E04.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=1, episodes=[4]),
    ),
    # guessit drops "HDR" from the file's series title: the folder spells it out in full
    (
        "TV/HDR Show (2020)/Season 01/HDR Show - S01E01.mkv",
        ParsedName(kind="episode", series_title="HDR Show", year=2020, season=1, episodes=[1]),
    ),
    # ... but a folder is not taken for a mere overlap of letters ("TV" is not a fuller "V")
    (
        "TV/V - S01E01.mkv",
        ParsedName(kind="episode", series_title="V", season=1, episodes=[1]),
    ),
    # no numbers at all: the name is the episode's title, season from the folder
    (
        "TV/Test Show (2019)/Season 01/Pilot.mkv",
        ParsedName(kind="episode", series_title="Test Show", year=2019, season=1, episode_title="Pilot"),
    ),
    # a bare number without a season folder is absolute (guessit alone says season 0, episode 12)
    (
        "TV/Anime Test/Anime Test - 012.mkv",
        ParsedName(kind="episode", series_title="Anime Test", absolute_episode=12),
    ),
    # ... and with a season folder it is that season's episode
    (
        "TV/Anime Test/Season 01/Anime Test - 012.mkv",
        ParsedName(kind="episode", series_title="Anime Test", season=1, episodes=[12]),
    ),
    (
        "TV/Daily Show Test/Daily Show Test 2024-03-15.mkv",
        ParsedName(kind="episode", series_title="Daily Show Test", air_date=dt.date(2024, 3, 15)),
    ),
]


@pytest.mark.parametrize(("relative", "expected"), EPISODES, ids=[case[0] for case in EPISODES])
def test_episodes(tmp_path, relative, expected):
    assert parse_path(touch(tmp_path, relative), "tvshows") == expected


def test_mixed_library_lets_guessit_decide(tmp_path):
    episode = touch(tmp_path, "Mixed/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.mkv")
    movie = touch(tmp_path, "Mixed/Sintel.Test.2010.720p.BluRay.x264.mp4")
    assert parse_path(episode, "mixed") == ParsedName(
        kind="episode", series_title="Test Show", year=2019, season=1, episodes=[1], episode_title="Pilot"
    )
    assert parse_path(movie, "mixed") == ParsedName(kind="movie", title="Sintel Test", year=2010, version_label="720p")


@pytest.mark.parametrize(
    "relative",
    [
        "Movies/Disc Test (2001)/BDMV/STREAM/00001.m2ts",
        "Movies/Disc Test (2001)/BDMV/index.bdmv",
        "Movies/Disc Test (2001)/VIDEO_TS/VTS_01_1.VOB",
        "Movies/Disc Test (2001)/VIDEO_TS/VIDEO_TS.IFO",
        "Movies/Disc Test (2001)/video_ts.ifo",
        "Movies/Disc Test (2001)/Disc Test (2001).iso",
    ],
)
def test_disc_structures_are_skipped_for_now(tmp_path, relative):
    assert parse_path(touch(tmp_path, relative), "movies") == ParsedName(kind="unknown")


def test_garbage_name_is_a_movie_with_that_title(tmp_path):
    assert parse_path(touch(tmp_path, "Movies/%%%.mkv"), "movies") == ParsedName(kind="movie", title="%%%")


def test_undecodable_name_does_not_raise_and_comes_back_storable(tmp_path):
    folder = tmp_path / "Movies"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/\xff.mkv"
    os.close(os.open(raw, os.O_CREAT | os.O_WRONLY))
    path = os.fsdecode(raw)
    assert path.endswith("\udcff.mkv")
    parsed = parse_path(path, "movies")
    assert parsed == ParsedName(kind="movie", title="\ufffd")
    parsed.title.encode("utf-8")  # no lone surrogate left


STRANGE_NAMES = [
    "",
    "/",
    ".mkv",
    "...",
    "[].mkv",
    "S99999E99999.mkv",
    "2024-13-45.mkv",
    "x" * 300 + ".mkv",
    "a\x00b.mkv",
    "\ud800\udfff.mkv",
    "Season 01",
    "-trailer",
    " - .mkv",
    "((((((.mkv",
    "S01E01-E00-E99.mkv",
]


@pytest.mark.parametrize("name", STRANGE_NAMES)
@pytest.mark.parametrize("library_type", ["movies", "tvshows", "mixed"])
def test_strange_names_never_raise(name, library_type):
    assert isinstance(parse_path(name, library_type), ParsedName)


def test_guessit_blowing_up_is_survived(tmp_path, monkeypatch):
    def explode(name, options=None):
        raise RuntimeError("boom")

    import guessit

    monkeypatch.setattr(guessit, "guessit", explode)
    parser._guess_folder.cache_clear()  # folder guesses are cached across calls
    dotted = touch(tmp_path, "Movies/Sintel.Test.2010.720p.BluRay.x264.mp4")
    assert parse_path(dotted, "movies") == ParsedName(kind="unknown")
    # a "Title (Year)" name still gives its title, read without guessit
    conventional = touch(tmp_path, "Movies/Big Buck Test (2008)/Big Buck Test (2008).mkv")
    assert parse_path(conventional, "movies") == ParsedName(kind="movie", title="Big Buck Test", year=2008)
    assert parse_path(conventional, "tvshows") == ParsedName(kind="episode", series_title="Big Buck Test")
    parser._guess_folder.cache_clear()  # don't leave failed guesses behind for later tests


@pytest.mark.parametrize("library_type", ["music", "books", ""])
def test_music_and_unknown_libraries_answer_none(tmp_path, library_type):
    assert parse_path(touch(tmp_path, "Music/Artist/Album/01 - Track.flac"), library_type) is None
