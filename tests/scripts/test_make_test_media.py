"""scripts/make_test_media.py: builds the test library once per module and checks what PyAV really reads back."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import av
import pytest
from av.video.reformatter import ColorPrimaries, Colorspace, ColorTrc
from defusedxml import ElementTree
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "make_test_media.py"
WRAPPER = REPO / "scripts" / "make-test-media"


# The contract other tests rely on: key -> path relative to the output dir.
EXPECTED = {
    "movie_1080p": "movies/Big Buck Test (2008)/Big Buck Test (2008) - 1080p.mkv",
    "movie_4k": "movies/Big Buck Test (2008)/Big Buck Test (2008) - 4K.mkv",
    "movie_nfo": "movies/Big Buck Test (2008)/movie.nfo",
    "movie_poster": "movies/Big Buck Test (2008)/poster.jpg",
    "movie_fanart": "movies/Big Buck Test (2008)/fanart.jpg",
    "trailer": "movies/Big Buck Test (2008)/trailers/Big Buck Test Trailer.mp4",
    "sintel": "movies/Sintel.Test.2010.720p.BluRay.x264.mp4",
    "sintel_srt_en": "movies/Sintel.Test.2010.720p.BluRay.x264.en.srt",
    "sintel_srt_fr_forced": "movies/Sintel.Test.2010.720p.BluRay.x264.fr.forced.srt",
    "sintel_srt_en_sdh": "movies/Sintel.Test.2010.720p.BluRay.x264.en.sdh.srt",
    "hdr": "movies/HDR Demo (2021)/HDR Demo (2021).mkv",
    "truncated": "movies/Broken/truncated.mkv",
    "random": "movies/Broken/random.mkv",
    "empty": "movies/Broken/empty.mp4",
    "text_mkv": "movies/Broken/notes.mkv",
    "tvshow_nfo": "shows/Test Show (2019)/tvshow.nfo",
    "show_poster": "shows/Test Show (2019)/poster.jpg",
    "season01_poster": "shows/Test Show (2019)/season01-poster.jpg",
    "episode_s01e01": "shows/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.mkv",
    "episode_s01e01_nfo": "shows/Test Show (2019)/Season 01/Test Show - S01E01 - Pilot.nfo",
    "multi_episode": "shows/Test Show (2019)/Season 01/Test Show - S01E02-E03 - Double.mkv",
    "s02e01": "shows/Test Show (2019)/Season 02/Test Show 2x01.mkv",
    "special": "shows/Test Show (2019)/Specials/Test Show S00E01.mkv",
    "anime": "shows/Anime Test/Anime Test - 012.mkv",
    "daily": "shows/Daily Show Test/Daily Show Test 2024-03-15.mkv",
    "track1": "music/Test Artist/Test Album (2020)/01 - First Song.mp3",
    "track2": "music/Test Artist/Test Album (2020)/02 - Second Song.mp3",
    "album_cover": "music/Test Artist/Test Album (2020)/cover.jpg",
    "comp_a": "music/Various Artists/Compilation Test/01 - Song A.flac",
    "comp_b": "music/Various Artists/Compilation Test/02 - Song B.flac",
}
EPISODES = ["episode_s01e01", "multi_episode", "s02e01", "special", "anime", "daily"]
SRT_CUE = re.compile(r"\d+\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n(?:.+\n)+")


def _load_script() -> ModuleType:
    # scripts/ is not a package: load the file itself, whatever sys.path holds.
    spec = importlib.util.spec_from_file_location("make_test_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_test_media", module)
    spec.loader.exec_module(module)
    return module


mtm = _load_script()


class Library:
    def __init__(self, out: Path, paths: dict[str, Path], seconds: float) -> None:
        self.out, self.paths, self.seconds = out, paths, seconds

    def __getitem__(self, key: str) -> Path:
        return self.paths[key]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    out = tmp_path_factory.mktemp("media")
    start = time.monotonic()
    paths = mtm.make_test_media(out)
    return Library(out, paths, time.monotonic() - start)


def _mtimes(out: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in sorted(out.rglob("*")) if path.is_file()}


def _xml(path: Path):
    return ElementTree.parse(path).getroot()


# --- layout ---------------------------------------------------------------------------------------------------------


def test_layout_is_exactly_the_contract(lib):
    assert {key: path.relative_to(lib.out).as_posix() for key, path in lib.paths.items()} == EXPECTED
    on_disk = {path.relative_to(lib.out).as_posix() for path in lib.out.rglob("*") if path.is_file()}
    assert on_disk == {*EXPECTED.values(), ".complete"}
    marker = json.loads((lib.out / ".complete").read_text())
    assert marker == {"generator_version": mtm.GENERATOR_VERSION, "hevc_encoder": mtm.hevc_encoder()}


def test_builds_quickly_and_small(lib):
    assert lib.seconds < 30
    assert sum(path.stat().st_size for path in lib.paths.values()) < 20 * 1024 * 1024


# --- movies ---------------------------------------------------------------------------------------------------------


def test_movie_versions(lib):
    with av.open(str(lib["movie_1080p"])) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.width, video.codec_context.height) == ("h264", 1920, 1080)
        assert (audio.codec_context.name, audio.codec_context.channels) == ("aac", 2)
        assert c.duration / av.time_base == pytest.approx(2, abs=0.1)
    with av.open(str(lib["movie_4k"])) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.width, video.codec_context.height) == ("h264", 3840, 2160)
        assert audio.codec_context.channels == 6
        assert audio.codec_context.layout.name == "5.1"
        assert c.duration / av.time_base == pytest.approx(1, abs=0.1)
    with av.open(str(lib["trailer"])) as c:
        assert c.streams.video[0].codec_context.name == "h264"


def test_hdr_clip_is_10_bit_pq_bt2020(lib):
    with av.open(str(lib["hdr"])) as c:
        video = c.streams.video[0]
        cc = video.codec_context
        assert cc.name == ("hevc" if mtm.hevc_encoder() == "libx265" else "h264")
        assert (cc.width, cc.height) == (640, 360)
        assert cc.color_trc == ColorTrc.SMPTE2084
        assert cc.color_primaries == ColorPrimaries.BT2020
        assert cc.colorspace == Colorspace.BT2020  # bt2020nc
        assert cc.pix_fmt == video.format.name == "yuv420p10le"
        assert {component.bits for component in video.format.components} == {10}


def test_sintel_streams_chapters_and_tags(lib):
    with av.open(str(lib["sintel"])) as c:
        assert c.metadata["title"] == "Sintel Test"
        video = c.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert c.streams.audio[0].language == "eng"
        (sub,) = c.streams.subtitles
        assert sub.codec_context.name == "mov_text"
        assert sub.language == "fra"
        # mp4 keeps a track title as "name" (udta) and "handler_name" (hdlr), not as "title".
        assert sub.metadata["name"] == sub.metadata["handler_name"] == "French"
        chapters = c.chapters()
        assert [ch["metadata"]["title"] for ch in chapters] == ["Opening", "Ending"]
        assert [float(ch["start"] * ch["time_base"]) for ch in chapters] == [0.0, 1.0]
        assert [float(ch["end"] * ch["time_base"]) for ch in chapters] == [1.0, 2.0]


def test_external_subtitles_are_valid_srt(lib):
    for key in ("sintel_srt_en", "sintel_srt_fr_forced", "sintel_srt_en_sdh"):
        text = lib[key].read_text(encoding="utf-8")
        blocks = text.strip().split("\n\n")
        assert all(SRT_CUE.fullmatch(block + "\n") for block in blocks), key
        assert [int(block.split("\n", 1)[0]) for block in blocks] == list(range(1, len(blocks) + 1))


def test_movie_nfo(lib):
    root = _xml(lib["movie_nfo"])
    assert root.tag == "movie"
    assert root.findtext("title") == "Big Buck Test"
    assert root.findtext("originaltitle") == "Big Buck Original"
    assert root.findtext("year") == "2008"
    assert root.findtext("plot")
    assert [g.text for g in root.findall("genre")] == ["Animation", "Comedy"]
    assert root.findtext("studio")
    assert root.findtext("mpaa") == "PG"
    assert float(root.findtext("rating")) > 0
    assert root.find("ratings/rating[@default='true']/value") is not None
    assert [(a.findtext("name"), a.findtext("role")) for a in root.findall("actor")] == [
        ("Test Actor One", "Big Buck"),
        ("Test Actor Two", "Frank"),
    ]
    assert root.findtext("director")
    assert {u.get("type"): u.text for u in root.findall("uniqueid")} == {"tmdb": "10378", "imdb": "tt1254207"}


def test_images(lib):
    for key, size in [
        ("movie_poster", (300, 450)),
        ("movie_fanart", (640, 360)),
        ("show_poster", (300, 450)),
        ("season01_poster", (300, 450)),
        ("album_cover", (300, 300)),
    ]:
        with Image.open(lib[key]) as img:
            assert (img.format, img.size) == ("JPEG", size), key


def test_broken_files(lib):
    truncated = lib["truncated"].read_bytes()
    assert truncated.startswith(b"\x1a\x45\xdf\xa3")  # a real EBML header, then it stops
    assert 0 < len(truncated) < 64 * 1024
    try:
        with av.open(str(lib["truncated"])) as c:
            frames = sum(1 for _ in c.decode(video=0))
        assert frames < 10  # the full clip has 2 s x 5 fps
    except av.FFmpegError:
        pass
    assert lib["random"].stat().st_size == 64 * 1024
    assert lib["empty"].stat().st_size == 0
    assert lib["text_mkv"].read_text(encoding="utf-8").startswith("Not a video")
    for key in ("random", "empty", "text_mkv"):
        with pytest.raises(av.FFmpegError):
            av.open(str(lib[key])).close()


# --- shows ----------------------------------------------------------------------------------------------------------


def test_episode_clips(lib):
    for key in EPISODES:
        with av.open(str(lib[key])) as c:
            video, audio = c.streams.video[0], c.streams.audio[0]
            assert (video.codec_context.name, video.codec_context.width, video.codec_context.height) == (
                "h264",
                320,
                180,
            ), key
            assert audio.codec_context.name == "aac", key
            assert c.duration / av.time_base == pytest.approx(1, abs=0.1), key


def test_show_nfos(lib):
    show = _xml(lib["tvshow_nfo"])
    assert show.tag == "tvshow"
    assert (show.findtext("title"), show.findtext("year"), show.findtext("genre")) == ("Test Show", "2019", "Drama")
    assert show.findtext("plot")
    assert show.find("uniqueid[@type='tvdb']").text == "123456"
    episode = _xml(lib["episode_s01e01_nfo"])
    assert episode.tag == "episodedetails"
    assert [episode.findtext(tag) for tag in ("title", "season", "episode", "aired")] == [
        "Pilot",
        "1",
        "1",
        "2019-01-07",
    ]
    assert episode.findtext("plot")


# --- music ----------------------------------------------------------------------------------------------------------


def test_mp3_tags_and_cover(lib):
    with av.open(str(lib["track1"])) as c:
        tags = c.metadata
        assert tags["title"] == "First Song"
        assert tags["artist"] == tags["album_artist"] == "Test Artist"
        assert tags["album"] == "Test Album"
        assert (tags["track"], tags["disc"], tags["date"], tags["genre"]) == ("1/2", "1/1", "2020", "Rock")
        assert c.streams.audio[0].codec_context.name.startswith("mp3")
        pics = [s for s in c.streams if s.disposition & av.stream.Disposition.attached_pic]
        assert len(pics) == 1
        assert pics[0].codec_context.name == "mjpeg"
        packet = next(c.demux(pics[0]))
        assert bytes(packet) == lib["album_cover"].read_bytes()
    with av.open(str(lib["track2"])) as c:
        assert c.metadata["track"] == "2/2"
        assert c.metadata["album_artist"] == "Test Artist"
        assert not c.streams.video


def test_flac_compilation(lib):
    for key, artist, track in [("comp_a", "Artist A", "1"), ("comp_b", "Artist B", "2")]:
        with av.open(str(lib[key])) as c:
            tags = c.metadata
            assert c.streams.audio[0].codec_context.name == "flac"
            assert (tags["artist"], tags["track"], tags["compilation"]) == (artist, track, "1")
            assert (tags["album_artist"], tags["album"]) == ("Various Artists", "Compilation Test")


# --- re-runs (these come last: the force test rewrites the library) ---------------------------------------------


def test_second_call_is_a_noop(lib):
    before = _mtimes(lib.out)
    assert mtm.make_test_media(lib.out) == lib.paths
    assert _mtimes(lib.out) == before


def test_cli_and_wrapper_on_a_complete_library(lib, capsys):
    before = _mtimes(lib.out)
    assert mtm.main([str(lib.out)]) == 0
    assert "30 files" in capsys.readouterr().out
    result = subprocess.run([str(WRAPPER), str(lib.out)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert _mtimes(lib.out) == before


def test_marker_from_another_version_rebuilds(lib):
    # A complete marker from another generator version does not count: the files are rebuilt.
    marker = lib.out / ".complete"
    before = _mtimes(lib.out)
    marker.write_text(json.dumps({"generator_version": mtm.GENERATOR_VERSION - 1}))
    mtm.make_test_media(lib.out)
    after = _mtimes(lib.out)
    assert all(after[path] > before[path] for path in lib.paths.values())
    assert json.loads(marker.read_text())["generator_version"] == mtm.GENERATOR_VERSION


def test_force_rebuilds(lib):
    before = _mtimes(lib.out)
    mtm.make_test_media(lib.out, force=True)
    after = _mtimes(lib.out)
    assert after.keys() == before.keys()
    assert all(after[path] > before[path] for path in lib.paths.values())
