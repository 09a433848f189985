"""integrations.local_metadata NFO reading: which file, what it maps to, and hostile or broken files."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import pytest

from integrations.local_metadata.nfo import read_local_metadata
from plugin_sdk.media import ItemMetadata, Person

MOVIE_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
    <title>Big Buck Test</title>
    <originaltitle>Großer Bock</originaltitle>
    <sorttitle>Buck Test, Big</sorttitle>
    <year>2008</year>
    <plot>A giant rabbit takes revenge.</plot>
    <outline>Short outline.</outline>
    <tagline>Bunny with a plan</tagline>
    <premiered>2008-05-20</premiered>
    <genre>Animation</genre>
    <genre>Comedy</genre>
    <studio>Blender Foundation</studio>
    <studio>Peach Test Studio</studio>
    <tag>open movie</tag>
    <tag>short</tag>
    <ratings>
        <rating name="themoviedb" max="10"><value>6.4</value><votes>1200</votes></rating>
        <rating name="imdb" max="10" default="true"><value>6.5</value><votes>4400</votes></rating>
    </ratings>
    <rating>1.0</rating>
    <criticrating>78</criticrating>
    <mpaa>Rated PG-13</mpaa>
    <uniqueid type="imdb" default="true">tt1254207</uniqueid>
    <uniqueid type="TMDB">10378</uniqueid>
    <director>Sacha Goedegebure</director>
    <credits>Sacha Goedegebure</credits>
    <writer>Ton Roosendaal</writer>
    <actor><name>Big Buck Bunny</name><role>Himself</role><order>0</order><thumb>x.jpg</thumb></actor>
    <actor><name>Frank</name><role>Flying Squirrel</role><order>1</order></actor>
    <actor><name>Nameless Extra</name></actor>
    <actor><role>no name: skipped</role></actor>
</movie>
"""

MOVIE_METADATA = ItemMetadata(
    title="Big Buck Test",
    original_title="Großer Bock",
    sort_title="Buck Test, Big",
    year=2008,
    overview="A giant rabbit takes revenge.",
    tagline="Bunny with a plan",
    premiere_date=dt.date(2008, 5, 20),
    genres=["Animation", "Comedy"],
    studios=["Blender Foundation", "Peach Test Studio"],
    tags=["open movie", "short"],
    community_rating=6.5,
    critic_rating=78.0,
    official_rating="PG-13",
    people=[
        Person(name="Big Buck Bunny", kind="Actor", role="Himself", order=0),
        Person(name="Frank", kind="Actor", role="Flying Squirrel", order=1),
        Person(name="Nameless Extra", kind="Actor"),
        Person(name="Sacha Goedegebure", kind="Director"),
        Person(name="Sacha Goedegebure", kind="Writer"),
        Person(name="Ton Roosendaal", kind="Writer"),
    ],
    provider_ids={"imdb": "tt1254207", "tmdb": "10378"},
)

EPISODE_NFO = """<?xml version="1.0" encoding="UTF-8"?>
<episodedetails>
    <title>Pilot</title>
    <season>1</season>
    <episode>1</episode>
    <aired>2019-01-07</aired>
    <plot>It begins.</plot>
    <rating>8.1</rating>
    <uniqueid type="tvdb" default="true">7001</uniqueid>
    <director>Jane Director</director>
    <credits>John Writer</credits>
    <actor><name>Guest Person</name><role>Visitor</role></actor>
</episodedetails>
"""

