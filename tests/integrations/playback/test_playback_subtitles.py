"""Subtitle conversion to WebVTT on real files: SRT/ASS/WebVTT on disk, subrip in MKV and mov_text in MP4 made
with the ffmpeg CLI, offsets, and bad input."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from integrations.playback.subtitles import (
    Cue,
    SubtitleError,
    file_to_webvtt,
    is_image_subtitle,
    is_text_subtitle,
    normalize_subtitle_codec,
    parse_webvtt,
    render_webvtt,
    shift_cues,
    stream_to_webvtt,
    to_webvtt,
)
from plugin_sdk.media import TICKS_PER_SECOND

FFMPEG = shutil.which("ffmpeg")
if FFMPEG is None:  # scripts/test installs it; a missing ffmpeg must fail loudly, never skip
    raise RuntimeError("ffmpeg is required for these tests (apt-get install ffmpeg)")

SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\nOne <i>it</i>\n\n"
    "2\n00:00:05,000 --> 00:00:08,000\nTwo & 3 < 4\n\n"
    "3\n00:00:10,500 --> 00:00:12,000\nThree\nlines\n"
)
SRT_VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\nOne <i>it</i>\n\n"
    "00:00:05.000 --> 00:00:08.000\nTwo &amp; 3 &lt; 4\n\n"
    "00:00:10.500 --> 00:00:12.000\nThree\nlines\n"
)
ASS = r"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.50,Default,,0,0,0,,{\i1}Hello{\i0} world\Nsecond line
Dialogue: 0,0:00:05.00,0:00:07.00,Default,,0,0,0,,{\pos(10,10)}{\b1}Bold{\b0} placed
Dialogue: 0,0:01:02.25,1:00:03.00,Default,,0,0,0,,Long one
"""  # noqa: E501
VTT = (
    "WEBVTT\n\nNOTE a comment\n\n"
    "intro\n00:00:01.000 --> 00:00:02.500 align:start\n<b>Bold</b> text\n\n"
    "00:01:00.000 --> 00:01:01.000\nMinute\n"
)
SRT_VTT_FROM_6S = (  # SRT_VTT from 6 s on: the first cue dropped, the second cut at 0
    "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nTwo &amp; 3 &lt; 4\n\n00:00:04.500 --> 00:00:06.000\nThree\nlines\n"
)
# Cues for the long MKV: before the offset, ending before it, spanning it, after it.
LONG_SRT = (
    "1\n00:00:00,500 --> 00:00:02,000\nFirst\n\n"
    "2\n00:01:05,000 --> 00:01:08,000\nGone\n\n"
    "3\n00:01:18,000 --> 00:01:25,000\nSpanning\n\n"
    "4\n00:01:30,000 --> 00:01:35,500\nAfter\n"
)


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def pgs_file(path: Path) -> None:
    """A minimal PGS (.sup) stream: two display sets (composition + end segments), no bitmaps."""

    def segment(pts: int, kind: int, payload: bytes) -> bytes:
        return b"PG" + struct.pack(">IIBH", pts, 0, kind, len(payload)) + payload

    def composition(number: int, state: int) -> bytes:
        return struct.pack(">HHBHBBBB", 160, 120, 0x10, number, state, 0, 0, 0)

    path.write_bytes(
        segment(90000, 0x16, composition(0, 0x80))
        + segment(90000, 0x80, b"")
        + segment(180000, 0x16, composition(1, 0))
        + segment(180000, 0x80, b"")
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("subs")
    made = {
        "srt": folder / "movie.en.srt",
        "crlf": folder / "crlf.srt",
        "latin": folder / "latin.srt",
        "ass": folder / "movie.ass",
        "vtt": folder / "movie.vtt",
        "garbage": folder / "garbage.srt",
        "notsubs": folder / "readme.srt",
        "empty": folder / "empty.srt",
        "long_srt": folder / "long.srt",
    }
    made["srt"].write_text(SRT, encoding="utf-8")
    made["crlf"].write_bytes(b"\xef\xbb\xbf" + SRT.replace("\n", "\r\n").encode("utf-8"))
    made["latin"].write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 cr\u00e8me\n".encode("cp1252"))
    made["ass"].write_text(ASS, encoding="utf-8")
    made["vtt"].write_text(VTT, encoding="utf-8")
    made["garbage"].write_bytes(bytes(range(256)) * 16)
    made["notsubs"].write_text("Just some notes.\nNothing to see here.\n", encoding="utf-8")
    made["empty"].write_text("", encoding="utf-8")
    made["long_srt"].write_text(LONG_SRT, encoding="utf-8")
    if FFMPEG is None:
        return made
    video = ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=14"]
    audio = ["-f", "lavfi", "-i", "sine=frequency=440:duration=14"]
    # FLAC, not AAC: an encoder delay would make the muxer shift every timestamp (cues included) by ~23 ms.
    made["mkv"] = folder / "movie.mkv"
    ffmpeg(
        *video, *audio, "-i", made["srt"], "-map", "0:v", "-map", "1:a", "-map", "2:s",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-c:a", "flac", "-c:s", "srt", made["mkv"],
    )  # fmt: skip
    made["mp4"] = folder / "movie.mp4"
    ffmpeg(
        *video, "-i", made["srt"], "-map", "0:v", "-map", "1:s",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "mov_text", made["mp4"],
    )  # fmt: skip
    made["long_mkv"] = folder / "long.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=2:duration=120", "-i", made["long_srt"],
        "-map", "0:v", "-map", "1:s", "-c:v", "libx264", "-preset", "ultrafast", "-g", "4", "-c:s", "srt",
        made["long_mkv"],
    )  # fmt: skip
    made["sup"] = folder / "subs.sup"
    pgs_file(made["sup"])
    made["pgs_mkv"] = folder / "pgs.mkv"
    ffmpeg(
        *video, "-i", made["sup"], "-map", "0:v", "-map", "1:s",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "copy", made["pgs_mkv"],
    )  # fmt: skip
    return made


