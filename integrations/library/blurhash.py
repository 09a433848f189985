"""Blurhash placeholders for item artwork, made once per image file right after a scan writes its image rows.

A client paints the blurhash (a ~30 character string) while the real image loads. It is made from a ≤32 px copy
(JPEG decodes straight to 1/8 scale), with Jellyfin's component counts: about 16 roughly square tiles, at most
9 a side. Measured here (2 shared cores): ≈0.3 ms per 300x450 JPEG poster, ≈4 ms for a 2000x3000 JPEG, ≈25 ms for a
1000x1500 PNG (PNG has no reduced-size decode); encoding is ≈0.05 ms of that, reading the file is the cost.

The hash is stored in `images.blurhash`: NULL while pending, '' when the file could not be read (logged once,
not retried until the image changes; the APIs show no hash then). A scan never fails because of it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from concurrent.futures import Executor
from typing import Any

from core.storage import Database

_LOGGER = logging.getLogger(__name__)
SIZE = 32  # px, the longer side of the copy that is hashed
_BATCH = 64  # images hashed concurrently (the scan's worker threads), then written in one transaction


def components(width: int, height: int) -> tuple[int, int]:
    """Jellyfin's choice (ImageProcessor.GetImageBlurHash): tiles as square as possible, about 16 of them."""
    x = math.sqrt(16.0 * width / height)
    return min(int(x) + 1, 9), min(int(x * height / width) + 1, 9)


def blurhash_of(path: str) -> str | None:
    """Blocking. The blurhash of the image file at `path`, or None (logged) when it can't be read."""
    from blurhash_rs import blurhash_encode  # load with the first image, not at start-up (as Pillow does)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            image.draft("RGB", (SIZE, SIZE))  # JPEG: decode at the smallest scale still ≥ SIZE
            small = image.convert("RGB")
        small.thumbnail((SIZE, SIZE), Image.Resampling.BILINEAR)
        return blurhash_encode(small, *components(width, height))
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as err:
        _LOGGER.warning("No blurhash for %s: %s", path, err)
        return None


async def fill_blurhashes(db: Database, executor: Executor) -> int:
    """Hash the image rows that have none yet (each file once, however many rows share it). Returns how many
    files were hashed. Cheap when there are none: a partial index holds only the pending rows."""
    pending = await db.fetch_all("SELECT item_id, type, position, path, tag FROM images WHERE blurhash IS NULL")
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for row in pending:
        by_tag.setdefault(row["tag"], []).append(row)
    loop = asyncio.get_running_loop()
    tags = list(by_tag)
    for start in range(0, len(tags), _BATCH):
        batch = tags[start : start + _BATCH]
        hashes = await asyncio.gather(
            *(loop.run_in_executor(executor, blurhash_of, by_tag[tag][0]["path"]) for tag in batch)
        )
        async with db.transaction() as conn:
            await conn.executemany(
                "UPDATE images SET blurhash = ? WHERE item_id = ? AND type = ? AND position = ? AND tag = ?",
                [
                    (found or "", row["item_id"], row["type"], row["position"], tag)
                    for tag, found in zip(batch, hashes, strict=True)
                    for row in by_tag[tag]
                ],
            )
    return len(tags)