EPISODE_METADATA = ItemMetadata(
    title="Pilot",
    year=2019,
    overview="It begins.",
    premiere_date=dt.date(2019, 1, 7),
    community_rating=8.1,
    people=[
        Person(name="Guest Person", kind="Actor", role="Visitor"),
        Person(name="Jane Director", kind="Director"),
        Person(name="John Writer", kind="Writer"),
    ],
    provider_ids={"tvdb": "7001"},
    season=1,
    episode=1,
)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<movie><title>&lol9;</title></movie>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE movie [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<movie><title>&secret;</title></movie>
"""


def write(root: Path, relative: str, text: str = "") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def movie_file(root: Path) -> str:
    return str(write(root, "Movies/Big Buck Test (2008)/Big Buck Test (2008).mkv"))


def test_movie_nfo_beside_the_file_maps_every_field(tmp_path):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/Big Buck Test (2008).nfo", MOVIE_NFO)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", "<movie><title>Not this one</title></movie>")
    assert read_local_metadata(movie, "movie") == MOVIE_METADATA


def test_movie_nfo_in_the_folder_is_the_fallback(tmp_path):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", MOVIE_NFO)
    assert read_local_metadata(movie, "movie") == MOVIE_METADATA


def test_no_nfo_is_none(tmp_path):
    assert read_local_metadata(movie_file(tmp_path), "movie") is None


def test_episode_nfo(tmp_path):
    episode = write(tmp_path, "TV/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.mkv")
    write(tmp_path, "TV/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.nfo", EPISODE_NFO)
    write(tmp_path, "TV/Test Show (2019)/Season 01/movie.nfo", MOVIE_NFO)  # never an episode's
    assert read_local_metadata(str(episode), "episode") == EPISODE_METADATA
    other = write(tmp_path, "TV/Test Show (2019)/Season 01/Test Show - S01E02.mkv")
    assert read_local_metadata(str(other), "episode") is None


def test_multi_episode_nfo_reads_the_first(tmp_path):
    episode = write(tmp_path, "TV/Show/Season 01/Show - S01E01-E02.mkv")
    second = EPISODE_NFO.replace("<title>Pilot</title>", "<title>Second</title>").split("?>", 1)[1]
    write(tmp_path, "TV/Show/Season 01/Show - S01E01-E02.nfo", EPISODE_NFO + second)
    assert read_local_metadata(str(episode), "episode") == EPISODE_METADATA


def test_tvshow_nfo_with_legacy_ids(tmp_path):
    write(
        tmp_path,
        "TV/Test Show (2019)/tvshow.nfo",
        """<tvshow>
            <title>Test Show</title><year>2019</year><plot>A show.</plot>
            <genre>Drama / Mystery</genre><studio>Test Network</studio><mpaa>TV-MA</mpaa>
            <id>81189</id><imdb_id>tt0903747</imdb_id><tmdbid>1396</tmdbid>
        </tvshow>""",
    )
    assert read_local_metadata(str(tmp_path / "TV/Test Show (2019)"), "series") == ItemMetadata(
        title="Test Show",
        year=2019,
        overview="A show.",
        genres=["Drama", "Mystery"],
        studios=["Test Network"],
        official_rating="TV-MA",
        provider_ids={"tvdb": "81189", "imdb": "tt0903747", "tmdb": "1396"},
    )


def test_legacy_id_tags_on_a_movie(tmp_path):
    movie = movie_file(tmp_path)
    write(
        tmp_path,
        "Movies/Big Buck Test (2008)/movie.nfo",
        "<movie><title>Big Buck Test</title><id>tt1254207</id><tmdbid>10378</tmdbid><tvdbid>555</tvdbid>"
        "<imdbid>tt9999999</imdbid></movie>",
    )
    # <imdbid> is read after <id>; a <uniqueid> would win over both
    assert read_local_metadata(movie, "movie") == ItemMetadata(
        title="Big Buck Test", provider_ids={"imdb": "tt9999999", "tmdb": "10378", "tvdb": "555"}
    )


def test_numeric_legacy_id_on_a_movie_is_tmdb_and_uniqueid_wins(tmp_path):
    movie = movie_file(tmp_path)
    write(
        tmp_path,
        "Movies/Big Buck Test (2008)/movie.nfo",
        '<movie><id>10378</id><tmdbid>1</tmdbid><uniqueid type="tmdb">10378</uniqueid></movie>',
    )
    assert read_local_metadata(movie, "movie") == ItemMetadata(provider_ids={"tmdb": "10378"})


def test_season_album_and_artist_nfo(tmp_path):
    write(
        tmp_path, "TV/Show/Season 02/season.nfo", "<season><title>Second</title><seasonnumber>2</seasonnumber></season>"
    )
    write(tmp_path, "Music/Artist/Album/album.nfo", "<album><title>Test Album</title><year>2001</year></album>")
    write(
        tmp_path,
        "Music/Artist/artist.nfo",
        "<artist><name>Test Artist</name><genre>Rock</genre>"
        "<musicBrainzArtistID>abc-123</musicBrainzArtistID></artist>",
    )
    assert read_local_metadata(str(tmp_path / "TV/Show/Season 02"), "season") == ItemMetadata(title="Second", season=2)
    assert read_local_metadata(str(tmp_path / "Music/Artist/Album"), "album") == ItemMetadata(
        title="Test Album", year=2001
    )
    assert read_local_metadata(str(tmp_path / "Music/Artist"), "artist") == ItemMetadata(
        title="Test Artist", genres=["Rock"], provider_ids={"musicbrainzartist": "abc-123"}
    )
    assert read_local_metadata(str(tmp_path / "Music/Artist/Album"), "series") is None


def test_outline_is_the_overview_fallback_and_plain_rating(tmp_path):
    movie = movie_file(tmp_path)
    write(
        tmp_path,
        "Movies/Big Buck Test (2008)/movie.nfo",
        "<movie><outline>Only an outline.</outline><rating>7,5</rating><premiered>1999-12-31</premiered>"
        "<mpaa>US:PG</mpaa></movie>",
    )
    assert read_local_metadata(movie, "movie") == ItemMetadata(
        overview="Only an outline.",
        community_rating=7.5,
        premiere_date=dt.date(1999, 12, 31),
        year=1999,
        official_rating="PG",
    )


def test_ratings_on_another_scale_are_brought_to_ten(tmp_path):
    movie = movie_file(tmp_path)
    write(
        tmp_path,
        "Movies/Big Buck Test (2008)/movie.nfo",
        '<movie><ratings><rating name="metacritic" max="100"><value>72</value></rating></ratings></movie>',
    )
    assert read_local_metadata(movie, "movie") == ItemMetadata(community_rating=7.2)


def test_trailing_url_line_after_the_xml_still_parses(tmp_path):
    movie = movie_file(tmp_path)
    write(
        tmp_path,
        "Movies/Big Buck Test (2008)/movie.nfo",
        MOVIE_NFO + "https://www.themoviedb.org/movie/10378-big-buck-bunny\n",
    )
    assert read_local_metadata(movie, "movie") == MOVIE_METADATA


def test_billion_laughs_is_refused_quickly(tmp_path, caplog):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", BILLION_LAUGHS)
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        assert read_local_metadata(movie, "movie") is None
    assert time.perf_counter() - started < 1.0
    assert "unsafe XML (EntitiesForbidden)" in caplog.text


def test_external_entity_is_refused(tmp_path, caplog):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", EXTERNAL_ENTITY)
    with caplog.at_level(logging.WARNING):
        assert read_local_metadata(movie, "movie") is None
    assert "unsafe XML (EntitiesForbidden)" in caplog.text


def test_hostile_xml_behind_a_trailing_url_is_still_refused(tmp_path, caplog):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", BILLION_LAUGHS + "https://example.invalid/\n")
    with caplog.at_level(logging.WARNING):
        assert read_local_metadata(movie, "movie") is None
    assert "unsafe XML" in caplog.text


@pytest.mark.parametrize(
    "text",
    [
        "<movie><title>Unclosed</movie>",
        "this is not xml at all",
        "",
        "https://www.imdb.com/title/tt1254207/",
        "<movie><title>A & B</title></movie>",
    ],
)
def test_malformed_xml_is_none_with_a_warning(tmp_path, caplog, text):
    movie = movie_file(tmp_path)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", text)
    with caplog.at_level(logging.WARNING):
        assert read_local_metadata(movie, "movie") is None
    assert "not well-formed XML" in caplog.text


def test_oversized_nfo_is_not_read(tmp_path, caplog):
    movie = movie_file(tmp_path)
    filler = "<!-- padding -->" * (6 * 1024 * 1024 // 16 + 1)
    write(tmp_path, "Movies/Big Buck Test (2008)/movie.nfo", f"<movie><title>Huge</title>{filler}</movie>")
    assert (tmp_path / "Movies/Big Buck Test (2008)/movie.nfo").stat().st_size > 6 * 1024 * 1024
    with caplog.at_level(logging.WARNING):
        assert read_local_metadata(movie, "movie") is None
    assert "over the 5242880 byte limit" in caplog.text


def test_latin1_nfo_with_its_declaration(tmp_path):
    movie = movie_file(tmp_path)
    nfo = tmp_path / "Movies/Big Buck Test (2008)/movie.nfo"
    nfo.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><movie><title>Café</title></movie>'.encode("latin-1"))
    assert read_local_metadata(movie, "movie") == ItemMetadata(title="Café")
