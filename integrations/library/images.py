"""Serve item artwork, resized on request with Pillow and cached on disk by (tag, size, quality, format)."""

from __future__ import annotations

from pathlib import Path

FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"), "webp": ("WEBP", "image/webp")}


class ImageUnreadable(Exception):
    pass


def render(source: Path, target: Path, width: int | None, height: int | None, quality: int, fmt: str) -> Path:
    """Blocking: resize `source` to fit inside width x height (keeping its aspect ratio) and save to `target`."""
    if target.exists():
        return target
    from PIL import Image, UnidentifiedImageError  # Pillow loads with the first image, not at start-up

    pil_format, _ = FORMATS[fmt]
    try:
        with Image.open(source) as image:
            image.draft("RGB", (width or image.width, height or image.height))  # fast JPEG downscale on decode
            image = image.convert("RGBA" if pil_format == "PNG" else "RGB")
            if width or height:
                image.thumbnail((width or image.width, height or image.height), Image.Resampling.LANCZOS)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".part")
            image.save(partial, pil_format, quality=quality, optimize=pil_format == "JPEG")
            partial.replace(target)  # readers never see a half-written file
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as err:
        raise ImageUnreadable(str(err)) from err
    return target


def cache_name(tag: str, width: int | None, height: int | None, quality: int, fmt: str) -> str:
    return f"{tag}_{width or 0}x{height or 0}_q{quality}.{fmt}"