def seconds(value: float) -> int:
    return round(value * TICKS_PER_SECOND)


# --- codec classes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "text", "image", "normal"),
    [
        ("subrip", True, False, "subrip"),
        ("srt", True, False, "subrip"),
        ("ass", True, False, "ass"),
        ("ssa", True, False, "ssa"),
        ("webvtt", True, False, "webvtt"),
        ("mov_text", True, False, "mov_text"),
        ("hdmv_pgs_subtitle", False, True, "pgssub"),
        ("pgssub", False, True, "pgssub"),
        ("dvd_subtitle", False, True, "dvd_subtitle"),
        ("dvdsub", False, True, "dvd_subtitle"),
        ("dvb_subtitle", False, True, "dvb_subtitle"),
        ("xsub", False, True, "xsub"),
        ("PGSSUB", False, True, "pgssub"),
        ("sub", False, False, "sub"),
        (None, False, False, None),
        ("", False, False, None),
    ],
)
def test_codec_classes(codec: str | None, text: bool, image: bool, normal: str | None) -> None:
    assert is_text_subtitle(codec) is text
    assert is_image_subtitle(codec) is image
    assert normalize_subtitle_codec(codec) == normal


# --- cues --------------------------------------------------------------------------------------------------------


def test_parse_shift_render() -> None:
    cues = parse_webvtt(VTT)
    assert cues == [
        Cue(1000, 2500, "<b>Bold</b> text", "align:start", "intro"),
        Cue(60000, 61000, "Minute"),
    ]
    assert parse_webvtt("WEBVTT\n\n1:02:03.004 --> 1:02:04.000\nHours\n") == [Cue(3723004, 3724000, "Hours")]
    shifted = shift_cues([*cues, Cue(500, 900, "gone"), Cue(3000, 3000, "empty time"), Cue(3000, 4000, " ")], 2000)
    assert shifted == [Cue(0, 500, "<b>Bold</b> text", "align:start", "intro"), Cue(58000, 59000, "Minute")]
    assert render_webvtt(shifted) == (
        "WEBVTT\n\nintro\n00:00:00.000 --> 00:00:00.500 align:start\n<b>Bold</b> text\n\n"
        "00:00:58.000 --> 00:00:59.000\nMinute\n"
    )
    assert render_webvtt([Cue(3723004, 3724000, "Hours")]) == "WEBVTT\n\n01:02:03.004 --> 01:02:04.000\nHours\n"
    assert render_webvtt([]) == "WEBVTT\n"


