"""Artwork beside the media, in the Kodi / Jellyfin naming conventions.

* A media file "X.mkv": "X-poster.jpg" (Primary), "X-fanart.jpg" (Backdrop), "X-thumb.jpg" (Thumb; for an
  episode Primary, as Jellyfin does: an episode's still is its main image), plus "X-banner", "X-logo",
  "X-clearlogo", "X-clearart", "X-disc", "X-landscape". An episode's "X.jpg" is its Primary too.
* A movie also gets the folder-level names (poster.jpg, fanart.jpg, ...) of its folder, when the folder is
  its own: it is the only video there, or its name starts with the folder's name ("Movie (2008) - 4K.mkv").
* A folder item (series, season, album, artist) gets the folder-level names inside the folder, and a season
  also "seasonNN-poster.jpg" & co. in the series folder above it ("season-specials-poster.jpg" for 0).

Extensions jpg, jpeg, png, webp, any case. A file (or a symlink) whose real path is outside the folder it
was found in is ignored, so a link cannot expose files from elsewhere on the server.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cached_property

from plugin_sdk.media import ItemType, LocalImage

_LOGGER = logging.getLogger(__name__)

EXTENSIONS = ("jpg", "jpeg", "png", "webp")
VIDEO_EXTENSIONS = frozenset(
    {".mkv", ".mp4", ".m4v", ".avi", ".mov", ".wmv", ".ts", ".m2ts", ".mpg", ".mpeg", ".webm", ".flv", ".iso"}
)

# Folder-level base names, in order of preference within a type.
FOLDER_NAMES: tuple[tuple[str, str], ...] = (
    ("poster", "Primary"),
    ("folder", "Primary"),
    ("cover", "Primary"),
    ("fanart", "Backdrop"),
    ("backdrop", "Backdrop"),
    ("background", "Backdrop"),
    ("logo", "Logo"),
    ("clearlogo", "Logo"),
    ("banner", "Banner"),
    ("landscape", "Thumb"),
    ("thumb", "Thumb"),
    ("clearart", "Art"),
    ("disc", "Disc"),
    ("discart", "Disc"),
    ("cdart", "Disc"),
)
# "<stem>-<suffix>" names for a media file.
FILE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("poster", "Primary"),
    ("fanart", "Backdrop"),
    ("thumb", "Thumb"),
    ("landscape", "Thumb"),
    ("logo", "Logo"),
    ("clearlogo", "Logo"),
    ("banner", "Banner"),
    ("clearart", "Art"),
    ("disc", "Disc"),
    ("discart", "Disc"),
)
# Kodi's season art in the series folder: season01-poster.jpg, season-specials-poster.jpg.
SEASON_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("poster", "Primary"),
    ("fanart", "Backdrop"),
    ("banner", "Banner"),
    ("landscape", "Thumb"),
    ("thumb", "Thumb"),
)
_NUMBERED_BACKDROP = re.compile(r"^(?:fanart|backdrop|background)-?(\d{1,3})\.(?:jpe?g|png|webp)$", re.IGNORECASE)
_SEASON_FOLDER = re.compile(r"^(?:season|series|saison|staffel|temporada|s)[\s._-]*(\d{1,4})$", re.IGNORECASE)
_FOLDER_TYPES = frozenset({ItemType.SERIES, ItemType.SEASON, ItemType.ALBUM, ItemType.ARTIST, ItemType.FOLDER})


def find_local_images(path: str, item_type: str) -> list[LocalImage]:
    if item_type in _FOLDER_TYPES or os.path.isdir(path):
        if not os.path.isdir(path):
            return []
        images = _folder_images(_Listing(path))
        if item_type == ItemType.SEASON:
            images.extend(_season_images_in_parent(path))
        return images
    folder, name = os.path.split(path)
    listing = _Listing(folder or ".")  # a folder that can't be listed has no images
    stem = os.path.splitext(name)[0]
    images = []
    for suffix, kind in FILE_SUFFIXES:
        if item_type == ItemType.EPISODE and suffix == "thumb":
            kind = "Primary"
        images.extend(listing.images(f"{stem}-{suffix}", kind))
    if item_type == ItemType.EPISODE:
        images.extend(listing.images(stem, "Primary"))
    if item_type == ItemType.MOVIE and _owns_folder(listing, name):
        images.extend(_folder_images(listing))
    return _unique(images)


def _folder_images(listing: _Listing) -> list[LocalImage]:
    images: list[LocalImage] = []
    for base, kind in FOLDER_NAMES:
        images.extend(listing.images(base, kind))
    numbered = sorted(
        (int(match.group(1)), name) for name in listing.names.values() if (match := _NUMBERED_BACKDROP.match(name))
    )
    images.extend(image for _, name in numbered if (image := listing.image(name, "Backdrop")) is not None)
    extrafanart = listing.names.get("extrafanart")
    if extrafanart is not None and os.path.isdir(os.path.join(listing.folder, extrafanart)):
        # Kodi's extra backdrops; they must stay inside the item's folder too.
        sub = _Listing(os.path.join(listing.folder, extrafanart), root=listing.real_folder)
        images.extend(
            image
            for name in sorted(sub.names.values())
            if name.rpartition(".")[2].lower() in EXTENSIONS and (image := sub.image(name, "Backdrop")) is not None
        )
    return _unique(images)


def _season_images_in_parent(season_folder: str) -> list[LocalImage]:
    number = season_number(os.path.basename(os.path.normpath(season_folder)))
    if number is None:
        return []
    parent = os.path.dirname(os.path.normpath(season_folder))
    if not os.path.isdir(parent or "."):
        return []
    listing = _Listing(parent or ".")
    prefix = "season-specials" if number == 0 else f"season{number:02d}"
    images = []
    for suffix, kind in SEASON_SUFFIXES:
        images.extend(listing.images(f"{prefix}-{suffix}", kind))
    return images


def season_number(folder_name: str) -> int | None:
    name = folder_name.strip()
    if name.casefold() in ("specials", "special"):
        return 0
    match = _SEASON_FOLDER.match(name)
    return int(match.group(1)) if match else None


def _owns_folder(listing: _Listing, name: str) -> bool:
    """A movie owns its folder when it is the only video there or its name starts with the folder's name."""
    folder_name = os.path.basename(os.path.normpath(listing.folder)).casefold()
    if folder_name and name.casefold().startswith(folder_name):
        return True
    videos = [n for n in listing.names.values() if os.path.splitext(n)[1].lower() in VIDEO_EXTENSIONS]
    return len(videos) <= 1


