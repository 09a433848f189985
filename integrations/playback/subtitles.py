"""Text subtitles to WebVTT, on demand, shifted by a time offset.

Sources: subtitle files on disk (SRT, ASS/SSA, WebVTT) and text streams embedded in a media file (subrip, ass,
mov_text, webvtt...). The ffmpeg CLI does the parsing and the conversion (its subtitle decoders turn every text
format into ASS events and its WebVTT encoder turns those into cues, styling tags included); this module only
runs it (argv lists, a timeout, a cap on the output) and then shifts the cues it wrote:

- files on disk are read here (size-capped, NUL bytes refused, any encoding decoded to UTF-8) and piped to
  ffmpeg on stdin with an explicit demuxer, so ffmpeg never opens a path or guesses a format for them;
- embedded streams are checked with PyAV first (the index exists and is a text subtitle stream: clear errors),
  then read by ffmpeg with `-copyts -start_at_zero` so cue times stay on the file's timeline. With an offset,
  ffmpeg seeks to a minute before it (not to it: a cue that started earlier may still be on screen).

Cue times are then shifted by the offset here: a cue that ends before it is dropped, one that spans it starts
at 0. (ffmpeg's own `-ss` is not used for the shift: for subtitle files it keeps the duration of a cue that
spans the seek point rather than its end, and for containers it loses cues that start before the keyframe.)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import re
import stat
from dataclasses import dataclass
from typing import Any

from plugin_sdk.media import TICKS_PER_SECOND

_LOGGER = logging.getLogger(__name__)

# Text formats ffmpeg decodes (and so converts to WebVTT), and image formats (only burned in).
TEXT_SUBTITLE_CODECS = frozenset(
    {
        "subrip", "ass", "ssa", "webvtt", "mov_text", "text", "microdvd", "subviewer", "subviewer1", "mpl2",
        "jacosub", "sami", "realtext", "pjs", "vplayer", "stl", "eia_608",
    }
)  # fmt: skip
IMAGE_SUBTITLE_CODECS = frozenset({"pgssub", "dvd_subtitle", "dvb_subtitle", "xsub", "dvb_teletext", "arib_caption"})
_ALIASES = {
    "srt": "subrip",
    "vtt": "webvtt",
    "tx3g": "mov_text",
    "hdmv_pgs_subtitle": "pgssub",
    "pgs": "pgssub",
    "sup": "pgssub",
    "dvdsub": "dvd_subtitle",
    "vobsub": "dvd_subtitle",
    "dvbsub": "dvb_subtitle",
}
# Subtitle files on disk: extension -> ffmpeg demuxer.
FILE_DEMUXERS = {".srt": "srt", ".ass": "ass", ".ssa": "ass", ".vtt": "webvtt", ".webvtt": "webvtt"}

TICKS_PER_MS = TICKS_PER_SECOND // 1000
DEFAULT_TIMEOUT = 60.0  # seconds for one conversion
MAX_OUTPUT_BYTES = 16 * 1024 * 1024  # WebVTT text
MAX_INPUT_BYTES = 32 * 1024 * 1024  # a subtitle file on disk
SEEK_LOOKBACK_SECONDS = 60
_STDERR_KEEP = 4096


class SubtitleError(Exception):
    """A subtitle that can't be converted: missing or unreadable source, not a text subtitle, ffmpeg failing,
    too slow or too large. The message says which."""


def normalize_subtitle_codec(codec: str | None) -> str | None:
    """ffmpeg's and the library's names for one format made one: "hdmv_pgs_subtitle" -> "pgssub", "srt" -> "subrip"."""
    if not codec:
        return None
    name = codec.strip().lower()
    return _ALIASES.get(name, name)


def is_text_subtitle(codec: str | None) -> bool:
    """A text format (convertible to WebVTT)."""
    return normalize_subtitle_codec(codec) in TEXT_SUBTITLE_CODECS


def is_image_subtitle(codec: str | None) -> bool:
    """A bitmap format (PGS, VobSub, DVB, XSUB): it can only be rendered by the client or burned in."""
    return normalize_subtitle_codec(codec) in IMAGE_SUBTITLE_CODECS


# --- WebVTT cues -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    settings: str = ""  # cue settings after the timings ("align:start position:10%"), without the leading space
    identifier: str | None = None


_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+(.*))?$")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT document (headers, NOTE and STYLE blocks skipped), in document order."""
    cues = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        for position, line in enumerate(lines[:2]):
            match = _TIMING.match(line.strip())
            if match is None:
                continue
            groups = match.groups()
            cues.append(
                Cue(
                    start_ms=_ms(*groups[0:4]),
                    end_ms=_ms(*groups[4:8]),
                    text="\n".join(lines[position + 1 :]),
                    settings=(groups[8] or "").strip(),
                    identifier=lines[0].strip() if position == 1 else None,
                )
            )
            break
    return cues