# --- files on disk -----------------------------------------------------------------------------------------------


async def test_srt_file(files: dict[str, Path]) -> None:
    assert await file_to_webvtt(str(files["srt"])) == SRT_VTT


async def test_srt_with_bom_and_crlf(files: dict[str, Path]) -> None:
    assert await file_to_webvtt(str(files["crlf"])) == SRT_VTT


async def test_srt_offset_shifts_and_drops(files: dict[str, Path]) -> None:
    assert await file_to_webvtt(str(files["srt"]), offset_ticks=seconds(6)) == SRT_VTT_FROM_6S
    assert await file_to_webvtt(str(files["srt"]), offset_ticks=seconds(12)) == "WEBVTT\n"


async def test_windows_1252_srt(files: dict[str, Path]) -> None:
    expected = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCaf\u00e9 cr\u00e8me\n"
    assert await file_to_webvtt(str(files["latin"])) == expected


async def test_ass_file(files: dict[str, Path]) -> None:
    assert await file_to_webvtt(str(files["ass"])) == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:03.500\n<i>Hello</i> world\nsecond line\n\n"
        "00:00:05.000 --> 00:00:07.000\n<b>Bold</b> placed\n\n"
        "00:01:02.250 --> 01:00:03.000\nLong one\n"
    )
    assert await file_to_webvtt(str(files["ass"]), offset_ticks=seconds(3600)) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nLong one\n"
    )


async def test_vtt_file(files: dict[str, Path]) -> None:
    # ffmpeg keeps the text and times of WebVTT input; cue identifiers and settings don't survive its decoder.
    assert await file_to_webvtt(str(files["vtt"]), offset_ticks=seconds(0.5)) == (
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n<b>Bold</b> text\n\n00:00:59.500 --> 00:01:00.500\nMinute\n"
    )


async def test_empty_file(files: dict[str, Path]) -> None:
    assert await file_to_webvtt(str(files["empty"])) == "WEBVTT\n"


# --- embedded streams --------------------------------------------------------------------------------------------


async def test_embedded_subrip(files: dict[str, Path]) -> None:
    assert await stream_to_webvtt(str(files["mkv"]), 2) == SRT_VTT
    assert await stream_to_webvtt(str(files["mkv"]), 2, offset_ticks=seconds(2)) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.000\nOne <i>it</i>\n\n"
        "00:00:03.000 --> 00:00:06.000\nTwo &amp; 3 &lt; 4\n\n"
        "00:00:08.500 --> 00:00:10.000\nThree\nlines\n"
    )


async def test_embedded_mov_text(files: dict[str, Path]) -> None:
    # mov_text carries no styling tags through ffmpeg's decoder: plain text
    assert await stream_to_webvtt(str(files["mp4"]), 1, offset_ticks=seconds(6)) == SRT_VTT_FROM_6S


async def test_embedded_offset_past_lookback(files: dict[str, Path]) -> None:
    """An offset over a minute: ffmpeg seeks, yet a cue that began before the offset is still there."""
    assert await stream_to_webvtt(str(files["long_mkv"]), 1, offset_ticks=seconds(80)) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nSpanning\n\n00:00:10.000 --> 00:00:15.500\nAfter\n"
    )


async def test_to_webvtt_dispatch(files: dict[str, Path]) -> None:
    external = {"index": 3, "type": "subtitle", "codec": "subrip", "is_external": True, "path": str(files["srt"])}
    assert await to_webvtt(external) == SRT_VTT
    embedded = {"index": 2, "type": "subtitle", "codec": "subrip"}
    assert await to_webvtt(embedded, str(files["mkv"]), offset_ticks=seconds(6)) == SRT_VTT_FROM_6S
    with pytest.raises(SubtitleError, match=r"^an embedded subtitle stream needs the media file's path$"):
        await to_webvtt(embedded)
    with pytest.raises(SubtitleError, match=r"^not a subtitle stream \(audio\)$"):
        await to_webvtt({"index": 1, "type": "audio"}, str(files["mkv"]))