def _unique(images: list[LocalImage]) -> list[LocalImage]:
    seen: set[str] = set()
    result = []
    for image in images:
        if image.path not in seen:
            seen.add(image.path)
            result.append(image)
    return result


class _Listing:
    """One directory read once: case-insensitive lookups, and the containment check for every hit."""

    def __init__(self, folder: str, root: str | None = None) -> None:
        self.folder = folder
        self._root = root
        try:
            entries = os.listdir(folder)
        except OSError as err:
            _LOGGER.debug("Cannot list %s: %s", folder, err)
            entries = []
        # lowercase name -> actual name; the first one in sorted order wins when only the case differs
        self.names: dict[str, str] = {}
        for entry in sorted(entries):
            self.names.setdefault(entry.casefold(), entry)

    # Resolved only for a hit: realpath stats every component of the path, and most files have no artwork.
    @cached_property
    def real_folder(self) -> str:
        return os.path.realpath(self.folder)

    @cached_property
    def root(self) -> str:
        """Hits must resolve inside this folder."""
        return self._root or self.real_folder

    def images(self, base: str, kind: str) -> list[LocalImage]:
        found = []
        for extension in EXTENSIONS:
            name = self.names.get(f"{base}.{extension}".casefold())
            if name is not None and (image := self.image(name, kind)) is not None:
                found.append(image)
        return found

    def image(self, name: str, kind: str) -> LocalImage | None:
        path = os.path.join(self.folder, name)
        real = os.path.realpath(path)
        try:
            inside = os.path.commonpath([real, self.root]) == self.root
        except ValueError:  # different drives
            inside = False
        if not inside:
            _LOGGER.warning("Ignoring %s: it resolves to %s, outside %s", path, real, self.root)
            return None
        if not os.path.isfile(real):
            return None
        return LocalImage(type=kind, path=path)
