"""probe_pyav against tiny real media made with the ffmpeg CLI, and against files that are not media."""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from integrations.probe_pyav.probe import normalize_language, probe
from plugin_sdk.media import TICKS_PER_SECOND, ProbeError, ProbeResult

FFMPEG = shutil.which("ffmpeg")
if FFMPEG is None:  # scripts/test installs it; a missing ffmpeg must fail loudly, never skip
    raise RuntimeError("ffmpeg is required to make the test media (apt-get install ffmpeg)")

VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=5:duration=1"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
SUBTITLES = "1\n00:00:00,000 --> 00:00:00,800\nBonjour\n"
FFMETADATA = """;FFMETADATA1
title=Test Movie
[CHAPTER]
TIMEBASE=1/1000
START=0
END=500
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=500
END=1000
title=Credits
"""


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
        check=True,
        capture_output=True,
        timeout=60,
    )


def has_encoder(name: str) -> bool:
    listing = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30)
    return any(line.split()[1:2] == [name] for line in listing.stdout.splitlines() if line.strip())


def retag(source: Path, target: Path, old: bytes, new: bytes) -> None:
    """Rename an MP4 sample entry (e.g. hvc1 -> dvh1): what a Dolby Vision file's stsd box says."""
    data = source.read_bytes()
    at = data.index(old, data.index(b"stsd"))
    target.write_bytes(data[:at] + new + data[at + len(new) :])


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    files: dict[str, Path] = {}
    (folder / "subs.srt").write_text(SUBTITLES, encoding="utf-8")
    (folder / "meta.txt").write_text(FFMETADATA, encoding="utf-8")
    (folder / "font.ttf").write_bytes(b"\x00\x01\x00\x00" + bytes(range(256)) * 4)

    files["movie"] = folder / "movie.mkv"
    ffmpeg(
        *VIDEO, *AUDIO, "-i", folder / "subs.srt", "-i", folder / "meta.txt",
        "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map_metadata", "3", "-map_chapters", "3",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "srt",
        "-metadata:s:a:0", "language=eng", "-metadata:s:a:0", "title=Main audio",
        "-metadata:s:s:0", "language=fre", "-disposition:a:0", "default", "-disposition:s:0", "forced",
        "-attach", folder / "font.ttf", "-metadata:s:t:0", "mimetype=application/x-truetype-font",
        files["movie"],
    )  # fmt: skip

    if has_encoder("libx265"):
        encoder = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"]
        mp4_tag, dv_tag = b"hvc1", b"dvh1"
    else:
        encoder = ["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high10"]
        mp4_tag, dv_tag = b"avc1", b"dva1"
    colors = ["-pix_fmt", "yuv420p10le", "-color_primaries", "bt2020", "-colorspace", "bt2020nc"]
    for name, transfer in (("hdr10", "smpte2084"), ("hlg", "arib-std-b67")):
        files[name] = folder / f"{name}.mkv"
        ffmpeg(*VIDEO, *encoder, *colors, "-color_trc", transfer, files[name])
    plain_mp4 = folder / "hdr10.mp4"
    ffmpeg("-i", files["hdr10"], "-c", "copy", "-tag:v", mp4_tag.decode(), plain_mp4)
    files["dolby_vision"] = folder / "dolby_vision.mp4"
    retag(plain_mp4, files["dolby_vision"], mp4_tag, dv_tag)

    cover = folder / "cover.jpg"
    Image.new("RGB", (32, 32), (200, 30, 30)).save(cover, format="JPEG", quality=80)
    files["song"] = folder / "song.mp3"
    ffmpeg(
        *AUDIO, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-b:a", "64k", "-c:v", "copy",
        "-id3v2_version", "3", "-metadata", "title=Test Song", "-metadata", "ARTIST=Test Artist",
        "-metadata", "album=Test Album", "-metadata", "track=3/10", "-metadata", "date=2020",
        "-metadata:s:v", "title=Album cover", "-metadata:s:v", "comment=Cover (front)",
        "-disposition:v", "attached_pic", files["song"],
    )  # fmt: skip
    files["cover"] = cover

    files["surround"] = folder / "surround.m4a"
    ffmpeg(*AUDIO, "-af", "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", "-c:a", "aac", files["surround"])

    files["ogg"] = folder / "song.ogg"
    ffmpeg(*AUDIO, "-c:a", "flac", "-metadata", "title=Ogg Song", "-metadata", "artist=Ogg Artist", files["ogg"])

    transport = folder / "movie.ts"
    ffmpeg(*VIDEO, *AUDIO, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", transport)
    files["ts_headers_only"] = folder / "headers_only.ts"  # PAT and PMT: streams declared, nothing to read
    files["ts_headers_only"].write_bytes(transport.read_bytes()[: 188 * 4])

    movie = files["movie"].read_bytes()
    files["truncated"] = folder / "truncated.mkv"
    files["truncated"].write_bytes(movie[: len(movie) // 5])
    files["random"] = folder / "random.mkv"
    files["random"].write_bytes(random.Random(20240601).randbytes(4096))
    files["empty"] = folder / "empty.mkv"
    files["empty"].write_bytes(b"")
    files["text"] = folder / "notes.mkv"
    files["text"].write_text("These are my notes, not a movie.\n" * 20, encoding="utf-8")
    files["subtitles_only"] = folder / "subs.srt"
    files["directory"] = folder / "a folder.mkv"
    files["directory"].mkdir()
    files["missing"] = folder / "missing.mkv"
    return files


def video(result: ProbeResult) -> list:
    return [s for s in result.streams if s.type == "video"]


def test_matroska_movie_streams_chapters_attachments_and_tags(media):
    result = probe(str(media["movie"]))
    assert result.container == "matroska,webm"
    assert result.size == media["movie"].stat().st_size
    assert result.duration_ticks == pytest.approx(TICKS_PER_SECOND, abs=TICKS_PER_SECOND // 10)
    assert result.bitrate and result.bitrate > 0
    assert [(s.index, s.type) for s in result.streams] == [
        (0, "video"),
        (1, "audio"),
        (2, "subtitle"),
        (3, "attachment"),
    ]
    v, a, s, _ = result.streams
    assert (v.codec, v.profile, v.width, v.height, v.frame_rate) == ("h264", "Constrained Baseline", 160, 120, 5.0)
    assert isinstance(v.level, int) and v.level > 0
    assert (v.bit_depth, v.pixel_format, v.hdr) == (8, "yuv420p", "SDR")
    assert (a.codec, a.profile, a.level) == ("aac", "LC", None)
    assert (a.channels, a.channel_layout, a.sample_rate) == (1, "mono", 44100)
    assert (a.language, a.title, a.is_default, a.is_forced) == ("eng", "Main audio", True, False)
    assert (s.codec, s.language, s.is_forced, s.is_default) == ("subrip", "fre", True, False)
    assert not s.is_hearing_impaired
    assert [(c.start_ticks, c.end_ticks, c.title) for c in result.chapters] == [
        (0, TICKS_PER_SECOND // 2, "Opening"),
        (TICKS_PER_SECOND // 2, TICKS_PER_SECOND, "Credits"),
    ]
    assert [(x.filename, x.mime_type) for x in result.attachments] == [("font.ttf", "application/x-truetype-font")]
    assert result.tags["title"] == "Test Movie"
    assert all(key == key.lower() for key in result.tags)
    assert "artist" not in result.tags and result.tags.get("title") != "Main audio"  # stream tags stay per stream
    assert result.cover_art is None and result.cover_art_mime is None


@pytest.mark.parametrize(("name", "transfer", "hdr"), [("hdr10", "smpte2084", "HDR10"), ("hlg", "arib-std-b67", "HLG")])
def test_ten_bit_hdr_video(media, name, transfer, hdr):
    (stream,) = probe(str(media[name])).streams
    assert stream.bit_depth == 10
    assert stream.pixel_format == "yuv420p10le"
    assert (stream.color_transfer, stream.color_primaries, stream.color_space) == (transfer, "bt2020", "bt2020nc")
    assert stream.hdr == hdr
    assert stream.profile is not None and "10" in stream.profile


def test_dolby_vision_sample_entry_wins_over_pq(media):
    (stream,) = probe(str(media["dolby_vision"])).streams
    assert stream.color_transfer == "smpte2084"
    assert stream.hdr == "DolbyVision"


def test_mp3_tags_and_cover_art(media):
    result = probe(str(media["song"]))
    assert result.container == "mp3"
    assert [(s.type, s.codec) for s in result.streams] == [("audio", "mp3")]  # the picture is not a video stream
    (audio,) = result.streams
    assert (audio.channels, audio.sample_rate, audio.bitrate) == (1, 44100, 64000)
    assert audio.hdr is None and audio.level is None
    assert {k: result.tags[k] for k in ("title", "artist", "album", "track", "date")} == {
        "title": "Test Song",
        "artist": "Test Artist",
        "album": "Test Album",
        "track": "3/10",
        "date": "2020",
    }
    assert result.cover_art == media["cover"].read_bytes()
    assert result.cover_art_mime == "image/jpeg"


def test_surround_aac(media):
    result = probe(str(media["surround"]))
    assert result.container.startswith("mov,mp4")
    (audio,) = result.streams
    assert (audio.codec, audio.channels, audio.channel_layout, audio.sample_rate) == ("aac", 6, "5.1", 44100)
    assert audio.language is None  # "und"
    assert audio.is_default


def test_audio_file_tags_kept_on_the_stream_are_merged(media):
    result = probe(str(media["ogg"]))
    assert result.container == "ogg"
    assert (result.tags["title"], result.tags["artist"]) == ("Ogg Song", "Ogg Artist")


def test_truncated_file_returns_what_it_saw_or_a_probe_error(media):
    try:
        result = probe(str(media["truncated"]))
    except ProbeError as err:
        assert str(err)
    else:
        assert result.streams[0].type == "video"
        assert any(s.type == "audio" for s in result.streams)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty", "empty file (0 bytes)"),
        ("text", "not a media file: Invalid data found when processing input"),
        ("subtitles_only", "no audio or video streams"),
        ("ts_headers_only", "no codec parameters in any audio or video stream (truncated or corrupt file?)"),
        ("directory", "not a file (directory)"),
        ("missing", "cannot read file: No such file or directory"),
    ],
)
def test_unplayable_files_raise_probe_error_with_the_reason(media, name, reason):
    with pytest.raises(ProbeError) as caught:
        probe(str(media[name]))
    assert str(caught.value) == reason


def test_random_bytes_raise_probe_error(media):
    with pytest.raises(ProbeError):
        probe(str(media["random"]))


@pytest.mark.parametrize(
    ("value", "code"),
    [("eng", "eng"), ("EN", "eng"), ("en-US", "eng"), ("fra", "fre"), ("fre", "fre"), ("und", None), ("", None)],
)
def test_language_normalisation(value, code):
    assert normalize_language(value) == code


async def test_probe_file_hook_is_wired_through_the_loader(marquee_hub, media):
    running = await marquee_hub(only=["probe_pyav"])
    assert [name.split("#", 1)[0] for name in running.hub.hooks.implementers("probe_file")] == ["probe_pyav"]
    path = str(media["movie"])
    result = await asyncio.to_thread(running.hub.hooks.manager.hook.probe_file, path=path)
    assert isinstance(result, ProbeResult)
    assert result.container == "matroska,webm"
    assert isinstance(await running.hub.hooks.call_first("probe_file", path=path), ProbeResult)
    with pytest.raises(ProbeError, match="empty file"):
        running.hub.hooks.manager.hook.probe_file(path=str(media["empty"]))
