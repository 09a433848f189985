"""Build a small but realistic media library for tests and manual runs: movies, shows, music and broken files.

Every clip is made with the ffmpeg CLI from ``-f lavfi`` sources (1-2 s, 5 fps, ``-preset ultrafast``), images with
Pillow, NFOs with ElementTree. The whole library builds in a few seconds. A ``.complete`` marker records the generator
version; a later run with the same version and every file present is a no-op unless ``--force``.

Usage: ``scripts/make-test-media OUT_DIR [--force]``. Needs ffmpeg on PATH (libx265 for the HDR clip; without it the
HDR clip falls back to 10-bit H.264 with the same colour flags).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Bump whenever the layout or the content of any file changes: existing libraries are then rebuilt.
GENERATOR_VERSION = 1
MARKER = ".complete"
FPS = 5
FFMPEG_TIMEOUT_S = 120

MOVIE = "Big Buck Test (2008)"
SINTEL = "Sintel.Test.2010.720p.BluRay.x264"
HDR = "HDR Demo (2021)"
SHOW = "Test Show (2019)"
ALBUM = "Test Artist/Test Album (2020)"
COMPILATION = "Various Artists/Compilation Test"

# Relative paths of everything the generator writes, by key. Tests elsewhere rely on these names.
LAYOUT: dict[str, str] = {
    "movie_1080p": f"movies/{MOVIE}/{MOVIE} - 1080p.mkv",
    "movie_4k": f"movies/{MOVIE}/{MOVIE} - 4K.mkv",
    "movie_nfo": f"movies/{MOVIE}/movie.nfo",
    "movie_poster": f"movies/{MOVIE}/poster.jpg",
    "movie_fanart": f"movies/{MOVIE}/fanart.jpg",
    "trailer": f"movies/{MOVIE}/trailers/Big Buck Test Trailer.mp4",
    "sintel": f"movies/{SINTEL}.mp4",
    "sintel_srt_en": f"movies/{SINTEL}.en.srt",
    "sintel_srt_fr_forced": f"movies/{SINTEL}.fr.forced.srt",
    "sintel_srt_en_sdh": f"movies/{SINTEL}.en.sdh.srt",
    "hdr": f"movies/{HDR}/{HDR}.mkv",
    "truncated": "movies/Broken/truncated.mkv",
    "random": "movies/Broken/random.mkv",
    "empty": "movies/Broken/empty.mp4",
    "text_mkv": "movies/Broken/notes.mkv",
    "tvshow_nfo": f"shows/{SHOW}/tvshow.nfo",
    "show_poster": f"shows/{SHOW}/poster.jpg",
    "season01_poster": f"shows/{SHOW}/season01-poster.jpg",
    "episode_s01e01": f"shows/{SHOW}/Season 01/Test Show - S01E01 - Pilot.mkv",
    "episode_s01e01_nfo": f"shows/{SHOW}/Season 01/Test Show - S01E01 - Pilot.nfo",
    "multi_episode": f"shows/{SHOW}/Season 01/Test Show - S01E02-E03 - Double.mkv",
    "s02e01": f"shows/{SHOW}/Season 02/Test Show 2x01.mkv",
    "special": f"shows/{SHOW}/Specials/Test Show S00E01.mkv",
    "anime": "shows/Anime Test/Anime Test - 012.mkv",
    "daily": "shows/Daily Show Test/Daily Show Test 2024-03-15.mkv",
    "track1": f"music/{ALBUM}/01 - First Song.mp3",
    "track2": f"music/{ALBUM}/02 - Second Song.mp3",
    "album_cover": f"music/{ALBUM}/cover.jpg",
    "comp_a": f"music/{COMPILATION}/01 - Song A.flac",
    "comp_b": f"music/{COMPILATION}/02 - Song B.flac",
}

MASTER_DISPLAY = "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)"

SRT_EN = """1
00:00:00,100 --> 00:00:00,900
Where are you going?

2
00:00:01,000 --> 00:00:01,900
To find my friend.
"""
SRT_FR_FORCED = """1
00:00:00,200 --> 00:00:00,800
Où vas-tu ?
"""
SRT_EN_SDH = """1
00:00:00,000 --> 00:00:00,500
[WIND HOWLING]

2
00:00:00,600 --> 00:00:01,900
SINTEL: Where are you going?
"""
SRT_EMBEDDED_FR = """1
00:00:00,100 --> 00:00:00,900
Où vas-tu ?

2
00:00:01,000 --> 00:00:01,900
Retrouver mon ami.
"""
SINTEL_FFMETADATA = """;FFMETADATA1
title=Sintel Test

[CHAPTER]
TIMEBASE=1/1000
START=0
END=1000
title=Opening

