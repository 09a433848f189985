"""External subtitle files beside a media file: "Movie.mkv" -> "Movie.srt", "Movie.en.srt",
"Movie.fr.forced.srt", "Movie.English.sdh.srt", "Movie.pt-BR.default.ass"...

The file must start with the media file's stem followed by "." (so "Movie 2.en.srt" is not Movie's). The
tokens between the stem and the extension are read as: "forced"/"foreign" -> is_forced; "sdh", "cc", "hi" ->
is_hearing_impaired (so "hi" is never Hindi; write "hin" or "Hindi"); "default" -> is_default; the first
token that is a language -> language, as an ISO 639-2 three-letter code (babelfish: two-letter codes,
639-2/B and /T codes, IETF tags such as pt-BR, and English names of languages that have a two-letter code);
whatever is left is the stream's title.
"""

from __future__ import annotations

import logging
import os

import babelfish

from plugin_sdk.media import StreamInfo

_LOGGER = logging.getLogger(__name__)

CODECS = {
    ".srt": "subrip",
    ".ass": "ass",
    ".ssa": "ssa",
    ".vtt": "webvtt",
    ".sub": "sub",
    ".sup": "pgssub",
}
_FORCED = frozenset({"forced", "foreign"})
_HEARING_IMPAIRED = frozenset({"sdh", "cc", "hi"})
_DEFAULT = frozenset({"default"})
_NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})


def find_external_subtitles(media_path: str) -> list[StreamInfo]:
    folder, name = os.path.split(os.path.abspath(media_path))
    stem = os.path.splitext(name)[0]
    if not stem:
        return []
    try:
        entries = sorted(os.listdir(folder))
    except OSError as err:
        _LOGGER.debug("Cannot list %s: %s", folder, err)
        return []
    prefix = f"{stem}.".casefold()
    streams = []
    for entry in entries:
        base, extension = os.path.splitext(entry)
        codec = CODECS.get(extension.lower())
        if codec is None or entry == name:
            continue
        if not f"{base}.".casefold().startswith(prefix):
            continue
        path = os.path.join(folder, entry)
        if not os.path.isfile(path):
            continue
        stream = StreamInfo(index=-1, type="subtitle", codec=codec, is_external=True, path=path)
        _apply_tokens(stream, base[len(stem) + 1 :])
        streams.append(stream)
    return streams


def _apply_tokens(stream: StreamInfo, middle: str) -> None:
    rest = []
    for token in (t for t in middle.replace(" ", ".").split(".") if t):
        lowered = token.casefold()
        if lowered in _FORCED:
            stream.is_forced = True
        elif lowered in _HEARING_IMPAIRED:
            stream.is_hearing_impaired = True
        elif lowered in _DEFAULT:
            stream.is_default = True
        elif stream.language is None and (language := language_code(token)) is not None:
            stream.language = language
        else:
            rest.append(token)
    stream.title = " ".join(rest) or None


def language_code(token: str) -> str | None:
    """ISO 639-2 (three letters, lowercase) for a code or an English language name, else None."""
    text = token.strip()
    lowered = text.casefold()
    if not text or lowered in _NOT_A_LANGUAGE:
        return None
    language = None
    try:
        if len(text) == 2 and text.isalpha():
            language = babelfish.Language.fromalpha2(lowered)
        elif len(text) == 3 and text.isalpha():
            language = _from_alpha3(lowered)
        elif "-" in text or "_" in text:
            language = babelfish.Language.fromietf(text.replace("_", "-"))
        elif text.isalpha():
            language = babelfish.Language.fromname(text.title())
            if not _has_alpha2(language):  # the thousands of minor languages' names would match ordinary words
                return None
    except (babelfish.Error, ValueError, KeyError):
        return None
    # ISO 639-2/B ("fre", "ger"), the form ffmpeg writes in containers and the probe reports.
    return language.alpha3b if language is not None else None


def _has_alpha2(language: babelfish.Language) -> bool:
    try:
        return bool(language.alpha2)
    except babelfish.Error:
        return False


def _from_alpha3(code: str) -> babelfish.Language | None:
    for converter in (babelfish.Language.fromalpha3b, babelfish.Language.fromalpha3t):
        try:
            return converter(code)
        except (babelfish.Error, ValueError, KeyError):
            continue
    return None
