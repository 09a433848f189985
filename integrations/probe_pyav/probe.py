"""Read a media file's technical facts with PyAV, in-process: no frames are decoded.

Only the container header is parsed (libavformat's open + stream info); the one packet read is an embedded
picture (attached_pic stream), returned as cover art.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import av
from av.stream import Disposition

from plugin_sdk.media import TICKS_PER_SECOND, Attachment, Chapter, ProbeError, ProbeResult, StreamInfo

_LOGGER = logging.getLogger(__name__)

# libavutil's AVColorTransferCharacteristic / AVColorPrimaries / AVColorSpace values and the names ffmpeg gives
# them (av_color_*_name). PyAV exposes the raw ints on the codec context; 2 (unspecified) and reserved values
# are left out so that they read as None.
COLOR_TRANSFERS = {
    1: "bt709",
    4: "bt470m",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "linear",
    9: "log100",
    10: "log316",
    11: "iec61966-2-4",
    12: "bt1361e",
    13: "iec61966-2-1",
    14: "bt2020-10",
    15: "bt2020-12",
    16: "smpte2084",
    17: "smpte428",
    18: "arib-std-b67",
}
COLOR_PRIMARIES = {
    1: "bt709",
    4: "bt470m",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "film",
    9: "bt2020",
    10: "smpte428",
    11: "smpte431",
    12: "smpte432",
    22: "ebu3213",
}
COLOR_SPACES = {
    0: "gbr",
    1: "bt709",
    4: "fcc",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "ycgco",
    9: "bt2020nc",
    10: "bt2020c",
    11: "smpte2085",
    12: "chroma-derived-nc",
    13: "chroma-derived-c",
    14: "ictcp",
    15: "ipt-c2",
    16: "ycgco-re",
    17: "ycgco-ro",
}
# Sample entry / codec tags that mean a Dolby Vision stream (MP4/MOV). PyAV 18 does not expose a stream's
# coded side data, so a DOVI configuration record (e.g. in Matroska) cannot be seen.
DOLBY_VISION_TAGS = frozenset({"dvhe", "dvh1", "dav1", "dva1", "dvav", "dvai"})
PICTURE_MIME = {
    "mjpeg": "image/jpeg",
    "png": "image/png",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "webp": "image/webp",
    "tiff": "image/tiff",
}
PICTURE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
)
# Stream tags that describe the track or its muxing rather than the work (skipped when stream tags are merged).
TECHNICAL_TAGS = frozenset(
    {"language", "handler_name", "vendor_id", "duration", "bps", "number_of_frames", "number_of_bytes"}
)
# ISO 639-1 to ISO 639-2/B, and the 639-2/T codes whose /B form differs (MP4 uses /T, Matroska /B).
_ALPHA2 = (
    "aa:aar ab:abk ae:ave af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak be:bel bg:bul "
    "bi:bis bm:bam bn:ben bo:tib br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre cs:cze cu:chu cv:chv cy:wel "
    "da:dan de:ger dv:div dz:dzo ee:ewe el:gre en:eng eo:epo es:spa et:est eu:baq fa:per ff:ful fi:fin fj:fij "
    "fo:fao fr:fre fy:fry ga:gle gd:gla gl:glg gn:grn gu:guj gv:glv ha:hau he:heb hi:hin ho:hmo hr:hrv ht:hat "
    "hu:hun hy:arm hz:her ia:ina id:ind ie:ile ig:ibo ii:iii ik:ipk io:ido is:ice it:ita iu:iku ja:jpn jv:jav "
    "ka:geo kg:kon ki:kik kj:kua kk:kaz kl:kal km:khm kn:kan ko:kor kr:kau ks:kas ku:kur kv:kom kw:cor ky:kir "
    "la:lat lb:ltz lg:lug li:lim ln:lin lo:lao lt:lit lu:lub lv:lav mg:mlg mh:mah mi:mao mk:mac ml:mal mn:mon "
    "mr:mar ms:may mt:mlt my:bur na:nau nb:nob nd:nde ne:nep ng:ndo nl:dut nn:nno no:nor nr:nbl nv:nav ny:nya "
    "oc:oci oj:oji om:orm or:ori os:oss pa:pan pi:pli pl:pol ps:pus pt:por qu:que rm:roh rn:run ro:rum ru:rus "
    "rw:kin sa:san sc:srd sd:snd se:sme sg:sag sh:hbs si:sin sk:slo sl:slv sm:smo sn:sna so:som sq:alb sr:srp "
    "ss:ssw st:sot su:sun sv:swe sw:swa ta:tam te:tel tg:tgk th:tha ti:tir tk:tuk tl:tgl tn:tsn to:ton tr:tur "
    "ts:tso tt:tat tw:twi ty:tah ug:uig uk:ukr ur:urd uz:uzb ve:ven vi:vie vo:vol wa:wln wo:wol xh:xho yi:yid "
    "yo:yor za:zha zh:chi zu:zul"
)
_TERMINOLOGIC = (
    "bod:tib ces:cze cym:wel deu:ger ell:gre eus:baq fas:per fra:fre hye:arm isl:ice kat:geo mkd:mac mri:mao "
    "msa:may mya:bur nld:dut ron:rum slk:slo sqi:alb zho:chi"
)
LANGUAGES = dict(pair.split(":") for pair in f"{_ALPHA2} {_TERMINOLOGIC}".split())
MAX_PICTURE_PACKETS = 64  # packets demuxed at most while looking for the embedded picture


def probe(path: str) -> ProbeResult:
    """Technical facts about one media file. Raises ProbeError (with a short reason) for anything unplayable."""
    try:
        info = os.stat(path)
    except OSError as err:
        raise ProbeError(f"cannot read file: {err.strerror or err}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ProbeError("not a file (directory)")
    if not stat.S_ISREG(info.st_mode):
        raise ProbeError("not a regular file")
    if info.st_size == 0:
        raise ProbeError("empty file (0 bytes)")
    try:
        container = av.open(path, metadata_errors="ignore")
    except av.error.InvalidDataError as err:
        raise ProbeError(f"not a media file: {_reason(err)}") from None
    except (av.error.FFmpegError, OSError) as err:
        raise ProbeError(f"cannot open: {_reason(err)}") from None
    except Exception as err:
        _LOGGER.warning("Unexpected error opening %s", path, exc_info=True)
        raise ProbeError(f"cannot open: {type(err).__name__}: {err}") from None
    try:
        with container:
            result = _describe(container, info.st_size)
            _check_complete(container, result)
            return result
    except ProbeError:
        raise
    except (av.error.FFmpegError, OSError) as err:
        raise ProbeError(f"cannot read: {_reason(err)}") from None
    except Exception as err:
        _LOGGER.warning("Unexpected error probing %s", path, exc_info=True)
        raise ProbeError(f"probe failed: {type(err).__name__}: {err}") from None


TRUNCATION_PACKETS = 500  # enough to cross the last GOP of any sane file; a cap keeps huge files cheap


def _check_complete(container: Any, result: ProbeResult) -> None:
    """A file cut short still opens, because its header declares the full length. Seek near the declared end
    and read to EOF: if the data stops well before half of that, the file is truncated."""
    if container.duration is None or not any(s.type == "video" for s in result.streams):
        return
    declared = container.duration / av.time_base
    try:
        container.seek(max(0, container.duration - av.time_base), backward=True, any_frame=False)
    except av.error.FFmpegError:
        raise ProbeError("truncated or corrupt: cannot seek to the end of the file") from None
    reached = 0.0
    for count, packet in enumerate(container.demux(), 1):
        if packet.pts is not None and packet.time_base is not None:
            reached = max(reached, float((packet.pts + (packet.duration or 0)) * packet.time_base))
        if count >= TRUNCATION_PACKETS:
            return
    if reached < declared / 2:
        raise ProbeError(f"truncated: the data ends at {reached:.1f} s of a declared {declared:.1f} s")


def _reason(err: Exception) -> str:
    return str(getattr(err, "strerror", None) or err)


def _describe(container: Any, size: int) -> ProbeResult:
    pictures = [s for s in container.streams if s.disposition & Disposition.attached_pic]
    others = [s for s in container.streams if not s.disposition & Disposition.attached_pic]
    streams = [_stream_info(s) for s in others]
    playable = [(s, i) for s, i in zip(others, streams, strict=True) if i.type in ("video", "audio")]
    if not playable:
        raise ProbeError("no audio or video streams")
    if not any(_has_parameters(s) for s, _ in playable):
        raise ProbeError("no codec parameters in any audio or video stream (truncated or corrupt file?)")
    result = ProbeResult(
        container=container.format.name,
        size=size,
        duration_ticks=_duration_ticks(container.duration),
        bitrate=_positive(container.bit_rate),
        streams=streams,
        chapters=_chapters(container),
        attachments=[
            Attachment(filename=s.metadata.get("filename"), mime_type=s.metadata.get("mimetype"))
            for s in others
            if s.type == "attachment"
        ],
        tags=_tags(container, playable),
    )
    if pictures:
        result.cover_art, result.cover_art_mime = _picture(container, _front_cover(pictures))
    return result


def _stream_info(stream: Any) -> StreamInfo:
    kind = stream.type if stream.type in ("video", "audio", "subtitle", "attachment") else "data"
    metadata = stream.metadata
    disposition = stream.disposition
    info = StreamInfo(
        index=stream.index,
        type=kind,
        language=normalize_language(stream.language or metadata.get("language")),
        title=metadata.get("title") or None,
        is_default=bool(disposition & Disposition.default),
        is_forced=bool(disposition & Disposition.forced),
        is_hearing_impaired=bool(disposition & Disposition.hearing_impaired),
    )
    context = stream.codec_context
    if context is None:  # attachments and some data streams have no codec context
        return info
    info.codec = _codec_name(context)
    info.profile = stream.profile or None
    level = getattr(context, "level", None)
    info.level = level if isinstance(level, int) and level >= 0 else None
    info.bitrate = _positive(context.bit_rate) or _tag_bitrate(metadata)
    if kind == "video":
        info.width = context.width or None
        info.height = context.height or None
        rate = stream.average_rate or stream.guessed_rate
        info.frame_rate = float(rate) if rate else None
        info.pixel_format = context.pix_fmt
        info.bit_depth = _bit_depth(context.pix_fmt)
        info.color_transfer = COLOR_TRANSFERS.get(context.color_trc)
        info.color_primaries = COLOR_PRIMARIES.get(context.color_primaries)
        info.color_space = COLOR_SPACES.get(context.colorspace)
        info.hdr = _hdr(stream, info.color_transfer)
    elif kind == "audio":
        info.channels = context.channels or None
        info.channel_layout = context.layout.name if context.channels else None
        info.sample_rate = context.sample_rate or None
    return info


def _codec_name(context: Any) -> str | None:
    """The codec's name as ffprobe gives it ("mp3", "subrip"), not the decoder's ("mp3float", "srt")."""
    codec = context.codec
    name = codec.canonical_name if codec is not None else context.name
    return name if name and name != "none" else None


def _has_parameters(stream: Any) -> bool:
    context = stream.codec_context
    if context is None or _codec_name(context) is None:
        return False
    if stream.type == "video":
        return context.width > 0 and context.height > 0
    return context.sample_rate > 0 and context.channels > 0


def _bit_depth(pix_fmt: str | None) -> int | None:
    if not pix_fmt:
        return None
    try:
        components = av.VideoFormat(pix_fmt).components
    except (ValueError, av.error.FFmpegError):
        return None
    return components[0].bits if components else None


def _hdr(stream: Any, transfer: str | None) -> str:
    tag = (stream.codec_tag or "").strip().lower()
    if tag in DOLBY_VISION_TAGS:
        return "DolbyVision"
    if transfer == "smpte2084":
        return "HDR10"
    if transfer == "arib-std-b67":
        return "HLG"
    return "SDR"


def _tag_bitrate(metadata: Mapping[str, str]) -> int | None:
    """Matroska statistics tags (BPS, BPS-eng) when the stream header has no bit rate."""
    for key, value in metadata.items():
        if key.lower() in ("bps", "bps-eng"):
            try:
                return _positive(int(value))
            except ValueError:
                return None
    return None


def _duration_ticks(duration: int | None) -> int | None:
    """container.duration is in AV_TIME_BASE units (microseconds)."""
    if not duration or duration <= 0:
        return None
    return duration * TICKS_PER_SECOND // av.time_base


def _positive(value: int | None) -> int | None:
    return value if value and value > 0 else None


def _chapters(container: Any) -> list[Chapter]:
    chapters = []
    for chapter in container.chapters():
        time_base = Fraction(chapter["time_base"])
        start = round(chapter["start"] * time_base * TICKS_PER_SECOND)
        end = round(chapter["end"] * time_base * TICKS_PER_SECOND)
        title = chapter.get("metadata", {}).get("title") or None
        chapters.append(Chapter(start_ticks=start, end_ticks=end if end > start else None, title=title))
    return chapters


def _tags(container: Any, playable: list[tuple[Any, StreamInfo]]) -> dict[str, str]:
    """Container tags, keys lowercased. For audio files, the first audio stream's tags fill the gaps: Ogg and
    some other formats keep a track's tags there (in a file with video, stream tags describe the stream)."""
    tags: dict[str, str] = {}
    _merge_tags(tags, container.metadata)
    if not any(info.type == "video" for _, info in playable):
        first_audio = next(stream for stream, _ in playable)
        _merge_tags(tags, first_audio.metadata, skip=TECHNICAL_TAGS)
    return tags