def shift_cues(cues: list[Cue], offset_ms: int) -> list[Cue]:
    """Cue times minus offset_ms: cues over before 0 are dropped, one that spans 0 starts at 0; empty cues are
    dropped; sorted by start."""
    shifted = []
    for cue in cues:
        start, end = cue.start_ms - offset_ms, cue.end_ms - offset_ms
        if end <= 0 or end <= start or not cue.text.strip():
            continue
        shifted.append(Cue(max(0, start), end, cue.text, cue.settings, cue.identifier))
    shifted.sort(key=lambda c: (c.start_ms, c.end_ms))
    return shifted


def _timestamp(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def render_webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        timing = f"{_timestamp(cue.start_ms)} --> {_timestamp(cue.end_ms)}"
        if cue.settings:
            timing += f" {cue.settings}"
        head = f"{cue.identifier}\n{timing}" if cue.identifier else timing
        blocks.append(f"{head}\n{cue.text}\n")
    return "\n".join(blocks)


# --- conversion --------------------------------------------------------------------------------------------------


async def to_webvtt(
    stream: dict[str, Any],
    media_path: str | None = None,
    *,
    offset_ticks: int = 0,
    ffmpeg: str = "ffmpeg",
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> str:
    """WebVTT for a subtitle stream as the library stores it (a StreamInfo dict, e.g. a decision's
    subtitle_stream): an external one from its own `path`, an embedded one by its `index` in `media_path`."""
    if stream.get("type", "subtitle") != "subtitle":
        raise SubtitleError(f"not a subtitle stream ({stream.get('type')})")
    options = {"offset_ticks": offset_ticks, "ffmpeg": ffmpeg, "timeout": timeout, "max_bytes": max_bytes}
    if stream.get("is_external"):
        if not stream.get("path"):
            raise SubtitleError("external subtitle stream without a path")
        return await file_to_webvtt(stream["path"], **options)
    if media_path is None:
        raise SubtitleError("an embedded subtitle stream needs the media file's path")
    return await stream_to_webvtt(media_path, stream["index"], **options)


async def file_to_webvtt(
    path: str,
    *,
    offset_ticks: int = 0,
    ffmpeg: str = "ffmpeg",
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> str:
    """WebVTT from a subtitle file on disk (SRT, ASS/SSA, WebVTT, or another text format ffmpeg recognises),
    with cue times shifted back by offset_ticks. Raises SubtitleError."""
    _check_options(offset_ticks, timeout, max_bytes)
    data = await asyncio.to_thread(_read_subtitle_file, path)
    text = _decode(data, path)
    demuxer = _file_demuxer(path, text)
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"]
    if demuxer:
        argv += ["-f", demuxer]
    argv += ["-i", "pipe:0", "-map", "0:s:0", "-c:s", "webvtt", "-f", "webvtt", "pipe:1"]
    output = await _run(argv, text.encode("utf-8"), timeout, max_bytes)
    cues = parse_webvtt(output)
    if not cues and re.search(r"-->|^Dialogue:", text, re.MULTILINE) is None and text.strip():
        raise SubtitleError(f"no subtitle cues could be read from {path} (not a subtitle file?)")
    return _finish(cues, offset_ticks, max_bytes)


async def stream_to_webvtt(
    media_path: str,
    stream_index: int,
    *,
    offset_ticks: int = 0,
    ffmpeg: str = "ffmpeg",
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> str:
    """WebVTT from the text subtitle stream at `stream_index` (its index in the file) of a media file, with cue
    times shifted back by offset_ticks. Raises SubtitleError."""
    _check_options(offset_ticks, timeout, max_bytes)
    if isinstance(stream_index, bool) or not isinstance(stream_index, int) or stream_index < 0:
        raise SubtitleError(f"invalid stream index {stream_index!r}")
    try:
        async with asyncio.timeout(timeout):
            absolute = await asyncio.to_thread(_check_stream, media_path, stream_index)
    except TimeoutError:
        raise SubtitleError(f"reading {media_path} took longer than {timeout:g} s") from None
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file"]
    argv += ["-copyts", "-start_at_zero"]
    seek = offset_ticks / TICKS_PER_SECOND - SEEK_LOOKBACK_SECONDS
    if seek > 0:
        argv += ["-ss", f"{seek:.3f}"]
    argv += ["-i", f"file:{absolute}", "-map", f"0:{stream_index}"]
    argv += ["-c:s", "webvtt", "-f", "webvtt", "pipe:1"]
    output = await _run(argv, None, timeout, max_bytes)
    return _finish(parse_webvtt(output), offset_ticks, max_bytes)


def _check_options(offset_ticks: int, timeout: float, max_bytes: int) -> None:
    if isinstance(offset_ticks, bool) or not isinstance(offset_ticks, int) or offset_ticks < 0:
        raise SubtitleError(f"invalid offset {offset_ticks!r} (ticks, not negative)")
    if not timeout > 0:
        raise SubtitleError(f"invalid timeout {timeout!r}")
    if max_bytes <= 0:
        raise SubtitleError(f"invalid output limit {max_bytes!r}")


_BARE_AMPERSAND = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
_BARE_LESS_THAN = re.compile(r"<(?!/?[ibu]>)")


def _escape(text: str) -> str:
    """ffmpeg's WebVTT encoder writes text as it is; WebVTT wants "&" and "<" escaped except in its own tags
    (ffmpeg writes only <i>, <b>, <u>) and no "-->" in a cue."""
    text = _BARE_AMPERSAND.sub("&amp;", text)
    return _BARE_LESS_THAN.sub("&lt;", text).replace("-->", "--&gt;")


def _finish(cues: list[Cue], offset_ticks: int, max_bytes: int) -> str:
    cues = [dataclasses.replace(cue, text=_escape(cue.text)) for cue in cues]
    result = render_webvtt(shift_cues(cues, offset_ticks // TICKS_PER_MS))
    if len(result.encode("utf-8")) > max_bytes:
        raise SubtitleError(f"WebVTT output is larger than {max_bytes} bytes")
    return result


def _check_file(path: str, what: str) -> os.stat_result:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SubtitleError(f"{what} not found: {path}") from None
    except OSError as err:
        raise SubtitleError(f"cannot read {what} {path}: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SubtitleError(f"{what} is not a regular file: {path}")
    return info


def _read_subtitle_file(path: str) -> bytes:
    info = _check_file(path, "subtitle file")
    if info.st_size > MAX_INPUT_BYTES:
        raise SubtitleError(f"subtitle file is too large ({info.st_size} bytes, at most {MAX_INPUT_BYTES}): {path}")
    try:
        with open(path, "rb") as file:
            return file.read(MAX_INPUT_BYTES + 1)
    except OSError as err:
        raise SubtitleError(f"cannot read subtitle file {path}: {err.strerror or err}") from None


def _decode(data: bytes, path: str) -> str:
    """Text in whatever encoding the file uses: a BOM's, else UTF-8, else Windows-1252 (else Latin-1)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        raise SubtitleError(f"not a text subtitle file (binary data): {path}")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _file_demuxer(path: str, text: str) -> str | None:
    """The ffmpeg demuxer for a subtitle file: from its content when it says (WebVTT, ASS), else its extension;
    None lets ffmpeg recognise another text format."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith("WEBVTT"):
        return "webvtt"
    if "[script info]" in head.lower():
        return "ass"
    return FILE_DEMUXERS.get(os.path.splitext(path)[1].lower())


def _check_stream(path: str, index: int) -> str:
    """The file's absolute path; SubtitleError unless stream `index` of the file is a text subtitle stream."""
    _check_file(path, "media file")
    import av  # PyAV loads when a subtitle is first converted, not at start-up

    try:
        container = av.open(path, metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise SubtitleError(f"not a media file: {path}") from None
    except (av.error.FFmpegError, OSError) as err:
        raise SubtitleError(f"cannot open {path}: {getattr(err, 'strerror', None) or err}") from None
    with container:
        streams = list(container.streams)
        if index >= len(streams):
            raise SubtitleError(f"no stream {index} in {path} (it has {len(streams)})")
        stream = streams[index]
        if stream.type != "subtitle":
            raise SubtitleError(f"stream {index} of {path} is not a subtitle stream ({stream.type})")
        context = stream.codec_context
        codec = normalize_subtitle_codec(context.codec.canonical_name if context and context.codec else None)
    if is_image_subtitle(codec):
        raise SubtitleError(f"stream {index} of {path} is an image subtitle ({codec}): it can only be burned in")
    if not is_text_subtitle(codec):
        raise SubtitleError(f"stream {index} of {path}: cannot convert {codec or 'unknown'} subtitles to WebVTT")
    return os.path.abspath(path)


async def _run(argv: list[str], stdin: bytes | None, timeout: float, max_bytes: int) -> str:
    """Run ffmpeg; its stdout as text. SubtitleError when it fails, runs past `timeout` or writes too much."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as err:
        raise SubtitleError(f"cannot run {argv[0]}: {err.strerror or err}") from None
    tasks: list[asyncio.Task[Any]] = []
    try:
        async with asyncio.timeout(timeout):
            if stdin is not None:
                tasks.append(asyncio.create_task(_feed(process, stdin)))
            errors = asyncio.create_task(_drain(process.stderr))
            tasks.append(errors)
            output = await _read_limited(process.stdout, max_bytes)
            if output is None:
                raise SubtitleError(f"WebVTT output is larger than {max_bytes} bytes")
            returncode = await process.wait()
            stderr = await errors
    except TimeoutError:
        raise SubtitleError(f"ffmpeg took longer than {timeout:g} s") from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if returncode != 0:
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit status {returncode}"
        raise SubtitleError(f"ffmpeg could not convert the subtitles: {detail}")
    return output.decode("utf-8", "replace")


async def _feed(process: asyncio.subprocess.Process, data: bytes) -> None:
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(data)
        await process.stdin.drain()
        process.stdin.close()
        await process.stdin.wait_closed()


async def _drain(reader: asyncio.StreamReader | None) -> bytes:
    """All of a stream read, its last _STDERR_KEEP bytes kept."""
    kept = b""
    while reader is not None and (chunk := await reader.read(65536)):
        kept = (kept + chunk)[-_STDERR_KEEP:]
    return kept


async def _read_limited(reader: asyncio.StreamReader | None, limit: int) -> bytes | None:
    """All of a stream, or None as soon as it is longer than `limit`."""
    chunks, size = [], 0
    while reader is not None and (chunk := await reader.read(65536)):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
