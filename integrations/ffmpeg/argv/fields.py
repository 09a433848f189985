"""Checking one value of a request (a ValueError naming the field: "video.level: ..."), and formatting checked
numbers for the argv (never copied from request strings)."""

from __future__ import annotations

import math
import re
from typing import Any

from .allowed import LEVELS, MAX_PATH

_LEVEL_TEXT = re.compile(r"[1-9](?:\.[0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fail(field: str, problem: str) -> ValueError:
    return ValueError(f"{field}: {problem}")


def check_int(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(field, f"expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise fail(field, f"{value} is outside {low}..{high}")
    return value


def check_seconds(field: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(field, f"expected a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or not low <= value <= high:
        raise fail(field, f"{value!r} is outside {low:g}..{high:g}")
    return float(value)


def check_choice(field: str, value: Any, allowed: frozenset[str] | set[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = ", ".join(sorted(allowed)) or "nothing"
        raise fail(field, f"{value!r} is not one of: {shown}")
    return value


def check_path(field: str, value: Any) -> str:
    """An absolute path without control characters (spaces, quotes and the like are fine: argv elements)."""
    if not isinstance(value, str) or not value:
        raise fail(field, "expected a path")
    if len(value) > MAX_PATH:
        raise fail(field, "path too long")
    if _CONTROL.search(value):
        raise fail(field, "control characters (newline, NUL...) are not allowed in a path")
    if not value.startswith("/"):
        raise fail(field, f"{value!r} is not an absolute path")
    return value


def parse_level(codec: str, level: Any) -> int | None:
    """ "4.1" -> 41, "5" and "5.0" -> 50, None -> None. Anything else is rejected, not guessed at:

    "41" (level_idc style), "4.10", " 4.1", "4.1\\n", "4,1" and levels the codec does not define all raise
    ValueError. AV1 and VP9 take no level.
    """
    if level is None:
        return None
    if codec not in LEVELS:
        raise fail("video.level", f"no level can be set for {codec}")
    if not isinstance(level, str) or not _LEVEL_TEXT.fullmatch(level):
        raise fail("video.level", f"{level!r} is not a level like '4.1' or '5'")
    major, _, minor = level.partition(".")
    tenths = int(major) * 10 + int(minor or 0)
    if tenths not in LEVELS[codec]:
        raise fail("video.level", f"{level!r} is not a {codec} level")
    return tenths


def format_level(tenths: int) -> str:
    """41 -> "4.1", 50 -> "5.0" (x264/x265 syntax)."""
    return f"{tenths // 10}.{tenths % 10}"


def level_idc(codec: str, tenths: int) -> int:
    """The codec's own level number, which every hardware encoder's -level accepts: H.264 level_idc (41 for 4.1),
    HEVC general_level_idc (30 x level: 123 for 4.1)."""
    return tenths if codec == "h264" else tenths * 3


def format_seconds(value: float) -> str:
    """A decimal string from a validated float: 12.5 -> "12.5", 2.0 -> "2", 1/3 -> "0.333" (never exponents)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
