"""What folder names and file-name suffixes say on their own: disc structures, extras, season folders.

Pure string work, no guessit: the parser asks these first and only hands real titles to guessit.
"""

from __future__ import annotations

import re

# A path inside one of these folders (or one of these files) belongs to a DVD / Blu-ray structure. Disc
# structures and disc images are not identified yet: their files come back as kind "unknown".
DISC_FOLDERS = frozenset({"video_ts", "audio_ts", "bdmv", "hvdvd_ts"})
DISC_FILES = frozenset({"video_ts.ifo", "index.bdmv"})
DISC_IMAGE_EXTENSIONS = frozenset({".iso"})

# Folder name (case-insensitive) -> extra_type. Only the file's own folder counts: a library whose root
# happens to be called "Shorts" would otherwise turn every film below it into an extra.
EXTRA_FOLDERS = {
    "trailers": "trailer",
    "featurettes": "featurette",
    "behind the scenes": "behindthescenes",
    "deleted scenes": "deleted",
    "interviews": "interview",
    "scenes": "scene",
    "shorts": "short",
    "extras": "extra",
    "other": "extra",
}

# File-stem suffixes (Jellyfin's convention). "trailer" takes "-", "." or "_" before it; the others only "-",
# so that dotted release names such as "The.Big.Short.mkv" stay movies.
_EXTRA_SUFFIX = re.compile(
    r"(?:[-._](?P<trailer>trailer)|-(?P<other>featurette|behindthescenes|deletedscene|deleted|interview|scene|short"
    r"|extra|other))\d*$",
    re.IGNORECASE,
)
_SUFFIX_TYPES = {
    "trailer": "trailer",
    "featurette": "featurette",
    "behindthescenes": "behindthescenes",
    "deletedscene": "deleted",
    "deleted": "deleted",
    "interview": "interview",
    "scene": "scene",
    "short": "short",
    "extra": "extra",
    "other": "extra",
}

SPECIALS_FOLDERS = frozenset({"specials", "special"})
_SEASON_FOLDER = re.compile(
    r"^(?:season|series|saison|staffel|temporada|stagione|s)[\s._-]*(?P<number>\d{1,4})(?:\s*[\(\[].*)?$",
    re.IGNORECASE,
)
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace lone surrogates (what os.fsdecode makes of bytes that are not UTF-8) with U+FFFD, so that the
    names we hand on can be stored and serialised."""
    return _SURROGATES.sub("\ufffd", text)


def is_disc_path(parts: tuple[str, ...]) -> bool:
    """True for a file inside a DVD/Blu-ray folder structure, a disc's index file, or a disc image."""
    name = parts[-1].casefold()
    if name in DISC_FILES or any(name.endswith(ext) for ext in DISC_IMAGE_EXTENSIONS):
        return True
    return any(part.casefold() in DISC_FOLDERS for part in parts[:-1])


def extra_type_of(stem: str, folder: str | None) -> str | None:
    """The extra_type for a file whose own folder or stem suffix marks it as an extra, else None."""
    if folder is not None:
        kind = EXTRA_FOLDERS.get(" ".join(folder.casefold().split()))
        if kind is not None:
            return kind
    match = _EXTRA_SUFFIX.search(stem)
    if match is None:
        return None
    return _SUFFIX_TYPES[(match.group("trailer") or match.group("other")).casefold()]


def season_of_folder(folder: str) -> int | None:
    """1 for "Season 01" (also "Season 1", "S01", "Series 2"...), 0 for "Specials", None for anything else."""
    name = folder.strip()
    if name.casefold() in SPECIALS_FOLDERS:
        return 0
    match = _SEASON_FOLDER.match(name)
    return int(match.group("number")) if match else None
