"""Image tags as capabilities, and the ImageTags / BackdropImageTags / ImageBlurHashes parts of a BaseItemDto.

jellyfin-web loads artwork with plain `<img src="/Items/{id}/Images/Primary?tag=…">` and sends no token, so an
image route that insists on a token shows no artwork at all. Jellyfin answers those requests for anyone; Marquee
instead signs the tags it hands out: a tag is `<content tag><signature>`, the signature an HMAC-SHA256 (keyed by
a server secret of this integration's own, truncated to 64 bits) over who owns the image (item or user), its
id, the image type and index, and the content tag. Only a DTO built for a user allowed to see the item carries
one, so a valid tag is an unguessable capability for exactly that image; the image routes accept it in place of
a token (images.py). Clients treat tags as opaque and only echo them back; the content tag (a hash of the file's
path, size and mtime) changes when the image does, so a URL with a tag may be cached for good.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SIGNATURE_CACHE = 20_000  # about 4 MB
SIGNATURE_CHARS = 16  # hex: 64 bits, beyond online guessing; with the 16-char content tag 32 chars, like Jellyfin's
_HEX = frozenset(string.hexdigits.lower())
# The DTO members that hold image tags; ImageBlurHashes has an entry for every tag found in them.
_SINGLE_TAGS = ("SeriesPrimaryImageTag", "SeriesThumbImageTag", "ParentThumbImageTag", "ParentLogoImageTag",
                "ParentArtImageTag", "ParentPrimaryImageTag", "AlbumPrimaryImageTag")  # fmt: skip
_TAG_LISTS = ("BackdropImageTags", "ParentBackdropImageTags")


class ImageSigner:
    def __init__(self, key: bytes) -> None:
        self._key = hmac.new(key, b"marquee jellyfin image tag", hashlib.sha256).digest()  # this purpose only
        # A page of 100 items signs a few hundred tags (~4 us each); the same pages are asked for again and again.
        self._mac = lru_cache(maxsize=SIGNATURE_CACHE)(self._compute_mac)

    def _compute_mac(self, owner: str, owner_id: str, image_type: str, index: int, content: str) -> str:
        message = f"{owner}\n{owner_id}\n{image_type}\n{index}\n{content}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]

    def sign(self, owner_id: str, image_type: str, index: int, content: str, *, owner: str = "item") -> str:
        return content + self._mac(owner, owner_id, image_type, index, content)

    def verify(self, owner_id: str, image_type: str, index: int, tag: str, *, owner: str = "item") -> str | None:
        """The content tag that `tag` carries when it was signed for exactly this image, else None."""
        tag = tag.lower()
        if not SIGNATURE_CHARS < len(tag) <= 4 * SIGNATURE_CHARS or not _HEX.issuperset(tag):
            return None
        content, mac = tag[:-SIGNATURE_CHARS], tag[-SIGNATURE_CHARS:]
        expected = self._mac(owner, owner_id, image_type, index, content)
        return content if hmac.compare_digest(mac, expected) else None


@dataclass(slots=True)
class ItemImages:
    """One item's images as a DTO shows them: the first of each type, and every backdrop; tags signed."""

    tags: dict[str, str] = field(default_factory=dict)
    backdrops: list[str] = field(default_factory=list)


NO_IMAGES = ItemImages()


class PageImages:
    """The images of a page of items (and their parents), signed once, with their blurhashes by signed tag."""

    def __init__(self, signer: ImageSigner) -> None:
        self.signer = signer
        self.items: dict[str, ItemImages] = {}
        self.hashes: dict[str, tuple[str, str]] = {}  # signed tag -> (image type, blurhash)

    def add(self, item_id: str, row: dict[str, Any]) -> None:
        """`row`: an images row (image_type, position, tag, blurhash), ordered by position."""
        image_type, position = row["image_type"], row["position"]
        images = self.items.setdefault(item_id, ItemImages())
        if image_type == "Backdrop":
            signed = self.signer.sign(item_id, image_type, position, row["tag"])
            images.backdrops.append(signed)
        elif position == 0 and image_type not in images.tags:
            signed = images.tags[image_type] = self.signer.sign(item_id, image_type, 0, row["tag"])
        else:
            return
        if row.get("blurhash"):  # '' when the file could not be hashed
            self.hashes[signed] = (image_type, row["blurhash"])

    def of(self, item_id: str) -> ItemImages:
        return self.items.get(item_id, NO_IMAGES)

    def attach_blurhashes(self, dto: dict[str, Any]) -> None:
        """ImageBlurHashes as Jellyfin fills it: {type: {tag: hash}} for every image tag the DTO carries."""
        if not self.hashes:  # a page without artwork, or artwork not hashed yet
            return
        found: dict[str, dict[str, str]] = {}
        for tag in _tags_of(dto):
            known = self.hashes.get(tag)
            if known is not None:
                found.setdefault(known[0], {})[tag] = known[1]
        if found:
            dto["ImageBlurHashes"] = found


def _tags_of(dto: dict[str, Any]) -> Iterable[str]:
    yield from dto["ImageTags"].values()
    for name in _TAG_LISTS:
        yield from dto.get(name) or ()
    for name in _SINGLE_TAGS:
        if dto.get(name):
            yield dto[name]