def _merge_tags(tags: dict[str, str], metadata: Mapping[str, str], skip: frozenset[str] = frozenset()) -> None:
    for key, value in metadata.items():
        name = key.lower()
        if name in tags or name in skip or name.startswith("_statistics") or not value:
            continue
        tags[name] = value


def _front_cover(pictures: list[Any]) -> Any:
    """The front cover when the file says which picture it is, else the first picture."""
    for stream in pictures:
        metadata = stream.metadata
        if "front" in metadata.get("comment", "").lower() or metadata.get("filename", "").lower().startswith("cover"):
            return stream
    return pictures[0]


def _picture(container: Any, stream: Any) -> tuple[bytes | None, str | None]:
    """The attached picture's bytes, as stored (libavformat queues it as the stream's first packet)."""
    try:
        for count, packet in enumerate(container.demux(stream)):
            if packet.stream_index == stream.index and packet.size:
                data = bytes(packet)
                return data, _picture_mime(_codec_name(stream.codec_context), data)
            if count >= MAX_PICTURE_PACKETS:
                break
    except (av.error.FFmpegError, OSError):
        _LOGGER.debug("Cannot read the embedded picture of %s", container.name, exc_info=True)
    return None, None


def _picture_mime(codec: str | None, data: bytes) -> str | None:
    if codec in PICTURE_MIME:
        return PICTURE_MIME[codec]
    return next((mime for magic, mime in PICTURE_MAGIC if data.startswith(magic)), None)


def normalize_language(value: str | None) -> str | None:
    """An ISO 639-2/B code ("eng", "fre", "ger") from what a file says ("en", "fra", "en-US", "ENG"), or None
    for an undetermined or unreadable language."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    code = LANGUAGES.get(code, code)
    if len(code) != 3 or not code.isalpha() or not code.isascii() or code == "und":
        return None
    return code