[CHAPTER]
TIMEBASE=1/1000
START=1000
END=2000
title=Ending
"""


def paths(out: Path) -> dict[str, Path]:
    """Where every generated file lives under `out`, by key (see LAYOUT)."""
    return {key: out / rel for key, rel in LAYOUT.items()}


# --- ffmpeg ---------------------------------------------------------------------------------------------------------


@functools.cache
def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg not found on PATH (apt-get install ffmpeg)")
    return exe


@functools.cache
def _encoders() -> frozenset[str]:
    res = subprocess.run(
        [_ffmpeg(), "-hide_banner", "-encoders"], capture_output=True, text=True, check=True, timeout=FFMPEG_TIMEOUT_S
    )
    names = set()
    for line in res.stdout.splitlines():
        parts = line.split()
        # Rows look like " V....D libx265   libx265 H.265 / HEVC (codec hevc)"; the legend rows have "=" in them.
        if len(parts) >= 2 and len(parts[0]) == 6 and "=" not in line:
            names.add(parts[1])
    return frozenset(names)


def hevc_encoder() -> str:
    """The encoder the HDR clip uses: libx265 when this ffmpeg has it, else libx264 (10-bit High 10)."""
    return "libx265" if "libx265" in _encoders() else "libx264"


def _run_ffmpeg(*args: str | Path) -> None:
    argv = [_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *map(str, args)]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_S, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({res.returncode}): {' '.join(argv)}\n{res.stderr[-2000:]}")


def _tags(**tags: str) -> list[str]:
    """`-metadata key=value` options for the output's global tags."""
    return [arg for key, value in tags.items() for arg in ("-metadata", f"{key}={value}")]


def _video_in(source: str, width: int, height: int, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"{source}=size={width}x{height}:rate={FPS}:duration={seconds}"]


def _sine_in(seconds: float, frequency: int = 440) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000:duration={seconds}"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC_STEREO = ["-c:a", "aac", "-b:a", "96k", "-ac", "2"]


def _clip(
    dest: Path,
    width: int,
    height: int,
    seconds: float,
    *,
    source: str = "testsrc2",
    extra: list[str] | None = None,
    audio: list[str] | None = None,
) -> None:
    """An H.264 + AAC clip: `audio` replaces the stereo AAC options (e.g. for 5.1)."""
    _run_ffmpeg(
        *_video_in(source, width, height, seconds),
        *_sine_in(seconds),
        "-map",
        "0:v",
        "-map",
        "1:a",
        *H264,
        *(audio or AAC_STEREO),
        "-shortest",
        *(extra or []),
        dest,
    )


# --- images and NFOs ------------------------------------------------------------------------------------------------