# --- bad input ---------------------------------------------------------------------------------------------------


async def test_missing_files(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.srt")
    with pytest.raises(SubtitleError) as err:
        await file_to_webvtt(missing)
    assert str(err.value) == f"subtitle file not found: {missing}"
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(tmp_path / "nope.mkv"), 2)
    assert str(err.value) == f"media file not found: {tmp_path / 'nope.mkv'}"
    with pytest.raises(SubtitleError) as err:
        await file_to_webvtt(str(tmp_path))
    assert str(err.value) == f"subtitle file is not a regular file: {tmp_path}"


async def test_binary_garbage(files: dict[str, Path]) -> None:
    with pytest.raises(SubtitleError) as err:
        await file_to_webvtt(str(files["garbage"]))
    assert str(err.value) == f"not a text subtitle file (binary data): {files['garbage']}"
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(files["garbage"]), 0)
    assert str(err.value) == f"not a media file: {files['garbage']}"


async def test_text_that_is_not_subtitles(files: dict[str, Path]) -> None:
    with pytest.raises(SubtitleError) as err:
        await file_to_webvtt(str(files["notsubs"]))
    assert str(err.value) == f"no subtitle cues could be read from {files['notsubs']} (not a subtitle file?)"


async def test_bad_stream_indexes(files: dict[str, Path]) -> None:
    mkv = files["mkv"]
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(mkv), 7)
    assert str(err.value) == f"no stream 7 in {mkv} (it has 3)"
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(mkv), 1)
    assert str(err.value) == f"stream 1 of {mkv} is not a subtitle stream (audio)"
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(mkv), -1)
    assert str(err.value) == "invalid stream index -1"
    with pytest.raises(SubtitleError) as err:
        await stream_to_webvtt(str(files["pgs_mkv"]), 1)
    assert str(err.value) == f"stream 1 of {files['pgs_mkv']} is an image subtitle (pgssub): it can only be burned in"


async def test_bad_options(files: dict[str, Path]) -> None:
    with pytest.raises(SubtitleError, match=r"^invalid offset -1 \(ticks, not negative\)$"):
        await file_to_webvtt(str(files["srt"]), offset_ticks=-1)
    with pytest.raises(SubtitleError, match=r"^invalid timeout 0$"):
        await file_to_webvtt(str(files["srt"]), timeout=0)


async def test_output_cap(files: dict[str, Path]) -> None:
    with pytest.raises(SubtitleError, match=r"^WebVTT output is larger than 40 bytes$"):
        await file_to_webvtt(str(files["srt"]), max_bytes=40)
    with pytest.raises(SubtitleError, match=r"^WebVTT output is larger than 40 bytes$"):
        await stream_to_webvtt(str(files["mkv"]), 2, max_bytes=40)


def fake_ffmpeg(folder: Path, body: str) -> str:
    script = folder / "ffmpeg"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


async def test_timeout_kills_ffmpeg(files: dict[str, Path], tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    slow = fake_ffmpeg(tmp_path, f"sleep 5\ntouch {marker}")
    with pytest.raises(SubtitleError, match=r"^ffmpeg took longer than 0.3 s$"):
        await file_to_webvtt(str(files["srt"]), ffmpeg=slow, timeout=0.3)
    assert not marker.exists()


async def test_ffmpeg_failure_and_absence(files: dict[str, Path], tmp_path: Path) -> None:
    failing = fake_ffmpeg(tmp_path, "cat >/dev/null\necho 'first line' >&2\necho 'pipe:0: Invalid data' >&2\nexit 1")
    with pytest.raises(SubtitleError, match=r"^ffmpeg could not convert the subtitles: pipe:0: Invalid data$"):
        await file_to_webvtt(str(files["srt"]), ffmpeg=failing)
    with pytest.raises(SubtitleError, match=r"^cannot run /nonexistent/ffmpeg: No such file or directory$"):
        await file_to_webvtt(str(files["srt"]), ffmpeg="/nonexistent/ffmpeg")