def _image(dest: Path, size: tuple[int, int], text: str, color: tuple[int, int, int]) -> None:
    """A JPEG with a vertical two-tone gradient, a frame and a caption."""
    width, height = size
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    for y in range(height):
        shade = tuple(int(c * (1 - 0.6 * y / height)) for c in color)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.rectangle([8, 8, width - 9, height - 9], outline=(255, 255, 255), width=3)
    try:
        font = ImageFont.load_default(size=max(12, width // 12))
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font only
        font = ImageFont.load_default()
    draw.multiline_text((20, height // 3), text, fill=(255, 255, 255), font=font, spacing=6)
    img.save(dest, "JPEG", quality=85)


def _xml(dest: Path, root: ET.Element) -> None:
    ET.indent(root, space="  ")
    ET.ElementTree(root).write(dest, encoding="UTF-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text: str | int | float | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = str(text)
    return el


def _movie_nfo(dest: Path) -> None:
    root = ET.Element("movie")
    _sub(root, "title", "Big Buck Test")
    _sub(root, "originaltitle", "Big Buck Original")
    _sub(root, "sorttitle", "Big Buck Test")
    _sub(root, "year", 2008)
    _sub(root, "premiered", "2008-05-30")
    ratings = _sub(root, "ratings")
    imdb = _sub(ratings, "rating", name="imdb", max="10", default="true")
    _sub(imdb, "value", 6.4)
    _sub(imdb, "votes", 123456)
    tmdb = _sub(ratings, "rating", name="themoviedb", max="10")
    _sub(tmdb, "value", 6.5)
    _sub(tmdb, "votes", 4321)
    _sub(root, "rating", 6.4)  # the pre-Kodi-17 single rating, still written by many tools
    _sub(root, "plot", "A giant rabbit takes a stand against three bullying rodents in a sunny meadow.")
    _sub(root, "outline", "A rabbit's revenge.")
    _sub(root, "tagline", "Payback time.")
    _sub(root, "runtime", 10)
    _sub(root, "mpaa", "PG")
    _sub(root, "uniqueid", "10378", type="tmdb", default="true")
    _sub(root, "uniqueid", "tt1254207", type="imdb")
    _sub(root, "genre", "Animation")
    _sub(root, "genre", "Comedy")
    _sub(root, "studio", "Blender Foundation")
    _sub(root, "director", "Sacha Goedegebure")
    _sub(root, "credits", "Sacha Goedegebure")
    for order, (name, role) in enumerate([("Test Actor One", "Big Buck"), ("Test Actor Two", "Frank")]):
        actor = _sub(root, "actor")
        _sub(actor, "name", name)
        _sub(actor, "role", role)
        _sub(actor, "order", order)
    _xml(dest, root)


def _tvshow_nfo(dest: Path) -> None:
    root = ET.Element("tvshow")
    _sub(root, "title", "Test Show")
    _sub(root, "year", 2019)
    _sub(root, "premiered", "2019-01-07")
    _sub(root, "plot", "A small town keeps a large secret, one episode at a time.")
    _sub(root, "mpaa", "TV-14")
    _sub(root, "genre", "Drama")
    _sub(root, "studio", "Test Network")
    _sub(root, "uniqueid", "123456", type="tvdb", default="true")
    _xml(dest, root)


def _episode_nfo(dest: Path) -> None:
    root = ET.Element("episodedetails")
    _sub(root, "title", "Pilot")
    _sub(root, "showtitle", "Test Show")
    _sub(root, "season", 1)
    _sub(root, "episode", 1)
    _sub(root, "aired", "2019-01-07")
    _sub(root, "plot", "A stranger arrives in town and asks the wrong question.")
    _sub(root, "runtime", 42)
    _xml(dest, root)


# --- the jobs -------------------------------------------------------------------------------------------------------


def _movie_jobs(p: dict[str, Path], tmp: Path) -> list[Callable[[], None]]:
    def sintel() -> None:
        srt, meta = tmp / "sintel.fr.srt", tmp / "sintel.ffmetadata"
        srt.write_text(SRT_EMBEDDED_FR, encoding="utf-8")
        meta.write_text(SINTEL_FFMETADATA, encoding="utf-8")
        _run_ffmpeg(
            *_video_in("testsrc2", 1280, 720, 2),
            *_sine_in(2, 330),
            "-i",
            srt,
            "-i",
            meta,
            *("-map", "0:v", "-map", "1:a", "-map", "2:s", "-map_metadata", "3", "-map_chapters", "3"),
            *H264,
            *AAC_STEREO,
            *("-c:s", "mov_text"),
            *_tags(title="Sintel Test"),
            *("-metadata:s:a:0", "language=eng"),
            *("-metadata:s:s:0", "language=fra", "-metadata:s:s:0", "title=French"),
            *("-metadata:s:s:0", "handler_name=French"),  # what the mp4 demuxer reports as the track's name
            *("-movflags", "+faststart"),
            p["sintel"],
        )

    def hdr() -> None:
        color = ["-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc"]
        if hevc_encoder() == "libx265":
            params = f"log-level=error:hdr10=1:master-display={MASTER_DISPLAY}:max-cll=1000,400"
            codec = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", params, "-tag:v", "hvc1"]
        else:
            codec = ["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high10"]
        _run_ffmpeg(
            *_video_in("smptebars", 640, 360, 1),
            *_sine_in(1),
            *("-map", "0:v", "-map", "1:a"),
            *codec,
            *("-pix_fmt", "yuv420p10le"),
            *color,
            *AAC_STEREO,
            "-shortest",
            p["hdr"],
        )

    def truncated() -> None:
        full = tmp / "full.mkv"
        _clip(full, 320, 180, 2, source="smptebars")
        data = full.read_bytes()
        p["truncated"].write_bytes(data[: len(data) * 30 // 100])

    return [
        lambda: _clip(
            p["movie_4k"],
            3840,
            2160,
            1,
            extra=_tags(title="Big Buck Test"),
            audio=["-c:a", "aac", "-b:a", "192k", "-af", "aformat=channel_layouts=5.1"],
        ),
        lambda: _clip(p["movie_1080p"], 1920, 1080, 2, extra=_tags(title="Big Buck Test")),
        lambda: _clip(p["trailer"], 480, 270, 1, source="smptebars", extra=["-movflags", "+faststart"]),
        sintel,
        hdr,
        truncated,
    ]


def _show_jobs(p: dict[str, Path]) -> list[Callable[[], None]]:
    titles = {
        "episode_s01e01": "Pilot",
        "multi_episode": "Double",
        "s02e01": "Return",
        "special": "Behind the Town",
        "anime": "Episode 12",
        "daily": "March 15, 2024",
    }
    return [functools.partial(_clip, p[key], 320, 180, 1, extra=_tags(title=title)) for key, title in titles.items()]


def _music_jobs(p: dict[str, Path]) -> list[Callable[[], None]]:
    album = _tags(artist="Test Artist", album_artist="Test Artist", album="Test Album", disc="1/1", date="2020")
    album += _tags(genre="Rock")
    mp3 = ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3"]

    def track1() -> None:
        _run_ffmpeg(
            *_sine_in(1.5, 440),
            *("-i", p["album_cover"]),
            *("-map", "0:a", "-map", "1:v"),
            *mp3,
            *("-c:v", "copy", "-disposition:v:0", "attached_pic"),
            *("-metadata:s:v", "title=Album cover", "-metadata:s:v", "comment=Cover (front)"),
            *album,
            *_tags(title="First Song", track="1/2"),
            p["track1"],
        )

    def track2() -> None:
        _run_ffmpeg(
            *_sine_in(1.5, 523),
            *mp3,
            *album,
            *_tags(title="Second Song", track="2/2"),
            p["track2"],
        )

    def flac(key: str, number: int, title: str, artist: str, frequency: int) -> Callable[[], None]:
        return functools.partial(
            _run_ffmpeg,
            *_sine_in(1.5, frequency),
            *("-c:a", "flac"),
            *_tags(title=title, artist=artist, album_artist="Various Artists", album="Compilation Test"),
            *_tags(track=str(number), compilation="1", date="2021"),
            p[key],
        )

    return [
        track1,
        track2,
        flac("comp_a", 1, "Song A", "Artist A", 660),
        flac("comp_b", 2, "Song B", "Artist B", 770),
    ]


def _write_static(p: dict[str, Path]) -> None:
    """Everything that is not encoded by ffmpeg: images, NFOs, subtitles, broken files."""
    _image(p["movie_poster"], (300, 450), "Big Buck\nTest\n2008", (40, 120, 60))
    _image(p["movie_fanart"], (640, 360), "Big Buck Test", (60, 140, 200))
    _image(p["show_poster"], (300, 450), "Test\nShow", (150, 40, 40))
    _image(p["season01_poster"], (300, 450), "Test Show\nSeason 1", (120, 60, 140))
    _image(p["album_cover"], (300, 300), "Test\nAlbum", (200, 120, 30))
    _movie_nfo(p["movie_nfo"])
    _tvshow_nfo(p["tvshow_nfo"])
    _episode_nfo(p["episode_s01e01_nfo"])
    p["sintel_srt_en"].write_text(SRT_EN, encoding="utf-8")
    p["sintel_srt_fr_forced"].write_text(SRT_FR_FORCED, encoding="utf-8")
    p["sintel_srt_en_sdh"].write_text(SRT_EN_SDH, encoding="utf-8")
    p["random"].write_bytes(random.Random(20240315).randbytes(64 * 1024))
    p["empty"].write_bytes(b"")
    p["text_mkv"].write_text("Not a video: somebody renamed their notes.txt to notes.mkv.\n", encoding="utf-8")


def _read_marker(out: Path) -> dict | None:
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def make_test_media(out: Path, *, force: bool = False) -> dict[str, Path]:
    """Create the test library under `out` (unless already complete and not `force`); returns the paths by key."""
    out = Path(out)
    p = paths(out)
    marker = _read_marker(out)
    if (
        not force
        and marker is not None
        and marker.get("generator_version") == GENERATOR_VERSION
        and all(path.exists() for path in p.values())
    ):
        return p

    (out / MARKER).unlink(missing_ok=True)
    for path in p.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    _write_static(p)
    with tempfile.TemporaryDirectory(prefix="make-test-media-") as tmp:
        jobs = [*_movie_jobs(p, Path(tmp)), *_show_jobs(p), *_music_jobs(p)]
        # The biggest encodes (4K, 1080p, 720p) come first so that they do not end up running last on their own.
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()
    marker_data = {"generator_version": GENERATOR_VERSION, "hevc_encoder": hevc_encoder()}
    (out / MARKER).write_text(json.dumps(marker_data) + "\n", encoding="utf-8")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make-test-media", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="where to create movies/, shows/ and music/")
    parser.add_argument("--force", action="store_true", help="regenerate even if OUT_DIR is already complete")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        result = make_test_media(args.out_dir, force=args.force)
    except (RuntimeError, subprocess.SubprocessError, OSError) as err:
        print(f"make-test-media: {err}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - start
    size = sum(path.stat().st_size for path in result.values())
    encoder = (_read_marker(args.out_dir) or {}).get("hevc_encoder", "?")
    print(f"{len(result)} files, {size / 1024 / 1024:.1f} MiB in {args.out_dir} ({elapsed:.1f} s; HDR clip: {encoder})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
